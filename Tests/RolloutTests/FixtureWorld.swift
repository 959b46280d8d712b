import Foundation
import KubeModel
import KubeSim
import Planning
@testable import Rollout
import Synchronization

enum FixtureWorld {
    static func make(nodes: String = "2xH100-80GB,1xcpu") async throws -> (KubeSim, StandInWorld, Cluster, SimulatedClock) {
        let manual = ManualClock()
        let sim = await KubeSim(options: KubeSimOptions(nodes: try NodeSpec.parse(nodes), clock: manual, podLog: StandInWorld.podLog))
        let world = StandInWorld(sim: sim)
        let clock = SimulatedClock(following: manual, advance: { _ in await world.tick() })
        return (sim, world, Cluster.simulated(sim), clock)
    }
}

/// A small stand-in for the simulated GPU world, fully under these tests' control (faults
/// toggled per test; KubeSim's world is exercised by the CLI e2e tests): each tick of
/// simulated time rolls out workloads, readies ClusterPolicies, advertises GPUs (times the
/// time-slicing replicas) and finishes smoke pods — unless a fault says otherwise.
public final class StandInWorld: Sendable {
    public struct Faults: Sendable {
        public var imagePull = false
        public var clusterPolicyNeverReady = false
        public var ignoreTimeSlicing = false
        /// Jobs with these names fail (BackoffLimitExceeded) instead of completing.
        public var failingJobs: Set<String> = []
        public init() {}
    }
    public let faults = Mutex(Faults())
    public let sim: KubeSim

    public init(sim: KubeSim) { self.sim = sim }

    /// What smoke pods print: the nvidia-smi table header and an `nvidia-smi -L` line.
    public static let podLog: @Sendable (String, String, String) -> String = { _, pod, _ in
        if pod.hasPrefix("rdma-smoke") { return "issm0\nrdma_cm\numad0\nuverbs0\n" }
        if pod.hasPrefix("mig-smoke") {
            return "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\n  MIG 1g.10gb     Device  0: (UUID: MIG-1)\n"
        }
        return "+-----------------------------------------------------------------------------+\n| NVIDIA-SMI 580.65.06    Driver Version: 580.65.06    CUDA Version: 13.0     |\nGPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1) \(pod)\n"
    }

    func request(_ method: String, _ path: String, _ body: JSONValue? = nil, contentType: String = "application/merge-patch+json") async -> JSONValue? {
        var headers = ["Accept": "application/json"]
        if body != nil { headers["Content-Type"] = contentType }
        let r = await sim.handle(KubeRequest(method: method, target: path, headers: headers, body: body?.encoded() ?? []))
        return r.bodyJSON
    }

    func items(_ path: String) async -> [JSONValue] { await request("GET", path)?["items"]?.arrayValue ?? [] }

