// Scalar resolution as Go's yaml.v2 (go.yaml.in/yaml/v2 v2.4, used by sigs.k8s.io/yaml and
// therefore by Helm and Kubernetes) performs it, before the value passes through JSON.
// The rules are quirky (YAML 1.1 booleans, base-0 integers, timestamps kept as strings) and
// Helm output depends on every quirk, so they are reproduced step by step.

/// Long tag names libyaml reports after resolving `!!` handles.
enum Tag {
    static let prefix = "tag:yaml.org,2002:"
    static let str = prefix + "str"
    static let int = prefix + "int"
    static let float = prefix + "float"
    static let bool = prefix + "bool"
    static let null = prefix + "null"
    static let timestamp = prefix + "timestamp"
    static let binary = prefix + "binary"
    static let merge = prefix + "merge"
    static let map = prefix + "map"
    static let seq = prefix + "seq"

    /// `!!int` for `tag:yaml.org,2002:int`, as yaml.v2 prints tags in errors.
    static func short(_ tag: String) -> String {
        tag.hasPrefix(prefix) ? "!!" + tag.dropFirst(prefix.count) : tag
    }
}

/// A scalar as yaml.v2 decodes it into `interface{}`, before the JSON step.
enum GoScalar: Equatable {
    case null
    case bool(Bool)
    /// Go `int` (64-bit).
    case int(Int64)
    /// Go `uint64`: integers above `Int64.max`.
    case uint(UInt64)
    /// Go `*big.Int` (integers beyond 64 bits that are not floats, e.g. long hex); kept as
    /// its nearest double, which is what it becomes after JSON.
    case bigInt(Double)
    case float(Double)
    /// Strings, and timestamps (which yaml.v2 hands to `interface{}` as their text).
    case string(String)

    /// The tag yaml.v2 would report for this value (used in its error messages).
    var tag: String {
        switch self {
        case .null: return Tag.null
        case .bool: return Tag.bool
        case .int, .uint, .bigInt: return Tag.int
        case .float: return Tag.float
        case .string: return Tag.str
        }
    }
}

/// What a plain scalar resolves to under yaml.v2's implicit rules.
public enum GoYAMLKind: Sendable, Equatable {
    case null, bool, int, float, timestamp, string
}

enum GoResolve {
    /// The tag kinds yaml.v2 resolves itself; any other tag leaves the text a string.
    static func isResolvable(_ tag: String) -> Bool {
        tag.isEmpty || tag == Tag.str || tag == Tag.bool || tag == Tag.int || tag == Tag.float
            || tag == Tag.null || tag == Tag.timestamp
    }

    private static let nullWords: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let trueWords: Set<String> = ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"]
    private static let falseWords: Set<String> = ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"]

    /// yaml.v2 `resolve(tag, in)`: returns the resolved tag and value, or throws the
    /// message yaml.v2 fails with ("cannot decode !!str `x` as a !!int").
    static func resolve(tag: String, _ text: String) throws(GoDecodeFailure) -> (tag: String, value: GoScalar, isTimestamp: Bool) {
        if !isResolvable(tag) {
            return (tag, .string(text), false)
        }
        let (rtag, value, isTimestamp) = implicit(text, tag: tag)
        if tag.isEmpty || tag == rtag || tag == Tag.str {
            return (rtag, value, isTimestamp)
        }
        if tag == Tag.float, case .int(let i) = value {
            return (Tag.float, .float(Double(i)), false)
        }
        throw GoDecodeFailure("cannot decode \(Tag.short(rtag)) `\(text)` as a \(Tag.short(tag))")
    }

    /// The implicit resolution of a plain scalar (no tag).
    static func kind(ofPlain text: String) -> GoYAMLKind {
        let (_, value, isTimestamp) = implicit(text, tag: "")
        if isTimestamp { return .timestamp }
        switch value {
        case .null: return .null
        case .bool: return .bool
        case .int, .uint, .bigInt: return .int
        case .float: return .float
        case .string: return .string
        }
    }

