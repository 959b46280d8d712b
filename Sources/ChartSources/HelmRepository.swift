import Foundation
import Helm
import KubeClient

/// A chart archive fetched from a remote source, verified against what the source published.
public struct FetchedChart: Sendable, Equatable {
    public var name: String
    public var version: String
    public var bytes: [UInt8]
    /// Where the archive came from (no credentials).
    public var url: String
    /// OCI only: the manifest digest the tag pointed at.
    public var manifestDigest: String?

    /// `sha256:HEX` of the archive.
    public var digest: String { Digest.sha256(bytes) }
}

/// A classic Helm chart repository: `REPO/index.yaml` plus archives at the entries' URLs.
public struct HelmRepositoryClient: Sendable {
    public var repositoryURL: String
    public var auth: RepositoryAuth
    /// Send the login to archive URLs on other hosts too (`pass_credentials_all`); Helm's
    /// default, and ours, keeps it with the repository's host.
    public var passCredentialsAll = false
    var http: ChartHTTP
    /// index.yaml bodies already downloaded in this run (several charts from one repository).
    var indexes: IndexBodies?

    public init(repositoryURL: String, auth: RepositoryAuth = .none, transport: any HTTPTransport) {
        self.repositoryURL = repositoryURL
        self.auth = auth
        self.http = ChartHTTP(transport: transport)
    }

    /// The repository URL with a trailing slash, so relative chart URLs resolve under it.
    var base: URL? { URL(string: repositoryURL.hasSuffix("/") ? repositoryURL : repositoryURL + "/") }

    /// The repository's index; with `chart`, only that chart's entries.
    public func index(chart: String? = nil) async throws(ChartFetchError) -> RepositoryIndex {
        guard let base, let url = URL(string: "index.yaml", relativeTo: base)?.absoluteURL else {
            throw ChartFetchError(.invalidReference, repositoryURL, "not a valid repository URL")
        }
        let body: Data
        if let cached = indexes?.body(for: url.absoluteString) {
            body = cached
        } else {
            body = try await http.get(url, auth: auth, what: "repository index").body
            indexes?.store(body, for: url.absoluteString)
        }
        return try RepositoryIndex.parse(String(decoding: body, as: UTF8.self), location: ChartHTTP.redacted(url), chart: chart)
    }

    /// Fetches `name` at `version` and checks the archive against the index's digest
    /// (when the index has one) and the archive's own Chart.yaml.
    public func fetch(name: String, version: String) async throws(ChartFetchError) -> FetchedChart {
        let index = try await index(chart: name)
        let entry = try index.entry(name: name, version: version, location: repositoryURL)
        guard let first = entry.urls.first, let base, let url = URL(string: first, relativeTo: base)?.absoluteURL else {
            throw ChartFetchError(.invalidIndex, repositoryURL, "index entry \(name) \(version) has no usable URL")
        }
        // Credentials go to the repository's own host only (Helm's default without --pass-credentials).
        let response = try await http.send(HTTPRequest(method: "GET", url: url),
                                           auth: passCredentialsAll || ChartHTTP.hostKey(url) == ChartHTTP.hostKey(base) ? auth : .none)
        try ChartHTTP.check(response, url: url, what: "chart \(name) \(version)", auth: auth)
        let bytes = [UInt8](response.body)
        let location = ChartHTTP.redacted(url)
        if !entry.digest.isEmpty {
            guard let want = Digest.hex(of: entry.digest) else {
                throw ChartFetchError(.invalidIndex, repositoryURL, "index digest for \(name) \(version) is not a sha256: \(entry.digest)")
            }
            let got = Digest.sha256Hex(bytes)
            if got != want {
                throw ChartFetchError(.digestMismatch, location,
                                      "digest mismatch for \(name) \(version): index says sha256:\(want), downloaded sha256:\(got) (\(bytes.count) bytes); the archive is corrupt or was replaced")
            }
        }
        try ChartArchiveCheck.verify(bytes, name: name, version: version, location: location)
        return FetchedChart(name: name, version: entry.version, bytes: bytes, url: location)
    }
}

/// index.yaml bodies by URL, shared by the fetches of one command run so a profile with
/// several charts from one repository downloads its (possibly large) index once.
final class IndexBodies: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String: Data] = [:]

    func body(for url: String) -> Data? { lock.withLock { bodies[url] } }
    func store(_ body: Data, for url: String) { lock.withLock { bodies[url] = body } }
}

/// Checks that an archive loads and is the chart it claims to be.
enum ChartArchiveCheck {
    static func verify(_ bytes: [UInt8], name: String, version: String, location: String) throws(ChartFetchError) {
        guard bytes.starts(with: [0x1F, 0x8B]) else {
            throw ChartFetchError(.invalidChart, location, "not a gzipped chart archive (\(bytes.count) bytes)")
        }
        let chart: Helm.Chart
        do { chart = try Helm.Chart.load(archive: bytes) } catch {
            throw ChartFetchError(.invalidChart, location, "cannot load the chart archive (truncated or corrupt?): \(error)")
        }
        let bare = { (s: String) in s.hasPrefix("v") ? String(s.dropFirst()) : s }
        guard chart.name == name, bare(chart.metadata.version) == bare(version) else {
            throw ChartFetchError(.invalidChart, location,
                                  "archive holds \(chart.name) \(chart.metadata.version), not \(name) \(version)")
        }
    }
}
