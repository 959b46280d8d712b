import ChartSources
import Foundation
import Testing

/// Helm's repositories.yaml: per-repository logins and TLS, against a loopback HTTPS
/// repository that demands basic auth.
@Suite(.serialized) struct RepositoryConfigTests {
    @Test func parsesHelmsFileKeepingScalarsAsText() throws {
        let dir = TempDir()
        dir.file("helm/repositories.yaml", """
            apiVersion: ""
            generated: "2026-01-01T00:00:00Z"
            repositories:
            - name: ngc
              url: https://helm.ngc.nvidia.com/nvidia/
              username: $oauthtoken
              password: 0123
              caFile: certs/ca.pem
              insecure_skip_tls_verify: false
              pass_credentials_all: true
            - name: open
              url: https://charts.example
              password: yes
            """)
        let config = try HelmRepositoryConfig.load(flag: nil, environment: ["HELM_REPOSITORY_CONFIG": dir.path + "/helm/repositories.yaml"])
        let ngc = try #require(config.entry(for: "https://helm.ngc.nvidia.com/nvidia"))
        #expect(ngc.auth == .basic(username: "$oauthtoken", password: "0123"))
        #expect(ngc.caFile == dir.path + "/helm/certs/ca.pem" && ngc.passCredentialsAll && !ngc.insecureSkipTLSVerify && ngc.hasTLSSettings)
        // No username: no login (Helm sends none either).
        #expect(config.entry(for: "https://charts.example/")?.auth == RepositoryAuth.none)
        #expect(config.entry(for: "https://other.example") == nil)
        #expect(!ngc.description.contains("0123"))
        // The default location may be absent; an explicit --repository-config may not.
        #expect(try HelmRepositoryConfig.load(flag: nil, environment: ["HOME": dir.path + "/nowhere"]).entries.isEmpty)
        #expect(throws: ChartFetchError.self) { try HelmRepositoryConfig.load(flag: dir.path + "/missing.yaml") }
        dir.file("bad.yaml", "repositories:\n- name: x\n")
        #expect(throws: ChartFetchError.self) { try HelmRepositoryConfig.load(path: dir.path + "/bad.yaml") }
    }

    @Test func entryLoginAndCAReachTheRepository() async throws {
        let certs = try TestCertificates()
        let r = try ServedRepo(username: "alice", password: "s3cret", tls: certs)
        let entry = HelmRepositoryConfig.Entry(name: "demo", url: r.server.url + "/", username: "alice", password: "s3cret", caFile: certs.ca)
        let made = Counter()
        // The default transport trusts only the system roots: the entry's CA must be used.
        let fetcher = ChartFetcher(cache: ChartCache(root: r.cache.path), transport: try ChartTLS().transport(),
                                   repositoryConfig: HelmRepositoryConfig(entries: [entry]),
                                   entryTransport: { e throws(ChartFetchError) in
                                       made.increment()
                                       return try ChartTLS(caFile: e.caFile).transport()
                                   })
        let locked = try await fetcher.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0")
        #expect(locked.digest == r.packaged.digest)
        _ = try await fetcher.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0")
        #expect(made.value == 1)

        // A wrong password in the file: refused, the password not shown, nothing cached.
        let wrongEntry = HelmRepositoryConfig.Entry(name: "demo", url: r.server.url, username: "alice", password: "nope", caFile: certs.ca)
        let cache = TempDir()
        let wrong = ChartFetcher(cache: ChartCache(root: cache.path), transport: try ChartTLS().transport(),
                                 repositoryConfig: HelmRepositoryConfig(entries: [wrongEntry]),
                                 entryTransport: { e throws(ChartFetchError) in try ChartTLS(caFile: e.caFile).transport() })
        let e = await #expect(throws: ChartFetchError.self) {
            try await wrong.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0")
        }
        #expect(e?.kind == .unauthorized && e?.description.contains("nope") == false)
        #expect(ChartCache(root: cache.path).allFiles().isEmpty)

        // Command-line credentials win over the file's.
        let flagWins = ChartFetcher(cache: ChartCache(root: cache.path), transport: try ChartTLS().transport(),
                                    repositoryAuth: .basic(username: "alice", password: "s3cret"),
                                    repositoryConfig: HelmRepositoryConfig(entries: [wrongEntry]),
                                    entryTransport: { e throws(ChartFetchError) in try ChartTLS(caFile: e.caFile).transport() })
        #expect(try await flagWins.fetch(name: "demo", source: .repository(r.server.url), version: "1.0.0").digest == r.packaged.digest)
    }

    @Test func clientCertificateNeedsBothFiles() throws {
        let certs = try TestCertificates()
        #expect(throws: ChartFetchError.self) { try ChartTLS(certFile: certs.ca).transport() }
        #expect(throws: ChartFetchError.self) { try ChartTLS(certFile: certs.dir.path + "/missing.pem", keyFile: certs.ca).transport() }
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func increment() { lock.withLock { n += 1 } }
        var value: Int { lock.withLock { n } }
    }
}
