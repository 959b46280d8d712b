import Foundation
import KubeModel
import Testing
@testable import KubeSim

@Suite struct CustomResourceTests {
    static let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": ["type": "object", "required": ["size"], "properties": [
                            "size": ["type": "integer", "minimum": 1],
                            "mode": ["type": "string", "enum": ["fast", "slow"], "default": "slow"],
                            "name": ["type": "string", "pattern": "^[a-z]+$"],
                            "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        ]],
                        "status": ["type": "object", "properties": ["ready": ["type": "boolean"]]],
                    ],
                ]],
            ]],
        ],
    ]
    let path = "/apis/example.com/v1/namespaces/default/widgets"

    func setUp() async -> Harness {
        let h = await Harness()
        let r = await h.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Self.crd)
        #expect(r.status == 201)
        let conditions = r.bodyJSON?["status"]?["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
        #expect(conditions == ["NamesAccepted", "Established"])
        return h
    }

    func widget(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec]
    }

    @Test func discoveryUpdatesDefaultsAndPruning() async {
        let h = await setUp()
        let rl = await h.call("GET", "/apis/example.com/v1").bodyJSON
        #expect(rl?["resources"]?.arrayValue?.first?["name"] == "widgets")
        let r = await h.call("POST", path, widget(["size": 2, "unknown": 1, "extra": ["free": true]]))
        #expect(r.status == 201)
        #expect(r.bodyJSON?["spec"] == ["size": 2, "extra": ["free": true], "mode": "slow"])
        #expect(r.headers.contains { $0.0 == "Warning" && $0.1.contains("unknown field") })
        #expect(r.bodyJSON?["metadata"]?["generation"] == 1)
    }

    @Test func schemaViolationsAre422WithCauses() async {
        let h = await setUp()
        let r = await h.call("POST", path, widget(["size": "big", "mode": "medium", "name": "A1"]))
        #expect(r.status == 422)
        let fields = r.bodyJSON?["details"]?["causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
        #expect(Set(fields) == ["spec.size", "spec.mode", "spec.name"])
        #expect(r.bodyJSON?["message"]?.stringValue?.hasPrefix("Widget.example.com \"w\" is invalid: [") == true)
        let missing = await h.call("POST", path, widget(["mode": "fast"]))
        #expect(missing.bodyJSON?["details"]?["causes"]?.arrayValue?.first?["reason"] == "FieldValueRequired")
        let strict = await h.call("POST", path + "?fieldValidation=Strict", widget(["size": 1, "bogus": 1]))
        #expect(strict.status == 400)
        #expect(strict.bodyJSON?["message"] == "strict decoding error: unknown field \"spec.bogus\"")
    }

    @Test func statusSubresourceSeparatesSpecAndStatus() async {
        let h = await setUp()
        var w = await h.call("POST", path, widget(["size": 1])).bodyJSON ?? .null
        w["status"] = ["ready": true]
        let main = await h.call("PUT", path + "/w", w).bodyJSON
        #expect(main?["status"] == nil)
        let st = await h.call("PUT", path + "/w/status", w).bodyJSON
        #expect(st?["status"] == ["ready": true])
        #expect(st?["metadata"]?["generation"] == 1)
    }

    @Test func deletingTheCRDRemovesResources() async {
        let h = await setUp()
        await h.call("POST", path, widget(["size": 1]))
        await h.call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
        #expect(await h.call("GET", path).status == 404)
    }
}

@Suite struct LifecycleTests {
    @Test func namespaceTerminationDeletesContent() async {
        let h = await Harness()
        await h.call("POST", "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "t"]])
        await h.call("POST", "/api/v1/namespaces/t/configmaps", configMap("x"))
        #expect(await h.call("DELETE", "/api/v1/namespaces/t").status == 200)
        #expect(await h.call("GET", "/api/v1/namespaces/t").status == 404)
        #expect(await h.call("GET", "/api/v1/namespaces/t/configmaps/x").status == 404)
    }

    @Test func finalizersAndGarbageCollection() async {
        let h = await Harness()
        let owner = await h.call("POST", cmPath, configMap("owner")).bodyJSON ?? .null
        var child = configMap("child")
        child["metadata"]?["ownerReferences"] = [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                                  "uid": owner["metadata"]?["uid"] ?? .null]]
        child["metadata"]?["finalizers"] = ["example.com/hold"]
        await h.call("POST", cmPath, child)
        await h.call("DELETE", cmPath + "/owner")
        let held = await h.call("GET", cmPath + "/child").bodyJSON
        #expect(held?["metadata"]?["deletionTimestamp"] != nil)
        await h.call("PATCH", cmPath + "/child", ["metadata": ["finalizers": nil]], contentType: "application/merge-patch+json")
        #expect(await h.call("GET", cmPath + "/child").status == 404)
    }