    private static func implicit(_ text: String, tag: String) -> (String, GoScalar, Bool) {
        let utf8 = text.utf8
        // yaml.v2 looks at the first byte for a hint of what the scalar might be.
        let hint: UInt8
        if let first = utf8.first {
            switch first {
            case UInt8(ascii: "+"), UInt8(ascii: "-"): hint = UInt8(ascii: "S")
            case UInt8(ascii: "0")...UInt8(ascii: "9"): hint = UInt8(ascii: "D")
            case UInt8(ascii: "."): hint = UInt8(ascii: ".")
            case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
                 UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
                 UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
                hint = UInt8(ascii: "M")
            default: hint = 0
            }
        } else {
            hint = UInt8(ascii: "N")
        }
        if hint == 0 || tag == Tag.str || tag == Tag.binary {
            return (Tag.str, .string(text), false)
        }
        if nullWords.contains(text) { return (Tag.null, .null, false) }
        if trueWords.contains(text) { return (Tag.bool, .bool(true), false) }
        if falseWords.contains(text) { return (Tag.bool, .bool(false), false) }
        switch text {
        case ".nan", ".NaN", ".NAN": return (Tag.float, .float(.nan), false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return (Tag.float, .float(.infinity), false)
        case "-.inf", "-.Inf", "-.INF": return (Tag.float, .float(-.infinity), false)
        default: break
        }
        switch hint {
        case UInt8(ascii: "."):
            if let f = goParseFloat(text) { return (Tag.float, .float(f), false) }
        case UInt8(ascii: "D"), UInt8(ascii: "S"):
            if tag.isEmpty || tag == Tag.timestamp, isTimestamp(text) {
                return (Tag.timestamp, .string(text), true)
            }
            let plain = text.replacingAll("_", with: "")
            var lastWasRange = false
            switch goParseInt(plain) {
            case .value(let v): return (Tag.int, .int(v), false)
            case .range, .syntax: break
            }
            switch goParseUint(plain) {
            case .value(let v): return (Tag.int, .uint(v), false)
            case .range: lastWasRange = true
            case .syntax: break
            }
            if matchesYAMLFloat(plain), let f = goParseFloat(plain) {
                return (Tag.float, .float(f), false)
            }
            // yaml.v2's own 0b handling is covered by base-0 parsing above.
            if lastWasRange, let big = bigIntApproximation(plain) {
                return (Tag.int, .bigInt(big), false)
            }
        default:
            break // 'M' and 'N': only the word lists apply.
        }
        return (Tag.str, .string(text), false)
    }

    // MARK: Go strconv equivalents

    enum IntParse<T> { case value(T), range, syntax }

    /// Base prefix and digits as strconv's base 0 reads them: 0x, 0o, 0b, leading 0 = octal.
    private static func splitBase(_ s: Substring.UTF8View) -> (base: UInt64, digits: Substring.UTF8View)? {
        var digits = s
        guard let first = digits.first else { return nil }
        if first == UInt8(ascii: "0"), digits.count > 1 {
            let second = digits[digits.index(after: digits.startIndex)] | 0x20
            switch second {
            case UInt8(ascii: "x"): digits = digits.dropFirst(2); return (16, digits)
            case UInt8(ascii: "o"): digits = digits.dropFirst(2); return (8, digits)
            case UInt8(ascii: "b"): digits = digits.dropFirst(2); return (2, digits)
            default: return (8, digits.dropFirst())
            }
        }
        return (10, digits)
    }

    private static func digitValue(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt64(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt64(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// strconv.ParseUint(s, 0, 64) for strings without underscores.
    static func goParseUint(_ s: String) -> IntParse<UInt64> {
        goParseUint(Substring(s).utf8)
    }

    private static func goParseUint(_ s: Substring.UTF8View) -> IntParse<UInt64> {
        guard let (base, digits) = splitBase(s), !digits.isEmpty else { return .syntax }
        var value: UInt64 = 0
        var overflow = false
        for c in digits {
            guard let d = digitValue(c), d < base else { return .syntax }
            if overflow { continue }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { overflow = true } else { value = a }
        }
        return overflow ? .range : .value(value)
    }

    /// strconv.ParseInt(s, 0, 64) for strings without underscores.
    static func goParseInt(_ s: String) -> IntParse<Int64> {
        var body = Substring(s).utf8
        var negative = false
        if let first = body.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            negative = first == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        switch goParseUint(body) {
        case .syntax: return .syntax
        case .range: return .range
        case .value(let u):
            if negative {
                if u <= UInt64(Int64.max) { return .value(-Int64(u)) }
                if u == UInt64(Int64.max) + 1 { return .value(Int64.min) }
                return .range
            }
            return u <= UInt64(Int64.max) ? .value(Int64(u)) : .range
        }
    }

    /// The value of an integer too long for 64 bits, as the double JSON turns it into.
    private static func bigIntApproximation(_ s: String) -> Double? {
        guard let (base, digits) = splitBase(Substring(s).utf8), !digits.isEmpty else { return nil }
        if base == 10 { return Double(s) }
        var value = 0.0
        for c in digits {
            guard let d = digitValue(c), d < base else { return nil }
            value = value * Double(base) + Double(d)
        }
        return value.isFinite ? value : nil
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
    static func matchesYAMLFloat(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            return i - start
        }
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { return false }
        } else {
            if digits() == 0 { return false }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                _ = digits()
            }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == b.count
    }

    /// strconv.ParseFloat(s, 64) for the decimal forms yaml.v2 hands it; nil where Go
    /// reports an error (syntax, or overflow to infinity).
    static func goParseFloat(_ s: String) -> Double? {
        // Swift accepts forms Go does not (hex floats, "nan"); only decimal text reaches here
        // from yaml.v2, so restrict to the YAML float shape.
        guard matchesYAMLFloat(s), let d = Double(s), d.isFinite else { return nil }
        return d
    }

    // MARK: Timestamps

    /// yaml.v2's parseTimestamp: YYYY-M-D, optionally followed by a time in one of the
    /// layouts it tries with Go's time.Parse.
    static func isTimestamp(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        while i < b.count, isDigit(b[i]) { i += 1 }
        guard i == 4, i < b.count, b[i] == UInt8(ascii: "-") else { return false }
        let year = number(b, 0, 4)
        i = 5
        // Go's "1" and "2" layout elements: one or two digits.
        func num12() -> Int? {
            guard i < b.count, isDigit(b[i]) else { return nil }
            var n = Int(b[i] - UInt8(ascii: "0")); i += 1
            if i < b.count, isDigit(b[i]) { n = n * 10 + Int(b[i] - UInt8(ascii: "0")); i += 1 }
            return n
        }
        guard let month = num12(), (1...12).contains(month), i < b.count, b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard let day = num12(), day >= 1, day <= daysIn(month: month, year: year) else { return false }
        if i == b.count { return true }
        let sep = b[i]
        let withZone = sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t")
        guard withZone || sep == UInt8(ascii: " ") else { return false }
        i += 1
        guard let hour = num12(), hour < 24, i < b.count, b[i] == UInt8(ascii: ":") else { return false }
        i += 1
        guard let minute = num12(), minute < 60, i < b.count, b[i] == UInt8(ascii: ":") else { return false }
        i += 1
        guard let second = num12(), second < 60 else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            if i == start { return false }
        }
        if !withZone { return i == b.count }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count,
              isDigit(b[i + 1]), isDigit(b[i + 2]), b[i + 3] == UInt8(ascii: ":"),
              isDigit(b[i + 4]), isDigit(b[i + 5]) else { return false }
        return number(b, i + 1, 2) < 24 && number(b, i + 4, 2) < 60
    }

    private static func number(_ b: [UInt8], _ from: Int, _ count: Int) -> Int {
        var n = 0
        for k in from..<(from + count) { n = n * 10 + Int(b[k] - UInt8(ascii: "0")) }
        return n
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // MARK: !!binary

    /// Go's base64.StdEncoding.DecodeString: padding required, CR and LF ignored.
    static func decodeBase64(_ s: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(s.utf8.count)
        var padding = 0
        for c in s.utf8 {
            if c == 0x0A || c == 0x0D { continue }
            if c == UInt8(ascii: "=") { padding += 1; values.append(0); continue }
            if padding > 0 { return nil }
            let v: UInt8
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            default: return nil
            }
            values.append(v)
        }
        guard values.count % 4 == 0, padding <= 2 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(values.count / 4 * 3)
        var k = 0
        while k < values.count {
            let n = UInt32(values[k]) << 18 | UInt32(values[k + 1]) << 12 | UInt32(values[k + 2]) << 6 | UInt32(values[k + 3])
            out.append(UInt8(n >> 16 & 0xFF))
            out.append(UInt8(n >> 8 & 0xFF))
            out.append(UInt8(n & 0xFF))
            k += 4
        }
        out.removeLast(padding)
        return out
    }

    /// Bytes to a string the way Go's JSON encoder treats them: every byte that does not
    /// start a valid UTF-8 sequence becomes one U+FFFD.
    static func goJSONString(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            let (scalar, width) = decodeRune(bytes, i)
            scalars.append(scalar)
            i += width
        }
        return String(scalars)
    }

    /// utf8.DecodeRune: (U+FFFD, 1) on any invalid or truncated sequence.
    private static func decodeRune(_ b: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let bad: (Unicode.Scalar, Int) = ("\u{FFFD}", 1)
        let c0 = b[i]
        if c0 < 0x80 { return (Unicode.Scalar(c0), 1) }
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> UInt32? {
            guard k < b.count, b[k] >= lo, b[k] <= hi else { return nil }
            return UInt32(b[k] & 0x3F)
        }
        switch c0 {
        case 0xC2...0xDF:
            guard let c1 = cont(i + 1) else { return bad }
            return (Unicode.Scalar(UInt32(c0 & 0x1F) << 6 | c1) ?? "\u{FFFD}", 2)
        case 0xE0...0xEF:
            let lo: UInt8 = c0 == 0xE0 ? 0xA0 : 0x80
            let hi: UInt8 = c0 == 0xED ? 0x9F : 0xBF
            guard let c1 = cont(i + 1, lo, hi), let c2 = cont(i + 2) else { return bad }
            return (Unicode.Scalar(UInt32(c0 & 0x0F) << 12 | c1 << 6 | c2) ?? "\u{FFFD}", 3)
        case 0xF0...0xF4:
            let lo: UInt8 = c0 == 0xF0 ? 0x90 : 0x80
            let hi: UInt8 = c0 == 0xF4 ? 0x8F : 0xBF
            guard let c1 = cont(i + 1, lo, hi), let c2 = cont(i + 2), let c3 = cont(i + 3) else { return bad }
            return (Unicode.Scalar(UInt32(c0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3) ?? "\u{FFFD}", 4)
        default:
            return bad
        }
    }
}

/// A failure yaml.v2 raises while decoding (its `failf`), before a location is attached.
struct GoDecodeFailure: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(count)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
