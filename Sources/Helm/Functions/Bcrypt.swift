// bcrypt ($2a$), for Sprig's `htpasswd` and `bcrypt`: the Eksblowfish key schedule over
// Blowfish, with its own base64 alphabet. Tables come from BlowfishTables (digits of pi).
enum Bcrypt {
    private static let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `$2a$COST$SALTHASH` for a password; `salt` is 16 bytes.
    static func hash(_ password: String, cost: Int = 10, salt: [UInt8]) -> String {
        var key = Array(password.utf8.prefix(72))
        if key.count < 72 { key.append(0) }
        var state = Blowfish()
        state.expand(key: key, salt: salt)
        for _ in 0..<(1 << cost) {
            state.expand(key: key, salt: nil)
            state.expand(key: salt, salt: nil)
        }
        var words: [UInt32] = [0x4f727068, 0x65616e42, 0x65686f6c, 0x64657253, 0x63727944, 0x6f756274]  // "OrpheanBeholderScryDoubt"
        for _ in 0..<64 {
            for i in stride(from: 0, to: 6, by: 2) { (words[i], words[i + 1]) = state.encrypt(words[i], words[i + 1]) }
        }
        let bytes = words.flatMap { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xff), UInt8($0 >> 8 & 0xff), UInt8($0 & 0xff)] }
        let c = cost < 10 ? "0\(cost)" : "\(cost)"
        return "$2a$\(c)$" + encode(salt) + encode(Array(bytes.prefix(23)))
    }

    static func encode(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let c1 = data[i]; i += 1
            out.append(alphabet[Int(c1 >> 2)])
            var rest = (c1 & 0x03) << 4
            guard i < data.count else { out.append(alphabet[Int(rest)]); break }
            let c2 = data[i]; i += 1
            out.append(alphabet[Int(rest | c2 >> 4)])
            rest = (c2 & 0x0f) << 2
            guard i < data.count else { out.append(alphabet[Int(rest)]); break }
            let c3 = data[i]; i += 1
            out.append(alphabet[Int(rest | c3 >> 6)])
            out.append(alphabet[Int(c3 & 0x3f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8] {
        let values = text.utf8.compactMap { c in alphabet.firstIndex(of: c).map(UInt8.init) }
        var out: [UInt8] = []
        var i = 0
        while i + 1 < values.count {
            out.append(values[i] << 2 | values[i + 1] >> 4)
            if i + 2 < values.count { out.append(values[i + 1] << 4 | values[i + 2] >> 2) }
            if i + 3 < values.count { out.append(values[i + 2] << 6 | values[i + 3]) }
            i += 4
        }
        return out
    }
}

struct Blowfish {
    var p = BlowfishTables.p
    var s = BlowfishTables.s

    @inline(__always) private func f(_ x: UInt32) -> UInt32 {
        ((s[Int(x >> 24)] &+ s[256 + Int(x >> 16 & 0xff)]) ^ s[512 + Int(x >> 8 & 0xff)]) &+ s[768 + Int(x & 0xff)]
    }

    func encrypt(_ left: UInt32, _ right: UInt32) -> (UInt32, UInt32) {
        var l = left ^ p[0], r = right
        var n = 1
        while n <= 16 {
            r ^= f(l) ^ p[n]
            l ^= f(r) ^ p[n + 1]
            n += 2
        }
        return (r ^ p[17], l)
    }

    private static func word(_ data: [UInt8], _ j: inout Int) -> UInt32 {
        var w: UInt32 = 0
        for _ in 0..<4 {
            w = w << 8 | UInt32(data[j])
            j = (j + 1) % data.count
        }
        return w
    }

    /// Eksblowfish ExpandKey; `salt` nil is the plain (zero-salt) expansion.
    mutating func expand(key: [UInt8], salt: [UInt8]?) {
        var j = 0
        for i in 0..<18 { p[i] ^= Self.word(key, &j) }
        var sj = 0
        var l: UInt32 = 0, r: UInt32 = 0
        func next(_ value: inout UInt32) { if let salt { value ^= Self.word(salt, &sj) } }
        for i in stride(from: 0, to: 18, by: 2) {
            next(&l); next(&r)
            (l, r) = encrypt(l, r)
            p[i] = l; p[i + 1] = r
        }
        for i in stride(from: 0, to: 1024, by: 2) {
            next(&l); next(&r)
            (l, r) = encrypt(l, r)
            s[i] = l; s[i + 1] = r
        }
    }
}
