import Crypto
import Foundation
import GoTemplate
import _CryptoExtras

// Sprig's crypto.go: keys, certificates, derivePassword, AES. Certificates are real
// X.509 v3 DER built here and signed with RSA-2048/SHA-256, as Sprig's are.
extension Sprig {
    static func cryptoFunctions(into f: inout FunctionMap) {
        f.add("genPrivateKey", [.string], result: .string) { a, _ in
            switch try a.string(0) {
            case "rsa": return .string(try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation)
            case "ecdsa":
                let key = P256.Signing.PrivateKey()
                return .string(pem("EC PRIVATE KEY", sec1(key)))
            case "ed25519":
                let key = Curve25519.Signing.PrivateKey()
                let der: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
                    + Array(key.rawRepresentation)
                return .string(pem("PRIVATE KEY", der))
            default: return .string("Unknown type \(try a.string(0))")
            }
        }
        f.add("derivePassword", [.uint(.uint32), .string, .string, .string, .string], result: .string) { a, _ in
            guard case .unsigned(let counter, _) = a[0] else { throw FunctionError.wrongType(expected: "uint32", got: a[0]) }
            return .string(try derivePassword(UInt32(counter), type: try a.string(1), password: try a.string(2),
                                              user: try a.string(3), site: try a.string(4)))
        }
        f.add("htpasswd", [.string, .string], result: .string) { a, _ in
            let user = try a.string(0)
            if user.contains(":") { return .string("invalid username: \(user)") }
            return .string(user + ":" + Bcrypt.hash(try a.string(1), salt: (0..<16).map { _ in UInt8.random(in: 0...255) }))
        }
        f.add("bcrypt", [.string], result: .string) { a, _ in
            .string(Bcrypt.hash(try a.string(0), salt: (0..<16).map { _ in UInt8.random(in: 0...255) }))
        }
        f.add("encryptAES", [.string, .string], result: .string) { a, _ in
            let key = aesKey(try a.string(0))
            let ivBytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let sealed = try AES._CBC.encrypt(Array(try a.string(1).utf8), using: key, iv: try AES._CBC.IV(ivBytes: ivBytes))
            return .string((Data(ivBytes) + sealed).base64EncodedString())
        }
        f.add("decryptAES", [.string, .string], result: .string) { a, _ in
            guard let data = Data(base64Encoded: try a.string(1)), data.count >= 16 else { return .string("") }
            let iv = try AES._CBC.IV(ivBytes: Array(data.prefix(16)))
            let plain = try AES._CBC.decrypt(data.dropFirst(16), using: aesKey(try a.string(0)), iv: iv)
            return .string(String(decoding: plain, as: UTF8.self))
        }
        f.add("genCA", [.string, .int(.int)]) { a, _ in
            try certificate(cn: try a.string(0), ips: [], dns: [], days: try a.int(1), isCA: true, signer: nil)
        }
        f.add("genCAWithKey", [.string, .int(.int), .string]) { a, _ in
            try certificate(cn: try a.string(0), ips: [], dns: [], days: try a.int(1), isCA: true, signer: nil)
        }
        f.add("genSelfSignedCert", [.string, .list, .list, .int(.int)]) { a, _ in
            try certificate(cn: try a.string(0), ips: strslice(a[1]), dns: strslice(a[2]), days: try a.int(3), isCA: false, signer: nil)
        }
        f.add("genSignedCert", [.string, .list, .list, .int(.int), .interface]) { a, _ in
            guard case .object(let ca as CertificateObject) = a[4] else {
                throw FunctionError("wrong type for value; expected sprig.certificate; got \(a[4].typeName)")
            }
            return try certificate(cn: try a.string(0), ips: strslice(a[1]), dns: strslice(a[2]), days: try a.int(3), isCA: false, signer: ca)
        }
        f.add("buildCustomCert", [.string, .string]) { a, _ in
            guard let cert = Data(base64Encoded: try a.string(0)), let key = Data(base64Encoded: try a.string(1)) else {
                throw FunctionError("unable to decode base64 certificate or key")
            }
            return .object(CertificateObject(cert: String(decoding: cert, as: UTF8.self), key: String(decoding: key, as: UTF8.self), signing: nil, subject: []))
        }
    }

    static func aesKey(_ password: String) -> SymmetricKey {
        var key = Array(password.utf8.prefix(32))
        key += Array(repeating: 0, count: 32 - key.count)
        return SymmetricKey(data: key)
    }

