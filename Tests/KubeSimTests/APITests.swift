import Foundation
import KubeModel
import Testing
@testable import KubeSim

@Suite struct DiscoveryTests {
    @Test func versionAndHealth() async {
        let h = await Harness()
        #expect(await h.call("GET", "/version").bodyJSON?["gitVersion"] == "v1.34.1")
        #expect(await h.call("GET", "/readyz").bodyText == "ok")
    }

    @Test func legacyAndAggregatedDiscovery() async {
        let h = await Harness()
        let groups = await h.call("GET", "/apis").bodyJSON
        #expect(groups?["kind"] == "APIGroupList")
        #expect(groups?["groups"]?.arrayValue?.contains { $0["name"] == "resource.k8s.io" } == true)
        let agg = await h.call("GET", "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
        #expect(agg.headers.contains { $0.1 == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" })
        let apps = agg.bodyJSON?["items"]?.arrayValue?.first { $0["metadata"]?["name"] == "apps" }
        let deploy = apps?["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first { $0["resource"] == "deployments" }
        #expect(deploy?["scope"] == "Namespaced")
        #expect(deploy?["subresources"]?.arrayValue?.map { $0["subresource"] } == ["status", "scale"])
        let core = await h.call("GET", "/api/v1").bodyJSON
        #expect(core?["resources"]?.arrayValue?.contains { $0["name"] == "namespaces" && $0["namespaced"] == false } == true)
    }

    @Test func openAPIv3AdvertisesFieldValidation() async {
        let h = await Harness()
        let root = await h.call("GET", "/openapi/v3").bodyJSON
        let url = root?["paths"]?["apis/apps/v1"]?["serverRelativeURL"]?.stringValue ?? ""
        #expect(url.hasPrefix("/openapi/v3/apis/apps/v1?hash="))
        let doc = await h.call("GET", url).bodyJSON
        let patch = doc?["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"]
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
        #expect(patch?["x-kubernetes-group-version-kind"]?["kind"] == "Deployment")
    }

    @Test func unknownPathsAre404Status() async {
        let h = await Harness()
        let r = await h.call("GET", "/apis/nope.example.com/v1/things")
        #expect(r.status == 404)
        #expect(r.bodyJSON?["kind"] == "Status")
    }
}

@Suite struct CRUDTests {
    @Test func createGetListDelete() async {
        let h = await Harness()
        let created = await h.call("POST", cmPath, configMap("a"))
        #expect(created.status == 201)
        #expect(created.bodyJSON?["metadata"]?["uid"]?.stringValue?.isEmpty == false)
        #expect(await h.call("GET", cmPath + "/a").bodyJSON?["data"] == ["k": "v"])
        let dup = await h.call("POST", cmPath, configMap("a"))
        #expect(dup.status == 409)
        #expect(dup.bodyJSON?["reason"] == "AlreadyExists")
        #expect(dup.bodyJSON?["message"] == "configmaps \"a\" already exists")
        #expect(await h.call("DELETE", cmPath + "/a").status == 200)
        let gone = await h.call("GET", cmPath + "/a")
        #expect(gone.status == 404)
        #expect(gone.bodyJSON?["details"] == ["name": "a", "kind": "configmaps"])
    }

    @Test func badInputsGetRealErrors() async {
        let h = await Harness()
        let malformed = await h.sim.handle(KubeRequest(method: "POST", target: cmPath, headers: ["Content-Type": "application/json"],
                                                       body: Array("{nope".utf8)))
        #expect(malformed.status == 400)
        let wrongKind = await h.call("POST", cmPath, ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "x"]])
        #expect(wrongKind.status == 400)
        let badName = await h.call("POST", cmPath, configMap("Bad_Name"))
        #expect(badName.status == 422)
        #expect(badName.bodyJSON?["details"]?["causes"]?.arrayValue?.first?["field"] == "metadata.name")
        let noNamespace = await h.call("POST", "/api/v1/namespaces/missing/configmaps", configMap("x"))
        #expect(noNamespace.status == 404)
        #expect(noNamespace.bodyJSON?["message"] == "namespaces \"missing\" not found")
        #expect(await h.call("GET", "/api/v1/namespaces/default/nodes").status == 404)
        let yamlBody = await h.sim.handle(KubeRequest(method: "POST", target: cmPath, headers: ["Content-Type": "application/yaml"],
                                                      body: Array("a: [".utf8)))
        #expect(yamlBody.status == 400)
    }

