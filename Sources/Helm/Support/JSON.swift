import YAML

/// Parsed JSON with dictionary-backed objects (large documents such as a 350 KB
/// values.schema.json stay linear to read and to look up). Key order is kept.
indirect enum JSONNode: Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONNode]), object(JSONObject)

    /// The same data as `YAMLValue` (numbers float64), for small documents.
    var yamlValue: YAMLValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return .float(d)
        case .string(let s): return .string(s)
        case .array(let a): return .sequence(a.map(\.yamlValue))
        case .object(let o): return .mapping(YAMLMapping(o.keys.compactMap { k in o[k].map { (k, $0.yamlValue) } }))
        }
    }
}

struct JSONObject: Sendable {
    private(set) var keys: [String] = []
    private var values: [String: JSONNode] = [:]
    subscript(key: String) -> JSONNode? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            values[key] = newValue
        }
    }
    var count: Int { keys.count }
}

/// A small JSON reader with Go's `encoding/json` results for `any` (numbers float64,
/// object key order kept). Reports how many bytes one value used so `--set-json` can
/// continue after it.
struct JSONReader {
    struct Failure: Error { var message: String }

    private let b: [UInt8]
    private(set) var i = 0

    init(_ text: String) { b = Array(text.utf8) }

    /// Parses a whole document (trailing whitespace only).
    static func parse(_ text: String) throws -> YAMLValue { try parseTree(text).yamlValue }

    static func parseTree(_ text: String) throws -> JSONNode {
        var r = JSONReader(text)
        let v = try r.value()
        r.skipSpace()
        if r.i < r.b.count { throw Failure(message: "invalid character '\(Character(Unicode.Scalar(r.b[r.i])))' after top-level value") }
        return v
    }

    /// Parses one value from the start; returns it and the byte offset after it.
    static func parsePrefix(_ text: String) throws -> (YAMLValue, Int) {
        var r = JSONReader(text)
        let v = try r.value()
        return (v.yamlValue, r.i)
    }

    mutating func skipSpace() {
        while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
    }

    mutating func value() throws -> JSONNode {
        skipSpace()
        guard i < b.count else { throw Failure(message: "unexpected end of JSON input") }
        switch b[i] {
        case UInt8(ascii: "{"):
            i += 1
            var m = JSONObject()
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(m) }
            while true {
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw unexpected("looking for beginning of object key string") }
                let k = try string()
                skipSpace()
                guard i < b.count, b[i] == UInt8(ascii: ":") else { throw unexpected("after object key") }
                i += 1
                m[k] = try value()
                skipSpace()
                guard i < b.count else { throw Failure(message: "unexpected end of JSON input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "}") { i += 1; return .object(m) }
                throw unexpected("after object key:value pair")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            skipSpace()
            if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value())
                skipSpace()
                guard i < b.count else { throw Failure(message: "unexpected end of JSON input") }
                if b[i] == UInt8(ascii: ",") { i += 1; continue }
                if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw unexpected("after array element")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default:
            return try number()
        }
    }

    private func unexpected(_ context: String) -> Failure {
        guard i < b.count else { return Failure(message: "unexpected end of JSON input") }
        return Failure(message: "invalid character '\(Character(Unicode.Scalar(b[i])))' \(context)")
    }

    private mutating func literal(_ word: String, _ v: JSONNode) throws -> JSONNode {
        let w = Array(word.utf8)
        guard i + w.count <= b.count, Array(b[i..<i + w.count]) == w else { throw unexpected("in literal \(word) (expecting '\(word.first!)')") }
        i += w.count
        return v
    }

    private mutating func number() throws -> JSONNode {
        let start = i
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, (0x30...0x39).contains(b[i]) else { throw unexpected("looking for beginning of value") }
        while i < b.count, (0x30...0x39).contains(b[i]) || [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(b[i]) { i += 1 }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        guard let d = Double(text) else { throw Failure(message: "invalid number \(text)") }
        return .number(d)
    }

    private mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c == UInt8(ascii: "\\") {
                i += 1
                guard i < b.count else { break }
                switch b[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 < b.count, var code = UInt32(String(decoding: b[(i + 1)...(i + 4)], as: UTF8.self), radix: 16) else {
                        throw Failure(message: "invalid escape in string")
                    }
                    i += 4
                    // Surrogate pair.
                    if (0xD800..<0xDC00).contains(code), i + 6 < b.count, b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: b[(i + 3)...(i + 6)], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Character(Unicode.Scalar(code) ?? "\u{FFFD}")).utf8))
                default: out.append(b[i])
                }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        throw Failure(message: "unexpected end of JSON input")
    }
}
