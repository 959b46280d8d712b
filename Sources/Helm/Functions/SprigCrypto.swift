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
            try certificate(cn: try a.string(0), ips: [], dns: [], days: try a.int(1), isCA: true,
                            key: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)), signer: nil)
        }
        f.add("genCAWithKey", [.string, .int(.int), .string]) { a, _ in
            try certificate(cn: try a.string(0), ips: [], dns: [], days: try a.int(1), isCA: true,
                            key: try parsePrivateKey(try a.string(2), context: "parsing private key"), signer: nil)
        }
        f.add("genSelfSignedCert", [.string, .list, .list, .int(.int)]) { a, _ in
            try certificate(cn: try a.string(0), ips: try certificateIPs(a[1]), dns: try certificateNames(a[2]), days: try a.int(3),
                            isCA: false, key: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)), signer: nil)
        }
        f.add("genSelfSignedCertWithKey", [.string, .list, .list, .int(.int), .string]) { a, _ in
            let key = try parsePrivateKey(try a.string(4), context: "parsing private key")
            return try certificate(cn: try a.string(0), ips: try certificateIPs(a[1]), dns: try certificateNames(a[2]),
                                   days: try a.int(3), isCA: false, key: key, signer: nil)
        }
        f.add("genSignedCert", [.string, .list, .list, .int(.int), .interface]) { a, _ in
            let signer = try certificateSigner(a[4])
            return try certificate(cn: try a.string(0), ips: try certificateIPs(a[1]), dns: try certificateNames(a[2]), days: try a.int(3),
                                   isCA: false, key: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)), signer: signer)
        }
        f.add("genSignedCertWithKey", [.string, .list, .list, .int(.int), .interface, .string]) { a, _ in
            let key = try parsePrivateKey(try a.string(5), context: "parsing private key")
            let signer = try certificateSigner(a[4])
            return try certificate(cn: try a.string(0), ips: try certificateIPs(a[1]), dns: try certificateNames(a[2]),
                                   days: try a.int(3), isCA: false, key: key, signer: signer)
        }
        f.add("buildCustomCert", [.string, .string]) { a, _ in
            guard let cert = Data(base64Encoded: try a.string(0)) else { throw FunctionError("unable to decode base64 certificate") }
            guard let key = Data(base64Encoded: try a.string(1)) else { throw FunctionError("unable to decode base64 private key") }
            let certText = String(decoding: cert, as: UTF8.self), keyText = String(decoding: key, as: UTF8.self)
            guard let block = PEMBlock(certText) else {
                throw FunctionError("unable to decode certificate")
            }
            guard DERReader.certificateSubject(block.der) != nil else {
                throw FunctionError("error parsing certificate: decodedCert.Bytes: x509: malformed certificate")
            }
            _ = try parsePrivateKey(keyText, context: "error parsing private key")
            return .object(CertificateObject(cert: certText, key: keyText))
        }
    }

    /// The CA argument of genSignedCert: its PEM certificate (for the issuer name) and key.
    static func certificateSigner(_ v: Value) throws -> (subject: [UInt8], key: SigningKey) {
        guard case .object(let ca as CertificateObject) = v.underlyingValue else {
            throw FunctionError("wrong type for value; expected sprig.certificate; got \(v.typeName)")
        }
        guard let block = PEMBlock(ca.cert) else { throw FunctionError("unable to decode certificate") }
        guard let subject = DERReader.certificateSubject(block.der) else {
            throw FunctionError("error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate")
        }
        return (subject, try parsePrivateKey(ca.key, context: "error parsing private key"))
    }

    /// Sprig's getNetIPs: every element must be a string net.ParseIP accepts.
    static func certificateIPs(_ v: Value) throws -> [[UInt8]] {
        try (elements(v) ?? []).map { e in
            guard case .string(let s) = e else { throw FunctionError("error parsing ip: \(goFormat(e)) is not a string") }
            guard let bytes = ipBytes(s) else { throw FunctionError("error parsing ip: \(s)") }
            return bytes
        }
    }

    /// Sprig's getAlternateDNSStrs.
    static func certificateNames(_ v: Value) throws -> [String] {
        try (elements(v) ?? []).map { e in
            guard case .string(let s) = e else { throw FunctionError("error processing alternate dns name: \(goFormat(e)) is not a string") }
            return s
        }
    }

    /// Sprig's parsePrivateKeyPEM (RSA PKCS#1, EC SEC 1, PKCS#8 RSA/EC/Ed25519), errors
    /// prefixed with `context` as each caller does.
    static func parsePrivateKey(_ text: String, context: String) throws -> SigningKey {
        func fail(_ m: String) -> FunctionError { FunctionError("\(context): \(m)") }
        guard let block = PEMBlock(text) else { throw fail("no PEM data in input") }
        let der = block.der
        if block.type == "PRIVATE KEY" {
            if let key = SigningKey(pkcs8: der) { return key }
            throw fail("decoding PEM as PKCS#8: x509: failed to parse private key")
        }
        guard block.type.hasSuffix(" PRIVATE KEY") else { throw fail("no private key data in PEM block of type \(block.type)") }
        switch block.type.dropLast(12) {
        case "RSA":
            guard let k = try? _RSA.Signing.PrivateKey(unsafeDERRepresentation: der) else {
                throw fail("parsing RSA private key from PEM: x509: malformed private key")
            }
            return .rsa(k)
        case "EC":
            if let k = try? P256.Signing.PrivateKey(derRepresentation: der) { return .p256(k) }
            if let k = try? P384.Signing.PrivateKey(derRepresentation: der) { return .p384(k) }
            if let k = try? P521.Signing.PrivateKey(derRepresentation: der) { return .p521(k) }
            throw fail("parsing EC private key from PEM: x509: failed to parse EC private key")
        default:
            throw fail("invalid private key type \(block.type)")
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
        sec1(raw: Array(key.rawRepresentation), curve: [1, 2, 840, 10045, 3, 1, 7], publicKey: Array(key.publicKey.x963Representation))
    }

    static func sec1(raw: [UInt8], curve: [UInt64], publicKey: [UInt8]) -> [UInt8] {
        DER.sequence([
            DER.integer([1]),
            DER.octetString(raw),
            DER.explicit(0, DER.oid(curve)),
            DER.explicit(1, DER.bitString(publicKey)),
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

    /// An X.509 v3 certificate for `key`, self-signed or signed by `signer` (Sprig's
    /// templates: CN-only subject, random 128-bit serial, now..now+days, key usage, server
    /// and client auth, basic constraints; Go picks the signature algorithm from the key).
    static func certificate(cn: String, ips: [[UInt8]], dns: [String], days: Int, isCA: Bool,
                            key: SigningKey, signer: (subject: [UInt8], key: SigningKey)?) throws -> Value {
        let now = Date()
        var serial = (0..<16).map { _ in UInt8.random(in: 0...255) }
        serial[0] &= 0x7f  // positive, as Go's rand.Int(2^128) is
        let subject = DER.sequence([DER.set([DER.sequence([DER.oid([2, 5, 4, 3]), DER.utf8String(cn)])])])
        let issuer = signer?.subject ?? subject
        let signingKey = signer?.key ?? key
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
            for ip in ips { names.append(DER.tagged(0x87, ip)) }
            extensions.append(DER.sequence([DER.oid([2, 5, 29, 17]), DER.octetString(DER.sequence(names))]))
        }
        let algorithm = signingKey.signatureAlgorithm
        let tbs = DER.sequence([
            DER.explicit(0, DER.integer([2])),
            DER.integer(serial),
            algorithm,
            issuer,
            DER.sequence([DER.utcTime(now), DER.utcTime(now.addingTimeInterval(Double(days) * 86400))]),
            subject,
            key.publicKeyInfo,
            DER.explicit(3, DER.sequence(extensions)),
        ])
        let cert = DER.sequence([tbs, algorithm, DER.bitString(try signingKey.sign(tbs))])
        return .object(CertificateObject(cert: pem("CERTIFICATE", cert), key: key.pem))
    }

    /// net.ParseIP: IPv4 dotted quads (stored as 4 bytes, as Go's x509 writes them) and IPv6.
    static func ipBytes(_ ip: String) -> [UInt8]? {
        var v4 = in_addr()
        if !ip.contains(":"), inet_pton(AF_INET, ip, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, ip, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        // An IPv4-mapped address is an IPv4 address to Go.
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return Array(bytes[12...]) }
        return bytes
    }
}

/// A private key Sprig can sign certificates with.
enum SigningKey: @unchecked Sendable {
    case rsa(_RSA.Signing.PrivateKey)
    case p256(P256.Signing.PrivateKey)
    case p384(P384.Signing.PrivateKey)
    case p521(P521.Signing.PrivateKey)
    case ed25519(Curve25519.Signing.PrivateKey)

    private static let ed25519Prefix: [UInt8] = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]

    /// A PKCS#8 PrivateKeyInfo holding an RSA, EC or Ed25519 key.
    init?(pkcs8 der: [UInt8]) {
        if der.count == 48, Array(der.prefix(16)) == Self.ed25519Prefix,
           let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32)) {
            self = .ed25519(k); return
        }
        if let k = try? _RSA.Signing.PrivateKey(unsafeDERRepresentation: der) { self = .rsa(k); return }
        if let k = try? P256.Signing.PrivateKey(derRepresentation: der) { self = .p256(k); return }
        if let k = try? P384.Signing.PrivateKey(derRepresentation: der) { self = .p384(k); return }
        if let k = try? P521.Signing.PrivateKey(derRepresentation: der) { self = .p521(k); return }
        return nil
    }

    /// SubjectPublicKeyInfo DER.
    var publicKeyInfo: [UInt8] {
        switch self {
        case .rsa(let k): return Array(k.publicKey.derRepresentation)
        case .p256(let k): return Array(k.publicKey.derRepresentation)
        case .p384(let k): return Array(k.publicKey.derRepresentation)
        case .p521(let k): return Array(k.publicKey.derRepresentation)
        case .ed25519(let k):
            return DER.sequence([DER.sequence([DER.oid([1, 3, 101, 112])]), DER.bitString(Array(k.publicKey.rawRepresentation))])
        }
    }

    /// The AlgorithmIdentifier Go's x509 uses for this key.
    var signatureAlgorithm: [UInt8] {
        switch self {
        case .rsa: return DER.sequence([DER.oid([1, 2, 840, 113549, 1, 1, 11]), DER.null()])
        case .p256: return DER.sequence([DER.oid([1, 2, 840, 10045, 4, 3, 2])])
        case .p384: return DER.sequence([DER.oid([1, 2, 840, 10045, 4, 3, 3])])
        case .p521: return DER.sequence([DER.oid([1, 2, 840, 10045, 4, 3, 4])])
        case .ed25519: return DER.sequence([DER.oid([1, 3, 101, 112])])
        }
    }

    func sign(_ tbs: [UInt8]) throws -> [UInt8] {
        switch self {
        case .rsa(let k): return Array(try k.signature(for: SHA256.hash(data: tbs), padding: .insecurePKCS1v1_5).rawRepresentation)
        case .p256(let k): return Array(try k.signature(for: SHA256.hash(data: tbs)).derRepresentation)
        case .p384(let k): return Array(try k.signature(for: SHA384.hash(data: tbs)).derRepresentation)
        case .p521(let k): return Array(try k.signature(for: SHA512.hash(data: tbs)).derRepresentation)
        case .ed25519(let k): return Array(try k.signature(for: tbs))
        }
    }

    /// Sprig's pemBlockForKey: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 otherwise.
    var pem: String {
        switch self {
        case .rsa(let k): return k.pemRepresentation
        case .p256(let k): return Sprig.pem("EC PRIVATE KEY", Sprig.sec1(k))
        case .p384(let k):
            return Sprig.pem("EC PRIVATE KEY", Sprig.sec1(raw: Array(k.rawRepresentation), curve: [1, 3, 132, 0, 34], publicKey: Array(k.publicKey.x963Representation)))
        case .p521(let k):
            return Sprig.pem("EC PRIVATE KEY", Sprig.sec1(raw: Array(k.rawRepresentation), curve: [1, 3, 132, 0, 35], publicKey: Array(k.publicKey.x963Representation)))
        case .ed25519(let k): return Sprig.pem("PRIVATE KEY", Self.ed25519Prefix + Array(k.rawRepresentation))
        }
    }
}