    @Test func optimisticConcurrency() async {
        let h = await Harness()
        let created = await h.call("POST", cmPath, configMap("c")).bodyJSON ?? .null
        var update = created
        update["data"] = ["k": "2"]
        #expect(await h.call("PUT", cmPath + "/c", update).status == 200)
        let stale = await h.call("PUT", cmPath + "/c", update)
        #expect(stale.status == 409)
        #expect(stale.bodyJSON?["reason"] == "Conflict")
    }

    @Test func noOpUpdateKeepsResourceVersion() async {
        let h = await Harness()
        let created = await h.call("POST", cmPath, configMap("n")).bodyJSON ?? .null
        let again = await h.call("PUT", cmPath + "/n", created).bodyJSON
        #expect(again?["metadata"]?["resourceVersion"] == created["metadata"]?["resourceVersion"])
    }

    @Test func paginationAndSelectors() async {
        let h = await Harness()
        for i in 0..<7 { await h.call("POST", cmPath, configMap("p\(i)", labels: ["odd": i % 2 == 1 ? "yes" : "no"])) }
        let page1 = await h.call("GET", cmPath + "?limit=3").bodyJSON
        #expect(page1?["items"]?.arrayValue?.count == 3)
        #expect(page1?["metadata"]?["remainingItemCount"] == 4)
        let token = page1?["metadata"]?["continue"]?.stringValue ?? ""
        let page2 = await h.call("GET", cmPath + "?limit=10&continue=\(token)").bodyJSON
        #expect(page2?["items"]?.arrayValue?.first?["metadata"]?["name"] == "p3")
        #expect(page2?["metadata"]?["continue"] == nil)
        #expect(await h.call("GET", cmPath + "?labelSelector=odd%3Dyes").bodyJSON?["items"]?.arrayValue?.count == 3)
        #expect(await h.call("GET", cmPath + "?labelSelector=odd+notin+(yes)").bodyJSON?["items"]?.arrayValue?.count == 4)
        #expect(await h.call("GET", cmPath + "?fieldSelector=metadata.name%3Dp5").bodyJSON?["items"]?.arrayValue?.count == 1)
        #expect(await h.call("GET", cmPath + "?labelSelector=a+in+b").status == 400)
    }

    @Test func dryRunDoesNotPersist() async {
        let h = await Harness()
        #expect(await h.call("POST", cmPath + "?dryRun=All", configMap("d")).status == 201)
        #expect(await h.call("GET", cmPath + "/d").status == 404)
    }