    static func pem(_ label: String, _ der: [UInt8]) -> String {
        let b64 = Data(der).base64EncodedString()
        var lines: [String] = []
        var i = b64.startIndex
        while i < b64.endIndex {
            let j = b64.index(i, offsetBy: 64, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(String(b64[i..<j]))
            i = j
        }
        return "-----BEGIN \(label)-----\n" + lines.joined(separator: "\n") + "\n-----END \(label)-----\n"
    }

    /// SEC 1 ECPrivateKey (what Go's x509.MarshalECPrivateKey writes) for a P-256 key.
    static func sec1(_ key: P256.Signing.PrivateKey) -> [UInt8] {
        DER.sequence([
            DER.integer([1]),
            DER.octetString(Array(key.rawRepresentation)),
            DER.explicit(0, DER.oid([1, 2, 840, 10045, 3, 1, 7])),
            DER.explicit(1, DER.bitString(Array(key.publicKey.x963Representation))),
        ])
    }

    private static let passwordTemplates: [String: [String]] = [
        "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv", "CvccCvcvCvcvno",
                 "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc", "CvcvCvcvCvccno",
                 "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno", "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno",
                 "CvccnoCvcvCvcc", "CvccCvcvnoCvcc", "CvccCvcvCvccno"],
        "medium": ["CvcnoCvc", "CvcCvcno"],
        "short": ["Cvcn"],
        "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
        "pin": ["nnnn"],
    ]
    private static let passwordCharacters: [Character: [UInt8]] = [
        "V": Array("AEIOU".utf8), "C": Array("BCDFGHJKLMNPQRSTVWXYZ".utf8), "v": Array("aeiou".utf8),
        "c": Array("bcdfghjklmnpqrstvwxyz".utf8), "A": Array("AEIOUBCDFGHJKLMNPQRSTVWXYZ".utf8),
        "a": Array("AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz".utf8), "n": Array("0123456789".utf8),
        "o": Array("@&%?,=[]_:-+*$#!'^~;()/.".utf8),
        "x": Array("AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()".utf8),
    ]

