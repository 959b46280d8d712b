import ChartSources
import Foundation
import Helm
import KubeClient
import Profiles
import Testing

/// A repository directory with `demo-1.0.0.tgz` and its index, served over loopback HTTP.
struct ServedRepo {
    let charts = TempDir()
    let repo = TempDir()
    let cache = TempDir()
    let packaged: PackagedChart
    let server: RepoServer

    init(username: String = "", password: String = "", token: String = "", tls: TestCertificates? = nil,
         mutateIndex: ((inout RepositoryIndex) -> Void)? = nil) throws {
        let (p, _) = try ChartPackager.package(directory: Fixtures.chart(in: charts, name: "demo", version: "1.0.0"), destination: repo.path)
        packaged = p
        var index = try RepositoryIndex.build(directory: repo.path)
        mutateIndex?(&index)
        repo.file("index.yaml", index.yaml())
        server = try RepoServer(root: repo.path, username: username, password: password, token: token, tls: tls)
    }

    func fetcher(auth: RepositoryAuth = .none, tls: ChartTLS = ChartTLS()) throws(ChartFetchError) -> ChartFetcher {
        ChartFetcher(cache: ChartCache(root: cache.path), transport: try tls.transport(), repositoryAuth: auth)
    }

    func fetch(_ url: String? = nil, version: String = "1.0.0", auth: RepositoryAuth = .none,
               tls: ChartTLS = ChartTLS()) async throws(ChartFetchError) -> LockFile.Entry {
        try await fetcher(auth: auth, tls: tls).fetch(name: "demo", source: .repository(url ?? server.url), version: version)
    }

    var cacheFiles: [String] { ChartCache(root: cache.path).allFiles() }
}

@Suite(.serialized) struct RepositoryFetchTests {
    @Test func fetchesVerifiesAndCaches() async throws {
        let r = try ServedRepo()
        let entry = try await r.fetch()
        #expect(entry.digest == r.packaged.digest)
        let cache = ChartCache(root: r.cache.path)
        #expect(cache.load(digest: entry.digest) == r.packaged.bytes)
        #expect(cache.reference(source: r.server.url, name: "demo", version: "1.0.0") == entry.digest)
        #expect(!r.cacheFiles.contains { $0.contains(".tmp-") })
    }

    @Test func absoluteAndRedirectedURLs() async throws {
        var base = ""
        let r = try ServedRepo { index in index.entries["demo"]?[0].urls = ["ABSOLUTE/redirect/demo-1.0.0.tgz"] }
        base = r.server.url
        // Rewrite the placeholder now that the port is known.
        let text = String(decoding: FileManager.default.contents(atPath: r.repo.path + "/index.yaml") ?? Data(), as: UTF8.self)
        r.repo.file("index.yaml", text.replacingOccurrences(of: "ABSOLUTE", with: base))
        let entry = try await r.fetch(base + "/")
        #expect(entry.digest == r.packaged.digest)
    }

    @Test func basicAndBearerAuth() async throws {
        let basic = try ServedRepo(username: "alice", password: "s3cret")
        let e = try await basic.fetch(auth: .basic(username: "alice", password: "s3cret"))
        #expect(e.digest == basic.packaged.digest)
        let bearer = try ServedRepo(token: "tok123")
        #expect(try await bearer.fetch(auth: .bearer(token: "tok123")).digest == bearer.packaged.digest)
    }

