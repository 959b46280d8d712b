import Crypto
import Foundation
import SwiftASN1
import X509

/// The serving certificate of a TLS KubeSim: PEM chain and key, plus the CA that clients
/// must trust (written into the kubeconfig as `certificate-authority-data`).
public struct TLSIdentity: Sendable {
    public var certificateChainPEM: String
    public var privateKeyPEM: String
    public var caPEM: String

    public init(certificateChainPEM: String, privateKeyPEM: String, caPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.caPEM = caPEM
    }

    /// A fresh CA and a serving certificate for `localhost`, 127.0.0.1 and ::1 (and `host`
    /// when it is another name or address), valid for a year. P-256 keys.
    public static func selfSigned(host: String = "127.0.0.1", now: Date = Date()) throws -> TLSIdentity {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("kubesim-ca") }
        let validFrom = now.addingTimeInterval(-3600)
        let validTo = now.addingTimeInterval(365 * 86400)
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: validFrom, notValidAfter: validTo, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))

        var names: [GeneralName] = [.dnsName("localhost"),
                                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1])))]
        if let ip = ipv4(host), host != "127.0.0.1" {
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip))))
        } else if ipv4(host) == nil, host != "localhost", !host.contains(":") {
            names.append(.dnsName(host))
        }
        let key = P256.Signing.PrivateKey()
        let leaf = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: validFrom, notValidAfter: validTo, issuer: caName,
            subject: try DistinguishedName { CommonName("kubesim") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(caKey))
        return TLSIdentity(certificateChainPEM: try leaf.serializeAsPEM().pemString + "\n",
                           privateKeyPEM: key.pemRepresentation + "\n",
                           caPEM: try ca.serializeAsPEM().pemString + "\n")
    }

    private static func ipv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        return parts.count == 4 ? parts : nil
    }
}
