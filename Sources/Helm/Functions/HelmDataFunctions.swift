import Foundation
import GoTemplate
import YAML

// Helm's data functions (pkg/engine/funcs.go: toYaml, fromYaml, toJson, fromJson,
// toToml, fromToml and their must/array forms) and Sprig's semver functions.
extension Sprig {
    static func dataFunctions(into f: inout FunctionMap) {
        @Sendable func trimNewline(_ s: String) -> String { s.hasSuffix("\n") ? String(s.dropLast()) : s }
        f.add("toYaml", [.interface], result: .string) { a, _ in .string(trimNewline(GoYAML.marshal(ValueBridge.yaml(a[0])))) }
        // Helm uses yaml.v3 with a 2-space indent here; the emitter is yaml.v2's (documented gap).
        f.add("toYamlPretty", [.interface], result: .string) { a, _ in .string(trimNewline(GoYAML.marshal(ValueBridge.yaml(a[0])))) }
        f.add("mustToYaml", [.interface], result: .string) { a, _ in
            do { return .string(trimNewline(try GoYAML.marshalChecked(ValueBridge.yaml(a[0])))) } catch { throw FunctionError(errorText(error)) }
        }
        f.add("fromYaml", [.string], result: .dict) { a, _ in
            let text = try a.string(0)
            do {
                let v = try GoYAML.unmarshal(text)
                switch v {
                case .mapping(let m): return .map(ValueBridge.goMap(m))
                case .null: return .map(GoMap())
                default:
                    return .map(GoMap(["Error": .string("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(v)) into Go value of type map[string]interface {}")]))
                }
            } catch {
                return .map(GoMap(["Error": .string(errorText(error))]))
            }
        }
        f.add("fromYamlArray", [.string], result: .list) { a, _ in
            let text = try a.string(0)
            do {
                let v = try GoYAML.unmarshal(text)
                switch v {
                case .sequence(let items): return .list(items.map(ValueBridge.value))
                case .null: return .list([])
                default:
                    return .list([.string("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(v)) into Go value of type []interface {}")])
                }
            } catch {
                return .list([.string(errorText(error))])
            }
        }
        f.add("toJson", [.interface], result: .string) { a, _ in .string((try? GoJSON.marshal(ValueBridge.yaml(a[0]))) ?? "") }
        f.add("mustToJson", [.interface], result: .string) { a, _ in
            do { return .string(try GoJSON.marshal(ValueBridge.yaml(a[0]))) } catch { throw FunctionError(errorText(error)) }
        }
        f.add("toPrettyJson", [.interface], result: .string) { a, _ in .string((try? GoJSON.marshalIndent(ValueBridge.yaml(a[0]))) ?? "") }
        f.add("mustToPrettyJson", [.interface], result: .string) { a, _ in
            do { return .string(try GoJSON.marshalIndent(ValueBridge.yaml(a[0]))) } catch { throw FunctionError(errorText(error)) }
        }
        f.add("toRawJson", [.interface], result: .string) { a, _ in
            .string((try? GoJSON.marshal(ValueBridge.yaml(a[0]), escapeHTML: false)) ?? "")
        }
        f.add("mustToRawJson", [.interface], result: .string) { a, _ in
            do { return .string(try GoJSON.marshal(ValueBridge.yaml(a[0]), escapeHTML: false)) } catch { throw FunctionError(errorText(error)) }
        }
        f.add("fromJson", [.string], result: .dict) { a, _ in
            let text = try a.string(0)
            do {
                let v = try GoJSON.unmarshal(text, into: .object)
                if case .mapping(let m) = v { return .map(ValueBridge.goMap(m)) }
                return .map(GoMap())
            } catch {
                return .map(GoMap(["Error": .string(errorText(error))]))
            }
        }
        f.add("mustFromJson", [.string]) { a, _ in
            let text = try a.string(0)
            do { return ValueBridge.value(try GoJSON.unmarshal(text, into: .any)) } catch { throw FunctionError(errorText(error)) }
        }
        f.add("fromJsonArray", [.string], result: .list) { a, _ in
            let text = try a.string(0)
            do {
                let v = try GoJSON.unmarshal(text, into: .array)
                if case .sequence(let items) = v { return .list(items.map(ValueBridge.value)) }
                return .list([])
            } catch {
                return .list([.string(errorText(error))])
            }
        }
        f.add("toToml", [.interface], result: .string) { a, _ in
            guard case .map(let m) = a[0].underlyingValue else { return .string("toml: top-level values must be Go maps or structs") }
            var out = ""
            TOMLWriter.write(m, path: [], indent: "", into: &out)
            return .string(out)
        }
        f.add("fromToml", [.string], result: .dict) { a, _ in
            let text = try a.string(0)
            do { return .map(try TOMLReader.parse(text)) } catch {
                return .map(GoMap(["Error": .string(String(describing: error))]))
            }
        }
    }

    static func jsonKind(_ v: YAMLValue) -> String {
        switch v {
        case .sequence: return "array"
        case .mapping: return "object"
        case .string: return "string"
        case .bool: return "bool"
        case .int, .float: return "number"
        case .null: return "null"
        }
    }

    static func semverFunctions(into f: inout FunctionMap) {
        f.add("semverCompare", [.string, .string], result: .bool) { a, _ in
            let (c, v) = (try a.string(0), try a.string(1))
            guard let constraint = SemConstraint(c) else { throw FunctionError("improper constraint: \(c)") }
            guard let version = SemVersion(v) else { throw FunctionError("Invalid Semantic Version") }
            return .bool(constraint.check(version))
        }
        f.add("semver", [.string]) { a, _ in
            let s = try a.string(0)
            guard let v = SemVersion(s) else { throw FunctionError("Invalid Semantic Version") }
            return .object(SemverObject(v, original: s))
        }
    }
}

