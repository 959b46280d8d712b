import Foundation
import YAML

/// JSON Schema validation of chart values with the messages Helm 4 prints
/// (santhosh-tekuri/jsonschema v6 wording and nesting).
///
/// Covers the keywords charts use: type, enum, const, required, properties,
/// patternProperties, additionalProperties, items/prefixItems/additionalItems,
/// min/max (Length, Items, Properties), minimum/maximum (+exclusive), multipleOf,
/// pattern, uniqueItems, $ref (within the document), allOf/anyOf/oneOf/not, if/then/else.
public struct JSONSchema: Sendable {
    let root: JSONNode
    /// Before draft 2019-09, `$ref` hides its sibling keywords and `items` may be an array.
    let legacyDraft: Bool
    let draft4: Bool

    public init(json: String) throws {
        do { root = try JSONReader.parseTree(json) } catch let f as JSONReader.Failure {
            throw HelmError(.schema, f.message)
        }
        var legacy = false, d4 = false
        if case .object(let m) = root, case .string(let s)? = m["$schema"] {
            legacy = s.contains("draft-04") || s.contains("draft-06") || s.contains("draft-07")
            d4 = s.contains("draft-04")
        }
        legacyDraft = legacy
        draft4 = d4
    }

    /// One failure in v6's tree shape: a message at an instance location, with causes.
    public struct Failure: Sendable {
        public var location: [String]
        public var message: String
        /// A `$ref` wrapper: shown only through its cause when it has exactly one.
        public var isReference = false
        public var causes: [Failure] = []
    }

    /// Validates; nil when valid, otherwise the text v6 prints after its first line.
    public func validate(_ value: YAMLValue) -> String? {
        guard let failure = check(root, value, []) else { return nil }
        // The top level is a Schema wrapper whose causes are the group's members.
        let causes = failure.message == Self.groupMessage && !failure.isReference ? failure.causes : [failure]
        var out = ""
        for c in causes { Self.display(c, indent: 1, into: &out) }
        return String(out.dropFirst())  // leading newline
    }

    static let groupMessage = "validation failed"

    static func display(_ f: Failure, indent: Int, into out: inout String) {
        var indent = indent
        let skip = f.isReference && f.causes.count == 1
        if !skip {
            out += "\n" + String(repeating: "  ", count: indent - 1) + "- "
            indent += 1
            out += "at " + quote(pointer(f.location)) + ": " + f.message
        }
        for c in f.causes { display(c, indent: indent, into: &out) }
    }

