/// A JSON syntax error with the byte offset, 1-based line and column where it was found.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var offset: Int
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses one JSON text (RFC 8259). Duplicate keys: the last one wins, as in Go.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// Compact JSON encoding.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out)
        return out
    }
    public func encodedString() -> String { String(decoding: encoded(), as: UTF8.self) }
    public func encode(into out: inout [UInt8]) { JSONWriter.write(self, into: &out) }
}

struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    func error(_ message: String) -> JSONParseError {
        var line = 1, col = 1
        var k = 0
        while k < min(i, bytes.count) {
            if bytes[k] == 0x0A { line += 1; col = 1 } else { col += 1 }
            k += 1
        }
        return JSONParseError(offset: i, line: line, column: col, message: message)
    }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipSpace()
        let v = try parseValue()
        skipSpace()
        if i != bytes.count { throw error("invalid character '\(describe(bytes[i]))' after top-level value") }
        return v
    }

    func describe(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard i < bytes.count else { throw error("unexpected end of JSON input") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("invalid character '\(describe(bytes[i]))' looking for beginning of value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw error("unexpected end of JSON input") }
        let p = word.utf8Start
        for k in 0..<n where bytes[i + k] != p[k] {
            i += k
            throw error("invalid character '\(describe(bytes[i]))' in literal \(word)")
        }
        i += n
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 10_000 { throw error("exceeded max depth") }
        i += 1
        var members: [JSONObject.Member] = []
        var duplicates = false
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(JSONObject()) }
        while true {
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[i] == UInt8(ascii: "\"") else {
                throw error("invalid character '\(describe(bytes[i]))' looking for beginning of object key string")
            }
            let key = try parseString()
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON input") }
            guard bytes[i] == UInt8(ascii: ":") else {
                throw error("invalid character '\(describe(bytes[i]))' after object key")
            }
            i += 1
            skipSpace()
            let value = try parseValue()
            if !duplicates, members.count < 64 {
                // Cheap duplicate check for small objects; large ones are rebuilt below.
                if members.contains(where: { $0.key == key }) { duplicates = true }
            } else if members.count >= 64 {
                duplicates = true
            }
            members.append(.init(key, value))
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; break }
            throw error("invalid character '\(describe(bytes[i]))' after object key:value pair")
        }
        if duplicates {
            var seen: [String: Int] = [:]
            var out: [JSONObject.Member] = []
            out.reserveCapacity(members.count)
            for m in members {
                if let idx = seen[m.key] { out[idx].value = m.value } else {
                    seen[m.key] = out.count
                    out.append(m)
                }
            }
            return .object(JSONObject(uniqueMembers: out))
        }
        return .object(JSONObject(uniqueMembers: members))
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > 10_000 { throw error("exceeded max depth") }
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
        while true {
            skipSpace()
            items.append(try parseValue())
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end of JSON input") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; break }
            throw error("invalid character '\(describe(bytes[i]))' after array element")
        }
        return .array(items)
    }

    mutating func parseString() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("invalid character in string literal") }
            i += 1
        }
        var out: [UInt8] = Array(bytes[start..<i])
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw error("invalid character in string literal") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                    bytes[i + 1] == UInt8(ascii: "u")
                {
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        appendScalar(0xFFFD, &out)
                        code = low
                    }
                }
                appendScalar(code, &out)
            default:
                i -= 1
                throw error("invalid character '\(describe(e))' in string escape code")
            }
        }
        throw error("unexpected end of JSON input")
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("unexpected end of JSON input") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid character '\(describe(c))' in \\u hexadecimal character escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    func appendScalar(_ code: UInt32, _ out: inout [UInt8]) {
        let scalar = Unicode.Scalar(code) ?? Unicode.Scalar(0xFFFD)!
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        var isFloat = false
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) else {
            throw error("invalid character in numeric literal")
        }
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): i += 1
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"):
                isFloat = true
                i += 1
            case UInt8(ascii: "-"):
                isFloat = true
                i += 1
            default:
                break
            }
            if i < bytes.count, !isNumberByte(bytes[i]) { break }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if !isFloat, let v = Int64(text) { return .int(v) }
        guard let d = Double(text) else { throw error("invalid numeric literal \(text)") }
        return .double(d)
    }

    func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
            || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }
}

enum JSONWriter {
    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func write(_ v: JSONValue, into out: inout [UInt8]) {
        switch v {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .int(let n): out.append(contentsOf: String(n).utf8)
        case .double(let d): out.append(contentsOf: formatDouble(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            var first = true
            for e in a {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            for m in o.members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(m.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(m.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Go's strconv 'g'-like formatting for float64 as encoding/json prints it.
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN || d.isInfinite { return "null" }
        if d == d.rounded(), abs(d) < 9e18 {
            return String(Int64(d))
        }
        return "\(d)"
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var utf8 = s.utf8
        // Fast path when nothing needs escaping.
        let needsEscape = utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        if !needsEscape {
            out.append(contentsOf: utf8)
            out.append(0x22)
            return
        }
        utf8 = s.utf8
        for b in utf8 {
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
