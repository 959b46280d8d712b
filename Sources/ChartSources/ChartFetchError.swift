import Crypto
import Foundation

/// A failure fetching, verifying, caching or pinning a chart. `location` is the URL,
/// reference or path involved; `description` says what failed and what to do.
public struct ChartFetchError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case unauthorized, forbidden, notFound, httpStatus, transport, tls
        case digestMismatch, truncated, mediaType, missingVersion
        case invalidIndex, invalidManifest, invalidReference, invalidChart
        case io, lockMismatch, notCached
    }

    public var kind: Kind
    public var location: String
    public var message: String

    public init(_ kind: Kind, _ location: String, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}

/// `sha256:HEX` digests as Helm index files (bare hex) and OCI (prefixed) write them.
public enum Digest {
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// `sha256:HEX`.
    public static func sha256<D: DataProtocol>(_ data: D) -> String { "sha256:" + sha256Hex(data) }

    /// The hex part of `sha256:HEX` or a bare hex digest, lowercased; nil if not a sha256 digest.
    public static func hex(of digest: String) -> String? {
        let hex = digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return hex.lowercased()
    }
}
