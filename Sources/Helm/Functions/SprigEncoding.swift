import Crypto
import Foundation
import GoTemplate

// Sprig's crypto.go (hashes, uuid), regex.go, url.go and the path helpers.
extension Sprig {
    static func encodingFunctions(into f: inout FunctionMap) {
        f.add("b64enc", [.string], result: .string) { a, _ in .string(Data(try a.string(0).utf8).base64EncodedString()) }
        f.add("b64dec", [.string], result: .string) { a, _ in
            let s = try a.string(0)
            guard let d = Data(base64Encoded: s) else { return .string(base64Error(s)) }
            return .string(String(decoding: d, as: UTF8.self))
        }
        f.add("b32enc", [.string], result: .string) { a, _ in .string(base32Encode(Array(try a.string(0).utf8))) }
        f.add("b32dec", [.string], result: .string) { a, _ in
            let s = try a.string(0)
            guard let d = base32Decode(s) else { return .string("illegal base32 data at input byte 0") }
            return .string(String(decoding: d, as: UTF8.self))
        }
        f.add("sha1sum", [.string], result: .string) { a, _ in .string(hex(Insecure.SHA1.hash(data: Data(try a.string(0).utf8)))) }
        f.add("sha256sum", [.string], result: .string) { a, _ in .string(hex(SHA256.hash(data: Data(try a.string(0).utf8)))) }
        f.add("sha512sum", [.string], result: .string) { a, _ in .string(hex(SHA512.hash(data: Data(try a.string(0).utf8)))) }
        f.add("adler32sum", [.string], result: .string) { a, _ in
            var s1: UInt32 = 1, s2: UInt32 = 0
            for b in try a.string(0).utf8 { s1 = (s1 + UInt32(b)) % 65521; s2 = (s2 + s1) % 65521 }
            return .string(String((s2 << 16) | s1))
        }
        f.add("uuidv4", [], result: .string) { _, _ in .string(UUID().uuidString.lowercased()) }
        for (name, alphabet) in [("randAlphaNum", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                                 ("randAlpha", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                                 ("randNumeric", "0123456789"),
                                 ("randAscii", String(String.UnicodeScalarView((32...126).compactMap(Unicode.Scalar.init))))] {
            let chars = Array(alphabet)
            f.add(name, [.int(.int)], result: .string) { a, _ in
                .string(String((0..<max(0, try a.int(0))).compactMap { _ in chars.randomElement() }))
            }
        }
        f.add("randBytes", [.int(.int)], result: .string) { a, _ in
            .string(Data((0..<max(0, try a.int(0))).map { _ in UInt8.random(in: 0...255) }).base64EncodedString())
        }
        f.add("getHostByName", [.string], result: .string) { a, _ in .string(resolveHost(try a.string(0))) }
        f.add("base", [.string], result: .string) { a, _ in .string(pathBase(try a.string(0))) }
        f.add("dir", [.string], result: .string) { a, _ in .string(pathDir(try a.string(0))) }
        f.add("clean", [.string], result: .string) { a, _ in .string(pathClean(try a.string(0))) }
        f.add("ext", [.string], result: .string) { a, _ in .string(pathExt(try a.string(0))) }
        f.add("isAbs", [.string], result: .bool) { a, _ in .bool(try a.string(0).hasPrefix("/")) }
        f.add("osBase", [.string], result: .string) { a, _ in .string(pathBase(try a.string(0))) }
        f.add("osDir", [.string], result: .string) { a, _ in .string(pathDir(try a.string(0))) }
        f.add("osClean", [.string], result: .string) { a, _ in .string(pathClean(try a.string(0))) }
        f.add("osExt", [.string], result: .string) { a, _ in .string(pathExt(try a.string(0))) }
        f.add("osIsAbs", [.string], result: .bool) { a, _ in .bool(try a.string(0).hasPrefix("/")) }
        f.add("urlParse", [.string], result: .dict) { a, _ in
            let s = try a.string(0)
            guard let c = URLComponents(string: s) else { throw FunctionError("unable to parse url: parse \(quoted(s)): invalid URL") }
            var d: [String: Value] = [:]
            d["scheme"] = .string(c.scheme ?? "")
            d["host"] = .string((c.host ?? "") + (c.port.map { ":\($0)" } ?? ""))
            d["hostname"] = .string(c.host ?? "")
            d["path"] = .string(c.path)
            d["query"] = .string(c.percentEncodedQuery ?? "")
            d["opaque"] = .string("")
            d["fragment"] = .string(c.fragment ?? "")
            d["userinfo"] = .string(c.user.map { u in c.password.map { "\(u):\($0)" } ?? u } ?? "")
            return .map(GoMap(d))
        }
        f.add("urlJoin", [.dict], result: .string) { a, _ in
            let m = try a.map(0)
            func s(_ k: String) -> String { m[k].map(strval) ?? "" }
            var out = ""
            if !s("scheme").isEmpty { out += s("scheme") + ":" }
            if !s("host").isEmpty || !s("userinfo").isEmpty {
                out += "//" + (s("userinfo").isEmpty ? "" : s("userinfo") + "@") + s("host")
            }
            out += s("path")
            if !s("query").isEmpty { out += "?" + s("query") }
            if !s("fragment").isEmpty { out += "#" + s("fragment") }
            return .string(out)
        }
    }

    /// Sprig's getHostByName: the first address net.LookupHost returns, "" when none.
    static func resolveHost(_ name: String) -> String {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return "" }
        defer { freeaddrinfo(result) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else { return "" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Go's base64 error text: the byte offset where decoding failed.
    static func base64Error(_ s: String) -> String {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        let bytes = Array(s.utf8)
        var offset = bytes.firstIndex { !allowed.contains($0) && $0 != UInt8(ascii: "=") } ?? bytes.count
        if offset == bytes.count {
            offset = bytes.firstIndex(of: UInt8(ascii: "=")).map { $0 } ?? (bytes.count / 4 * 4)
        }
        return "illegal base64 data at input byte \(offset)"
    }

    static func base32Encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 5, bytes.count)]) + Array(repeating: 0, count: max(0, i + 5 - bytes.count))
            var bits: UInt64 = 0
            for b in chunk { bits = bits << 8 | UInt64(b) }
            let n = min(5, bytes.count - i)
            let chars = [2, 4, 5, 7, 8][n - 1]
            for j in 0..<8 {
                out.append(j < chars ? alphabet[Int((bits >> UInt64(35 - j * 5)) & 31)] : "=")
            }
            i += 5
        }
        return out
    }

    static func base32Decode(_ s: String) -> [UInt8]? {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var bits: UInt64 = 0, count = 0
        var out: [UInt8] = []
        for c in s.utf8 where c != UInt8(ascii: "=") {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            bits = bits << 5 | UInt64(v); count += 5
            if count >= 8 { count -= 8; out.append(UInt8((bits >> UInt64(count)) & 0xFF)) }
        }
        return out
    }

    /// Go's path.Clean.
    static func pathClean(_ p: String) -> String {
        if p.isEmpty { return "." }
        let rooted = p.hasPrefix("/")
        var out: [Substring] = []
        for part in p.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = out.last, last != ".." { out.removeLast() } else if !rooted { out.append(part) }
                continue
            }
            out.append(part)
        }
        let joined = out.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static func pathBase(_ p: String) -> String {
        if p.isEmpty { return "." }
        var s = Substring(p)
        while s.count > 1 && s.hasSuffix("/") { s = s.dropLast() }
        if s == "/" { return "/" }
        if let i = s.lastIndex(of: "/") { s = s[s.index(after: i)...] }
        return s.isEmpty ? "/" : String(s)
    }

    static func pathDir(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return "." }
        return pathClean(String(p[...i]))
    }

    static func pathExt(_ p: String) -> String {
        for i in p.indices.reversed() {
            if p[i] == "/" { return "" }
            if p[i] == "." { return String(p[i...]) }
        }
        return ""
    }
}
