import Foundation
import Helm
import KubeClient
import Profiles

/// Fetches profile charts from their sources into the cache: what `charts pull` and
/// `charts lock` run. Network access lives here and in the clients it uses; renders
/// read the cache through `PinnedChartProvider` and never touch the network.
public struct ChartFetcher: Sendable {
    public var cache: ChartCache
    public var transport: any HTTPTransport
    /// Credentials for classic repositories (sent to the repository's host only).
    public var repositoryAuth: RepositoryAuth
    /// Registry logins for oci:// sources.
    public var registryConfig: DockerConfig
    /// oci:// over plain HTTP (loopback test registries only).
    public var plainHTTPRegistries: Bool
    /// Resolves relative `path` sources (the profile's directory).
    public var baseDirectory: String
    /// Helm's repositories.yaml: per-repository logins and TLS for classic repositories.
    public var repositoryConfig: HelmRepositoryConfig
    /// The transport for a repositories.yaml entry with TLS settings of its own (CA, client
    /// certificate, insecure); nil uses `transport` for every repository.
    public var entryTransport: (@Sendable (HelmRepositoryConfig.Entry) throws(ChartFetchError) -> any HTTPTransport)?
    /// Repository indexes downloaded by this fetcher (one command run).
    let indexes = IndexBodies()
    let entryTransports = EntryTransports()

    public init(cache: ChartCache, transport: any HTTPTransport, repositoryAuth: RepositoryAuth = .none,
                registryConfig: DockerConfig = DockerConfig(), plainHTTPRegistries: Bool = false,
                baseDirectory: String = FileManager.default.currentDirectoryPath,
                repositoryConfig: HelmRepositoryConfig = HelmRepositoryConfig(),
                entryTransport: (@Sendable (HelmRepositoryConfig.Entry) throws(ChartFetchError) -> any HTTPTransport)? = nil) {
        self.repositoryConfig = repositoryConfig
        self.entryTransport = entryTransport
        self.cache = cache
        self.transport = transport
        self.repositoryAuth = repositoryAuth
        self.registryConfig = registryConfig
        self.plainHTTPRegistries = plainHTTPRegistries
        self.baseDirectory = baseDirectory
    }

    /// Fetches one chart, verifies it (and against `pinned`, when given), stores it in the
    /// cache and records the reference. Nothing is cached when any check fails. With a pin
    /// whose archive is already cached, nothing is downloaded.
    public func fetch(name: String, source: ChartSource, version: String, pinned: LockFile.Entry? = nil)
        async throws(ChartFetchError) -> LockFile.Entry
    {
        // Cache hit: the pinned archive is already here (load re-hashes it), so no network.
        // (Remote sources only: a local chart is re-read so an edit since locking is caught.)
        if let pinned, source.isRemote, pinned.source == source.description, pinned.version == version,
           cache.contains(digest: pinned.digest) {
            return pinned
        }
        let fetched: FetchedChart
        switch source {
        case .repository(let url):
            // Command-line credentials win; else the repositories.yaml entry for this URL.
            let entry = repositoryConfig.entry(for: url)
            var repoTransport = transport
            if let entry, entry.hasTLSSettings, let entryTransport {
                repoTransport = try entryTransports.transport(for: entry, make: entryTransport)
            }
            var client = HelmRepositoryClient(repositoryURL: url, auth: repositoryAuth != .none ? repositoryAuth : entry?.auth ?? .none,
                                              transport: repoTransport)
            client.passCredentialsAll = entry?.passCredentialsAll ?? false
            client.indexes = indexes
            fetched = try await client.fetch(name: name, version: version)
        case .oci(let text):
            let ref = try OCIReference(text, version: version)
            guard ref.name == name else {
                throw ChartFetchError(.invalidReference, text, "the reference names chart \(ref.name), the profile key is \(name)")
            }
            fetched = try await OCIRegistryClient(registry: ref.registry, login: registryConfig.login(for: ref.registry), transport: transport,
                                                  plainHTTP: plainHTTPRegistries).pull(ref)
        case .path(let p):
            let path = p.hasPrefix("/") ? p : baseDirectory + "/" + p
            fetched = try Self.local(path: path, name: name, version: version)
        }
        if let pinned {
            try LockFile(entries: [pinned]).verify(name: name, bytes: fetched.bytes, location: fetched.url)
        }
        let digest = try cache.store(fetched.bytes, location: fetched.url)
        try cache.recordReference(source: source.description, name: name, version: version, digest: digest)
        return LockFile.Entry(name: name, source: source.description, version: version, digest: digest,
                              manifestDigest: fetched.manifestDigest)
    }

