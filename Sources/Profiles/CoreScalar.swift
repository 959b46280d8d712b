import YAML

/// A plain scalar typed by the YAML 1.2 core schema, which profiles use:
/// `yes`/`no`/`on`/`off` stay strings and integers stay integers.
enum CoreScalar: Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)

    /// Types a scalar node. Quoted and block scalars are always strings; an explicit
    /// `!!str` tag forces a string too.
    init(_ text: String, style: ScalarStyle, tag: String?) {
        if style != .plain || tag == "tag:yaml.org,2002:str" || tag == "!" {
            self = .string(text)
            return
        }
        switch text {
        case "", "~", "null", "Null", "NULL": self = .null; return
        case "true", "True", "TRUE": self = .bool(true); return
        case "false", "False", "FALSE": self = .bool(false); return
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": self = .float(.infinity); return
        case "-.inf", "-.Inf", "-.INF": self = .float(-.infinity); return
        case ".nan", ".NaN", ".NAN": self = .float(.nan); return
        default: break
        }
        if let i = Self.integer(text) { self = .int(i); return }
        if Self.isFloat(text), let d = Double(text) { self = .float(d); return }
        self = .string(text)
    }

    private static func integer(_ t: String) -> Int64? {
        if t.hasPrefix("0o") { return Int64(t.dropFirst(2), radix: 8) }
        if t.hasPrefix("0x") { return Int64(t.dropFirst(2), radix: 16) }
        var digits = Substring(t)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(t.hasPrefix("+") ? String(t.dropFirst()) : t)
    }

    /// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
    private static func isFloat(_ t: String) -> Bool {
        var s = Substring(t)
        if s.first == "-" || s.first == "+" { s = s.dropFirst() }
        let mantissaEnd = s.firstIndex(where: { $0 == "e" || $0 == "E" }) ?? s.endIndex
        let mantissa = s[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !mantissa.isEmpty, mantissa != "." else { return false }
        guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return false }
        if parts.count == 1 && parts[0].isEmpty { return false }
        if mantissaEnd != s.endIndex {
            var e = s[s.index(after: mantissaEnd)...]
            if e.first == "-" || e.first == "+" { e = e.dropFirst() }
            return !e.isEmpty && e.allSatisfy { $0.isASCII && $0.isNumber }
        }
        return true
    }

    /// How a value is named in "expected X, got Y" messages.
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "boolean \(b)"
        case .int(let i): return "integer \(i)"
        case .float(let d): return "number \(d)"
        case .string(let s): return "string \"\(s)\""
        }
    }
}
