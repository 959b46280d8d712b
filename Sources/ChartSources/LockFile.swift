import Foundation
import Profiles
import YAML

/// `platform.lock`, beside the profile: per chart the source, version and sha256 of the
/// archive that `platform charts lock` resolved. Renders, plans and applies verify
/// against it and refuse charts that do not match.
public struct LockFile: Sendable, Equatable {
    public static let fileName = "platform.lock"
    public static let apiVersion = "platform.gpu/v1alpha1"
    public static let kind = "ChartLock"

    public struct Entry: Sendable, Equatable {
        public var name: String
        public var source: String
        public var version: String
        /// `sha256:HEX` of the chart archive (for a local directory: of its reproducible package).
        public var digest: String
        /// OCI sources: the manifest digest the tag resolved to.
        public var manifestDigest: String?

        public init(name: String, source: String, version: String, digest: String, manifestDigest: String? = nil) {
            self.name = name
            self.source = source
            self.version = version
            self.digest = digest
            self.manifestDigest = manifestDigest
        }
    }

    public var entries: [String: Entry]

    public init(entries: [Entry] = []) {
        self.entries = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    public static func path(besideProfile profile: String) -> String {
        let dir = (profile as NSString).deletingLastPathComponent
        return (dir.isEmpty ? "" : dir + "/") + fileName
    }

    /// Deterministic YAML (charts by name).
    public func yaml() -> String {
        var charts = YAMLMapping()
        for name in entries.keys.sorted() {
            guard let e = entries[name] else { continue }
            var m: [(String, YAMLValue)] = [("source", .string(e.source)), ("version", .string(e.version)), ("digest", .string(e.digest))]
            if let md = e.manifestDigest { m.append(("manifestDigest", .string(md))) }
            charts[name] = .mapping(YAMLMapping(m))
        }
        let top = YAMLMapping([("apiVersion", .string(Self.apiVersion)), ("kind", .string(Self.kind)), ("charts", .mapping(charts))])
        return "# Written by `platform charts lock`; commit it beside the profile.\n" + GoYAML.marshal(.mapping(top))
    }

    public static func parse(_ text: String, location: String) throws(ChartFetchError) -> LockFile {
        let value: YAMLValue
        do { value = try YAMLDecoder(rules: .core).decode(text, file: location) } catch {
            throw ChartFetchError(.lockMismatch, location, "not valid YAML: \(error)")
        }
        guard case .mapping(let top) = value, top["kind"] == .string(kind) else {
            throw ChartFetchError(.lockMismatch, location, "not a platform lock file (kind: \(kind)); regenerate it with `platform charts lock`")
        }
        var lock = LockFile()
        guard case .mapping(let charts)? = top["charts"] else { return lock }
        for item in charts {
            guard case .mapping(let m) = item.value else {
                throw ChartFetchError(.lockMismatch, location, "charts.\(item.key) is not a mapping")
            }
            let s = { (k: String) in RepositoryIndex.scalar(m[k]) }
            guard !s("source").isEmpty, !s("version").isEmpty, Digest.hex(of: s("digest")) != nil else {
                throw ChartFetchError(.lockMismatch, location, "charts.\(item.key) needs source, version and a sha256: digest")
            }
            lock.entries[item.key] = Entry(name: item.key, source: s("source"), version: s("version"), digest: s("digest"),
                                           manifestDigest: s("manifestDigest").isEmpty ? nil : s("manifestDigest"))
        }
        return lock
    }

    /// The lock beside `profilePath`, or nil when there is none.
    public static func load(besideProfile profilePath: String) throws(ChartFetchError) -> LockFile? {
        let path = path(besideProfile: profilePath)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try FileSystem.read(path)
        return try parse(String(decoding: bytes, as: UTF8.self), location: path)
    }

    public func write(to path: String) throws(ChartFetchError) {
        try FileSystem.writeAtomically(Array(yaml().utf8), to: path)
    }

    /// Checks that the lock pins exactly the profile's charts at the profile's sources and
    /// versions. Every difference is listed; the fix is `platform charts lock PROFILE`.
    public func verify(_ profile: Profile, location: String) throws(ChartFetchError) {
        var problems: [String] = []
        for (name, spec) in profile.spec.charts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            guard let e = entries[name.rawValue] else {
                problems.append("\(name.rawValue) is in the profile but not locked"); continue
            }
            if e.source != spec.source.description {
                problems.append("\(name.rawValue): profile source \(spec.source.description), locked \(e.source)")
            }
            if e.version != spec.version {
                problems.append("\(name.rawValue): profile version \(spec.version), locked \(e.version)")
            }
        }
        let declared = Set(profile.spec.charts.keys.map(\.rawValue))
        for name in entries.keys.sorted() where !declared.contains(name) {
            problems.append("\(name) is locked but no longer in the profile")
        }
        if !problems.isEmpty {
            throw ChartFetchError(.lockMismatch, location,
                                  "the lock file does not match the profile:\n  " + problems.joined(separator: "\n  ")
                                    + "\n  run `platform charts lock PROFILE` to re-pin (review the new digests)")
        }
    }

    /// Checks one archive against its pin.
    public func verify(name: String, bytes: [UInt8], location: String) throws(ChartFetchError) {
        guard let e = entries[name] else { return }
        let got = Digest.sha256(bytes)
        if Digest.hex(of: got) != Digest.hex(of: e.digest) {
            throw ChartFetchError(.lockMismatch, location,
                                  "chart \(name) \(e.version) changed since it was locked: \(Self.fileName) pins \(e.digest) (expected), got \(got). If the change is expected, re-run `platform charts lock PROFILE` and review the new digest; otherwise find out who changed it")
        }
    }
}