/// One PEM block (Go's pem.Decode: the first block; headers are not supported).
struct PEMBlock {
    let type: String
    let der: [UInt8]

    init?(_ text: String) {
        guard let begin = text.range(of: "-----BEGIN "),
              let typeEnd = text.range(of: "-----", range: begin.upperBound..<text.endIndex) else { return nil }
        let type = String(text[begin.upperBound..<typeEnd.lowerBound])
        guard let end = text.range(of: "-----END " + type + "-----", range: typeEnd.upperBound..<text.endIndex) else { return nil }
        let body = text[typeEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)) else { return nil }
        self.type = type
        self.der = Array(data)
    }
}

/// Just enough DER reading to take the subject name out of a certificate.
enum DERReader {
    /// (tag, content range, end) of the element at `offset`.
    static func element(_ b: [UInt8], at offset: Int) -> (tag: UInt8, content: Range<Int>, end: Int)? {
        guard offset + 2 <= b.count else { return nil }
        let tag = b[offset]
        var length = Int(b[offset + 1])
        var start = offset + 2
        if length & 0x80 != 0 {
            let n = length & 0x7f
            guard n > 0, n <= 4, start + n <= b.count else { return nil }
            length = b[start..<(start + n)].reduce(0) { $0 << 8 | Int($1) }
            start += n
        }
        guard start + length <= b.count else { return nil }
        return (tag, start..<(start + length), start + length)
    }

    /// The subject Name (whole TLV) of a DER certificate.
    static func certificateSubject(_ der: [UInt8]) -> [UInt8]? {
        guard let cert = element(der, at: 0), cert.tag == 0x30,
              let tbs = element(der, at: cert.content.lowerBound), tbs.tag == 0x30 else { return nil }
        var offset = tbs.content.lowerBound
        var fields: [(tag: UInt8, content: Range<Int>, end: Int)] = []
        while offset < tbs.content.upperBound, fields.count < 6, let e = element(der, at: offset) {
            fields.append(e)
            offset = e.end
        }
        // [0] version is optional; then serial, signature, issuer, validity, subject.
        let skip = fields.first?.tag == 0xa0 ? 1 : 0
        guard fields.count >= 5 + skip else { return nil }
        let subject = fields[4 + skip]
        guard subject.tag == 0x30 else { return nil }
        // The subject starts where validity ends.
        return Array(der[fields[3 + skip].end..<subject.end])
    }
}

/// Sprig's `certificate` struct: `.Cert` and `.Key` PEM strings.
final class CertificateObject: GoObject, @unchecked Sendable {
    let cert: String, key: String

    init(cert: String, key: String) {
        self.cert = cert
        self.key = key
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
