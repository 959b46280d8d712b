import Foundation
import KubeModel
import KubeSim
import Planning
@testable import Rollout
import Synchronization

/// A tiny stand-in for the simulated GPU world, under the tests' control: each tick of
/// simulated time rolls out workloads, readies ClusterPolicies, advertises GPUs (times the
/// time-slicing replicas) and finishes smoke pods — unless a fault says otherwise.
final class FixtureWorld: Sendable {
    struct Faults: Sendable {
        var imagePull = false
        var clusterPolicyNeverReady = false
        var ignoreTimeSlicing = false
    }
    let faults = Mutex(Faults())
    let sim: KubeSim

    init(sim: KubeSim) { self.sim = sim }

    static func make(nodes: String = "2xH100-80GB,1xcpu") async throws -> (KubeSim, FixtureWorld, Cluster, SimulatedClock) {
        let manual = ManualClock()
        var options = KubeSimOptions(nodes: try NodeSpec.parse(nodes), clock: manual)
        options.podLog = { _, pod, _ in
            "+-----------------------------------------------------------------------------+\n| NVIDIA-SMI 580.65.06    Driver Version: 580.65.06    CUDA Version: 13.0     |\nGPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1) \(pod)\n"
        }
        let sim = await KubeSim(options: options)
        let world = FixtureWorld(sim: sim)
        let clock = SimulatedClock(following: manual, advance: { _ in await world.tick() })
        return (sim, world, Cluster.simulated(sim), clock)
    }

    func request(_ method: String, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/merge-patch+json") async -> JSONValue? {
        var headers = ["Accept": "application/json"]
        if body != nil { headers["Content-Type"] = contentType }
        let r = await sim.handle(KubeRequest(method: method, target: path, headers: headers, body: body?.encoded() ?? []))
        return r.bodyJSON
    }

    func items(_ path: String) async -> [JSONValue] { await request("GET", path)?["items"]?.arrayValue ?? [] }

    func tick() async {
        let f = faults.withLock { $0 }
        for (group, plural) in [("apps/v1", "deployments"), ("apps/v1", "daemonsets"), ("apps/v1", "statefulsets")] {
            for o in await items("/apis/\(group)/\(plural)") {
                let ns = o[path: ["metadata", "namespace"]]?.stringValue ?? "", name = o[path: ["metadata", "name"]]?.stringValue ?? ""
                let gen = o[path: ["metadata", "generation"]]?.intValue ?? 1
                if o[path: ["status", "observedGeneration"]]?.intValue == gen { continue }
                let replicas = o[path: ["spec", "replicas"]]?.intValue ?? 1
                let status: JSONValue = plural == "daemonsets"
                    ? ["observedGeneration": .int(gen), "desiredNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 2, "numberReady": 2]
                    : ["observedGeneration": .int(gen), "replicas": .int(replicas), "updatedReplicas": .int(replicas),
                       "availableReplicas": .int(replicas), "readyReplicas": .int(replicas)]
                _ = await request("PATCH", "/apis/\(group)/namespaces/\(ns)/\(plural)/\(name)/status", ["status": status])
            }
        }
        if !f.clusterPolicyNeverReady {
            for o in await items("/apis/nvidia.com/v1/clusterpolicies") where o[path: ["status", "state"]]?.stringValue != "ready" {
                let name = o[path: ["metadata", "name"]]?.stringValue ?? ""
                _ = await request("PATCH", "/apis/nvidia.com/v1/clusterpolicies/\(name)/status", ["status": ["state": "ready"]])
            }
        }
        // GPU capacity: physical GPUs × time-slicing replicas once the config exists.
        var replicas: Int64 = 1
        if !f.ignoreTimeSlicing, let cm = await request("GET", "/api/v1/namespaces/gpu-operator/configmaps/time-slicing-config"),
           cm["kind"]?.stringValue == "ConfigMap", let text = cm["data"]?.objectValue?.members.first?.value.stringValue,
           let range = text.range(of: #"replicas: (\d+)"#, options: .regularExpression) {
            replicas = Int64(text[range].split(separator: " ").last ?? "1") ?? 1
        }
        let operatorThere = !(await items("/apis/nvidia.com/v1/clusterpolicies")).isEmpty
        for node in await items("/api/v1/nodes") where ReadinessCheck.isGPUNode(node) && operatorThere {
            let name = node[path: ["metadata", "name"]]?.stringValue ?? ""
            let gpus = Int64(node[path: ["metadata", "annotations", "kubesim.platform.gpu/gpu-count"]]?.stringValue ?? "0") ?? 0
            let want = JSONValue.string(String(gpus * replicas))
            if node[path: ["status", "allocatable", "nvidia.com/gpu"]] == want { continue }
            _ = await request("PATCH", "/api/v1/nodes/\(name)", ["metadata": ["labels": ["nvidia.com/gpu.present": "true"]]])
            _ = await request("PATCH", "/api/v1/nodes/\(name)/status", ["status": ["allocatable": ["nvidia.com/gpu": want], "capacity": ["nvidia.com/gpu": want]]])
        }
        for pod in await items("/api/v1/pods") where pod[path: ["status", "phase"]]?.stringValue == "Pending" || pod[path: ["status", "phase"]] == nil {
            let ns = pod[path: ["metadata", "namespace"]]?.stringValue ?? "", name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
            let status: JSONValue = f.imagePull
                ? ["phase": "Pending", "containerStatuses": [["name": "smoke", "state": ["waiting": ["reason": "ErrImagePull", "message": "pull access denied"]]]]]
                : ["phase": "Succeeded"]
            if f.imagePull, pod[path: ["status", "containerStatuses"]] != nil { continue }
            _ = await request("PATCH", "/api/v1/namespaces/\(ns)/pods/\(name)/status", ["status": status])
        }
        for job in await items("/apis/batch/v1/jobs") where job[path: ["status", "conditions"]] == nil {
            let ns = job[path: ["metadata", "namespace"]]?.stringValue ?? "", name = job[path: ["metadata", "name"]]?.stringValue ?? ""
            if job[path: ["spec", "suspend"]]?.boolValue == true { continue }
            _ = await request("PATCH", "/apis/batch/v1/namespaces/\(ns)/jobs/\(name)/status",
                              ["status": ["conditions": [["type": "Complete", "status": "True"]], "succeeded": 1]])
        }
    }
}

/// Collects events for assertions.
final class EventLog: Sendable {
    let events = Mutex<[RolloutEvent]>([])
    var emit: @Sendable (RolloutEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
    var lines: [String] { events.withLock { $0 }.map { "\($0)" } }
}
