import Foundation
import Helm
import YAML

/// An air-gapped bundle (`platform bundle`): one reproducible .tar.gz whose entries live
/// under `bundle/`:
///
///     bundle/profile.yaml            the profile as given
///     bundle/platform.lock           pins of the charts below (digests of these archives)
///     bundle/charts/NAME-VERSION.tgz every chart the profile names
///     bundle/rendered/...            the GitOps tree `platform render` writes
///     bundle/images.txt              every container image the rendered objects use, sorted
public struct BundleContents: Sendable, Equatable {
    public var profile: [UInt8]
    public var lock: LockFile
    /// Archive bytes by chart name.
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

    public init(profile: [UInt8], lock: LockFile, charts: [String: PackagedChartFile], rendered: [String: [UInt8]], images: [String]) {
        self.profile = profile
        self.lock = lock
        self.charts = charts
        self.rendered = rendered
        self.images = images
    }
}

public enum BundleWriter {
    public static let topDirectory = "bundle"

    /// The bundle's bytes (reproducible: same inputs, same bytes).
    public static func archive(_ b: BundleContents) throws(ChartFetchError) -> [UInt8] {
        var entries: [(String, [UInt8])] = []
        entries.append(("profile.yaml", b.profile))
        entries.append((LockFile.fileName, Array(b.lock.yaml().utf8)))
        for name in b.charts.keys.sorted() {
            guard let c = b.charts[name] else { continue }
            entries.append(("charts/\(name)-\(c.version).tgz", c.bytes))
        }
        for path in b.rendered.keys.sorted() {
            entries.append(("rendered/" + path, b.rendered[path] ?? []))
        }
        entries.append(("images.txt", Array(b.images.map { $0 + "\n" }.joined().utf8)))
        let result = TarWriter.write(entries: entries.map { (topDirectory + "/" + $0.0, $0.1) }, location: "bundle")
        return try result.get()
    }

    public static func write(_ b: BundleContents, to path: String) throws(ChartFetchError) {
        try FileSystem.writeAtomically(try archive(b), to: path)
    }
}

/// Reads a bundle and serves its charts with no network: the `ChartProvider` for
/// applying from a bundle. Every chart is checked against the bundle's lock.
public struct BundleReader: ChartProvider {
    public var profile: [UInt8]
    public var lock: LockFile
    public var files: [String: [UInt8]]

    public init(path: String) throws(ChartFetchError) {
        try self.init(bytes: try FileSystem.read(path), location: path)
    }

    public init(bytes: [UInt8], location: String = "bundle") throws(ChartFetchError) {
        let list: [ChartFile]
        do { list = try ChartArchiveReader(maxTotalSize: 4 << 30, maxFileSize: 1 << 30).files(in: bytes) } catch {
            throw ChartFetchError(.invalidChart, location, "not a readable bundle: \(error)")
        }
        files = Dictionary(list.map { ($0.name, $0.data) }, uniquingKeysWith: { $1 })
        guard let profile = files["profile.yaml"], let lockBytes = files[LockFile.fileName] else {
            throw ChartFetchError(.invalidChart, location, "not a platform bundle (no profile.yaml or \(LockFile.fileName))")
        }
        self.profile = profile
        lock = try LockFile.parse(String(decoding: lockBytes, as: UTF8.self), location: location + ":" + LockFile.fileName)
    }

    public var images: [String] {
        String(decoding: files["images.txt"] ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Rendered files by path relative to the rendered tree.
    public var rendered: [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for (k, v) in files where k.hasPrefix("rendered/") { out[String(k.dropFirst("rendered/".count))] = v }
        return out
    }

    public func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart {
        let path = "charts/\(request.name)-\(request.version).tgz"
        guard let bytes = files[path] else {
            throw ChartSourceError(request: request, searched: ["bundle:" + path], cause: "the bundle does not contain this chart")
        }
        do {
            try lock.verify(name: request.name, bytes: bytes, location: "bundle:" + path)
            return try Chart.load(archive: bytes)
        } catch let e as ChartFetchError {
            throw ChartSourceError(request: request, searched: ["bundle:" + path], cause: e.message)
        } catch {
            throw ChartSourceError(request: request, searched: ["bundle:" + path], cause: "cannot load: \(error)")
        }
    }
}

/// Container images named by Kubernetes objects: every `image:` of containers,
/// initContainers and ephemeralContainers in any pod template, plus operator custom
/// resources that spell images as `repository` + `image` + `version` (the GPU Operator's
/// ClusterPolicy, the Network Operator's NicClusterPolicy).
public enum ImageList {
    public static func images(in objects: [YAMLValue]) -> [String] {
        var found = Set<String>()
        for o in objects { walk(o, into: &found) }
        return found.sorted()
    }

    static func walk(_ v: YAMLValue, into found: inout Set<String>) {
        switch v {
        case .mapping(let m):
            for key in ["containers", "initContainers", "ephemeralContainers"] {
                if case .sequence(let cs)? = m[key] {
                    for c in cs { if case .mapping(let cm) = c, case .string(let image)? = cm["image"], !image.isEmpty { found.insert(image) } }
                }
            }
            // repository/image/version triples (ClusterPolicy's driver, toolkit, …; NicClusterPolicy's ofedDriver, …).
            if case .string(let repo)? = m["repository"], case .string(let image)? = m["image"], !image.isEmpty {
                var ref = repo.isEmpty ? image : repo + "/" + image
                if case .string(let version)? = m["version"], !version.isEmpty {
                    ref += version.hasPrefix("sha256:") ? "@" + version : ":" + version
                }
                found.insert(ref)
            }
            for e in m { walk(e.value, into: &found) }
        case .sequence(let s):
            for e in s { walk(e, into: &found) }
        default:
            break
        }
    }
}