    @Test func tableOutput() async {
        let h = await Harness()
        await h.call("POST", cmPath, configMap("t"))
        let table = await h.call("GET", cmPath, accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").bodyJSON
        #expect(table?["kind"] == "Table")
        #expect(table?["columnDefinitions"]?.arrayValue?.map { $0["name"] } == ["Name", "Data", "Age"])
        #expect(table?["rows"]?.arrayValue?.last?["cells"]?.arrayValue?.first == "t")
    }
}

@Suite struct PatchTests {
    @Test func mergeStrategicJSONPatchesAndScale() async {
        let h = await Harness()
        let deploy: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
            "spec": ["selector": ["matchLabels": ["a": "b"]], "template": ["metadata": ["labels": ["a": "b"]], "spec": [
                "containers": [["name": "one", "image": "x:1"], ["name": "two", "image": "y:1"]]]]],
        ]
        let path = "/apis/apps/v1/namespaces/default/deployments"
        #expect(await h.call("POST", path, deploy).status == 201)
        let smp: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "two", "image": "y:2"]]]]]]
        let patched = await h.call("PATCH", path + "/d", smp, contentType: "application/strategic-merge-patch+json").bodyJSON
        let containers = patched?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue
        #expect(containers?.count == 2)
        #expect(containers?[1]["image"] == "y:2")
        #expect(patched?["metadata"]?["generation"] == 2)
        let merge: JSONValue = ["metadata": ["labels": ["x": "y"]]]
        let merged = await h.call("PATCH", path + "/d", merge, contentType: "application/merge-patch+json").bodyJSON
        #expect(merged?["metadata"]?["labels"] == ["x": "y"])
        #expect(merged?["metadata"]?["generation"] == 2)
        let jsonPatch: JSONValue = [["op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "x:9"]]
        let jp = await h.call("PATCH", path + "/d", jsonPatch, contentType: "application/json-patch+json").bodyJSON
        #expect(jp?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "x:9")
        let scale = await h.call("PATCH", path + "/d/scale", ["spec": ["replicas": 5]], contentType: "application/merge-patch+json").bodyJSON
        #expect(scale?["kind"] == "Scale")
        #expect(await h.call("GET", path + "/d").bodyJSON?["spec"]?["replicas"] == 5)
    }
}

@Suite struct ServerSideApplyTests {
    let yaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: s
          labels: {app: demo}
        data:
          a: "1"
          b: "2"
        """

    @Test func applyCreatesThenTracksFields() async {
        let h = await Harness()
        let r = await h.apply(cmPath + "/s", yaml, manager: "one")
        #expect(r.status == 201)
        let mf = r.bodyJSON?["metadata"]?["managedFields"]?.arrayValue?.first
        #expect(mf?["manager"] == "one")
        #expect(mf?["operation"] == "Apply")
        #expect(mf?["fieldsV1"] == ["f:data": ["f:a": [:], "f:b": [:]], "f:metadata": ["f:labels": ["f:app": [:]]]])
        let again = await h.apply(cmPath + "/s", yaml, manager: "one")
        #expect(again.status == 200)
        #expect(again.bodyJSON?["metadata"]?["resourceVersion"] == r.bodyJSON?["metadata"]?["resourceVersion"])
    }

    @Test func conflictsAndForce() async {
        let h = await Harness()
        await h.apply(cmPath + "/s", yaml, manager: "one")
        let other = yaml.replacingOccurrences(of: "a: \"1\"", with: "a: \"9\"")
        let conflict = await h.apply(cmPath + "/s", other, manager: "two")
        #expect(conflict.status == 409)
        #expect(conflict.bodyJSON?["message"] == "Apply failed with 1 conflict: conflict with \"one\" using v1: .data.a")
        #expect(conflict.bodyJSON?["details"]?["causes"]?.arrayValue?.first?["field"] == ".data.a")
        let forced = await h.apply(cmPath + "/s", other, manager: "two", force: true)
        #expect(forced.status == 200)
        #expect(forced.bodyJSON?["data"]?["a"] == "9")
        // "one" lost .data.a but still shares .data.b (same value) with "two".
        let entries = forced.bodyJSON?["metadata"]?["managedFields"]?.arrayValue ?? []
        #expect(entries.first { $0["manager"] == "one" }?["fieldsV1"]?["f:data"] == ["f:b": [:]])
    }

    @Test func removedFieldsAreDeletedWhenUnowned() async {
        let h = await Harness()
        await h.apply(cmPath + "/s", yaml, manager: "one")
        let smaller = yaml.replacingOccurrences(of: "\n  b: \"2\"", with: "")
        let r = await h.apply(cmPath + "/s", smaller, manager: "one")
        #expect(r.bodyJSON?["data"] == ["a": "1"])
    }

    @Test func applyNeedsFieldManager() async {
        let h = await Harness()
        let r = await h.sim.handle(KubeRequest(method: "PATCH", target: cmPath + "/s", headers: ["Content-Type": "application/apply-patch+yaml"],
                                               body: Array(yaml.utf8)))
        #expect(r.status == 422)
    }
}