    @Test func podLogsComeFromTheSimulator() async {
        let h = await Harness()
        await h.call("POST", "/api/v1/namespaces/default/pods", [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["containers": [["name": "c", "image": "i"]]],
        ])
        #expect(await h.call("GET", "/api/v1/namespaces/default/pods/p/log").bodyText.contains("container c"))
        #expect(await h.call("GET", "/api/v1/namespaces/default/pods/p/log?container=zz").status == 400)
    }

    @Test func nodesFromSpec() async throws {
        let specs = try NodeSpec.parse("2xH100-80GB,1xcpu")
        #expect(specs == [NodeSpec(count: 2, model: "H100-80GB", gpusPerNode: 8), NodeSpec(count: 1, model: "cpu", gpusPerNode: 0)])
        #expect(throws: NodeSpec.ParseError.self) { try NodeSpec.parse("lots") }
        let h = await Harness(nodes: specs)
        #expect(await h.call("GET", "/api/v1/nodes").bodyJSON?["items"]?.arrayValue?.count == 3)
    }

    @Test func snapshotRestoreKeepsObjectsAndCRDs() async throws {
        let h = await Harness()
        await h.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CustomResourceTests.crd)
        await h.call("POST", cmPath, configMap("keep"))
        let snap = await h.sim.snapshot()
        let h2 = await Harness()
        try await h2.sim.restore(try JSONValue.parse(snap.encoded()))
        #expect(await h2.call("GET", cmPath + "/keep").status == 200)
        #expect(await h2.call("GET", "/apis/example.com/v1/namespaces/default/widgets").status == 200)
    }

    /// A simulated clock continues the saved state's timeline (one second on), never earlier
    /// times: resumed `--sim` runs must not repeat or precede times the state recorded.
    @Test func restoreResumesAManualClockAfterTheSavedTime() async throws {
        let saved = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let sim = await KubeSim(options: KubeSimOptions(clock: saved))
        saved.advance(by: 600)
        let snap = await sim.snapshot()
        let behind = ManualClock(Date(timeIntervalSince1970: 1_800_000_010))
        let resumed = await KubeSim(options: KubeSimOptions(clock: behind))
        try await resumed.restore(try JSONValue.parse(snap.encoded()))
        #expect(behind.now() == Date(timeIntervalSince1970: 1_800_000_601))
        // A state from before the clock was recorded keeps the start time.
        guard case .object(var old) = snap else { return }
        old["clock"] = nil
        let other = ManualClock(Date(timeIntervalSince1970: 1_800_000_010))
        let legacy = await KubeSim(options: KubeSimOptions(clock: other))
        try await legacy.restore(.object(old))
        #expect(other.now() == Date(timeIntervalSince1970: 1_800_000_010))
    }
}

@Suite struct WatchTests {
    @Test func watchReplaysFromResourceVersion() async {
        let h = await Harness()
        let rv = await h.call("GET", cmPath).bodyJSON?["metadata"]?["resourceVersion"]?.stringValue ?? ""
        await h.call("POST", cmPath, configMap("w"))
        await h.call("DELETE", cmPath + "/w")
        let events = await h.collect(await h.call("GET", cmPath + "?watch=true&resourceVersion=\(rv)"), count: 2)
        #expect(events.map { $0["type"] } == ["ADDED", "DELETED"])
    }

    @Test func liveEventsAndSelectors() async {
        let h = await Harness()
        let r = await h.call("GET", cmPath + "?watch=1&labelSelector=pick%3Dme")
        await h.call("POST", cmPath, configMap("skip"))
        await h.call("POST", cmPath, configMap("take", labels: ["pick": "me"]))
        let events = await h.collect(r, count: 1)
        #expect(events.first?["object"]?["metadata"]?["name"] == "take")
    }

    @Test func tooOldResourceVersionIsGone() async {
        let h = await Harness(historyLimit: 3)
        for i in 0..<10 { await h.call("POST", cmPath, configMap("g\(i)")) }
        let events = await h.collect(await h.call("GET", cmPath + "?watch=true&resourceVersion=2"), count: 1)
        #expect(events.first?["type"] == "ERROR")
        #expect(events.first?["object"]?["code"] == 410)
    }
}
