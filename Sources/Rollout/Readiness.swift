import Foundation
import KubeModel
import Planning
import Stages

/// The verdict on one readiness rule at one moment.
public struct ReadinessResult: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case ready
        /// Keep waiting until the stage timeout.
        case pending
        /// Waiting cannot help (e.g. no GPU nodes at all).
        case failed
    }
    public var state: State
    public var message: String
    public var remedy: String?
    public init(_ state: State, _ message: String, remedy: String? = nil) {
        self.state = state
        self.message = message
        self.remedy = remedy
    }
}

/// Pure readiness checks over objects read from the cluster (tested with fixtures).
public enum ReadinessCheck {
    public static let gpuResource = "nvidia.com/gpu"

    /// A workload is rolled out when the controller saw the current generation and every
    /// replica is updated and available.
    public static func workload(_ o: JSONValue) -> ReadinessResult {
        let kind = o["kind"]?.stringValue ?? ""
        let name = "\(kind) \(o[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(o[path: ["metadata", "name"]]?.stringValue ?? "")"
        let generation = o[path: ["metadata", "generation"]]?.intValue ?? 0
        let observed = o[path: ["status", "observedGeneration"]]?.intValue ?? -1
        if kind != "Job", observed < generation { return ReadinessResult(.pending, "\(name): controller has not seen generation \(generation) yet") }
        func status(_ key: String) -> Int64 { o[path: ["status", key]]?.intValue ?? 0 }
        switch kind {
        case "Deployment", "StatefulSet":
            let want = o[path: ["spec", "replicas"]]?.intValue ?? 1
            let updated = status("updatedReplicas"), available = kind == "Deployment" ? status("availableReplicas") : status("readyReplicas")
            if updated >= want && available >= want { return ReadinessResult(.ready, "\(name): \(available)/\(want) ready") }
            return ReadinessResult(.pending, "\(name): \(available)/\(want) available, \(updated) updated")
        case "DaemonSet":
            let want = status("desiredNumberScheduled")
            let updated = status("updatedNumberScheduled"), available = status("numberAvailable")
            if updated >= want && available >= want { return ReadinessResult(.ready, "\(name): \(available)/\(want) ready") }
            return ReadinessResult(.pending, "\(name): \(available)/\(want) available, \(updated) updated")
        case "Job":
            for c in o[path: ["status", "conditions"]]?.arrayValue ?? [] where c["status"]?.stringValue == "True" {
                if c["type"]?.stringValue == "Complete" { return ReadinessResult(.ready, "\(name): complete") }
                if c["type"]?.stringValue == "Failed" {
                    return ReadinessResult(.failed, "\(name): failed: \(c["message"]?.stringValue ?? c["reason"]?.stringValue ?? "")")
                }
            }
            return ReadinessResult(.pending, "\(name): not complete")
        default:
            return ReadinessResult(.ready, "\(name)")
        }
    }

