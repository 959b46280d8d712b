import Foundation
import Helm
import Profiles

/// What a stage asks for: one pinned chart.
public struct ChartRequest: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var version: String
    public var source: ChartSource

    public init(name: String, version: String, source: ChartSource) {
        self.name = name
        self.version = version
        self.source = source
    }

    public var description: String { "\(name) \(version) (\(source))" }

    public static func == (a: ChartRequest, b: ChartRequest) -> Bool {
        a.name == b.name && a.version == b.version && a.source.description == b.source.description
    }

    public func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(version)
        h.combine(source.description)
    }
}

/// A chart that could not be found or loaded; `description` says where we looked and what to do.
public struct ChartSourceError: Error, Sendable, CustomStringConvertible {
    public var request: ChartRequest
    public var searched: [String]
    public var cause: String

    public init(request: ChartRequest, searched: [String], cause: String) {
        self.request = request
        self.searched = searched
        self.cause = cause
    }

    public var description: String {
        var text = "chart \(request.name) \(request.version): \(cause)"
        if !searched.isEmpty { text += "\n  looked in: " + searched.joined(separator: ", ") }
        return text
    }
}

/// Resolves a chart request to a loaded chart. The seam where repositories, OCI
/// registries, the lock file and the cache plug in later (issue: charts pull/lock);
/// renders only ever see this protocol.
public protocol ChartProvider: Sendable {
    func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart
}

/// Charts on disk: profile sources that are local paths, and a mirror directory holding
/// `NAME-VERSION/` or `NAME-VERSION.tgz` for repository and OCI sources (air-gapped and
/// test setups). No network.
public struct LocalChartProvider: ChartProvider {
    /// The environment variable naming the default mirror (`--chart-mirror` wins).
    public static let mirrorEnvironmentVariable = "PLATFORM_CHART_MIRROR"

    public var mirror: String?
    /// Directory that relative `path` sources are resolved against (the profile's directory).
    public var baseDirectory: String

    public init(mirror: String?, baseDirectory: String = FileManager.default.currentDirectoryPath) {
        self.mirror = mirror
        self.baseDirectory = baseDirectory
    }

    /// The mirror from a flag, else the environment.
    public static func mirror(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment[mirrorEnvironmentVariable], !env.isEmpty { return env }
        return nil
    }

    /// Candidate paths for a request, in lookup order.
    public func candidates(for request: ChartRequest) -> [String] {
        var out: [String] = []
        if case .path(let p) = request.source {
            out.append(p.hasPrefix("/") ? p : baseDirectory + "/" + p)
        }
        if let mirror {
            let stem = mirror + "/" + request.name + "-" + request.version
            out.append(stem)
            out.append(stem + ".tgz")
            // NVIDIA tags charts with a leading `v` that the archive names may drop, or vice versa.
            let alternate = request.version.hasPrefix("v") ? String(request.version.dropFirst()) : "v" + request.version
            out.append(mirror + "/" + request.name + "-" + alternate)
            out.append(mirror + "/" + request.name + "-" + alternate + ".tgz")
        }
        return out
    }

    public func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart {
        let paths = candidates(for: request)
        guard let found = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            let cause: String
            switch request.source {
            case .path: cause = "no chart at the profile's local path"
            case .repository, .oci:
                cause = mirror == nil
                    ? "remote sources are not fetched yet; pass --chart-mirror DIR (or set \(Self.mirrorEnvironmentVariable)) with \(request.name)-\(request.version)/ or .tgz"
                    : "not in the chart mirror; add \(request.name)-\(request.version)/ or \(request.name)-\(request.version).tgz"
            }
            throw ChartSourceError(request: request, searched: paths, cause: cause)
        }
        let chart: Chart
        do { chart = try Chart.load(path: found) } catch {
            throw ChartSourceError(request: request, searched: [found], cause: "cannot load: \(error)")
        }
        // A mirror entry must be the chart it claims to be; a wrong name would render silently.
        if chart.name != request.name {
            throw ChartSourceError(request: request, searched: [found], cause: "\(found) holds chart \(chart.name), not \(request.name)")
        }
        return chart
    }
}

/// Loads each chart once per process run (renders of several stages share the GPU
/// Operator chart, benchmarks render many profiles).
public final class CachingChartProvider: ChartProvider, @unchecked Sendable {
    private let base: any ChartProvider
    private let lock = NSLock()
    private var cache: [ChartRequest: Chart] = [:]

    public init(_ base: any ChartProvider) { self.base = base }

    public func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart {
        lock.lock()
        if let c = cache[request] { lock.unlock(); return c }
        lock.unlock()
        let c = try base.chart(for: request)
        lock.lock()
        cache[request] = c
        lock.unlock()
        return c
    }
}
