// Go's encoding/json `Unmarshal` into interface{}, map[string]interface{} or []interface{}
// (Helm's fromJson / fromJsonArray), with Go's error texts. Go validates the whole input
// first (scanner.go), so a syntax error anywhere wins over type errors, which are saved and
// reported after decoding (first one wins).

extension GoJSON {
    /// The Go type `json.Unmarshal` decodes into.
    public enum Target: Sendable {
        /// `interface{}`: any JSON value.
        case any
        /// `map[string]interface{}` (Helm `fromJson`).
        case object
        /// `[]interface{}` (Helm `fromJsonArray`).
        case array
    }

    /// `json.Unmarshal([]byte(text), &v)`. Numbers become `.float` (float64). JSON `null` gives
    /// `.null` for every target (Go leaves a nil map or slice). Errors carry Go's text, e.g.
    /// `unexpected end of JSON input`, `invalid character 'x' looking for beginning of value`,
    /// `json: cannot unmarshal array into Go value of type map[string]interface {}`.
    public static func unmarshal(_ text: String, into target: Target = .any) throws(GoEncodingError) -> YAMLValue {
        var decoder = GoJSONDecoder(Array(text.utf8))
        let value = try decoder.document()
        let kind: String?
        switch (target, value) {
        case (.object, .sequence): kind = "array"
        case (.object, .string): kind = "string"
        case (.object, .float): kind = "number"
        case (.object, .bool): kind = "bool"
        case (.array, .mapping): kind = "object"
        case (.array, .string): kind = "string"
        case (.array, .float): kind = "number"
        case (.array, .bool): kind = "bool"
        default: kind = nil
        }
        if let kind {
            let type = target == .object ? "map[string]interface {}" : "[]interface {}"
            throw GoEncodingError(message: "json: cannot unmarshal \(kind) into Go value of type \(type)")
        }
        if let saved = decoder.savedError { throw saved }
        return value
    }
}

struct GoJSONDecoder {
    private let b: [UInt8]
    private var i = 0
    private(set) var savedError: GoEncodingError?

    init(_ bytes: [UInt8]) { b = bytes }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
    }

    private mutating func skipSpace() {
        while i < b.count, Self.isSpace(b[i]) { i += 1 }
    }

    /// Go's `quoteChar`: the offending byte as `'x'`, `'\''`, `'"'`, `'\n'`, `'\x01'`.
    private static func quoteChar(_ c: UInt8) -> String {
        if c == UInt8(ascii: "'") { return "'\\''" }
        if c == UInt8(ascii: "\"") { return "'\"'" }
        // strconv.Quote(string(rune(c))) without its double quotes.
        switch c {
        case 0x07: return "'\\a'"
        case 0x08: return "'\\b'"
        case 0x0C: return "'\\f'"
        case 0x0A: return "'\\n'"
        case 0x0D: return "'\\r'"
        case 0x09: return "'\\t'"
        case 0x0B: return "'\\v'"
        case UInt8(ascii: "\\"): return "'\\\\'"
        default:
            if c < 0x20 || c == 0x7F {
                let hex = Array("0123456789abcdef")
                return "'\\x\(hex[Int(c >> 4)])\(hex[Int(c & 0xF)])'"
            }
            if c >= 0x80 && c < 0xA0 {
                let hex = Array("0123456789abcdef")
                return "'\\u00\(hex[Int(c >> 4)])\(hex[Int(c & 0xF)])'"
            }
            return "'" + String(Character(Unicode.Scalar(c))) + "'"
        }
    }

    private func syntax(_ context: String) -> GoEncodingError {
        guard i < b.count else { return GoEncodingError(message: "unexpected end of JSON input") }
        return GoEncodingError(message: "invalid character \(Self.quoteChar(b[i])) \(context)")
    }

    mutating func document() throws(GoEncodingError) -> YAMLValue {
        skipSpace()
        let v = try value()
        skipSpace()
        if i < b.count { throw syntax("after top-level value") }
        return v
    }

    private mutating func value() throws(GoEncodingError) -> YAMLValue {
        guard i < b.count else { throw syntax("looking for beginning of value") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw syntax("looking for beginning of value")
        }
    }

    private mutating func literal(_ word: String) throws(GoEncodingError) {
        let w = Array(word.utf8)
        i += 1
        for k in 1..<w.count {
            guard i < b.count, b[i] == w[k] else {
                throw syntax("in literal \(word) (expecting \(Self.quoteChar(w[k])))")
            }
            i += 1
        }
    }

    private mutating func object() throws(GoEncodingError) -> YAMLValue {
        i += 1
        var m = YAMLMapping()
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .mapping(m) }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw syntax("looking for beginning of object key string") }
            let key = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw syntax("after object key") }
            i += 1
            skipSpace()
            m[key] = try value()
            skipSpace()
            guard i < b.count else { throw syntax("after object key:value pair") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "}") { i += 1; return .mapping(m) }
            throw syntax("after object key:value pair")
        }
    }

    private mutating func array() throws(GoEncodingError) -> YAMLValue {
        i += 1
        var items: [YAMLValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .sequence(items) }
        while true {
            skipSpace()
            items.append(try value())
            skipSpace()
            guard i < b.count else { throw syntax("after array element") }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            if b[i] == UInt8(ascii: "]") { i += 1; return .sequence(items) }
            throw syntax("after array element")
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    private mutating func number() throws(GoEncodingError) -> YAMLValue {
        let start = i
        if b[i] == UInt8(ascii: "-") {
            i += 1
            guard i < b.count, Self.isDigit(b[i]) else { throw syntax("in numeric literal") }
        }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, Self.isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, Self.isDigit(b[i]) else { throw syntax("after decimal point in numeric literal") }
            while i < b.count, Self.isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, Self.isDigit(b[i]) else { throw syntax("in exponent of numeric literal") }
            while i < b.count, Self.isDigit(b[i]) { i += 1 }
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            if savedError == nil {
                savedError = GoEncodingError(message: "json: cannot unmarshal number \(text) into Go value of type float64")
            }
            return .null
        }
        return .float(d)
    }

    private mutating func hex4() throws(GoEncodingError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 {
            guard i < b.count else { throw syntax("in \\u hexadecimal character escape") }
            let c = b[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw syntax("in \\u hexadecimal character escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    /// A string literal; `i` is at the opening quote. Surrogate pairs combine; a lone
    /// surrogate becomes U+FFFD, as Go's `unquote` does.
    private mutating func string() throws(GoEncodingError) -> String {
        i += 1
        var out: [UInt8] = []
        var scalars = String.UnicodeScalarView()
        func flush() {
            if !out.isEmpty {
                scalars.append(contentsOf: String(decoding: out, as: UTF8.self).unicodeScalars)
                out.removeAll(keepingCapacity: true)
            }
        }
        while true {
            guard i < b.count else { throw syntax("in string literal") }
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; break }
            if c < 0x20 { throw syntax("in string literal") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < b.count else { throw syntax("in string escape code") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var v = try hex4()
                if (0xD800..<0xDC00).contains(v) {
                    // A high surrogate combines only with an escaped low surrogate right after it.
                    let save = i
                    if i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            v = 0xFFFD
                        }
                    } else {
                        v = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(v) {
                    v = 0xFFFD
                }
                flush()
                scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
            default:
                i -= 1
                throw syntax("in string escape code")
            }
        }
        flush()
        return String(scalars)
    }
}
