import KubeModel
import KubeSchema
import Testing

@testable import KubeSim

/// Built-in kinds are validated against the Kubernetes schema of the simulated version.
@Suite struct BuiltinSchemaTests {
    let path = "/apis/apps/v1/namespaces/default/deployments"

    func deployment(_ container: JSONValue = ["name": "web", "image": "nginx:1.27"], replicas: JSONValue = 1) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
         "spec": ["replicas": replicas, "selector": ["matchLabels": ["app": "web"]],
                  "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [container]]]]]
    }

    @Test func everyBuiltinResourceHasASchema() throws {
        let schemas = try #require(try KubernetesSchemas.shared.version("1.34"))
        let missing = BuiltinResources.all.filter { !schemas.serves(apiVersion: $0.apiVersion, kind: $0.kind) }.map(\.kind)
        #expect(missing == [])
    }

    @Test func unknownFieldStrictIs400() async {
        let h = await Harness()
        let r = await h.call("POST", path + "?fieldValidation=Strict",
                             deployment(["name": "web", "image": "nginx:1.27", "imagePullPolicyy": "Always"]))
        #expect(r.status == 400)
        #expect(r.bodyJSON?["message"] == "strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"")
        #expect(await h.call("GET", path + "/web").status == 404)
    }

    @Test func unknownFieldWarnsByDefaultAndIsDropped() async {
        let h = await Harness()
        let r = await h.call("POST", path, deployment(["name": "web", "image": "nginx:1.27", "imagePullPolicyy": "Always"]))
        #expect(r.status == 201)
        #expect(r.headers.contains { $0.0 == "Warning" && $0.1.contains("unknown field \\\"spec.template.spec.containers[0].imagePullPolicyy\\\"") })
        #expect(r.bodyJSON?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["imagePullPolicyy"] == nil)
        let ignored = await h.call("PUT", path + "/web?fieldValidation=Ignore",
                                   deployment(["name": "web", "image": "nginx:1.28", "bogus": true]))
        #expect(ignored.status == 200)
        #expect(!ignored.headers.contains { $0.0 == "Warning" })
    }

    @Test func wrongTypeAndMissingRequiredAre422WithCauses() async {
        let h = await Harness()
        let r = await h.call("POST", path, deployment(["image": "nginx:1.27"], replicas: "two"))
        #expect(r.status == 422)
        let causes = r.bodyJSON?["details"]?["causes"]?.arrayValue ?? []
        #expect(Set(causes.compactMap { $0["field"]?.stringValue }) == ["spec.replicas", "spec.template.spec.containers[0].name"])
        #expect(Set(causes.compactMap { $0["reason"]?.stringValue }) == ["FieldValueTypeInvalid", "FieldValueRequired"])
        #expect(r.bodyJSON?["message"]?.stringValue?.hasPrefix("Deployment.apps \"web\" is invalid: [") == true)
        #expect(r.bodyJSON?["message"]?.stringValue?.contains("spec.replicas in body must be of type integer: \"string\"") == true)
    }

    @Test func serverSideApplyIsValidatedToo() async {
        let h = await Harness()
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c, namespace: default}
            data: {a: "1"}
            binaryDataa: {}
            """
        let r = await h.sim.handle(KubeRequest(method: "PATCH", target: cmPath + "/c?fieldManager=t&fieldValidation=Strict",
                                               headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(yaml.utf8)))
        #expect(r.status == 400)
        #expect(r.bodyJSON?["message"] == "strict decoding error: unknown field \"binaryDataa\"")
        #expect(await h.apply(cmPath + "/c", yaml.replacingOccurrences(of: "binaryDataa: {}\n", with: ""), manager: "t").status == 201)
    }

    @Test func partialStatusIsAcceptedLikeTheRealServer() async {
        let h = await Harness()
        let pods = "/api/v1/namespaces/default/pods"
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                              "spec": ["containers": [["name": "c", "image": "busybox"]]]]
        #expect(await h.call("POST", pods, pod).status == 201)
        let status: JSONValue = ["status": ["containerStatuses": [["name": "c", "state": ["waiting": ["reason": "ErrImagePull"]]]]]]
        let r = await h.call("PATCH", pods + "/p/status", status, contentType: "application/merge-patch+json")
        #expect(r.status == 200)
        let bad: JSONValue = ["status": ["containerStatuses": [["name": "c", "restartCount": "many"]]]]
        let t = await h.call("PATCH", pods + "/p/status", bad, contentType: "application/merge-patch+json")
        #expect(t.status == 422)
    }
}
