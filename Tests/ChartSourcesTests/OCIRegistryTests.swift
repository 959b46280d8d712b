import ChartSources
import Foundation
import Helm
import KubeClient
import Testing

@Suite struct OCIUnitTests {
    @Test func parsesReferences() throws {
        let r = try OCIReference("oci://registry.k8s.io/kueue/charts/kueue", version: "0.19.2+build.1")
        #expect(r.registry == "registry.k8s.io" && r.repository == "kueue/charts/kueue" && r.tag == "0.19.2_build.1" && r.name == "kueue")
        #expect(throws: ChartFetchError.self) { try OCIReference("oci://host", version: "1") }
        #expect(throws: ChartFetchError.self) { try OCIReference("oci://host/Upper/x", version: "1") }
    }

    @Test func readsDockerConfig() throws {
        let dir = TempDir()
        dir.file("config.json", #"{"auths":{"https://r.example:5000/v1/":{"auth":"\#(Data("bob:pw".utf8).base64EncodedString())"},"t.example":{"identitytoken":"tok"}}}"#)
        let c = try DockerConfig.load(path: dir.path + "/config.json")
        #expect(c.auth(for: "r.example:5000") == .basic(username: "bob", password: "pw"))
        #expect(c.auth(for: "t.example") == .bearer(token: "tok"))
        #expect(c.auth(for: "other") == .none)
    }

    /// The Docker token flow: 401 with a Bearer challenge, token from the realm with the
    /// basic credentials and the challenge's service and scope, then the retried request.
    @Test func followsTheBearerTokenFlow() async throws {
        let chartDir = TempDir()
        let packaged = try ChartPackager.package(directory: Fixtures.chart(in: chartDir, name: "demo", version: "1.0.0"))
        let config = Data("{}".utf8)
        let manifest = try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": HelmMediaType.manifest,
            "config": ["mediaType": HelmMediaType.config, "digest": Digest.sha256(config), "size": config.count],
            "layers": [["mediaType": HelmMediaType.chartContent, "digest": packaged.digest, "size": packaged.bytes.count]],
        ] as [String: Any])
        let t = RecordedTransport()
        var challenge = HTTPHeaders()
        challenge.add("WWW-Authenticate", #"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:charts/demo:pull""#)
        t.on("GET", "/v2/charts/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 401, headers: challenge)))
        t.on("GET", "/token", status: 200, json: #"{"token":"T0K"}"#)
        var mh = HTTPHeaders()
        mh.add("Content-Type", HelmMediaType.manifest)
        mh.add("Docker-Content-Digest", Digest.sha256(manifest))
        t.on("GET", "/v2/charts/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 200, headers: mh, body: manifest)))
        t.on("GET", "/v2/charts/demo/blobs/\(packaged.digest)", .response(HTTPResponse(statusCode: 200, body: Data(packaged.bytes))))
        let client = OCIRegistryClient(auth: .basic(username: "u", password: "p"), transport: t)
        let fetched = try await client.pull(try OCIReference("oci://reg.example/charts/demo", version: "1.0.0"))
        #expect(fetched.bytes == packaged.bytes)
        #expect(fetched.manifestDigest == Digest.sha256(manifest))
        let reqs = t.requests
        #expect(reqs.count == 4)
        let tokenQuery = reqs[1].url.query ?? ""
        #expect(tokenQuery.contains("service=reg.example") && tokenQuery.contains("scope=repository:charts/demo:pull"))
        #expect(reqs[1].headers["Authorization"] == "Basic " + Data("u:p".utf8).base64EncodedString())
        #expect(reqs[2].headers["Authorization"] == "Bearer T0K")
        #expect(reqs[3].headers["Authorization"] == "Bearer T0K")
    }

    @Test func refusesWrongMediaTypeAndLayerDigest() async throws {
        let t = RecordedTransport()
        let notHelm = try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": HelmMediaType.manifest,
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": Digest.sha256([1]), "size": 1],
            "layers": [] as [Any],
        ] as [String: Any])
        t.on("GET", "/v2/x/demo/manifests/1", .response(HTTPResponse(statusCode: 200, body: notHelm)))
        let client = OCIRegistryClient(transport: t)
        let e = await #expect(throws: ChartFetchError.self) { try await client.pull(try OCIReference("oci://r/x/demo", version: "1")) }
        #expect(e?.kind == .mediaType)
        #expect(e?.message.contains("not a Helm chart") == true)

        let manifest = try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": HelmMediaType.manifest,
            "config": ["mediaType": HelmMediaType.config, "digest": Digest.sha256([1]), "size": 1],
            "layers": [["mediaType": HelmMediaType.chartContent, "digest": Digest.sha256([1, 2, 3]), "size": 3]],
        ] as [String: Any])
        t.on("GET", "/v2/x/demo/manifests/1", .response(HTTPResponse(statusCode: 200, body: manifest)))
        t.on("GET", "/v2/x/demo/blobs/\(Digest.sha256([1, 2, 3]))", .response(HTTPResponse(statusCode: 200, body: Data([3, 2, 1]))))
        let e2 = await #expect(throws: ChartFetchError.self) { try await client.pull(try OCIReference("oci://r/x/demo", version: "1")) }
        #expect(e2?.kind == .digestMismatch)
    }
}