/// `*semver.Version` (Masterminds): fields through methods, as templates call them.
final class SemverObject: GoObject, @unchecked Sendable {
    let version: SemVersion
    let original: String
    init(_ version: SemVersion, original: String) {
        self.version = version
        self.original = original
    }
    var goType: GoType { .pointer(.named("semver.Version", kind: .struct)) }
    var stringValue: String? { version.description }

    func member(named name: String) -> GoMember? {
        let v = version
        func method(_ result: GoType, _ value: @escaping @Sendable () -> Value) -> GoMember {
            .method(Function(name, parameters: [], result: result) { _, _ in value() })
        }
        func compare(_ body: @escaping @Sendable (Int) -> Value) -> GoMember {
            .method(Function(name, parameters: [.interface]) { a, _ in
                guard case .object(let o as SemverObject) = a[0] else {
                    throw FunctionError("wrong type for value; expected *semver.Version; got \(a[0].typeName)")
                }
                return body(v < o.version ? -1 : (v == o.version ? 0 : 1))
            })
        }
        switch name {
        case "Major": return method(.uint(.uint64)) { .unsigned(v.major, .uint64) }
        case "Minor": return method(.uint(.uint64)) { .unsigned(v.minor, .uint64) }
        case "Patch": return method(.uint(.uint64)) { .unsigned(v.patch, .uint64) }
        case "Prerelease": return method(.string) { .string(v.prerelease) }
        case "Metadata": return method(.string) { .string(v.metadata) }
        case "Original": return method(.string) { [original] in .string(original) }
        case "String": return method(.string) { .string(v.description) }
        case "Compare": return compare { .int($0) }
        case "LessThan": return compare { .bool($0 < 0) }
        case "GreaterThan": return compare { .bool($0 > 0) }
        case "Equal": return compare { .bool($0 == 0) }
        default: return nil
        }
    }
}

/// BurntSushi/toml's encoder for maps: plain keys first (sorted), then sub-tables.
enum TOMLWriter {
    static func write(_ m: GoMap, path: [String], indent: String, into out: inout String) {
        let keys = m.sortedKeys
        var tables: [(String, GoMap)] = []
        var tableArrays: [(String, [GoMap])] = []
        for k in keys {
            guard let v = m[k]?.underlyingValue else { continue }
            if case .map(let sub) = v { tables.append((k, sub)); continue }
            if case .list(let l) = v, !l.elements.isEmpty, l.elements.allSatisfy({ if case .map = $0.underlyingValue { return true }; return false }) {
                tableArrays.append((k, l.elements.compactMap { if case .map(let x) = $0.underlyingValue { return x }; return nil }))
                continue
            }
            if v.isNil { continue }
            out += indent + key(k) + " = " + scalar(v) + "\n"
        }
        for (k, sub) in tables {
            let p = path + [k]
            out += "\n" + indent + "[" + p.map(key).joined(separator: ".") + "]\n"
            write(sub, path: p, indent: indent + "  ", into: &out)
        }
        for (k, subs) in tableArrays {
            let p = path + [k]
            for sub in subs {
                out += "\n" + indent + "[[" + p.map(key).joined(separator: ".") + "]]\n"
                write(sub, path: p, indent: indent + "  ", into: &out)
            }
        }
    }

    static func key(_ k: String) -> String {
        let bare = !k.isEmpty && k.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
        return bare ? k : quote(k)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 || c.value == 0x7F { out += String(format: "\\u%04X", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }

    static func scalar(_ v: Value) -> String {
        switch v.underlyingValue {
        case .string(let s): return quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n, _): return String(n)
        case .unsigned(let n, _): return String(n)
        case .float(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            let s = goFormat(.float(d))
            return s.contains(".") || s.contains("e") ? s : s + ".0"
        case .list(let l): return "[" + l.elements.filter { !$0.isNil }.map(scalar).joined(separator: ", ") + "]"
        default: return quote(goFormat(v))
        }
    }
}

/// A small TOML reader for `fromToml`: key/value lines, [tables], strings, numbers,
/// booleans and inline arrays.
enum TOMLReader {
    struct ParseError: Error, CustomStringConvertible {
        let line: Int, message: String
        var description: String { "toml: line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> GoMap {
        let root = GoMap()
        var current = root
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = root
                for part in line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ".") {
                    let k = String(part).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    if case .map(let m)? = current[k] { current = m } else { let m = GoMap(); current[k] = .map(m); current = m }
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw ParseError(line: n + 1, message: "expected '=' in key/value pair") }
            let k = line[..<eq].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            current[k] = try value(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces), line: n + 1)
        }
        return root
    }

    static func value(_ s: String, line: Int) throws -> Value {
        if s.hasPrefix("\""), s.hasSuffix("\""), s.count >= 2 { return .string(String(s.dropFirst().dropLast())) }
        if s == "true" { return .bool(true) }
        if s == "false" { return .bool(false) }
        if s.hasPrefix("["), s.hasSuffix("]") {
            let inner = s.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .list(try inner.map { try value($0, line: line) })
        }
        if let i = Int64(s.replacingOccurrences(of: "_", with: "")) { return .int64(i) }
        if let d = Double(s.replacingOccurrences(of: "_", with: "")) { return .float(d) }
        throw ParseError(line: line, message: "invalid value \(s)")
    }
}

extension Sprig {
    /// Go's error text for the YAML/JSON codecs' errors.
    static func errorText(_ error: any Error) -> String {
        if let e = error as? GoEncodingError { return e.message }
        if let e = error as? YAMLError { return e.kubernetesMessage }
        return String(describing: error)
    }
}
