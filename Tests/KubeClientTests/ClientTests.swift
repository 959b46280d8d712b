import Foundation
import KubeModel
import Testing
import KubeModel
@testable import KubeClient

@Suite struct StatusDecodingTests {
    @Test func notFoundAndAlreadyExists() {
        let body = Data(statusJSON(code: 404, reason: "NotFound", message: #"configmaps \"x\" not found"#,
                                   details: #"{"name":"x","kind":"configmaps"}"#).utf8)
        let e = APIError.from(statusCode: 404, body: body, headers: [:], request: "GET /api/v1/namespaces/d/configmaps/x")
        #expect(e.reason == .notFound)
        #expect(e.status.name == "x")
        #expect(e.description.contains("not found configmaps \"x\""))
        let exists = APIError.from(statusCode: 409, body: Data(statusJSON(code: 409, reason: "AlreadyExists", message: "exists").utf8),
                                   headers: [:], request: "POST /x")
        #expect(exists.reason == .alreadyExists)
    }

    @Test func applyConflictNamesTheManagers() {
        let details = #"{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl-client-side-apply\" using apps/v1","field":".spec.replicas"},{"reason":"FieldManagerConflict","message":"conflict with \"helm\" using apps/v1","field":".spec.template.spec.containers[name=\"a\"].image"}]}"#
        let body = statusJSON(code: 409, reason: "Conflict", message: "Apply failed with 2 conflicts", details: details)
        let e = APIError.from(statusCode: 409, body: Data(body.utf8), headers: [:], request: "PATCH /apis/apps/v1/namespaces/d/deployments/x")
        #expect(e.reason == .conflict)
        #expect(e.conflictingManagers == ["kubectl-client-side-apply", "helm"])
        #expect(e.causeFields == [".spec.replicas", #".spec.template.spec.containers[name="a"].image"#])
        #expect(e.description.contains("\"kubectl-client-side-apply\", \"helm\""))
        #expect(e.description.contains("force"))
    }

    @Test func invalidListsItsCauses() {
        let details = #"{"name":"x","kind":"Deployment","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}"#
        let e = APIError.from(statusCode: 422, body: Data(statusJSON(code: 422, reason: "Invalid", message: "Deployment is invalid", details: details).utf8),
                              headers: [:], request: "POST /x")
        #expect(e.reason == .invalid)
        #expect(e.description.contains("spec.selector: Required value"))
    }

    @Test func otherReasonsAndNonStatusBodies() {
        let cases: [(Int, String, APIError.Reason)] = [
            (403, "Forbidden", .forbidden), (401, "Unauthorized", .unauthorized), (429, "TooManyRequests", .tooManyRequests),
            (504, "Timeout", .timeout), (410, "Expired", .gone), (500, "InternalError", .internalError),
        ]
        for (code, reason, expected) in cases {
            let e = APIError.from(statusCode: code, body: Data(statusJSON(code: code, reason: reason, message: "m").utf8), headers: [:], request: "GET /x")
            #expect(e.reason == expected, "\(reason)")
        }
        let html = APIError.from(statusCode: 502, body: Data("<html>Bad Gateway</html>".utf8), headers: ["Retry-After": "7"], request: "GET /x")
        #expect(html.reason == .other)
        #expect(html.retryAfter == 7)
        #expect(html.description.contains("HTTP 502"))
        #expect(APIError.from(statusCode: 503, body: Data(), headers: [:], request: "GET /x").reason == .serviceUnavailable)
    }
}

@Suite struct RetryTests {
    @Test func backoffGrowsAndIsCapped() {
        let p = RetryPolicy(initialDelay: .milliseconds(100), factor: 2, maxDelay: .milliseconds(500), jitter: 0.5)
        #expect(p.delay(beforeRetry: 1, random: 0) == .milliseconds(100))
        #expect(p.delay(beforeRetry: 2, random: 0) == .milliseconds(200))
        #expect(p.delay(beforeRetry: 3, random: 0.5) == .milliseconds(500))
        #expect(p.delay(beforeRetry: 9, random: 0) == .milliseconds(500))
    }

    @Test func retriesTooManyRequestsHonouringRetryAfter() async throws {
        let t = RecordedTransport()
        t.on("GET", "/api/v1/namespaces/default/configmaps/a", status: 429,
             json: statusJSON(code: 429, reason: "TooManyRequests", message: "slow down"), headers: ["Retry-After": "3"])
        t.on("GET", "/api/v1/namespaces/default/configmaps/a", status: 503, json: statusJSON(code: 503, reason: "ServiceUnavailable", message: "x"))
        t.on("GET", "/api/v1/namespaces/default/configmaps/a", .failure(.couldNotConnect, message: "refused"))
        t.on("GET", "/api/v1/namespaces/default/configmaps/a", status: 200, json: #"{"kind":"ConfigMap","metadata":{"name":"a"}}"#)
        let clock = FakeClock()
        let client = testClient(t, clock: clock)
        let object = try await client.get(configMapsMapping, name: "a")
        #expect(object.name == "a")
        #expect(t.requests.count == 4)
        #expect(clock.sleeps.first == .seconds(3))
        #expect(clock.sleeps.count == 3)
        #expect(t.requests.allSatisfy { $0.headers["Authorization"] == "Bearer s3cr3t-token" })
    }

    @Test func neverRetriesOtherClientErrors() async throws {
        for (code, reason) in [(404, "NotFound"), (403, "Forbidden"), (422, "Invalid"), (409, "Conflict"), (400, "BadRequest")] {
            let t = RecordedTransport()
            t.on(nil, "/api/v1/namespaces/default/configmaps/a", status: code, json: statusJSON(code: code, reason: reason, message: "no"), repeats: true)
            let client = testClient(t)
            await #expect(throws: KubeClientError.self) { try await client.get(configMapsMapping, name: "a") }
            #expect(t.requests.count == 1, "\(code) must not be retried")
        }
    }

    @Test func boundedInAttemptsAndTime() async throws {
        let t = RecordedTransport()
        t.on("GET", "/version", repeats: true, .failure(.timedOut, message: "slow"))
        let clock = FakeClock()
        let client = testClient(t, retry: RetryPolicy(maxAttempts: 4, maxElapsed: .seconds(60), jitter: 0), clock: clock)
        do {
            _ = try await client.serverVersion()
            Issue.record("expected failure")
        } catch {
            guard case .retriesExhausted(let attempts, _) = error else { Issue.record("\(error)"); return }
            #expect(attempts == 4)
            #expect(error.transportError?.kind == .timedOut)
        }
        #expect(clock.sleeps == [.milliseconds(200), .milliseconds(400), .milliseconds(800)])

        // The time bound stops earlier than the attempt bound.
        let t2 = RecordedTransport()
        t2.on("GET", "/version", repeats: true, .response(HTTPResponse(statusCode: 429, headers: ["Retry-After": "20"], body: Data())))
        let clock2 = FakeClock()
        let client2 = testClient(t2, retry: RetryPolicy(maxAttempts: 10, maxElapsed: .seconds(30)), clock: clock2)
        await #expect(throws: KubeClientError.self) { try await client2.serverVersion() }
        #expect(t2.requests.count == 2)
        #expect(clock2.sleeps == [.seconds(20)])
    }

    @Test func createIsRetriedOnlyWhenTheServerDidNotAct() async throws {
        let cm = KubeObject(try JSON.decode(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#))
        let discovery = #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[{"metadata":{"name":""},"versions":[{"version":"v1","resources":[{"resource":"configmaps","responseKind":{"group":"","version":"v1","kind":"ConfigMap"},"scope":"Namespaced","verbs":["get"]}]}]}]}"#
        let t = RecordedTransport()
        t.on("GET", "/api", status: 200, json: discovery, repeats: true)
        t.on("GET", "/apis", status: 200, json: #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[]}"#, repeats: true)
        t.on("POST", "/api/v1/namespaces/default/configmaps", status: 500, json: statusJSON(code: 500, reason: "InternalError", message: "boom"))
        let client = testClient(t)
        await #expect(throws: KubeClientError.self) { try await client.create(cm) }
        #expect(t.requests.filter { $0.method == "POST" }.count == 1)

        t.on("POST", "/api/v1/namespaces/default/configmaps", .failure(.couldNotConnect, message: "refused"))
        t.on("POST", "/api/v1/namespaces/default/configmaps", status: 201, json: #"{"kind":"ConfigMap","metadata":{"name":"a"}}"#)
        _ = try await client.create(cm)
        #expect(t.requests.filter { $0.method == "POST" }.count == 3)
    }

    @Test func applyRetriesACreateRaceButNotAFieldConflict() async throws {
        let d = KubeObject(try JSON.decode(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"prod"}}"#))
        let path = "/apis/apps/v1/namespaces/prod/deployments/web"
        let t = RecordedTransport()
        t.on("PATCH", path, status: 409, json: statusJSON(code: 409, reason: "AlreadyExists", message: "created concurrently"))
        t.on("PATCH", path, status: 200, json: #"{"kind":"Deployment","metadata":{"name":"web"}}"#)
        let client = testClient(t)
        _ = try await client.apply(d, mapping: deploymentsMapping, force: true, dryRun: true)
        #expect(t.requests.count == 2)
        let request = try #require(t.requests.last)
        #expect(request.headers["Content-Type"] == "application/apply-patch+yaml")
        let query = request.url.query ?? ""
        #expect(query.contains("fieldManager=platform") && query.contains("force=true") && query.contains("dryRun=All"))

        t.on("PATCH", path, status: 409,
             json: statusJSON(code: 409, reason: "Conflict", message: "Apply failed with 1 conflict",
                              details: #"{"causes":[{"message":"conflict with \"kubectl\"","field":".spec.replicas"}]}"#),
             repeats: true)
        do {
            _ = try await client.apply(d, mapping: deploymentsMapping)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.apiError?.conflictingManagers == ["kubectl"])
        }
        #expect(t.requests.count == 3)
    }
}

@Suite struct OperationTests {
    static let coreDiscovery = #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[{"metadata":{"name":""},"versions":[{"version":"v1","resources":[{"resource":"namespaces","responseKind":{"group":"","version":"v1","kind":"Namespace"},"scope":"Cluster","verbs":["get"]},{"resource":"configmaps","responseKind":{"group":"","version":"v1","kind":"ConfigMap"},"scope":"Namespaced","verbs":["get"]}]}]}]}"#
    static let appsDiscovery = #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[{"metadata":{"name":"apps"},"versions":[{"version":"v1","resources":[{"resource":"deployments","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"scope":"Namespaced","singularResource":"deployment","verbs":["get","patch"],"subresources":[{"subresource":"status"}]}]}]}]}"#

    @Test func aggregatedDiscoveryMapsKindsAndCachesOnDisk() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let t = RecordedTransport()
        t.on("GET", "/api", status: 200, json: Self.coreDiscovery, repeats: true)
        t.on("GET", "/apis", status: 200, json: Self.appsDiscovery, repeats: true)
        let config = ClientConfiguration(server: URL(string: "https://k8s.example:6443")!)
        let cacheDir = Discovery.defaultCacheDirectory(server: config.server, environment: ["XDG_CACHE_HOME": dir.path])
        #expect(cacheDir?.path == dir.path + "/platform/discovery/k8s.example_6443")
        let client = KubeClient(configuration: config, transport: t, discoveryCacheDirectory: .some(cacheDir), warn: { _ in })
        let m = try await client.mapping(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(m.resource.resource == "deployments" && m.namespaced)
        let ns = try await client.mapping(for: GroupVersionKind(group: "", version: "", kind: "Namespace"))
        #expect(ns.namespaced == false && ns.resource.version == "v1")
        #expect(t.requests.first?.headers["Accept"]?.hasPrefix("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList") == true)
        #expect(t.requests.count == 2)

        // A second client reads the disk cache: no requests.
        let t2 = RecordedTransport()
        let client2 = KubeClient(configuration: config, transport: t2, discoveryCacheDirectory: .some(cacheDir), warn: { _ in })
        let m2 = try await client2.mapping(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(m2 == m)
        #expect(t2.requests.isEmpty)

        // An unknown kind refreshes once, then fails with a clear error.
        t2.on("GET", "/api", status: 200, json: Self.coreDiscovery, repeats: true)
        t2.on("GET", "/apis", status: 200, json: Self.appsDiscovery, repeats: true)
        do {
            _ = try await client2.mapping(for: GroupVersionKind(group: "nvidia.com", version: "v1", kind: "ClusterPolicy"))
            Issue.record("expected unknown kind")
        } catch {
            #expect("\(error)".contains(#"no matches for kind "ClusterPolicy" in version "nvidia.com/v1""#))
        }
        #expect(t2.requests.count == 2)
        await client2.discovery.invalidate()
        #expect(!FileManager.default.fileExists(atPath: cacheDir!.appendingPathComponent("discovery.json").path))
    }

    @Test func legacyDiscoveryFallback() async throws {
        let t = RecordedTransport()
        t.on("GET", "/api", status: 200, json: #"{"kind":"APIVersions","versions":["v1"]}"#)
        t.on("GET", "/apis", status: 200, json: #"{"kind":"APIGroupList","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}}]}"#)
        t.on("GET", "/api/v1", status: 200, json: #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["get"]},{"name":"pods/log","namespaced":true,"kind":"Pod"}]}"#)
        t.on("GET", "/apis/apps/v1", status: 200, json: #"{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[{"name":"deployments","namespaced":true,"kind":"Deployment","verbs":["get"]},{"name":"deployments/status","namespaced":true,"kind":"Deployment"}]}"#)
        let client = testClient(t)
        let doc = try await client.discovery.document()
        #expect(doc.aggregated == false)
        let pods = doc.groups.first { $0.name == "" }?.resources["v1"]?.first
        #expect(pods?.subresources == ["log"])
        let m = try await client.mapping(for: GroupVersionKind(group: "apps", version: "", kind: "Deployment"))
        #expect(m.resource == GroupVersionResource(group: "apps", version: "v1", resource: "deployments"))
    }

    @Test func listFollowsContinueAndRestartsWhenItExpires() async throws {
        let t = RecordedTransport()
        let path = "/api/v1/namespaces/default/configmaps"
        t.on("GET", path, status: 200, json: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"10","continue":"tok+/="},"items":[{"metadata":{"name":"a"}}]}"#)
        t.on("GET", path, status: 410, json: statusJSON(code: 410, reason: "Expired", message: "continue token expired"))
        t.on("GET", path, status: 200, json: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"12"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#)
        let client = testClient(t)
        let list = try await client.list(configMapsMapping, namespace: "default", labelSelector: "app in (a,b)", pageSize: 1)
        #expect(list.items.map(\.name) == ["a", "b"])
        #expect(list.items.first?.kind == "ConfigMap" && list.items.first?.apiVersion == "v1")
        #expect(list.resourceVersion == "12")
        let queries = t.requests.map { $0.url.query ?? "" }
        try #require(queries.count == 3)
        #expect(queries[0] == "labelSelector=app%20in%20%28a%2Cb%29&limit=1")
        #expect(queries[1].contains("continue=tok%2B%2F%3D"))
        #expect(!queries[2].contains("limit") && !queries[2].contains("continue"))
    }

    @Test func deleteSendsOptionsAndPreconditions() async throws {
        let t = RecordedTransport()
        let path = "/apis/apps/v1/namespaces/prod/deployments/web"
        t.on("DELETE", path, status: 200, json: #"{"kind":"Deployment","metadata":{"name":"web","deletionTimestamp":"2025-01-01T00:00:00Z"}}"#)
        t.on("DELETE", path, status: 409, json: statusJSON(code: 409, reason: "Conflict", message: "Precondition failed: UID in precondition: 1, UID in object meta: 2"))
        let client = testClient(t)
        let result = try await client.delete(deploymentsMapping, name: "web", namespace: "prod", propagationPolicy: .foreground,
                                             preconditions: Preconditions(uid: "1", resourceVersion: "5"), dryRun: true)
        guard case .deleting(let object) = result else { Issue.record("expected the object"); return }
        #expect(object.name == "web")
        let body = try JSON.decode(try #require(t.requests.first?.body))
        #expect(body.member("propagationPolicy")?.asString == "Foreground")
        #expect(body.member("preconditions")?.member("uid")?.asString == "1")
        #expect(body.member("dryRun") == .array([.string("All")]))
        #expect(t.requests.first?.url.query == "dryRun=All")
        await #expect(throws: KubeClientError.self) { try await client.delete(deploymentsMapping, name: "web", namespace: "prod") }
    }

    @Test func watchRelistsOnGoneAndFollowsBookmarks() async throws {
        let t = RecordedTransport()
        let path = "/api/v1/namespaces/default/configmaps"
        func line(_ s: String) -> Data { Data((s + "\n").utf8) }
        t.on("GET", path, .stream(statusCode: 200, headers: [:], chunks: [
            line(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}}"#),
            Data(#"{"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"#.utf8),
            line(#""resourceVersion":"7"}}}"#),
            line(#"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 7"}}"#),
        ]))
        // After 410: a list (plain GET on the collection), then a new watch from its resourceVersion.
        t.on("GET", path, status: 200, json: #"{"kind":"ConfigMapList","metadata":{"resourceVersion":"20"},"items":[{"metadata":{"name":"a"}}]}"#)
        t.on("GET", path, .stream(statusCode: 200, headers: [:], chunks: [
            line(#"{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"21"}}}"#),
        ]))
        t.on("GET", path, status: 403, json: statusJSON(code: 403, reason: "Forbidden", message: "stop here"))
        let client = testClient(t)
        var events: [String] = []
        do {
            for try await event in client.watch(configMapsMapping, namespace: "default", resourceVersion: "4") {
                switch event {
                case .added(let o): events.append("added \(o.name ?? "") \(o.kind ?? "")")
                case .modified(let o): events.append("modified \(o.name ?? "")")
                case .deleted(let o): events.append("deleted \(o.name ?? "")")
                case .bookmark(let rv): events.append("bookmark \(rv)")
                case .relisted(let items, let rv): events.append("relisted \(items.count) \(rv)")
                }
            }
            Issue.record("expected the final 403")
        } catch {
            #expect(error is KubeClientError)
        }
        #expect(events == ["added a ConfigMap", "bookmark 7", "relisted 1 20", "deleted a"])
        let queries = t.requests.map { $0.url.query ?? "" }
        try #require(queries.count == 4)
        #expect(queries[0].contains("watch=true") && queries[0].contains("resourceVersion=4") && queries[0].contains("allowWatchBookmarks=true"))
        #expect(!queries[1].contains("watch"))
        #expect(queries[2].contains("resourceVersion=20"))
        #expect(queries[3].contains("resourceVersion=21"))
    }

    @Test func logsArriveLineByLine() async throws {
        let t = RecordedTransport()
        t.on("GET", "/api/v1/namespaces/gpu/pods/smoke/log", .stream(statusCode: 200, headers: [:], chunks: [
            Data("+-----+\n| NVIDIA-SMI".utf8), Data(" 550 |\nlast".utf8),
        ]))
        let client = testClient(t)
        var lines: [String] = []
        for try await line in try await client.logs(pod: "smoke", namespace: "gpu", follow: true, tailLines: 10) { lines.append(line) }
        #expect(lines == ["+-----+", "| NVIDIA-SMI 550 |", "last"])
        #expect(t.requests.first?.url.query == "follow=true&tailLines=10")
    }

    @Test func tokenFileIsReReadAfterUnauthorized() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokenFile = dir.appendingPathComponent("token")
        try write("old-token\n", to: tokenFile)
        let t = RecordedTransport()
        t.on("GET", "/version", status: 200, json: #"{"major":"1","minor":"34","gitVersion":"v1.34.1"}"#)
        t.on("GET", "/version", status: 401, json: statusJSON(code: 401, reason: "Unauthorized", message: "expired"))
        t.on("GET", "/version", status: 200, json: #"{"major":"1","minor":"34","gitVersion":"v1.34.1"}"#)
        let client = testClient(t, credentials: .tokenFile(path: tokenFile.path, fallback: nil))
        #expect(try await client.serverVersion().gitVersion == "v1.34.1")
        try write("new-token\n", to: tokenFile)
        _ = try await client.serverVersion()
        #expect(t.requests.map { $0.headers["Authorization"] ?? "" } == ["Bearer old-token", "Bearer old-token", "Bearer new-token"])
    }

    @Test func execInteractiveAlwaysNeedsATerminal() async throws {
        let config = Kubeconfig.ExecConfig(command: "/bin/true", interactiveMode: .always)
        let cluster = ExecClusterInfo(server: "https://x", certificateAuthorityData: nil, insecureSkipTLSVerify: false,
                                      tlsServerName: nil, proxyURL: nil)
        let provider = ExecCredentialProvider(config: config, cluster: cluster, environment: [:], stdinIsTerminal: false)
        await #expect {
            try await provider.credential()
        } throws: { "\($0)".contains("standard input is not a terminal") }
        let info = ExecCredentialProvider.execInfo(config: config, cluster: cluster, interactive: true)
        #expect(info == #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}"#)
    }

    @Test func execCredentialParsing() throws {
        let config = Kubeconfig.ExecConfig(command: "p", apiVersion: "client.authentication.k8s.io/v1beta1")
        let ok = ExecCredentialProvider.parse(Data(#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY","expirationTimestamp":"2030-01-02T03:04:05.123Z"}}"#.utf8), config: config)
        let credential = try ok.get()
        #expect(credential.clientIdentity?.certificate == Data("CERT".utf8))
        #expect(credential.expiration != nil)
        let empty = ExecCredentialProvider.parse(Data(#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{}}"#.utf8), config: config)
        #expect(throws: CredentialPluginError.self) { try empty.get() }
    }

    @Test func jsonRoundTripKeepsOrderAndNumbers() throws {
        let text = #"{"b":1,"a":[1.5,true,null,"x\"\n\u00e9\ud83d\ude00"],"c":{"big":9007199254740993}}"#
        let value = try JSON.decode(text)
        #expect(value.member("c")?.member("big") == .int(9007199254740993))
        #expect(JSON.encodeString(value) == #"{"b":1,"a":[1.5,true,null,"x\"\né😀"],"c":{"big":9007199254740993}}"#)
        #expect(throws: JSON.DecodingError.self) { try JSON.decode("{\"a\":}") }
        #expect(throws: JSON.DecodingError.self) { try JSON.decode("<html>") }
    }
}