    public func tick() async {
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
            // What GPU feature discovery labels.
            let product = JSONValue.string(node[path: ["metadata", "annotations", "kubesim.platform.gpu/gpu-model"]]?.stringValue ?? "NVIDIA-GPU")
            _ = await request("PATCH", "/api/v1/nodes/\(name)", ["metadata": ["labels": ["nvidia.com/gpu.present": "true", "nvidia.com/gpu.product": product,
                                                                                       "nvidia.com/gpu.count": .string(String(gpus))]]])
            _ = await request("PATCH", "/api/v1/nodes/\(name)/status", ["status": ["allocatable": ["nvidia.com/gpu": want], "capacity": ["nvidia.com/gpu": want]]])
        }
        await endpoints()
        await network()
        await mig()
        await dra()
        await batch()
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
            let status: JSONValue = f.failingJobs.contains(name)
                ? ["conditions": [["type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"]], "failed": 1]
                : ["conditions": [["type": "Complete", "status": "True"]], "succeeded": 1]
            _ = await request("PATCH", "/apis/batch/v1/namespaces/\(ns)/jobs/\(name)/status", ["status": status])
        }
    }

    func name(_ o: JSONValue) -> String { o[path: ["metadata", "name"]]?.stringValue ?? "" }
    func namespace(_ o: JSONValue) -> String { o[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    func gpus(_ node: JSONValue) -> Int64 { Int64(node[path: ["metadata", "annotations", "kubesim.platform.gpu/gpu-count"]]?.stringValue ?? "0") ?? 0 }

    /// NicClusterPolicy ready; GPU nodes advertise the RDMA shared device resource.
    func network() async {
        for policy in await items("/apis/mellanox.com/v1alpha1/nicclusterpolicies") {
            if policy[path: ["status", "state"]]?.stringValue != "ready" {
                _ = await request("PATCH", "/apis/mellanox.com/v1alpha1/nicclusterpolicies/\(name(policy))/status", ["status": ["state": "ready"]])
            }
            let text = policy.encodedString()
            guard let range = text.range(of: #"resourceName\\?"\s*:\s*\\?"[A-Za-z0-9_.-]+"#, options: .regularExpression) else { continue }
            let resource = "rdma/" + (text[range].split(separator: "\"").last.map(String.init) ?? "").replacingOccurrences(of: "\\", with: "")
            for node in await items("/api/v1/nodes") where ReadinessCheck.isGPUNode(node) {
                if node[path: ["status", "allocatable", resource]] != nil { continue }
                _ = await request("PATCH", "/api/v1/nodes/\(name(node))/status", ["status": ["allocatable": [.init(stringLiteral: resource): "63"]]])
            }
        }
    }

    /// Nodes labelled nvidia.com/mig.config=all-<profile> get MIG devices (7 per GPU) and state success.
    func mig() async {
        for node in await items("/api/v1/nodes") {
            guard let config = node[path: ["metadata", "labels", "nvidia.com/mig.config"]]?.stringValue, config.hasPrefix("all-"),
                  node[path: ["metadata", "labels", "nvidia.com/mig.config.state"]]?.stringValue != "success" else { continue }
            let profile = String(config.dropFirst(4))
            let count = JSONValue.string(String(gpus(node) * 7))
            _ = await request("PATCH", "/api/v1/nodes/\(name(node))", ["metadata": ["labels": ["nvidia.com/mig.config.state": "success"]]])
            _ = await request("PATCH", "/api/v1/nodes/\(name(node))/status",
                              ["status": ["allocatable": [.init(stringLiteral: "nvidia.com/mig-\(profile)"): count]]])
        }
    }

    /// The DRA driver's kubelet plugin publishes a ResourceSlice per GPU node.
    func dra() async {
        guard !(await items("/apis/apps/v1/namespaces/nvidia-dra-driver-gpu/daemonsets")).isEmpty else { return }
        let existing = Set(await items("/apis/resource.k8s.io/v1/resourceslices").map(name))
        for node in await items("/api/v1/nodes") where ReadinessCheck.isGPUNode(node) {
            let slice = "\(name(node))-gpu.nvidia.com"
            if existing.contains(slice) { continue }
            let devices = (0..<gpus(node)).map { i -> JSONValue in ["name": .string("gpu-\(i)")] }
            let body: JSONValue = ["apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": ["name": .string(slice)],
                                   "spec": ["driver": "gpu.nvidia.com", "nodeName": .string(name(node)),
                                            "pool": ["name": .string(name(node)), "generation": 1, "resourceSliceCount": 1],
                                            "devices": .array(devices)]]
            _ = await request("POST", "/apis/resource.k8s.io/v1/resourceslices", body, contentType: "application/json")
        }
    }

    /// Volcano Jobs get their gang of pods, running together; Kueue admits queued Jobs.
    func batch() async {
        for job in await items("/apis/batch.volcano.sh/v1alpha1/jobs") {
            let ns = namespace(job), jobName = name(job)
            let pods = await items("/api/v1/namespaces/\(ns)/pods?labelSelector=volcano.sh/job-name%3D\(jobName)")
            guard pods.isEmpty else { continue }
            for task in job[path: ["spec", "tasks"]]?.arrayValue ?? [] {
                for i in 0..<(task["replicas"]?.intValue ?? 1) {
                    let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod",
                                          "metadata": ["name": .string("\(jobName)-\(task["name"]?.stringValue ?? "task")-\(i)"), "namespace": .string(ns),
                                                       "labels": ["volcano.sh/job-name": .string(jobName)]],
                                          "spec": task[path: ["template", "spec"]] ?? ["containers": [["name": "c", "image": "busybox"]]]]
                    _ = await request("POST", "/api/v1/namespaces/\(ns)/pods", pod, contentType: "application/json")
                    _ = await request("PATCH", "/api/v1/namespaces/\(ns)/pods/\(name(pod))/status", ["status": ["phase": "Running"]])
                }
            }
        }
        for job in await items("/apis/batch/v1/jobs") where job[path: ["spec", "suspend"]]?.boolValue == true
            && job[path: ["metadata", "labels", "kueue.x-k8s.io/queue-name"]] != nil {
            _ = await request("PATCH", "/apis/batch/v1/namespaces/\(namespace(job))/jobs/\(name(job))", ["spec": ["suspend": false]])
        }
    }

    /// Every Service gets a ready EndpointSlice (its pods "run").
    func endpoints() async {
        let existing = Set(await items("/apis/discovery.k8s.io/v1/endpointslices").map { "\(namespace($0))/\(name($0))" })
        for svc in await items("/api/v1/services") where namespace(svc) != "default" {
            let slice = "\(name(svc))-sim"
            if existing.contains("\(namespace(svc))/\(slice)") { continue }
            let body: JSONValue = ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                                   "metadata": ["name": .string(slice), "namespace": .string(namespace(svc)),
                                                "labels": ["kubernetes.io/service-name": .string(name(svc))]],
                                   "endpoints": [["addresses": ["10.0.0.10"], "conditions": ["ready": true]]]]
            _ = await request("POST", "/apis/discovery.k8s.io/v1/namespaces/\(namespace(svc))/endpointslices", body, contentType: "application/json")
        }
    }
}

/// Collects events for assertions.
final class EventLog: Sendable {
    let events = Mutex<[RolloutEvent]>([])
    var emit: @Sendable (RolloutEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
    var lines: [String] { events.withLock { $0 }.map { "\($0)" } }
}
