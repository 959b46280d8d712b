import Foundation

/// An air-gapped bundle (`platform bundle`): one reproducible `.tar.gz` with, at its root,
///
///     bundle.json                    manifest: format, tool version, profile name, sha256 of every other file
///     profile.yaml                   the profile as given
///     platform.lock                  pins of the charts below (sha256 of these archives)
///     charts/NAME-VERSION.tgz        every chart the profile names, packed
///     images.txt                     every image the install pulls, sorted, one per line
///     render/...                     the plain GitOps tree `platform render --out` writes
///
/// See docs/charts.md ("Air-gapped bundles").
public struct BundleContents: Sendable, Equatable {
    public var profileName: String
    public var profile: [UInt8]
    public var lock: LockFile
    /// Chart archives by chart name.
    public var charts: [String: PackagedChartFile]
    /// Rendered files by path relative to the rendered tree.
    public var rendered: [String: [UInt8]]
    public var images: [String]

    public struct PackagedChartFile: Sendable, Equatable {
        public var version: String
        public var bytes: [UInt8]
        public init(version: String, bytes: [UInt8]) {
            self.version = version
            self.bytes = bytes
        }
    }

    public init(profileName: String, profile: [UInt8], lock: LockFile, charts: [String: PackagedChartFile],
                rendered: [String: [UInt8]], images: [String]) {
        self.profileName = profileName
        self.profile = profile
        self.lock = lock
        self.charts = charts
        self.rendered = rendered
        self.images = images
    }

    /// Every file but `bundle.json`, in archive order (fixed files first, then sorted paths).
    public func files() -> [(path: String, bytes: [UInt8])] {
        var out: [(String, [UInt8])] = [
            (BundleLayout.profile, profile),
            (BundleLayout.lock, Array(lock.yaml().utf8)),
            (BundleLayout.images, Array(images.map { $0 + "\n" }.joined().utf8)),
        ]
        for name in charts.keys.sorted() {
            guard let c = charts[name] else { continue }
            out.append((BundleLayout.chartPath(name: name, version: c.version), c.bytes))
        }
        for path in rendered.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            out.append((BundleLayout.renderDirectory + "/" + path, rendered[path] ?? []))
        }
        return out
    }
}

/// Entry names inside a bundle.
public enum BundleLayout {
    public static let manifest = "bundle.json"
    public static let profile = "profile.yaml"
    public static let lock = LockFile.fileName
    public static let images = "images.txt"
    public static let chartsDirectory = "charts"
    public static let renderDirectory = "render"

    public static func chartPath(name: String, version: String) -> String { "\(chartsDirectory)/\(name)-\(version).tgz" }
}

/// `bundle.json`: what wrote the bundle and the sha256 of every other entry. Readers refuse
/// a bundle whose entries differ from it (missing, extra or changed files).
public struct BundleManifest: Sendable, Equatable, Codable {
    public static let currentFormat = 1

    public var format: Int
    /// `platform VERSION` of the writer.
    public var tool: String
    public var profile: String
    /// `sha256:HEX` by entry path.
    public var files: [String: String]

    public init(format: Int = BundleManifest.currentFormat, tool: String, profile: String, files: [String: String]) {
        self.format = format
        self.tool = tool
        self.profile = profile
        self.files = files
    }

    /// Sorted keys, two-space indent, trailing newline: the same manifest, the same bytes.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding plain strings and ints cannot fail.
        let data = (try? encoder.encode(self)) ?? Data()
        return [UInt8](data) + [0x0A]
    }

    public static func decode(_ bytes: [UInt8], location: String) throws(BundleError) -> BundleManifest {
        do { return try JSONDecoder().decode(BundleManifest.self, from: Data(bytes)) } catch {
            throw BundleError(.notABundle, location, "\(BundleLayout.manifest) is not a bundle manifest: \(error)")
        }
    }
}

public enum BundleWriter {
    /// The bundle's bytes: `bundle.json` first, then `BundleContents.files()`. Every entry is
    /// a regular file, mode 0644, owner 0:0, mtime 2000-01-01, and the gzip header carries no
    /// timestamp, so the same inputs give the same bytes.
    public static func archive(_ b: BundleContents, tool: String) throws(BundleError) -> [UInt8] {
        let files = b.files()
        let manifest = BundleManifest(tool: tool, profile: b.profileName,
                                      files: Dictionary(files.map { ($0.path, Digest.sha256($0.bytes)) }, uniquingKeysWith: { $1 }))
        let entries = [(BundleLayout.manifest, manifest.encoded())] + files.map { ($0.path, $0.bytes) }
        switch TarWriter.write(entries: entries, location: "bundle") {
        case .success(let bytes): return bytes
        case .failure(let e): throw BundleError(.io, e.location, e.message)
        }
    }

    /// Writes the bundle atomically (a temporary file beside `path`, then rename); returns its
    /// `sha256:HEX` so it can be compared out of band.
    @discardableResult
    public static func write(_ b: BundleContents, tool: String, to path: String) throws(BundleError) -> String {
        let bytes = try archive(b, tool: tool)
        do { try FileSystem.writeAtomically(bytes, to: path) } catch { throw BundleError(.io, error.location, error.message) }
        return Digest.sha256(bytes)
    }
}

/// A bundle that cannot be written, read or trusted. `description` names the bundle (and
/// entry) and says what to do.
public struct BundleError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Not a gzipped tar, or no/invalid `bundle.json`.
        case notABundle
        /// Absolute or `..` paths, links, devices, duplicate entries.
        case unsafeEntry
        /// More entries or decompressed bytes than the reader allows.
        case tooLarge
        /// An entry's sha256 differs from `bundle.json`, or a chart's from `platform.lock`.
        case digestMismatch
        /// `bundle.json` and the entries disagree (missing or extra files).
        case contentMismatch
        /// The lock does not pin the profile's charts, or a chart is missing.
        case lockMismatch
        case io
    }

    public var kind: Kind
    /// The bundle path, with `:ENTRY` when one entry is at fault.
    public var location: String
    public var message: String

    public init(_ kind: Kind, _ location: String, _ message: String) {
        self.kind = kind
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