    @Test func unauthorizedWithoutOrWithWrongCredentials() async throws {
        let r = try ServedRepo(username: "alice", password: "s3cret")
        let none = await #expect(throws: ChartFetchError.self) { try await r.fetch() }
        #expect(none?.kind == .unauthorized)
        #expect(none?.message.contains("needs credentials") == true)
        let wrong = await #expect(throws: ChartFetchError.self) { try await r.fetch(auth: .basic(username: "alice", password: "nope")) }
        #expect(wrong?.kind == .unauthorized)
        #expect(wrong?.description.contains("nope") == false)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func forbiddenAndNotFound() async throws {
        let r = try ServedRepo { index in index.entries["demo"]?[0].urls = ["missing.tgz"] }
        let forbidden = await #expect(throws: ChartFetchError.self) { try await r.fetch(r.server.url + "/forbidden") }
        #expect(forbidden?.kind == .forbidden)
        let notFound = await #expect(throws: ChartFetchError.self) { try await r.fetch() }
        #expect(notFound?.kind == .notFound)
        #expect(notFound?.location.hasSuffix("/missing.tgz") == true)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func missingVersion() async throws {
        let r = try ServedRepo()
        let e = await #expect(throws: ChartFetchError.self) { try await r.fetch(version: "9.9.9") }
        #expect(e?.kind == .missingVersion)
        #expect(e?.message.contains("1.0.0") == true)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func digestMismatchLeavesCacheClean() async throws {
        let r = try ServedRepo { index in index.entries["demo"]?[0].digest = String(repeating: "0", count: 64) }
        let e = await #expect(throws: ChartFetchError.self) { try await r.fetch() }
        #expect(e?.kind == .digestMismatch)
        #expect(e?.message.contains("digest mismatch") == true)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func truncatedDownloadLeavesCacheClean() async throws {
        let r = try ServedRepo { index in index.entries["demo"]?[0].urls = ["truncated/demo-1.0.0.tgz"] }
        let e = await #expect(throws: ChartFetchError.self) { try await r.fetch() }
        #expect(e?.kind == .truncated)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func lockedPullRefusesAChangedChart() async throws {
        let r = try ServedRepo()
        let pinned = LockFile.Entry(name: "demo", source: r.server.url, version: "1.0.0", digest: "sha256:" + String(repeating: "1", count: 64))
        let e = await #expect(throws: ChartFetchError.self) {
            try await r.fetcher().fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0", pinned: pinned)
        }
        #expect(e?.kind == .lockMismatch)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func httpsWithTheTestCA() async throws {
        let certs = try TestCertificates()
        let r = try ServedRepo(username: "alice", password: "s3cret", tls: certs)
        #expect(r.server.url.hasPrefix("https://"))
        let entry = try await r.fetch(auth: .basic(username: "alice", password: "s3cret"), tls: ChartTLS(caFile: certs.ca))
        #expect(entry.digest == r.packaged.digest)
    }

    @Test func badCAIsAClearTLSErrorAndLeavesCacheClean() async throws {
        let certs = try TestCertificates()
        let r = try ServedRepo(tls: certs)
        for tls in [ChartTLS(), ChartTLS(caFile: certs.otherCA)] {
            let e = await #expect(throws: ChartFetchError.self) { try await r.fetch(tls: tls) }
            #expect(e?.kind == .tls)
            #expect(e?.message.contains("--ca-file") == true)
        }
        #expect(r.cacheFiles.isEmpty)
        // A CA file that cannot be read is an error before any request.
        #expect(throws: ChartFetchError.self) { try ChartTLS(caFile: certs.dir.path + "/missing.pem").transport() }
    }

    @Test func insecureSkipVerifyStillChecksDigests() async throws {
        let certs = try TestCertificates()
        let good = try ServedRepo(tls: certs)
        #expect(try await good.fetch(tls: ChartTLS(insecureSkipVerify: true)).digest == good.packaged.digest)
        let bad = try ServedRepo(tls: certs) { index in index.entries["demo"]?[0].digest = String(repeating: "0", count: 64) }
        let e = await #expect(throws: ChartFetchError.self) { try await bad.fetch(tls: ChartTLS(insecureSkipVerify: true)) }
        #expect(e?.kind == .digestMismatch)
        #expect(bad.cacheFiles.isEmpty)
    }

    @Test func vPrefixDifferenceAsHelm() async throws {
        let r = try ServedRepo()
        let entry = try await r.fetch(version: "v1.0.0")
        #expect(entry.digest == r.packaged.digest)
    }

    @Test func lockedPullOfACachedChartNeedsNoNetwork() async throws {
        let r = try ServedRepo()
        let entry = try await r.fetch()
        let offline = ChartFetcher(cache: ChartCache(root: r.cache.path), transport: OfflineTransport())
        let again = try await offline.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0", pinned: entry)
        #expect(again == entry)
        // Without the pin it must ask the repository (and fails offline, clearly).
        let e = await #expect(throws: ChartFetchError.self) {
            try await offline.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0")
        }
        #expect(e?.kind == .transport)
    }

    @Test func errorMessagesNameTheChartAndTheFix() async throws {
        let r = try ServedRepo(token: "tok")
        let e = await #expect(throws: ChartFetchError.self) { try await r.fetch(auth: .bearer(token: "wrong")) }
        #expect(e?.kind == .unauthorized)
        #expect(e?.message.contains("refused the credentials") == true)
        #expect(e?.description.contains("wrong") == false)
        #expect(r.cacheFiles.isEmpty)
    }

    @Test func aProfilePullDownloadsEachIndexOnceAndALockedPullNothing() async throws {
        let r = try ServedRepo()
        for name in ["kueue", "volcano"] {
            try ChartPackager.package(directory: Fixtures.chart(in: r.charts, name: name, version: "1.0.0"), destination: r.repo.path)
        }
        r.repo.file("index.yaml", try RepositoryIndex.build(directory: r.repo.path).yaml())
        let profile = Profile(metadata: .init(name: "t"), spec: ProfileSpec(charts: [
            .kueue: ChartSpec(source: .repository(r.server.url), version: "1.0.0"),
            .volcano: ChartSpec(source: .repository(r.server.url), version: "1.0.0"),
        ]))
        let counting = CountingTransport(CurlTransport(defaultTimeout: .seconds(30)))
        let fetcher = ChartFetcher(cache: ChartCache(root: r.cache.path), transport: counting)
        let lock = try await fetcher.lock(profile)
        #expect(counting.paths == ["/index.yaml", "/kueue-1.0.0.tgz", "/volcano-1.0.0.tgz"])
        #expect(lock.entries.keys.sorted() == ["kueue", "volcano"])
        let again = try await ChartFetcher(cache: ChartCache(root: r.cache.path), transport: counting).pull(profile, lock: lock)
        #expect(again.map(\.digest) == ["kueue", "volcano"].compactMap { lock.entries[$0]?.digest })
        #expect(counting.paths.count == 3)
    }
}

/// Records the paths a transport was asked for.
final class CountingTransport: HTTPTransport, @unchecked Sendable {
    let base: any HTTPTransport
    private let lock = NSLock()
    private var seen: [String] = []
    init(_ base: any HTTPTransport) { self.base = base }
    var paths: [String] { lock.withLock { seen } }
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        lock.withLock { seen.append(request.url.path) }
        return try await base.send(request)
    }
    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        lock.withLock { seen.append(request.url.path) }
        return try await base.stream(request)
    }
}