    static func pointer(_ tokens: [String]) -> String {
        tokens.map { "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1") }.joined()
    }

    /// v6's `quote`: Go `%q` with `"` unescaped and `'` escaped, in single quotes.
    static func quote(_ s: String) -> String {
        var out = "'"
        for u in s.unicodeScalars {
            switch u {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "'"
    }

    // MARK: validation

    static func isTrue(_ n: JSONNode?) -> Bool {
        if case .bool(true)? = n { return true }
        return false
    }

    /// Compiled patterns, shared by every validation (charts repeat the same few).
    private static let regexCache = RegexCache()
    final class RegexCache: @unchecked Sendable {
        let lock = NSLock()
        var compiled: [String: NSRegularExpression] = [:]
    }
    static func regex(_ pattern: String) -> NSRegularExpression? {
        regexCache.lock.lock()
        defer { regexCache.lock.unlock() }
        if let r = regexCache.compiled[pattern] { return r }
        guard let r = try? NSRegularExpression(pattern: pattern) else { return nil }
        regexCache.compiled[pattern] = r
        return r
    }

    private func fail(_ loc: [String], _ message: String) -> Failure { Failure(location: loc, message: message) }

    private func check(_ schema: JSONNode, _ v: YAMLValue, _ loc: [String]) -> Failure? {
        switch schema {
        case .bool(let b): return b ? nil : fail(loc, "false schema")
        case .object(let s): return check(s, v, loc)
        default: return nil
        }
    }

    private func resolve(_ ref: String) -> JSONNode? {
        guard ref.hasPrefix("#") else { return nil }
        var cur = root
        let path = ref.dropFirst()
        if path.isEmpty { return cur }
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            let token = (String(raw).removingPercentEncoding ?? String(raw))
                .replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch cur {
            case .object(let m): guard let n = m[token] else { return nil }; cur = n
            case .array(let a): guard let i = Int(token), a.indices.contains(i) else { return nil }; cur = a[i]
            default: return nil
            }
        }
        return cur
    }

    private func typeName(_ v: YAMLValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .float: return "number"
        case .string: return "string"
        case .sequence: return "array"
        case .mapping: return "object"
        }
    }

    private func number(_ v: YAMLValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }

    private func isInteger(_ v: YAMLValue) -> Bool {
        switch v {
        case .int: return true
        case .float(let d): return d.isFinite && d.rounded() == d
        default: return false
        }
    }

    private func display(_ v: YAMLValue) -> String {
        switch v {
        case .string(let s): return Self.quote(s)
        case .sequence, .mapping: return "value"
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        }
    }

    private func equal(_ a: YAMLValue, _ b: YAMLValue) -> Bool {
        switch (a, b) {
        case (.mapping(let x), .mapping(let y)):
            return x.count == y.count && x.allSatisfy { e in y[e.key].map { equal(e.value, $0) } ?? false }
        case (.sequence(let x), .sequence(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        default:
            if let x = number(a), let y = number(b) { return x == y }
            return a == b
        }
    }

    private func check(_ s: JSONObject, _ v: YAMLValue, _ loc: [String]) -> Failure? {
        var errors: [Failure] = []

        if let t = s["type"] {
            let wanted: [String]
            switch t {
            case .string(let one): wanted = [one]
            case .array(let many): wanted = many.compactMap { if case .string(let x) = $0 { return x } else { return nil } }
            default: wanted = []
            }
            let actual = typeName(v)
            let ok = wanted.isEmpty || wanted.contains(actual) || (wanted.contains("integer") && actual == "number" && isInteger(v))
            if !ok {
                let order = ["null", "boolean", "number", "integer", "string", "array", "object"]
                return fail(loc, "got \(actual), want \(order.filter(wanted.contains).joined(separator: " or "))")
            }
        }
        if let cn = s["const"], case let c = cn.yamlValue, !equal(v, c) {
            switch c {
            case .sequence, .mapping: return fail(loc, "const failed")
            default: return fail(loc, "value must be \(display(c))")
            }
        }
        if case .array(let nodes)? = s["enum"], case let options = nodes.map(\.yamlValue), !options.contains(where: { equal(v, $0) }) {
            let primitive = !options.contains { if case .sequence = $0 { return true }; if case .mapping = $0 { return true }; return false }
            if !primitive { return fail(loc, "enum failed") }
            if options.count == 1 { return fail(loc, "value must be \(display(options[0]))") }
            return fail(loc, "value must be one of \(options.map(display).joined(separator: ", "))")
        }
        if case .string(let ref)? = s["$ref"] {
            if let target = resolve(ref), let f = check(target, v, loc) {
                var wrapper = Failure(location: loc, message: Self.groupMessage, isReference: true)
                wrapper.causes = f.message == Self.groupMessage && !f.isReference ? f.causes : [f]
                if legacyDraft { return wrapper }
                errors.append(wrapper)
            } else if legacyDraft {
                return nil
            }
        }

        switch v {
        case .mapping(let obj): checkObject(s, obj, loc, &errors)
        case .sequence(let arr): checkArray(s, arr, loc, &errors)
        case .string(let str): checkString(s, str, loc, &errors)
        case .int, .float: checkNumber(s, v, loc, &errors)
        default: break
        }

        if let not = s["not"], check(not, v, loc) == nil { errors.append(fail(loc, "not failed")) }
        if case .array(let all)? = s["allOf"] {
            let fs = all.compactMap { check($0, v, loc) }
            if !fs.isEmpty { errors.append(Failure(location: loc, message: "allOf failed", causes: fs)) }
        }
        if case .array(let any)? = s["anyOf"] {
            var fs: [Failure] = []
            var matched = false
            for sub in any {
                if let f = check(sub, v, loc) { fs.append(f) } else { matched = true; break }
            }
            if !matched { errors.append(Failure(location: loc, message: "anyOf failed", causes: fs)) }
        }
        if case .array(let one)? = s["oneOf"] {
            var matched = -1
            var fs: [Failure] = []
            for (i, sub) in one.enumerated() {
                if let f = check(sub, v, loc) {
                    if matched == -1 { fs.append(f) }
                } else if matched == -1 {
                    matched = i
                } else {
                    errors.append(fail(loc, "oneOf failed, subschemas \(matched), \(i) matched"))
                    break
                }
            }
            if matched == -1 { errors.append(Failure(location: loc, message: "oneOf failed, none matched", causes: fs)) }
        }
        if let cond = s["if"] {
            if check(cond, v, loc) == nil {
                if let then = s["then"], let f = check(then, v, loc) { errors.append(f) }
            } else if let els = s["else"], let f = check(els, v, loc) {
                errors.append(f)
            }
        }

        switch errors.count {
        case 0: return nil
        case 1: return errors[0]
        default: return Failure(location: loc, message: Self.groupMessage, causes: errors)
        }
    }

    private func int(_ v: JSONNode?) -> Int? { num(v).map { Int($0) } }

    private func num(_ v: JSONNode?) -> Double? {
        if case .number(let d)? = v { return d }
        return nil
    }

    private func checkObject(_ s: JSONObject, _ obj: YAMLMapping, _ loc: [String], _ errors: inout [Failure]) {
        if let n = int(s["minProperties"]), obj.count < n { errors.append(fail(loc, "minProperties: got \(obj.count), want \(n)")) }
        if let n = int(s["maxProperties"]), obj.count > n { errors.append(fail(loc, "maxProperties: got \(obj.count), want \(n)")) }
        if case .array(let req)? = s["required"] {
            let missing = req.compactMap { r -> String? in
                guard case .string(let name) = r, obj[name] == nil else { return nil }
                return name
            }
            if missing.count == 1 { errors.append(fail(loc, "missing property \(Self.quote(missing[0]))")) }
            else if !missing.isEmpty { errors.append(fail(loc, "missing properties \(missing.map(Self.quote).joined(separator: ", "))")) }
        }
        var props = JSONObject()
        if case .object(let p)? = s["properties"] { props = p }
        var patterns: [(NSRegularExpression, JSONNode)] = []
        if case .object(let pp)? = s["patternProperties"] {
            for k in pp.keys { if let re = Self.regex(k), let sub = pp[k] { patterns.append((re, sub)) } }
        }
        var additional: [String] = []
        for e in obj {
            var evaluated = false
            if let sub = props[e.key] {
                evaluated = true
                if let f = check(sub, e.value, loc + [e.key]) { errors.append(f) }
            }
            for (re, sub) in patterns where re.firstMatch(in: e.key, range: NSRange(e.key.startIndex..., in: e.key)) != nil {
                evaluated = true
                if let f = check(sub, e.value, loc + [e.key]) { errors.append(f) }
            }
            if !evaluated, let ap = s["additionalProperties"] {
                switch ap {
                case .bool(false): additional.append(e.key)
                case .object: if let f = check(ap, e.value, loc + [e.key]) { errors.append(f) }
                default: break
                }
            }
        }
        if !additional.isEmpty {
            errors.append(fail(loc, "additional properties \(additional.map(Self.quote).joined(separator: ", ")) not allowed"))
        }
    }

    private func checkArray(_ s: JSONObject, _ arr: [YAMLValue], _ loc: [String], _ errors: inout [Failure]) {
        if let n = int(s["minItems"]), arr.count < n { errors.append(fail(loc, "minItems: got \(arr.count), want \(n)")) }
        if let n = int(s["maxItems"]), arr.count > n { errors.append(fail(loc, "maxItems: got \(arr.count), want \(n)")) }
        if case .bool(true)? = s["uniqueItems"], arr.count > 1 {
            outer: for i in 1..<arr.count {
                for j in 0..<i where equal(arr[i], arr[j]) {
                    errors.append(fail(loc, "items at \(j) and \(i) are equal"))
                    break outer
                }
            }
        }
        var evaluated = 0
        if case .array(let prefix)? = s[legacyDraft ? "items" : "prefixItems"] {
            evaluated = min(prefix.count, arr.count)
            for i in 0..<evaluated { if let f = check(prefix[i], arr[i], loc + [String(i)]) { errors.append(f) } }
            if legacyDraft, let additional = s["additionalItems"] {
                if case .bool(false) = additional, evaluated != arr.count {
                    errors.append(fail(loc, "last \(arr.count - evaluated) additionalItem(s) not allowed"))
                } else if case .object = additional {
                    for i in evaluated..<arr.count { if let f = check(additional, arr[i], loc + [String(i)]) { errors.append(f) } }
                }
            }
        }
        if let items = s["items"] {
            switch items {
            case .object, .bool:
                for i in evaluated..<arr.count { if let f = check(items, arr[i], loc + [String(i)]) { errors.append(f) } }
            default: break
            }
        }
    }

    private func checkString(_ s: JSONObject, _ str: String, _ loc: [String], _ errors: inout [Failure]) {
        let length = str.unicodeScalars.count
        if let n = int(s["minLength"]), length < n { errors.append(fail(loc, "minLength: got \(length), want \(n)")) }
        if let n = int(s["maxLength"]), length > n { errors.append(fail(loc, "maxLength: got \(length), want \(n)")) }
        if case .string(let p)? = s["pattern"], let re = Self.regex(p),
           re.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
            errors.append(fail(loc, "\(Self.quote(str)) does not match pattern \(Self.quote(p))"))
        }
    }

    private func checkNumber(_ s: JSONObject, _ v: YAMLValue, _ loc: [String], _ errors: inout [Failure]) {
        guard let x = number(v) else { return }
        let got = display(v)
        func f(_ d: Double) -> String { GoFloat.format(d) }
        if let m = num(s["minimum"]) {
            let exclusive = draft4 && Self.isTrue(s["exclusiveMinimum"])
            if exclusive ? x <= m : x < m { errors.append(fail(loc, "\(exclusive ? "exclusiveMinimum" : "minimum"): got \(got), want \(f(m))")) }
        }
        if let m = num(s["maximum"]) {
            let exclusive = draft4 && Self.isTrue(s["exclusiveMaximum"])
            if exclusive ? x >= m : x > m { errors.append(fail(loc, "\(exclusive ? "exclusiveMaximum" : "maximum"): got \(got), want \(f(m))")) }
        }
        if !draft4, let m = num(s["exclusiveMinimum"]), x <= m { errors.append(fail(loc, "exclusiveMinimum: got \(got), want \(f(m))")) }
        if !draft4, let m = num(s["exclusiveMaximum"]), x >= m { errors.append(fail(loc, "exclusiveMaximum: got \(got), want \(f(m))")) }
        if let m = num(s["multipleOf"]), m != 0 {
            let q = x / m
            if q.rounded() != q { errors.append(fail(loc, "multipleOf: got \(got), want \(f(m))")) }
        }
    }
}

