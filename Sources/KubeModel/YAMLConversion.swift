import YAML

/// Errors turning YAML into JSON data, with the 1-based position of the offending node.
public struct YAMLToJSONError: Error, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "yaml: line \(line): \(message)" }
}

extension JSONValue {
    /// Converts a parsed YAML node the way sigs.k8s.io/yaml does (YAML 1.1 scalars as
    /// go-yaml v2 resolves them, then JSON): `yes/no/on/off` are booleans, integers stay
    /// integers, non-string keys become their string form.
    public init(yaml node: Node) throws(YAMLToJSONError) {
        switch node.content {
        case .scalar(let text, let style):
            self = JSONValue.resolveScalar(text, style: style, tag: node.tag)
        case .sequence(let items):
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try JSONValue(yaml: item)) }
            self = .array(out)
        case .mapping(let pairs):
            var o = JSONObject()
            for pair in pairs {
                let key: String
                switch pair.key.content {
                case .scalar(let k, let style):
                    if pair.key.scalarValue == "<<", style == .plain {
                        // Merge key: copy the referenced mapping(s) without overriding.
                        let merged = try JSONValue(yaml: pair.value)
                        let sources: [JSONValue] = merged.arrayValue ?? [merged]
                        for case .object(let src) in sources {
                            for m in src where o[m.key] == nil { o[m.key] = m.value }
                        }
                        continue
                    }
                    switch JSONValue.resolveScalar(k, style: style, tag: pair.key.tag) {
                    case .string(let s): key = s
                    case .null: key = "null"
                    case .bool(let b): key = b ? "true" : "false"
                    case .int(let i): key = String(i)
                    case .double(let d): key = JSONWriter.formatDouble(d)
                    default: key = k
                    }
                default:
                    throw YAMLToJSONError(
                        line: pair.key.mark.line, column: pair.key.mark.column,
                        message: "invalid map key: a \(pair.key.kindName) is not a string")
                }
                o[key] = try JSONValue(yaml: pair.value)
            }
            self = .object(o)
        }
    }

    /// Parses a YAML stream into its non-empty documents as JSON values.
    public static func parseYAMLStream(_ text: String, file: String? = nil) throws -> [JSONValue] {
        let docs = try Parser().parseStream(text, file: file)
        var out: [JSONValue] = []
        for d in docs {
            guard let root = d.root else { continue }
            let v = try JSONValue(yaml: root)
            if v.isNull { continue }
            out.append(v)
        }
        return out
    }

    static func resolveScalar(_ text: String, style: ScalarStyle, tag: String?) -> JSONValue {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str": return .string(text)
            case "tag:yaml.org,2002:int":
                if let v = parseInt(text) { return .int(v) }
            case "tag:yaml.org,2002:float":
                if let v = parseFloat(text) { return .double(v) }
            case "tag:yaml.org,2002:bool":
                if let b = boolWords[text] { return .bool(b) }
            case "tag:yaml.org,2002:null": return .null
            default: break
            }
        }
        guard style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = boolWords[text] { return .bool(b) }
        if let first = text.utf8.first,
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
        {
            if let v = parseInt(text) { return .int(v) }
            if let v = parseFloat(text) { return .double(v) }
        }
        return .string(text)
    }

    static let boolWords: [String: Bool] = [
        "y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "true": true, "True": true, "TRUE": true,
        "on": true, "On": true, "ON": true,
        "n": false, "N": false, "no": false, "No": false, "NO": false, "false": false, "False": false,
        "FALSE": false, "off": false, "Off": false, "OFF": false,
    ]

    static func parseInt(_ raw: String) -> Int64? {
        var s = raw.replacingUnderscores()
        var negative = false
        if s.hasPrefix("-") { negative = true; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        guard !s.isEmpty else { return nil }
        var value: Int64?
        if s.hasPrefix("0x") { value = Int64(s.dropFirst(2), radix: 16) }
        else if s.hasPrefix("0b") { value = Int64(s.dropFirst(2), radix: 2) }
        else if s.hasPrefix("0o") { value = Int64(s.dropFirst(2), radix: 8) }
        else if s.count > 1, s.hasPrefix("0"), s.allSatisfy({ ("0"..."7").contains($0) }) { value = Int64(s, radix: 8) }
        else if s.allSatisfy({ ("0"..."9").contains($0) }) { value = Int64(s) }
        guard let v = value else { return nil }
        return negative ? -v : v
    }

    static func parseFloat(_ raw: String) -> Double? {
        switch raw {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let s = raw.replacingUnderscores()
        // Only decimal forms; Swift's Double(...) also accepts "nan"/"inf"/hex, which YAML does not.
        guard s.allSatisfy({ "0123456789.eE+-".contains($0) }), s.contains(where: \.isNumber) else { return nil }
        return Double(s)
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        contains("_") ? String(filter { $0 != "_" }) : self
    }
}

extension JSONValue {
    /// Block-style YAML as sigs.k8s.io/yaml prints it (keys sorted, strings quoted when
    /// they would otherwise read as another type). Used for logs and human output.
    public func yamlString() -> String {
        var out = ""
        YAMLWriter.write(self, indent: 0, into: &out, inSequence: false)
        return out
    }
}

enum YAMLWriter {
    static func write(_ v: JSONValue, indent: Int, into out: inout String, inSequence: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch v {
        case .object(let o) where !o.isEmpty:
            var sorted = o
            sorted.sortKeys()
            var first = true
            for m in sorted {
                if !(first && inSequence) { out += pad }
                first = false
                out += scalarText(.string(m.key)) + ":"
                writeChild(m.value, indent: indent, into: &out)
            }
        case .array(let a) where !a.isEmpty:
            for e in a {
                out += pad + "- "
                switch e {
                case .object(let o) where !o.isEmpty: write(e, indent: indent + 2, into: &out, inSequence: true)
                case .array(let inner) where !inner.isEmpty:
                    out += "\n"
                    write(e, indent: indent + 2, into: &out, inSequence: false)
                default: out += scalarText(e) + "\n"
                }
            }
        default:
            out += scalarText(v) + "\n"
        }
    }

    static func writeChild(_ v: JSONValue, indent: Int, into out: inout String) {
        switch v {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            write(v, indent: indent + 2, into: &out, inSequence: false)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            write(v, indent: indent, into: &out, inSequence: false)
        default:
            out += " " + scalarText(v) + "\n"
        }
    }

    static func scalarText(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.formatDouble(d)
        case .object: return "{}"
        case .array: return "[]"
        case .string(let s):
            if s.isEmpty { return "\"\"" }
            let resolved = JSONValue.resolveScalar(s, style: .plain, tag: nil)
            let special = s.contains(where: { ":#{}[],&*!|>'\"%@`\n\t".contains($0) }) || s.first == " " || s.last == " "
                || s.first == "-" || s.first == "?"
            if resolved != .string(s) || special {
                return String(decoding: JSONValue.string(s).encoded(), as: UTF8.self)
            }
            return s
        }
    }
}
