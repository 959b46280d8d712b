import Foundation

/// Content-addressed chart archives on disk: `ROOT/sha256/HEX.tgz`, plus `ROOT/refs/KEY`
/// files naming the digest last pulled for a (source, name, version).
///
/// Safe when several processes fill it at once: every file is written to a unique
/// temporary name in its final directory and renamed into place (atomic on POSIX), and an
/// entry's name is its content's digest, so two writers of one chart write the same bytes.
/// Entries are re-hashed when read; a corrupt entry is removed and reported as missing.
public struct ChartCache: Sendable {
    public var root: String

    public init(root: String) { self.root = root }

    /// `$XDG_CACHE_HOME/platform/charts`, else `$HOME/.cache/platform/charts`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/platform/charts" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/platform/charts"
    }

    public func path(digest: String) -> String? {
        Digest.hex(of: digest).map { "\(root)/sha256/\($0).tgz" }
    }

    /// Stores `bytes`; with `expectedDigest`, refuses (and writes nothing) when they differ.
    /// Returns `sha256:HEX`.
    @discardableResult
    public func store(_ bytes: [UInt8], expectedDigest: String? = nil, location: String = "cache") throws(ChartFetchError) -> String {
        let digest = Digest.sha256(bytes)
        if let expectedDigest, Digest.hex(of: expectedDigest) != Digest.hex(of: digest) {
            throw ChartFetchError(.digestMismatch, location, "digest mismatch: expected \(expectedDigest), got \(digest); not cached")
        }
        guard let path = path(digest: digest) else { return digest }
        // Already there and intact (load re-hashes; a corrupt entry is removed and rewritten).
        if load(digest: digest) != nil { return digest }
        try FileSystem.writeAtomically(bytes, to: path)
        return digest
    }

    /// The archive with `digest`, verified; nil when absent (or corrupt, which is removed).
    public func load(digest: String) -> [UInt8]? {
        guard let path = path(digest: digest), let data = FileManager.default.contents(atPath: path) else { return nil }
        let bytes = [UInt8](data)
        guard Digest.hex(of: Digest.sha256(bytes)) == Digest.hex(of: digest) else {
            try? FileManager.default.removeItem(atPath: path)
            return nil
        }
        return bytes
    }

    public func contains(digest: String) -> Bool { load(digest: digest) != nil }

    static func referenceKey(source: String, name: String, version: String) -> String {
        Digest.sha256Hex(Array("\(source)\n\(name)\n\(version)".utf8))
    }

    /// Records that `source` `name` `version` resolved to `digest` (what `charts pull` saw).
    public func recordReference(source: String, name: String, version: String, digest: String) throws(ChartFetchError) {
        let key = Self.referenceKey(source: source, name: name, version: version)
        try FileSystem.writeAtomically(Array((digest + "\n").utf8), to: "\(root)/refs/\(key)")
    }

    public func reference(source: String, name: String, version: String) -> String? {
        let key = Self.referenceKey(source: source, name: name, version: version)
        guard let data = FileManager.default.contents(atPath: "\(root)/refs/\(key)") else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Digest.hex(of: text) != nil ? text : nil
    }

    /// Every file under the cache except temporaries (tests check nothing half-written stays).
    public func allFiles() -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let p = e.nextObject() as? String {
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &dir), !dir.boolValue { out.append(p) }
        }
        return out.sorted()
    }
}
