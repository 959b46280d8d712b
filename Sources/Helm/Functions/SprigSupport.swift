import Foundation
import GoTemplate

// Conversions Sprig uses everywhere (strval, strslice, spf13/cast's To* functions),
// written once so every function converts the same way Go does.
enum Sprig {
    /// Sprig's `strval`: strings as is, []byte as text, Stringers via String(), else `%v`.
    static func strval(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .object(let o):
            if let s = o.stringValue { return s }
            if case .string(let s)? = o.underlying { return s }
            return goFormat(v)
        default: return goFormat(v)
        }
    }

    /// Sprig's `strslice`: a slice's non-nil elements as strings; nil → []; else [strval].
    static func strslice(_ v: Value) -> [String] {
        switch v.underlyingValue {
        case .list(let l):
            return l.elements.compactMap { $0.isNil && !isTypedNilSlice($0) ? nil : strval($0) }
        case .noValue, .null: return []
        case .typedNil(let t) where t.kind == .slice: return []
        default: return [strval(v)]
        }
    }

    static func isTypedNilSlice(_ v: Value) -> Bool {
        if case .typedNil(let t) = v { return t.kind != .interface && t.kind != .ptr }
        return false
    }

    /// spf13/cast `ToInt64` (errors give 0).
    static func toInt64(_ v: Value) -> Int64 {
        switch v.underlyingValue {
        case .integer(let n, _): return n
        case .unsigned(let u, _): return Int64(truncatingIfNeeded: u)
        case .float(let d):
            guard d.isFinite, abs(d) < 9.3e18 else { return d.isNaN ? Int64.min : (d > 0 ? Int64.min : Int64.min) }
            return Int64(d)
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return parseCastInt(s) ?? 0
        default: return 0
        }
    }

    static func toInt(_ v: Value) -> Int { Int(toInt64(v)) }

    /// spf13/cast `ToFloat64` (errors give 0).
    static func toFloat64(_ v: Value) -> Double {
        switch v.underlyingValue {
        case .integer(let n, _): return Double(n)
        case .unsigned(let u, _): return Double(u)
        case .float(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Double(s.trimmingCharacters(in: .init())) ?? goParseFloat(s) ?? 0
        default: return 0
        }
    }

    /// `strconv.ParseInt(trimZeroDecimal(s), 0, 0)`: base prefixes, `_` separators, `1.0` → 1.
    static func parseCastInt(_ text: String) -> Int64? {
        var s = text
        if let dot = s.firstIndex(of: "."), s[s.index(after: dot)...].allSatisfy({ $0 == "0" }), dot != s.startIndex {
            s = String(s[..<dot])
        }
        var sign: Int64 = 1
        if s.hasPrefix("-") { sign = -1; s.removeFirst() } else if s.hasPrefix("+") { s.removeFirst() }
        var radix = 10
        let lower = s.lowercased()
        if lower.hasPrefix("0x") { radix = 16; s = String(s.dropFirst(2)) }
        else if lower.hasPrefix("0b") { radix = 2; s = String(s.dropFirst(2)) }
        else if lower.hasPrefix("0o") { radix = 8; s = String(s.dropFirst(2)) }
        else if s.count > 1 && s.hasPrefix("0") { radix = 8; s = String(s.dropFirst()) }
        if radix != 10 { s = s.replacingOccurrences(of: "_", with: "") }
        guard !s.isEmpty, let n = Int64(s, radix: radix) else { return nil }
        return sign * n
    }

    static func goParseFloat(_ s: String) -> Double? {
        let t = s.replacingOccurrences(of: "_", with: "")
        switch t.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: return Double(t)
        }
    }

    /// Sprig's `empty` (reflect-based zero test).
    static func isEmpty(_ v: Value) -> Bool {
        switch v.underlyingValue {
        case .noValue, .null, .typedNil: return true
        case .bool(let b): return !b
        case .integer(let n, _): return n == 0
        case .unsigned(let n, _): return n == 0
        case .float(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .bytes(let b): return b.isEmpty
        case .list(let l): return l.elements.isEmpty
        case .map(let m): return m.count == 0
        case .object, .function: return false
        }
    }

    /// A slice's elements, or nil when the value is not a slice/array.
    static func elements(_ v: Value) -> [Value]? {
        switch v.underlyingValue {
        case .list(let l): return l.elements
        case .bytes(let b): return b.map { .unsigned(UInt64($0), .uint8) }
        case .typedNil(let t) where t.kind == .slice: return []
        default: return nil
        }
    }

    /// reflect.DeepEqual for template values.
    static func deepEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a.underlyingValue, b.underlyingValue) {
        case (.null, .null), (.noValue, .noValue), (.noValue, .null), (.null, .noValue): return true
        case (.typedNil(let x), .typedNil(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.integer(let x, let kx), .integer(let y, let ky)): return x == y && kx == ky
        case (.unsigned(let x, let kx), .unsigned(let y, let ky)): return x == y && kx == ky
        case (.float(let x), .float(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.elementType == y.elementType && x.count == y.count
                && zip(x.elements, y.elements).allSatisfy { deepEqual($0, $1) }
        case (.map(let x), .map(let y)):
            if x === y { return true }
            return x.valueType == y.valueType && x.count == y.count
                && x.entries.allSatisfy { k, v in y[k].map { deepEqual(v, $0) } ?? false }
        case (.object(let x), .object(let y)): return x === y
        default: return false
        }
    }

    /// Go's `%q` of a string.
    static func quoted(_ s: String) -> String { goQuote(s) }

    /// A deep copy (copystructure): maps and lists are new, scalars shared.
    static func deepCopy(_ v: Value) -> Value {
        switch v {
        case .list(let l): return .list(GoList(l.elements.map(deepCopy), elementType: l.elementType))
        case .map(let m):
            var d: [String: Value] = [:]
            for (k, e) in m.entries { d[k] = deepCopy(e) }
            return .map(GoMap(d, valueType: m.valueType))
        default: return v
        }
    }
}

/// Declaring many functions tersely: parameter types as Go declares them.
extension FunctionMap {
    mutating func add(_ name: String, _ parameters: [GoType], variadic: GoType? = nil, result: GoType = .interface,
                      _ body: @escaping Function.Body) {
        self[name] = Function(name, parameters: parameters, variadic: variadic, result: result, body: body)
    }
}
