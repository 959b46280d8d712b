/// Go `encoding/json` encoding of `YAMLValue`s, for Helm's `toJson`, `toPrettyJson`, `toRawJson`.
///
/// Mapping keys are sorted by byte order (Go sorts `map[string]interface{}` keys), `.int`
/// prints as an integer, `.float` in encoding/json's float64 format (`1e+21`, `0.000001`, `1e-7`).
public enum GoJSON {
    /// `json.Marshal(v)`; with `escapeHTML: false` it is what `json.Encoder.SetEscapeHTML(false)`
    /// produces (without the Encoder's trailing newline). Throws for NaN and ±Inf as Go does.
    public static func marshal(_ value: YAMLValue, escapeHTML: Bool = true) throws(GoEncodingError) -> String {
        var out: [UInt8] = []
        try encode(value, into: &out, escapeHTML: escapeHTML, indent: nil, prefix: "", depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// `json.MarshalIndent(v, prefix, indent)` (Helm's `toPrettyJson` uses `"", "  "`).
    public static func marshalIndent(_ value: YAMLValue, prefix: String = "", indent: String = "  ",
                                     escapeHTML: Bool = true) throws(GoEncodingError) -> String {
        var out: [UInt8] = []
        try encode(value, into: &out, escapeHTML: escapeHTML, indent: Array(indent.utf8), prefix: prefix, depth: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private static func newline(_ out: inout [UInt8], indent: [UInt8]?, prefix: String, depth: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: prefix.utf8)
        for _ in 0..<depth { out.append(contentsOf: indent) }
    }

    private static func encode(_ value: YAMLValue, into out: inout [UInt8], escapeHTML: Bool, indent: [UInt8]?,
                               prefix: String, depth: Int) throws(GoEncodingError) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .float(let f):
            guard let text = GoStrconv.formatJSONFloat(f) else {
                throw GoEncodingError(message: "json: unsupported value: " + GoStrconv.formatFloatG(f))
            }
            out.append(contentsOf: text.utf8)
        case .string(let s): appendString(s, into: &out, escapeHTML: escapeHTML)
        case .sequence(let items):
            out.append(UInt8(ascii: "["))
            if items.isEmpty { out.append(UInt8(ascii: "]")); return }
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent: indent, prefix: prefix, depth: depth + 1)
                try encode(item, into: &out, escapeHTML: escapeHTML, indent: indent, prefix: prefix, depth: depth + 1)
            }
            newline(&out, indent: indent, prefix: prefix, depth: depth)
            out.append(UInt8(ascii: "]"))
        case .mapping(let m):
            out.append(UInt8(ascii: "{"))
            if m.isEmpty { out.append(UInt8(ascii: "}")); return }
            let entries = m.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (n, entry) in entries.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                newline(&out, indent: indent, prefix: prefix, depth: depth + 1)
                appendString(entry.key, into: &out, escapeHTML: escapeHTML)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                try encode(entry.value, into: &out, escapeHTML: escapeHTML, indent: indent, prefix: prefix, depth: depth + 1)
            }
            newline(&out, indent: indent, prefix: prefix, depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// One JSON string literal exactly as Go's encoding/json writes it (for hand-assembled JSON
    /// whose bytes matter, such as OCI manifests).
    public static func quote(_ s: String, escapeHTML: Bool = true) -> String {
        var out: [UInt8] = []
        appendString(s, into: &out, escapeHTML: escapeHTML)
        return String(decoding: out, as: UTF8.self)
    }

    /// encoding/json `appendString`: short escapes for `\b \f \n \r \t`, `\u00XX` for other
    /// control bytes, `<`, `>`, `&` as `\u003c` etc. when escaping HTML, and always `\u2028`/`\u2029`.
    static func appendString(_ s: String, into out: inout [UInt8], escapeHTML: Bool) {
        out.append(UInt8(ascii: "\""))
        for u in s.unicodeScalars {
            let v = u.value
            if v < 0x80 {
                let b = UInt8(v)
                switch b {
                case UInt8(ascii: "\\"), UInt8(ascii: "\""):
                    out.append(UInt8(ascii: "\\")); out.append(b)
                case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                    if escapeHTML {
                        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                                hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                    } else {
                        out.append(b)
                    }
                default:
                    if b < 0x20 {
                        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                                hex[Int(b >> 4)], hex[Int(b & 0xF)]])
                    } else {
                        out.append(b)
                    }
                }
            } else if v == 0x2028 || v == 0x2029 {
                out.append(contentsOf: "\\u202".utf8)
                out.append(hex[Int(v & 0xF)])
            } else {
                out.append(contentsOf: String(u).utf8)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