    /// A local chart directory (packaged reproducibly) or .tgz.
    static func local(path: String, name: String, version: String) throws(ChartFetchError) -> FetchedChart {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ChartFetchError(.notFound, path, "no chart here")
        }
        let bytes = isDirectory.boolValue ? try ChartPackager.package(directory: path).bytes : try FileSystem.read(path)
        try ChartArchiveCheck.verify(bytes, name: name, version: version, location: path)
        return FetchedChart(name: name, version: version, bytes: bytes, url: path)
    }

    /// Fetches every chart of `profile` into the cache; with a lock, each must match its pin.
    public func pull(_ profile: Profile, lock: LockFile? = nil) async throws(ChartFetchError) -> [LockFile.Entry] {
        var out: [LockFile.Entry] = []
        for (name, spec) in profile.spec.charts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            do {
                out.append(try await fetch(name: name.rawValue, source: spec.source, version: spec.version,
                                           pinned: lock?.entries[name.rawValue]))
            } catch {
                // Say which of the profile's charts failed; the URL alone may not.
                var e = error
                let prefix = "chart \(name.rawValue) \(spec.version)"
                if !e.message.hasPrefix(prefix) { e.message = prefix + ": " + e.message }
                throw e
            }
        }
        return out
    }

    /// Fetches every chart and returns the lock that pins them.
    public func lock(_ profile: Profile) async throws(ChartFetchError) -> LockFile {
        LockFile(entries: try await pull(profile))
    }
}

/// The `ChartProvider` renders use: pinned charts from the cache (verified against the
/// lock file when there is one), else what `charts pull` last recorded, else local paths
/// and the chart mirror as `LocalChartProvider` finds them. No network.
public struct PinnedChartProvider: ChartProvider {
    public var cache: ChartCache?
    public var lock: LockFile?
    public var lockPath: String
    public var local: LocalChartProvider

    public init(cache: ChartCache?, lock: LockFile?, lockPath: String = LockFile.fileName, local: LocalChartProvider) {
        self.cache = cache
        self.lock = lock
        self.lockPath = lockPath
        self.local = local
    }

    /// The provider for a profile file: its lock (verified against the profile; a mismatch
    /// is refused), the default cache and the mirror.
    public static func forProfile(_ profile: Profile, path: String, mirror: String?,
                                  cache: ChartCache? = ChartCache(root: ChartCache.defaultRoot())) throws(ChartFetchError) -> PinnedChartProvider {
        let lock = try LockFile.load(besideProfile: path)
        let lockPath = LockFile.path(besideProfile: path)
        try lock?.verify(profile, location: lockPath)
        let base = (path as NSString).deletingLastPathComponent
        return PinnedChartProvider(cache: cache, lock: lock, lockPath: lockPath,
                                   local: LocalChartProvider(mirror: mirror, baseDirectory: base.isEmpty ? FileManager.default.currentDirectoryPath : base))
    }

    public func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart {
        switch try resolve(request) {
        case .archive(let bytes, let path):
            do { return try Chart.load(archive: bytes) } catch {
                throw ChartSourceError(request: request, searched: [path], cause: "cannot load: \(error)")
            }
        case .unpinned:
            return try local.chart(for: request)
        }
    }

    /// The digest `platform.lock` pins for `request`, if any.
    public func pinnedDigest(for request: ChartRequest) -> String? {
        lock?.entries[request.name]?.digest
    }