    /// The Master Password algorithm Sprig implements (scrypt + HMAC-SHA256 + templates).
    static func derivePassword(_ counter: UInt32, type: String, password: String, user: String, site: String) throws -> String {
        guard let templates = passwordTemplates[type] else { return "cannot find password template \(type)" }
        func be(_ n: UInt32) -> [UInt8] { [UInt8(n >> 24), UInt8(n >> 16 & 0xff), UInt8(n >> 8 & 0xff), UInt8(n & 0xff)] }
        let seed = Array("com.lyndir.masterpassword".utf8)
        let salt = seed + be(UInt32(user.utf8.count)) + Array(user.utf8)
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 64,
                                           rounds: 32768, blockSize: 8, parallelism: 2)
        let message = seed + be(UInt32(site.utf8.count)) + Array(site.utf8) + be(counter)
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        let template = Array(templates[Int(mac[0]) % templates.count])
        var out: [UInt8] = []
        for (i, element) in template.enumerated() {
            guard let chars = passwordCharacters[element] else { continue }
            out.append(chars[Int(mac[i + 1]) % chars.count])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An X.509 v3 certificate signed with RSA-2048/SHA-256 (self-signed or by `signer`).
    static func certificate(cn: String, ips: [String], dns: [String], days: Int, isCA: Bool,
                            signer: CertificateObject?) throws -> Value {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let now = Date()
        let serial = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let subject = DER.sequence([DER.set([DER.sequence([DER.oid([2, 5, 4, 3]), DER.utf8String(cn)])])])
        let issuer = signer?.subject ?? subject
        var extensions: [[UInt8]] = []
        // keyUsage (critical): CA: digitalSignature|keyEncipherment|keyCertSign; leaf: digitalSignature|keyEncipherment.
        extensions.append(DER.sequence([DER.oid([2, 5, 29, 15]), DER.boolean(true),
                                        DER.octetString(DER.bitString(isCA ? [0xa4] : [0xa0], unused: isCA ? 2 : 5))]))
        extensions.append(DER.sequence([DER.oid([2, 5, 29, 37]), DER.octetString(DER.sequence([
            DER.oid([1, 3, 6, 1, 5, 5, 7, 3, 1]), DER.oid([1, 3, 6, 1, 5, 5, 7, 3, 2])]))]))
        extensions.append(DER.sequence([DER.oid([2, 5, 29, 19]), DER.boolean(true),
                                        DER.octetString(DER.sequence(isCA ? [DER.boolean(true)] : []))]))
        if !ips.isEmpty || !dns.isEmpty {
            var names: [[UInt8]] = dns.map { DER.tagged(0x82, Array($0.utf8)) }
            for ip in ips { if let bytes = ipBytes(ip) { names.append(DER.tagged(0x87, bytes)) } }
            extensions.append(DER.sequence([DER.oid([2, 5, 29, 17]), DER.octetString(DER.sequence(names))]))
        }
        let algorithm = DER.sequence([DER.oid([1, 2, 840, 113549, 1, 1, 11]), DER.null()])
        let tbs = DER.sequence([
            DER.explicit(0, DER.integer([2])),
            DER.integer(serial),
            algorithm,
            issuer,
            DER.sequence([DER.utcTime(now), DER.utcTime(now.addingTimeInterval(Double(days) * 86400))]),
            subject,
            Array(key.publicKey.derRepresentation),
            DER.explicit(3, DER.sequence(extensions)),
        ])
        let signingKey = signer?.signing ?? key
        let signature = try signingKey.signature(for: SHA256.hash(data: tbs), padding: .insecurePKCS1v1_5)
        let cert = DER.sequence([tbs, algorithm, DER.bitString(Array(signature.rawRepresentation))])
        return .object(CertificateObject(cert: pem("CERTIFICATE", cert), key: key.pemRepresentation, signing: key, subject: subject))
    }

    static func ipBytes(_ ip: String) -> [UInt8]? {
        let parts = ip.split(separator: ".").compactMap { UInt8($0) }
        return parts.count == 4 ? parts : nil
    }
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` PEM strings.
final class CertificateObject: GoObject, @unchecked Sendable {
    let cert: String, key: String
    let signing: _RSA.Signing.PrivateKey?
    let subject: [UInt8]?

    init(cert: String, key: String, signing: _RSA.Signing.PrivateKey?, subject: [UInt8]?) {
        self.cert = cert
        self.key = key
        self.signing = signing
        self.subject = subject
    }

    var goType: GoType { .named("sprig.certificate", kind: .struct) }
    var printedFields: [(name: String, value: Value)] { [("Cert", .string(cert)), ("Key", .string(key))] }
    func member(named name: String) -> GoMember? {
        switch name {
        case "Cert": return .field(.string(cert))
        case "Key": return .field(.string(key))
        default: return nil
        }
    }
}

/// Minimal DER encoding for the certificate and key structures above.
enum DER {
    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var v = n
        while v > 0 { bytes.insert(UInt8(v & 0xff), at: 0); v >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
    static func tagged(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] { [tag] + length(content.count) + content }
    static func sequence(_ items: [[UInt8]]) -> [UInt8] { tagged(0x30, items.flatMap { $0 }) }
    static func set(_ items: [[UInt8]]) -> [UInt8] { tagged(0x31, items.flatMap { $0 }) }
    static func explicit(_ n: UInt8, _ content: [UInt8]) -> [UInt8] { tagged(0xa0 | n, content) }
    static func integer(_ bytes: [UInt8]) -> [UInt8] {
        var b = Array(bytes.drop(while: { $0 == 0 }))
        if b.isEmpty { b = [0] }
        if b[0] & 0x80 != 0 { b.insert(0, at: 0) }
        return tagged(0x02, b)
    }
    static func boolean(_ v: Bool) -> [UInt8] { [0x01, 0x01, v ? 0xff : 0x00] }
    static func null() -> [UInt8] { [0x05, 0x00] }
    static func octetString(_ b: [UInt8]) -> [UInt8] { tagged(0x04, b) }
    static func bitString(_ b: [UInt8], unused: UInt8 = 0) -> [UInt8] { tagged(0x03, [unused] + b) }
    static func utf8String(_ s: String) -> [UInt8] { tagged(0x0c, Array(s.utf8)) }
    static func utcTime(_ d: Date) -> [UInt8] {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyMMddHHmmss'Z'"
        return tagged(0x17, Array(f.string(from: d).utf8))
    }
    static func oid(_ parts: [UInt64]) -> [UInt8] {
        guard parts.count >= 2 else { return tagged(0x06, []) }
        var out: [UInt8] = [UInt8(parts[0] * 40 + parts[1])]
        for p in parts.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(p & 0x7f)]
            var v = p >> 7
            while v > 0 { chunk.insert(UInt8(v & 0x7f) | 0x80, at: 0); v >>= 7 }
            out += chunk
        }
        return tagged(0x06, out)
    }
}