    public static func crdEstablished(_ o: JSONValue) -> Bool {
        (o[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
            $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True"
        }
    }

    /// GPU nodes: labelled by NFD/the operator, or (simulator) annotated with a GPU count.
    public static func isGPUNode(_ node: JSONValue) -> Bool {
        if node[path: ["metadata", "labels", "nvidia.com/gpu.present"]]?.stringValue == "true" { return true }
        if let count = node[path: ["metadata", "annotations", "kubesim.platform.gpu/gpu-count"]]?.stringValue, (Int(count) ?? 0) > 0 { return true }
        return false
    }

    static func quantity(_ v: JSONValue?) -> Int {
        if let i = v?.intValue { return Int(i) }
        return Int(v?.stringValue ?? "") ?? 0
    }

    /// Nodes advertise `resource`; no GPU nodes at all fails at once with that explanation.
    public static func nodeResource(_ resource: String, nodes: [JSONValue]) -> ReadinessResult {
        let gpuNodes = nodes.filter(isGPUNode)
        if gpuNodes.isEmpty {
            return ReadinessResult(.failed, "no GPU nodes: none of \(nodes.count) node(s) is labelled nvidia.com/gpu.present=true, so nothing can advertise \(resource)",
                                   remedy: "add GPU nodes (or check that Node Feature Discovery labels them), then run apply again")
        }
        let advertising = gpuNodes.filter { quantity($0[path: ["status", "allocatable", resource]]) > 0 }
        if advertising.count == gpuNodes.count {
            let total = advertising.reduce(0) { $0 + quantity($1[path: ["status", "allocatable", resource]]) }
            return ReadinessResult(.ready, "\(resource): \(total) on \(advertising.count) GPU node(s)")
        }
        return ReadinessResult(.pending, "\(resource): advertised on \(advertising.count)/\(gpuNodes.count) GPU node(s)")
    }

    /// GPU nodes exist and (with a device plugin) advertise GPUs: whole (`nvidia.com/gpu`,
    /// time-sliced or shared) or MIG devices (`nvidia.com/mig-*` with the mixed strategy).
    public static func gpuCapacity(nodes: [JSONValue], requireAdvertised: Bool) -> ReadinessResult {
        let gpuNodes = nodes.filter(isGPUNode)
        if gpuNodes.isEmpty { return nodeResource(gpuResource, nodes: nodes) }
        guard requireAdvertised else { return ReadinessResult(.ready, "\(gpuNodes.count) GPU node(s)") }
        func advertises(_ node: JSONValue) -> Bool {
            (node[path: ["status", "allocatable"]]?.objectValue ?? JSONObject()).contains {
                ($0.key.hasPrefix("nvidia.com/gpu") || $0.key.hasPrefix("nvidia.com/mig-")) && quantity($0.value) > 0
            }
        }
        let advertising = gpuNodes.filter(advertises).count
        if advertising == gpuNodes.count { return ReadinessResult(.ready, "GPUs advertised on \(advertising) GPU node(s)") }
        return ReadinessResult(.pending, "GPUs advertised on \(advertising)/\(gpuNodes.count) GPU node(s)")
    }

    /// Physical GPUs of a node: GFD's `nvidia.com/gpu.count` label, else the simulator's annotation.
    static func physicalGPUs(_ node: JSONValue) -> Int? {
        if let c = node[path: ["metadata", "labels", "nvidia.com/gpu.count"]]?.stringValue, let n = Int(c) { return n }
        if let c = node[path: ["metadata", "annotations", "kubesim.platform.gpu/gpu-count"]]?.stringValue, let n = Int(c) { return n }
        return nil
    }

    /// Each GPU node advertises GPUs × replicas of `nvidia.com/gpu` (or `.shared` when renamed).
    public static func timeSlicedCapacity(nodes: [JSONValue], replicas: Int) -> [ReadinessResult] {
        nodes.filter(isGPUNode).compactMap { node in
            guard let gpus = physicalGPUs(node) else { return nil }
            let name = node[path: ["metadata", "name"]]?.stringValue ?? "?"
            let have = max(quantity(node[path: ["status", "allocatable", gpuResource]]),
                           quantity(node[path: ["status", "allocatable", gpuResource + ".shared"]]))
            if have == gpus * replicas { return ReadinessResult(.ready, "node \(name): \(have) time-sliced GPUs") }
            return ReadinessResult(.pending, "node \(name) advertises \(have) nvidia.com/gpu, expected \(gpus)×\(replicas)=\(gpus * replicas) with time-slicing")
        }
    }

    /// Value at a dotted path, e.g. ClusterPolicy `status.state == ready`.
    public static func field(_ o: JSONValue?, path: String, equals: String, name: String) -> ReadinessResult {
        guard let o else { return ReadinessResult(.pending, "\(name): not found yet") }
        let value = o[path: path.split(separator: ".").map(String.init)]
        let text = value?.stringValue ?? value.map { $0.encodedString() } ?? "<unset>"
        if text == equals { return ReadinessResult(.ready, "\(name): \(path)=\(equals)") }
        return ReadinessResult(.pending, "\(name): \(path)=\(text), waiting for \(equals)")
    }

    public static func endpointsReady(_ slices: [JSONValue], service: String) -> ReadinessResult {
        let ready = slices.flatMap { $0["endpoints"]?.arrayValue ?? [] }.filter {
            $0[path: ["conditions", "ready"]]?.boolValue ?? true
        }
        if ready.isEmpty { return ReadinessResult(.pending, "webhook service \(service): no ready endpoints") }
        return ReadinessResult(.ready, "webhook service \(service): \(ready.count) ready endpoint(s)")
    }

    /// Containers stuck in a state waiting will not fix: one line per pod.
    public static func podProblems(_ pods: [JSONValue]) -> [String] {
        var out: [String] = []
        for pod in pods {
            let name = "\(pod[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(pod[path: ["metadata", "name"]]?.stringValue ?? "")"
            for status in pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
                guard let reason = status[path: ["state", "waiting", "reason"]]?.stringValue, reason != "ContainerCreating", reason != "PodInitializing" else { continue }
                let message = status[path: ["state", "waiting", "message"]]?.stringValue ?? ""
                out.append("pod \(name): \(reason)" + (message.isEmpty ? "" : ": \(message)"))
            }
        }
        return out
    }

