import Foundation
import YAML

/// JSON <-> `YAMLValue`, keeping key order and the integer/float distinction
/// (Foundation's JSONSerialization loses both).
public enum JSON {
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    public static func decode(_ data: Data) throws(DecodingError) -> YAMLValue {
        var parser = JSONParser(bytes: [UInt8](data))
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw parser.error("trailing data") }
        return value
    }

    public static func decode(_ text: String) throws(DecodingError) -> YAMLValue {
        try decode(Data(text.utf8))
    }

    /// Compact JSON; mappings keep their order.
    public static func encode(_ value: YAMLValue) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(256)
        write(value, into: &out)
        return Data(out)
    }

    public static func encodeString(_ value: YAMLValue) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    private static func write(_ value: YAMLValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .int(let i): out.append(contentsOf: Array(String(i).utf8))
        case .float(let d):
            if d.isNaN || d.isInfinite {
                out.append(contentsOf: Array("null".utf8))
            } else if d == d.rounded(), abs(d) < 1e15 {
                out.append(contentsOf: Array(String(Int64(d)).utf8))
            } else {
                out.append(contentsOf: Array("\(d)".utf8))
            }
        case .string(let s): writeString(s, into: &out)
        case .sequence(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .mapping(let m):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in m.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(entry.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(entry.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSON.DecodingError {
        JSON.DecodingError(offset: index, message: message)
    }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSON.DecodingError) -> YAMLValue {
        guard depth < 512 else { throw error("nesting too deep") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var mapping = YAMLMapping()
            var entries: [(String, YAMLValue)] = []
            var seen = Set<String>()
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .mapping(mapping) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected object key") }
                let key = try parseString()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipSpace()
                let value = try parseValue(depth: depth + 1)
                if seen.insert(key).inserted {
                    entries.append((key, value))
                } else if let i = entries.firstIndex(where: { $0.0 == key }) {
                    entries[i].1 = value  // last duplicate wins, as in Go's encoding/json
                }
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end of object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                throw error("expected ',' or '}'")
            }
            mapping = YAMLMapping(entries)
            return .mapping(mapping)
        case UInt8(ascii: "["):
            index += 1
            var items: [YAMLValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .sequence(items) }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end of array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                throw error("expected ',' or ']'")
            }
            return .sequence(items)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default:
            return try parseNumber()
        }
    }

    mutating func literal(_ word: String) throws(JSON.DecodingError) {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
            throw error("invalid literal")
        }
        index += w.count
    }

    mutating func parseNumber() throws(JSON.DecodingError) -> YAMLValue {
        let start = index
        var isFloat = false
        while index < bytes.count {
            let b = bytes[index]
            if (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
                index += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                isFloat = true
                index += 1
            } else {
                break
            }
        }
        guard index > start else { throw error("unexpected character") }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isFloat, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw JSON.DecodingError(offset: start, message: "invalid number \(text)") }
        return .float(d)
    }

    mutating func parseString() throws(JSON.DecodingError) -> String {
        index += 1  // opening quote
        var out = [UInt8]()
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                       bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                        index += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: out.append(e)
                }
                continue
            }
            out.append(b)
            index += 1
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws(JSON.DecodingError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        guard let v = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw error("bad \\u escape")
        }
        index += 4
        return v
    }
}

// Internal accessors with names unlikely to clash with YAML's own extensions.
extension YAMLValue {
    func member(_ key: String) -> YAMLValue? {
        if case .mapping(let m) = self { return m[key] }
        return nil
    }

    var asString: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var asInt: Int64? {
        switch self {
        case .int(let i): return i
        case .float(let d) where d == d.rounded(): return Int64(exactly: d)
        default: return nil
        }
    }

    var asBool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    var asArray: [YAMLValue]? {
        if case .sequence(let s) = self { return s }
        return nil
    }

    var asMapping: YAMLMapping? {
        if case .mapping(let m) = self { return m }
        return nil
    }
}
