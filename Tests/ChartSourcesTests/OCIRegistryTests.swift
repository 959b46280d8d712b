@testable import ChartSources
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
        #expect(try c.auth(for: "r.example:5000") == .basic(username: "bob", password: "pw"))
        #expect(try c.auth(for: "t.example") == .bearer(token: "tok"))
        #expect(try c.auth(for: "other") == .none)
    }

    @Test func registryConfigFlagIsStrictAndHelmsConfigFillsIn() throws {
        let dir = TempDir()
        #expect(throws: ChartFetchError.self) { try DockerConfig.load(flag: dir.path + "/missing.json") }
        let b64 = { (s: String) in Data(s.utf8).base64EncodedString() }
        dir.file("docker/config.json", #"{"auths":{"a.example":{"auth":"\#(b64("docker:1"))"}}}"#)
        dir.file("helm/config.json", #"{"auths":{"a.example":{"auth":"\#(b64("helm:1"))"},"b.example":{"username":"u","password":"p"}}}"#)
        let env = ["DOCKER_CONFIG": dir.path + "/docker", "HELM_REGISTRY_CONFIG": dir.path + "/helm/config.json", "HOME": dir.path]
        let merged = try DockerConfig.load(flag: nil, environment: env)
        #expect(try merged.auth(for: "a.example") == .basic(username: "docker", password: "1"))
        #expect(try merged.auth(for: "b.example") == .basic(username: "u", password: "p"))
        dir.file("bad.json", #"{"auths":{"c.example":{"auth":"not base64!"}}}"#)
        #expect(throws: ChartFetchError.self) { try DockerConfig.load(path: dir.path + "/bad.json") }
        // Nothing secret in descriptions.
        #expect(!String(describing: try merged.auth(for: "a.example")).contains("1)"))
    }

    @Test func missingVersionAndBadTagsAreRefused() {
        let e = #expect(throws: ChartFetchError.self) { try OCIReference("oci://r.example/charts/demo", version: "") }
        #expect(e?.kind == .missingVersion)
        #expect(throws: ChartFetchError.self) { try OCIReference("oci://r.example/charts/demo", version: "1.0 beta") }
        #expect(throws: ChartFetchError.self) { try OCIReference("oci://r.example/charts//demo", version: "1") }
    }

    /// A valid login whose token lacks the action is "denied", not "wrong password".
    @Test func insufficientScopeIsDenied() async throws {
        let t = RecordedTransport()
        var challenge = HTTPHeaders()
        challenge.add("WWW-Authenticate", #"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:x/demo:pull""#)
        var denied = HTTPHeaders()
        denied.add("WWW-Authenticate", #"Bearer realm="https://auth.example/token",service="reg.example",scope="repository:x/demo:pull",error="insufficient_scope""#)
        t.on("GET", "/v2/x/demo/manifests/1", .response(HTTPResponse(statusCode: 401, headers: challenge)))
        t.on("GET", "/token", status: 200, json: #"{"access_token":"T"}"#)
        t.on("GET", "/v2/x/demo/manifests/1", .response(HTTPResponse(statusCode: 401, headers: denied,
                                                                     body: Data(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8))))
        let client = OCIRegistryClient(registry: "reg.example", auth: .basic(username: "u", password: "p"), transport: t)
        let e = await #expect(throws: ChartFetchError.self) { try await client.pull(try OCIReference("oci://reg.example/x/demo", version: "1")) }
        #expect(e?.kind == .forbidden)
        #expect(e?.message.contains("may not pull x/demo") == true)
        #expect(e?.message.contains("UNAUTHORIZED: authentication required") == true)
    }

    /// Blob storage behind a redirect gets no registry credentials; a plain-http token
    /// realm of an https registry gets no login.
    @Test func credentialsStayWithTheRegistry() async throws {
        let chartDir = TempDir()
        let (packaged, manifest) = try DemoChart.packagedWithManifest(in: chartDir)
        let t = RecordedTransport()
        var challenge = HTTPHeaders()
        challenge.add("WWW-Authenticate", #"Basic realm="reg""#)
        t.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 401, headers: challenge)))
        t.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 200, body: manifest)))
        var redirect = HTTPHeaders()
        redirect.add("Location", "https://storage.example/bucket/blob?sig=abc")
        t.on("GET", "/v2/x/demo/blobs/\(packaged.digest)", .response(HTTPResponse(statusCode: 307, headers: redirect)))
        t.on("GET", "/bucket/blob", .response(HTTPResponse(statusCode: 200, body: Data(packaged.bytes))))
        let client = OCIRegistryClient(registry: "reg.example", auth: .basic(username: "u", password: "p"), transport: t)
        let fetched = try await client.pull(try OCIReference("oci://reg.example/x/demo", version: "1.0.0"))
        #expect(fetched.bytes == packaged.bytes)
        let reqs = t.requests
        #expect(reqs.map { $0.url.host ?? "" } == ["reg.example", "reg.example", "reg.example", "storage.example"])
        #expect(reqs[2].headers["Authorization"] != nil)
        #expect(reqs[3].headers["Authorization"] == nil)

        let plain = RecordedTransport()
        var bearer = HTTPHeaders()
        bearer.add("WWW-Authenticate", #"Bearer realm="http://auth.example/token",service="reg""#)
        plain.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 401, headers: bearer)))
        let e = await #expect(throws: ChartFetchError.self) {
            try await OCIRegistryClient(registry: "reg.example", auth: .basic(username: "u", password: "p"), transport: plain)
                .pull(try OCIReference("oci://reg.example/x/demo", version: "1.0.0"))
        }
        #expect(e?.message.contains("is plain http; refusing to send the login") == true)
        #expect(plain.requests.count == 1)
    }

    /// Helm's config blob is `json.Marshal(chart.Metadata)`: Go field order, empty fields
    /// left out, `<>&` escaped as Go does.
    @Test func configBlobIsHelmsMetadataJSON() {
        var m = ChartMetadata()
        m.name = "demo"
        m.version = "1.0.0"
        m.apiVersion = "v2"
        m.description = "a <demo> & \"test\""
        m.appVersion = "1.0"
        m.keywords = ["gpu"]
        m.annotations = [("z", "1"), ("a", "2")]
        let text = String(decoding: OCIRegistryClient.configJSON(m), as: UTF8.self)
        #expect(text == #"{"name":"demo","version":"1.0.0","description":"a \u003cdemo\u003e \u0026 \"test\"","keywords":["gpu"],"apiVersion":"v2","appVersion":"1.0","annotations":{"a":"2","z":"1"}}"#)
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
    }

    /// `--plain-http` talks http:// to the registry (loopback test registries).
    @Test func plainHTTPUsesHTTP() async throws {
        let t = RecordedTransport()
        t.on("GET", "/v2/x/demo/manifests/1", .response(HTTPResponse(statusCode: 404,
            body: Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))))
        let e = await #expect(throws: ChartFetchError.self) {
            try await OCIRegistryClient(registry: "127.0.0.1:5000", transport: t, plainHTTP: true)
                .pull(try OCIReference("oci://127.0.0.1:5000/x/demo", version: "1"))
        }
        #expect(e?.kind == .notFound)
        #expect(e?.message.contains("MANIFEST_UNKNOWN: manifest unknown") == true)
        #expect(t.requests.first?.url.absoluteString == "http://127.0.0.1:5000/v2/x/demo/manifests/1")
    }

    @Test func parsesChallenges() {
        let (scheme, params) = Challenge.parse(#"Bearer realm="https://a/token",service="reg",scope="repository:x:pull,push",error="insufficient_scope""#)
        #expect(scheme == "bearer")
        #expect(params == ["realm": "https://a/token", "service": "reg", "scope": "repository:x:pull,push", "error": "insufficient_scope"])
        #expect(Challenge.parse(#"Basic realm="x\"y""#).params["realm"] == "x\"y")
    }

    /// The Docker token flow: 401 with a Bearer challenge, token from the realm with the
    /// basic credentials and the challenge's service and scope, then the retried request.
    @Test func followsTheBearerTokenFlow() async throws {
        let chartDir = TempDir()
        let (packaged, manifest) = try DemoChart.packagedWithManifest(in: chartDir)
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

/// Against a real CNCF distribution registry (Debian's docker-registry) on loopback, over
/// TLS with token auth (Tests/e2e/oci_registry.py runs the registry and the token server).
@Suite(.serialized, .enabled(if: OCITestRegistry.available, "docker-registry is not installed (scripts/setup --tests installs it)"))
struct OCIRegistryServerTests {
    static let users = ["ci:pw:pull,push", "reader:rpw:pull", "nobody:npw:"]

    struct Setup {
        let registry: OCITestRegistry
        let transport: any HTTPTransport
        let packaged: PackagedChart
        let chartDir: TempDir
        var source: String { "oci://\(registry.host)/charts/demo" }
        var ref: OCIReference { get throws { try OCIReference(source, version: packaged.version) } }

        init(version: String = "1.0.0") async throws {
            registry = try OCITestRegistry(users: OCIRegistryServerTests.users)
            transport = try ChartTLS(caFile: registry.caFile).transport()
            chartDir = TempDir()
            packaged = try ChartPackager.package(directory: Fixtures.chart(in: chartDir, name: "demo", version: version))
        }

        func client(_ user: String?, _ password: String = "") -> OCIRegistryClient {
            OCIRegistryClient(registry: registry.host, auth: user.map { .basic(username: $0, password: password) } ?? .none, transport: transport)
        }

        func fetcher(_ cache: TempDir, _ user: String?, _ password: String = "") -> ChartFetcher {
            ChartFetcher(cache: ChartCache(root: cache.path), transport: transport,
                         registryConfig: DockerConfig(auths: user.map { [registry.host: .basic(username: $0, password: password)] } ?? [:]))
        }

        /// Fetches and expects `kind`; the cache must stay empty.
        func expectFailure(_ user: String?, _ password: String, version: String? = nil, source: String? = nil,
                           _ kind: ChartFetchError.Kind, _ text: String) async {
            let cache = TempDir()
            let e = await #expect(throws: ChartFetchError.self) {
                try await fetcher(cache, user, password).fetch(name: "demo", source: .oci(source ?? self.source), version: version ?? packaged.version)
            }
            #expect(e?.kind == kind, "\(String(describing: e))")
            #expect(e?.description.contains(text) == true, "\(String(describing: e)) should say \(text)")
            #expect(ChartCache(root: cache.path).allFiles().isEmpty)
        }
    }

    @Test func pushesAndPullsOverTLSWithTokenAuth() async throws {
        let s = try await Setup(version: "1.0.0+build.7")
        let ref = try s.ref
        #expect(ref.tag == "1.0.0_build.7")
        let manifestDigest = try await s.client("ci", "pw").push(s.packaged, to: ref)
        #expect(try s.registry.tagDigest(repository: "charts/demo", tag: ref.tag) == manifestDigest)
        // Pushing again uploads nothing new and gives the same manifest.
        #expect(try await s.client("ci", "pw").push(s.packaged, to: ref) == manifestDigest)
        // The layer in the registry is the archive, byte for byte.
        #expect(FileManager.default.contents(atPath: s.registry.blobPath(s.packaged.digest)) == Data(s.packaged.bytes))

        let cache = TempDir()
        let entry = try await s.fetcher(cache, "reader", "rpw").fetch(name: "demo", source: .oci(s.source), version: s.packaged.version)
        #expect(entry.digest == s.packaged.digest)
        #expect(entry.manifestDigest == manifestDigest)
        #expect(ChartCache(root: cache.path).load(digest: entry.digest) == s.packaged.bytes)

        // A reader may not push.
        let e = await #expect(throws: ChartFetchError.self) { try await s.client("reader", "rpw").push(s.packaged, to: ref) }
        #expect(e?.kind == .forbidden)
    }

    @Test func authAndMissingVersionErrorsAreClearAndCacheNothing() async throws {
        let s = try await Setup()
        try await s.client("ci", "pw").push(s.packaged, to: try s.ref)
        await s.expectFailure("reader", "wrong", .unauthorized, "refused the login")
        await s.expectFailure(nil, "", .unauthorized, "wants a login")
        await s.expectFailure("nobody", "npw", .forbidden, "may not pull charts/demo")
        await s.expectFailure("reader", "rpw", version: "9.9.9", .notFound, "version 9.9.9 (tag 9.9.9) is not in")
        await s.expectFailure("reader", "rpw", version: "", .missingVersion, "needs a version")
        let other = "oci://\(s.registry.host)/elsewhere/demo"
        await s.expectFailure("reader", "rpw", source: other, .notFound, "is not in \(s.registry.host)/elsewhere/demo")
        // Without the test CA the registry's certificate is refused.
        let plain = ChartFetcher(cache: ChartCache(root: TempDir().path), transport: try ChartTLS().transport(),
                                 registryConfig: DockerConfig(auths: [s.registry.host: .basic(username: "reader", password: "rpw")]))
        let tls = await #expect(throws: ChartFetchError.self) { try await plain.fetch(name: "demo", source: .oci(s.source), version: "1.0.0") }
        #expect(tls?.kind == .tls)  // TLS failures have their own kind (ChartHTTP.failure)
    }

    /// `docker login` against token registries stores an identity token, not the password;
    /// it is exchanged (POST, grant_type=refresh_token) for an access token.
    @Test func identityTokenFromDockerConfigIsExchanged() async throws {
        let s = try await Setup()
        try await s.client("ci", "pw").push(s.packaged, to: try s.ref)
        let token = try #require(s.registry.identityTokens["reader"])
        let dir = TempDir()
        dir.file("config.json", #"{"auths":{"https://\#(s.registry.host)":{"identitytoken":"\#(token)"}}}"#)
        let config = try DockerConfig.load(flag: dir.path + "/config.json")
        #expect(try config.auth(for: s.registry.host) == .bearer(token: token))
        let cache = TempDir()
        let fetcher = ChartFetcher(cache: ChartCache(root: cache.path), transport: s.transport, registryConfig: config)
        let entry = try await fetcher.fetch(name: "demo", source: .oci(s.source), version: "1.0.0")
        #expect(entry.digest == s.packaged.digest)

        let stale = ChartFetcher(cache: ChartCache(root: TempDir().path), transport: s.transport,
                                 registryConfig: DockerConfig(auths: [s.registry.host: .bearer(token: "idt-revoked")]))
        let e = await #expect(throws: ChartFetchError.self) { try await stale.fetch(name: "demo", source: .oci(s.source), version: "1.0.0") }
        #expect(e?.kind == .unauthorized)
        #expect(e?.message.contains("identity token expired or revoked") == true)
        #expect(e?.description.contains("idt-revoked") == false)
    }

    @Test func corruptedStorageAndWrongMediaTypeAreRefused() async throws {
        let s = try await Setup()
        let ref = try s.ref
        let manifestDigest = try await s.client("ci", "pw").push(s.packaged, to: ref)
        let layer = s.registry.blobPath(s.packaged.digest)
        let original = try Data(contentsOf: URL(fileURLWithPath: layer))

        // Truncated layer (the registry serves the shorter file with a matching Content-Length).
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: layer))
        await s.expectFailure("reader", "rpw", .truncated, "received \(original.count / 2)")
        // Same size, different bytes.
        var flipped = original
        flipped[flipped.count / 2] ^= 0xFF
        try flipped.write(to: URL(fileURLWithPath: layer))
        await s.expectFailure("reader", "rpw", .digestMismatch, "chart layer digest mismatch")
        try original.write(to: URL(fileURLWithPath: layer))

        // The stored manifest no longer hashes to the digest the tag names.
        let manifestPath = s.registry.blobPath(manifestDigest)
        let manifest = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        try (manifest + Data(" ".utf8)).write(to: URL(fileURLWithPath: manifestPath))
        await s.expectFailure("reader", "rpw", .digestMismatch, "manifest digest mismatch")
        try manifest.write(to: URL(fileURLWithPath: manifestPath))

        // A manifest whose layer is not a Helm chart layer.
        let wrong = try OCIReference(s.source, version: "2.0.0")
        let config = Array("{}".utf8)
        let client = s.client("ci", "pw")
        let configDigest = try await client.uploadBlob(config, ref: wrong)
        let image = Array(#"{"schemaVersion":2,"mediaType":"\#(HelmMediaType.manifest)","config":{"mediaType":"\#(HelmMediaType.config)","digest":"\#(configDigest)","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(s.packaged.digest)","size":\#(s.packaged.bytes.count)}]}"#.utf8)
        try await client.putManifest(image, ref: wrong)
        await s.expectFailure("reader", "rpw", version: "2.0.0", .mediaType, "no chart layer of media type \(HelmMediaType.chartContent)")

        // Intact again: the pull works.
        let cache = TempDir()
        let entry = try await s.fetcher(cache, "reader", "rpw").fetch(name: "demo", source: .oci(s.source), version: "1.0.0")
        #expect(entry.manifestDigest == manifestDigest)
    }
}
