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

    init(username: String = "", password: String = "", token: String = "", mutateIndex: ((inout RepositoryIndex) -> Void)? = nil) throws {
        let (p, _) = try ChartPackager.package(directory: Fixtures.chart(in: charts, name: "demo", version: "1.0.0"), destination: repo.path)
        packaged = p
        var index = try RepositoryIndex.build(directory: repo.path)
        mutateIndex?(&index)
        repo.file("index.yaml", index.yaml())
        server = try RepoServer(root: repo.path, username: username, password: password, token: token)
    }

    func fetcher(auth: RepositoryAuth = .none) -> ChartFetcher {
        ChartFetcher(cache: ChartCache(root: cache.path), transport: CurlTransport(defaultTimeout: .seconds(30)), repositoryAuth: auth)
    }

    func fetch(_ url: String? = nil, version: String = "1.0.0", auth: RepositoryAuth = .none) async throws(ChartFetchError) -> LockFile.Entry {
        try await fetcher(auth: auth).fetch(name: "demo", source: .repository(url ?? server.url), version: version)
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
}