/// Against a real CNCF distribution registry (Debian's docker-registry) on loopback.
@Suite(.serialized, .enabled(if: RegistryServer.available, "docker-registry and htpasswd not installed (scripts/setup --tests)"))
struct OCIRegistryServerTests {
    @Test func pushesAndPullsWithHtpasswdAuth() async throws {
        let registry = try await RegistryServer(username: "ci", password: "pw")
        let chartDir = TempDir(), cacheDir = TempDir()
        let packaged = try ChartPackager.package(directory: Fixtures.chart(in: chartDir, name: "demo", version: "1.0.0"))
        let transport = CurlTransport(defaultTimeout: .seconds(30))
        let auth = RepositoryAuth.basic(username: "ci", password: "pw")
        let ref = try OCIReference("oci://\(registry.host)/charts/demo", version: "1.0.0")
        let manifestDigest = try await OCIRegistryClient(auth: auth, transport: transport, plainHTTP: true).push(packaged, to: ref)

        let fetcher = ChartFetcher(cache: ChartCache(root: cacheDir.path), transport: transport,
                                   registryConfig: DockerConfig(auths: [registry.host: auth]), plainHTTPRegistries: true)
        let entry = try await fetcher.fetch(name: "demo", source: .oci("oci://\(registry.host)/charts/demo"), version: "1.0.0")
        #expect(entry.digest == packaged.digest)
        #expect(entry.manifestDigest == manifestDigest)

        // Errors: wrong password (401), missing tag (404), nothing cached for either.
        let empty = TempDir()
        let bad = ChartFetcher(cache: ChartCache(root: empty.path), transport: transport,
                               registryConfig: DockerConfig(auths: [registry.host: .basic(username: "ci", password: "wrong")]),
                               plainHTTPRegistries: true)
        let e401 = await #expect(throws: ChartFetchError.self) {
            try await bad.fetch(name: "demo", source: .oci("oci://\(registry.host)/charts/demo"), version: "1.0.0")
        }
        #expect(e401?.kind == .unauthorized)
        let good = ChartFetcher(cache: ChartCache(root: empty.path), transport: transport,
                                registryConfig: DockerConfig(auths: [registry.host: auth]), plainHTTPRegistries: true)
        let e404 = await #expect(throws: ChartFetchError.self) {
            try await good.fetch(name: "demo", source: .oci("oci://\(registry.host)/charts/demo"), version: "9.9.9")
        }
        #expect(e404?.kind == .notFound)
        #expect(ChartCache(root: empty.path).allFiles().isEmpty)
    }
}