    /// Nodes whose Ready condition is not True, with the kubelet's message.
    public static func nodeProblems(_ nodes: [JSONValue]) -> [String] {
        nodes.compactMap { node in
            guard let ready = (node[path: ["status", "conditions"]]?.arrayValue ?? []).first(where: { $0["type"]?.stringValue == "Ready" }),
                  ready["status"]?.stringValue != "True" else { return nil }
            return "node \(node[path: ["metadata", "name"]]?.stringValue ?? "?") NotReady: \(ready["message"]?.stringValue ?? "")"
        }
    }

    /// Remedies for failures recognised from pod and node messages.
    public static func knownCauses(_ problems: [String]) -> [String] {
        var out: [String] = []
        if problems.contains(where: { $0.contains("already loaded on the host") || $0.contains("host driver conflicts") }) {
            out.append("the nodes already have an NVIDIA driver while the operator installs its own (driver conflict): set spec.gpu.driver: host in the profile and apply again")
        }
        if problems.contains(where: { $0.contains("ImagePullBackOff") || $0.contains("ErrImagePull") }) {
            out.append("an image cannot be pulled: check the image name, the registry's reachability and imagePullSecrets")
        }
        return out
    }

    /// Known wedges, named with their remedy when a stage times out.
    public static func wedges(nodes: [JSONValue], stage: String, timeSlicing: Bool = false) -> [String] {
        var out: [String] = []
        for node in nodes {
            let name = node[path: ["metadata", "name"]]?.stringValue ?? "?"
            if node[path: ["metadata", "labels", "nvidia.com/mig.config.state"]]?.stringValue == "pending" {
                out.append("node \(name) is stuck at nvidia.com/mig.config.state=pending: the MIG manager has not reconfigured it "
                           + "(GPU processes still running?). Remedy: drain GPU workloads from \(name), then "
                           + "`kubectl label node \(name) nvidia.com/mig.config.state-` and restart the nvidia-mig-manager pod on it.")
            }
            if timeSlicing, let physical = physicalGPUs(node), physical > 0,
               quantity(node[path: ["status", "allocatable", gpuResource]]) == physical {
                out.append("node \(name) still advertises \(physical) nvidia.com/gpu (one per physical GPU): the device plugin did not pick up "
                           + "the time-slicing config. Remedy: `kubectl -n gpu-operator rollout restart daemonset/nvidia-device-plugin-daemonset`.")
            }
        }
        return out
    }
}
