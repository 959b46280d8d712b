// YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema) for the project's
// own files. Stricter than yaml.v2 on purpose: `no` is a string, `0755` is decimal 755,
// and a tag that does not fit its value is an error at that node.

enum CoreResolve {
    static func scalar(_ node: Node, file: String?) throws(YAMLError) -> YAMLValue {
        guard case .scalar(let text, let style) = node.content else { return .null }
        func fail(_ problem: String) -> YAMLError {
            YAMLError(kind: .decode, file: file, mark: node.mark, problem: problem)
        }
        guard let tag = node.tag, tag != "!" else {
            // Untagged: plain scalars are resolved, quoted and block scalars are strings.
            // (A "!" tag is the non-specific tag: a string, whatever the style.)
            return node.tag == nil && style == .plain ? implicit(text) : .string(text)
        }
        switch tag {
        case Tag.str:
            return .string(text)
        case Tag.null:
            guard isNull(text) else { throw fail("cannot use \"\(text)\" as !!null") }
            return .null
        case Tag.bool:
            guard let b = bool(text) else { throw fail("cannot use \"\(text)\" as !!bool (true or false)") }
            return .bool(b)
        case Tag.int:
            guard let v = int(text) else { throw fail("cannot use \"\(text)\" as !!int") }
            return v
        case Tag.float:
            if let f = float(text) { return .float(f) }
            if let v = int(text) {
                switch v {
                case .int(let i): return .float(Double(i))
                default: return v
                }
            }
            throw fail("cannot use \"\(text)\" as !!float")
        case Tag.binary:
            guard let bytes = GoResolve.decodeBase64(text) else { throw fail("!!binary value is not valid base64") }
            guard let s = String(validating: bytes, as: UTF8.self) else {
                throw fail("!!binary value is not UTF-8 text")
            }
            return .string(s)
        case Tag.timestamp:
            guard GoResolve.isTimestamp(text) else { throw fail("cannot use \"\(text)\" as !!timestamp") }
            return .string(text)
        default:
            throw fail("unsupported tag \(Tag.short(tag))")
        }
    }

    static func implicit(_ text: String) -> YAMLValue {
        if isNull(text) { return .null }
        if let b = bool(text) { return .bool(b) }
        if let v = int(text) { return v }
        if let f = float(text) { return .float(f) }
        return .string(text)
    }

    static func isNull(_ s: String) -> Bool {
        s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    static func bool(_ s: String) -> Bool? {
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// `[-+]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`. Integers beyond 64 bits become floats.
    static func int(_ s: String) -> YAMLValue? {
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        if b.count > 2, b[0] == UInt8(ascii: "0"), b[1] == UInt8(ascii: "o") || b[1] == UInt8(ascii: "x") {
            let radix = b[1] == UInt8(ascii: "o") ? 8 : 16
            let digits = String(decoding: b[2...], as: UTF8.self)
            guard digits.utf8.allSatisfy({ isDigit($0, radix: radix) }) else { return nil }
            if let v = Int64(digits, radix: radix) { return .int(v) }
            var d = 0.0
            for c in digits.utf8 { d = d * Double(radix) + Double(digitValue(c)) }
            return .float(d)
        }
        var start = 0
        if b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-") { start = 1 }
        guard start < b.count, b[start...].allSatisfy({ isDigit($0, radix: 10) }) else { return nil }
        if let v = Int64(s) { return .int(v) }
        return Double(s).map { .float($0) }
    }

    static func float(_ s: String) -> Double? {
        switch s {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default:
            guard GoResolve.matchesYAMLFloat(s) else { return nil }
            return Double(s)
        }
    }

    private static func isDigit(_ c: UInt8, radix: Int) -> Bool {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0")) < radix
        case UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): return radix == 16
        default: return false
        }
    }

    private static func digitValue(_ c: UInt8) -> Int {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(c - UInt8(ascii: "a")) + 10
        default: return Int(c - UInt8(ascii: "A")) + 10
        }
    }
}