    enum Resolution {
        /// Verified archive bytes (from the cache, or a local/mirror chart checked against its pin).
        case archive([UInt8], path: String)
        /// No pin and nothing cached: load from local paths and the mirror as they are.
        case unpinned
    }

    /// Where the chart for `request` comes from. With a pin, only bytes whose sha256 is the
    /// pinned digest are returned: the cache entry (remote sources), else a local or mirror
    /// `.tgz`, else a local or mirror directory packaged reproducibly (`platform charts package`).
    /// Without a pin: the archive `charts pull` last recorded, else `.unpinned`.
    func resolve(_ request: ChartRequest) throws(ChartSourceError) -> Resolution {
        guard let pinned = lock?.entries[request.name] else {
            if let digest = cache?.reference(source: request.source.description, name: request.name, version: request.version),
               let cache, let bytes = cache.load(digest: digest) {
                return .archive(bytes, path: cache.path(digest: digest) ?? cache.root)
            }
            return .unpinned
        }
        if pinned.version != request.version || pinned.source != request.source.description {
            throw ChartSourceError(request: request, searched: [lockPath],
                                   cause: "\(LockFile.fileName) pins \(pinned.version) from \(pinned.source), the profile asks for \(request.version) from \(request.source); run `platform charts lock PROFILE` to re-pin")
        }
        // A local path is its own source of truth: check what is there now, so an edit after
        // locking is refused rather than shadowed by the archive cached at lock time.
        if request.source.isRemote, let cache, let bytes = cache.load(digest: pinned.digest) {
            return .archive(bytes, path: cache.path(digest: pinned.digest) ?? cache.root)
        }
        let candidates = local.candidates(for: request)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            var searched = candidates
            if let path = cache?.path(digest: pinned.digest) { searched.insert(path, at: 0) }
            throw ChartSourceError(request: request, searched: searched,
                                   cause: "\(pinned.digest) (pinned in \(lockPath)) is not in the chart cache; run `platform charts pull PROFILE`")
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: found, isDirectory: &isDirectory)
        let bytes: [UInt8]
        do {
            bytes = isDirectory.boolValue ? try ChartPackager.package(directory: found).bytes : try FileSystem.read(found)
            try lock?.verify(name: request.name, bytes: bytes, location: found)
        } catch {
            var cause = error.message
            if request.source.isRemote {
                cause += "; to use the pinned archive run `platform charts pull PROFILE`"
            }
            throw ChartSourceError(request: request, searched: [found], cause: cause)
        }
        return .archive(bytes, path: found)
    }
}

extension PinnedChartProvider {
    /// The archive bytes for `request` (what a bundle ships): as `chart(for:)` resolves it,
    /// and for an unpinned, uncached chart the local or mirror `.tgz`, else the local or
    /// mirror directory packaged reproducibly.
    public func archive(for request: ChartRequest) throws(ChartSourceError) -> [UInt8] {
        if case .archive(let bytes, _) = try resolve(request) { return bytes }
        let candidates = local.candidates(for: request)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ChartSourceError(request: request, searched: candidates, cause: "not cached and not found locally; run `platform charts pull PROFILE`")
        }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: found, isDirectory: &isDirectory)
        do {
            return isDirectory.boolValue ? try ChartPackager.package(directory: found).bytes : try FileSystem.read(found)
        } catch {
            throw ChartSourceError(request: request, searched: [found], cause: error.message)
        }
    }
}

extension ChartSource {
    var isRemote: Bool {
        if case .path = self { return false }
        return true
    }
}

/// One transport per repositories.yaml entry for a command run (a libcurl transport owns a thread).
final class EntryTransports: @unchecked Sendable {
    private let lock = NSLock()
    private var transports: [String: any HTTPTransport] = [:]

    func transport(for entry: HelmRepositoryConfig.Entry,
                   make: (HelmRepositoryConfig.Entry) throws(ChartFetchError) -> any HTTPTransport) throws(ChartFetchError) -> any HTTPTransport {
        lock.lock()
        defer { lock.unlock() }
        if let t = transports[entry.url] { return t }
        let t = try make(entry)
        transports[entry.url] = t
        return t
    }
}