extension JSONSchema {
    /// Parsed schemas by content: the same chart is often rendered many times in one process.
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [[UInt8]: JSONSchema] = [:]
    }
    private static let cache = Cache()

    static func compiled(_ bytes: [UInt8]) throws -> JSONSchema {
        cache.lock.lock()
        if let hit = cache.entries[bytes] { cache.lock.unlock(); return hit }
        cache.lock.unlock()
        let schema = try JSONSchema(json: String(decoding: bytes, as: UTF8.self))
        cache.lock.lock()
        if cache.entries.count >= 32 { cache.entries.removeAll() }
        cache.entries[bytes] = schema
        cache.lock.unlock()
        return schema
    }

    /// Helm's `ValidateAgainstSchema`: the chart's schema, then each subchart's against its
    /// section of the values. Returns the combined report or nil.
    public static func validate(chart: Chart, values: YAMLMapping) throws -> String? {
        var out = ""
        if let schema = chart.schema {
            let s = try compiled(schema)
            if let report = s.validate(.mapping(values)) {
                out += "\(chart.name):\n" + report + "\n"
            }
        }
        for sub in chart.dependencies {
            guard let raw = values[sub.name], raw != .null else { continue }
            guard case .mapping(let subValues) = raw else {
                out += "\(sub.name):\ninvalid type for values: expected object (map), got \(Values.goTypeName(raw))\n"
                continue
            }
            if let report = try validate(chart: sub, values: subValues) { out += report }
        }
        return out.isEmpty ? nil : out
    }
}
