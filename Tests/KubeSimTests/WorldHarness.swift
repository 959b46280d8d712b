import Foundation
import KubeModel
@testable import KubeSim

/// A simulated cluster with the world on and a manual clock; `advance` moves time.
struct World {
    let sim: KubeSim
    let h: Harness

    init(_ nodes: String = "2xH100-80GB,1xcpu", version: String = "1.34.1", faults: WorldFaultPlan = WorldFaultPlan()) async throws {
        var w = WorldOptions()
        w.autoRun = false
        w.faults = faults
        var o = KubeSimOptions(nodes: try NodeSpec.parse(nodes), clock: ManualClock())
        o.kubernetesVersion = version
        o.world = w
        sim = await KubeSim(options: o)
        h = Harness(sim: sim)
    }

    func advance(_ seconds: Double = 10) async { await sim.advance(by: seconds) }

    /// Server-side applies every document of a YAML stream; returns the failures (status, message).
    @discardableResult
    func apply(_ yaml: String, namespace: String? = nil) async throws -> [(Int, String)] {
        var failures: [(Int, String)] = []
        for doc in try JSONValue.parseYAMLStream(yaml) {
            guard let kind = doc["kind"]?.stringValue, let av = doc["apiVersion"]?.stringValue else { continue }
            let u = Unstructured(doc)
            let ns = u.namespace.isEmpty ? namespace : u.namespace
            guard let path = await sim.restPath(apiVersion: av, kind: kind, namespace: ns, name: u.name) else {
                failures.append((404, "no resource for \(av) \(kind)"))
                continue
            }
            var body = doc
            if let ns, body["metadata"]?["namespace"] == nil, !path.hasPrefix("/api/v1/nodes") { body.set(path: ["metadata", "namespace"], to: .string(ns)) }
            let r = await h.apply(path, body.encodedString(), manager: "test", force: true)
            if r.status >= 300 { failures.append((r.status, r.bodyText)) }
        }
        return failures
    }

    func applyFile(_ path: String, namespace: String? = nil) async throws -> [(Int, String)] {
        try await apply(String(contentsOfFile: path, encoding: .utf8), namespace: namespace)
    }

    func golden(_ name: String, namespace: String) async throws -> [(Int, String)] {
        try await applyFile("\(sharedDir)/golden/charts/\(name)/expected.yaml", namespace: namespace)
    }

    func namespace(_ name: String) async {
        await h.call("POST", "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
    }

    func get(_ path: String) async -> JSONValue {
        (try? JSONValue.parse(await h.call("GET", path).bodyText)) ?? .null
    }

    func items(_ path: String) async -> [JSONValue] { await get(path)["items"]?.arrayValue ?? [] }

    func node(_ name: String) async -> JSONValue { await get("/api/v1/nodes/\(name)") }

    func log(_ ns: String, _ pod: String) async -> String { await h.call("GET", "/api/v1/namespaces/\(ns)/pods/\(pod)/log").bodyText }

    /// Brings up the GPU Operator from a rendered chart (CRDs from the include-crds render).
    func gpuOperator(_ variant: String = "gpu-operator-defaults") async throws {
        await namespace("gpu-operator")
        _ = try await golden("gpu-operator-include-crds", namespace: "gpu-operator")
        _ = try await golden(variant, namespace: "gpu-operator")
        await advance(15)
    }
}

/// `$SHARED_DIR`, else the `shared/` folder beside the repository (as CI lays it out).
let sharedDir: String = {
    if let env = ProcessInfo.processInfo.environment["SHARED_DIR"], !env.isEmpty { return env }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repo.deletingLastPathComponent().appendingPathComponent("shared").path
}()

extension Harness {
    init(sim: KubeSim) { self.sim = sim }
}

func pod(_ name: String, gpus: Int = 0, resource: String = "nvidia.com/gpu", command: [String] = ["nvidia-smi"],
         extra: JSONObject = JSONObject()) -> JSONValue
{
    var c: JSONObject = ["name": "main", "image": "nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04", "command": .array(command.map { .string($0) })]
    if gpus > 0 {
        var limits = JSONObject()
        limits[resource] = .int(Int64(gpus))
        c["resources"] = ["limits": .object(limits)]
    }
    var spec: JSONObject = ["restartPolicy": "Never", "containers": [.object(c)]]
    for m in extra { spec[m.key] = m.value }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": .object(spec)]
}

