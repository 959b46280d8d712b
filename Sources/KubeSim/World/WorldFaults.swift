import Foundation
import KubeModel

/// Faults of the simulated world (as opposed to API faults): all timed by the simulated clock,
/// in seconds since the world started.
///
/// Spec keys, in the same `--faults` string as the API faults:
/// `node-notready=NODE@FROM-TO` (TO optional: stays NotReady), `image-pull=SUBSTRING` (images
/// containing it never pull), `webhook-down=NAME@FROM-TO` (the webhook's calls are refused),
/// `stuck-rollout=DAEMONSET` (new pods of that DaemonSet's next rollout never pull).
public struct WorldFaultPlan: Sendable, Equatable {
    public struct Window: Sendable, Equatable {
        public var target: String
        public var from: Double
        public var to: Double?
        public init(target: String, from: Double, to: Double?) {
            self.target = target
            self.from = from
            self.to = to
        }
        func contains(_ t: Double) -> Bool { t >= from && (to.map { t < $0 } ?? true) }
    }

    public var nodeNotReady: [Window] = []
    public var imagePull: [String] = []
    public var webhookDown: [Window] = []
    public var stuckRollouts: [String] = []

    public init() {}

    public var isEmpty: Bool { nodeNotReady.isEmpty && imagePull.isEmpty && webhookDown.isEmpty && stuckRollouts.isEmpty }

    static let keys: Set<String> = ["node-notready", "image-pull", "webhook-down", "stuck-rollout"]

    /// Parses `TARGET@FROM-TO` (seconds; `@FROM` alone = from then on; no `@` = always).
    static func window(_ value: String, key: String) throws(FaultPlan.ParseError) -> Window {
        let parts = value.split(separator: "@", maxSplits: 1).map(String.init)
        guard let target = parts.first, !target.isEmpty else {
            throw FaultPlan.ParseError(description: "fault \(key)=\(value): expected NAME@FROM-TO (seconds), e.g. \(key)=x@5-20")
        }
        guard parts.count == 2 else { return Window(target: target, from: 0, to: nil) }
        let range = parts[1].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "s")) }
        guard let from = Double(range[0]), from >= 0 else {
            throw FaultPlan.ParseError(description: "fault \(key)=\(value): expected NAME@FROM-TO (seconds), e.g. \(key)=x@5-20")
        }
        var to: Double?
        if range.count == 2 && !range[1].isEmpty {
            guard let t = Double(range[1]), t > from else {
                throw FaultPlan.ParseError(description: "fault \(key)=\(value): the window must end after it starts")
            }
            to = t
        }
        return Window(target: target, from: from, to: to)
    }

    mutating func add(key: String, value: String) throws(FaultPlan.ParseError) {
        switch key {
        case "node-notready": nodeNotReady.append(try Self.window(value, key: key))
        case "webhook-down": webhookDown.append(try Self.window(value, key: key))
        case "image-pull": imagePull.append(value)
        case "stuck-rollout": stuckRollouts.append(value)
        default: throw FaultPlan.ParseError(description: "unknown fault \"\(key)\"")
        }
    }
}

extension KubeSim {
    /// Seconds of simulated time since the world started.
    var worldElapsed: Double { clockNow.timeIntervalSince(world.startedAt) }

    /// Adds world faults at run time (tests; the same effect as `--faults`).
    public func injectWorldFault(_ key: String, _ value: String) throws(FaultPlan.ParseError) {
        var plan = world.options.faults
        var v = value
        if ["node-notready", "webhook-down"].contains(key), !value.contains("@") {
            v = "\(value)@\(worldElapsed)"
        }
        try plan.add(key: key, value: v)
        world.options.faults = plan
    }

    /// Clears world faults of a kind (tests).
    public func clearWorldFaults() {
        world.options.faults = WorldFaultPlan()
    }

    /// Node Ready follows faults and the host-driver conflict; NotReady nodes get the
    /// not-ready taints, as the node lifecycle controller adds them.
    func applyNodeFaults() {
        let t = worldElapsed
        for node in objects(R.nodes) {
            let name = Unstructured(node).name
            var reason: (String, String)?
            if world.options.faults.nodeNotReady.contains(where: { $0.target == name && $0.contains(t) }) {
                reason = ("NodeStatusUnknown", "Kubelet stopped posting node status.")
            } else if hostDriverConflict(node) {
                reason = ("KubeletNotReady", "container runtime status check may not have completed yet: the NVIDIA host driver conflicts with the driver container (nvidia-driver-daemonset)")
            }
            var n = node
            let status = reason == nil ? "True" : (reason?.0 == "NodeStatusUnknown" ? "Unknown" : "False")
            setCondition(&n, "Ready", status, reason: reason?.0 ?? "KubeletReady", message: reason?.1 ?? "kubelet is posting ready status",
                         extra: ["lastHeartbeatTime": n["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["lastHeartbeatTime"] ?? .string(nowString)])
            var taints = (n["spec"]?["taints"]?.arrayValue ?? []).filter {
                !["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].contains($0["key"]?.stringValue ?? "")
            }
            if reason != nil {
                let key = status == "Unknown" ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready"
                taints.append(["key": .string(key), "effect": "NoSchedule", "timeAdded": .string(nowString)])
                taints.append(["key": .string(key), "effect": "NoExecute", "timeAdded": .string(nowString)])
            }
            let old = n["spec"]?["taints"]?.arrayValue ?? []
            func strip(_ a: [JSONValue]) -> [JSONValue] { a.map { var x = $0; x["timeAdded"] = nil; return x } }
            if strip(old) != strip(taints) { n.set(path: ["spec", "taints"], to: taints.isEmpty ? nil : .array(taints)) }
            put(R.nodes, n)
        }
    }

    /// The image of a pod that never pulls under the image-pull or stuck-rollout faults.
    func imagePullFault(_ pod: JSONValue) -> String? {
        let faults = world.options.faults
        let images = containerNames(pod).map(\.image) + containerNames(pod, init: true).map(\.image)
        if let hit = images.first(where: { img in faults.imagePull.contains { !$0.isEmpty && img.contains($0) } }) { return hit }
        if let owner = pod["metadata"]?["ownerReferences"]?.arrayValue?.first, owner["kind"]?.stringValue == "DaemonSet",
            let dsName = owner["name"]?.stringValue, faults.stuckRollouts.contains(dsName),
            let ds = object(R.daemonSets, Unstructured(pod).namespace, dsName), (ds.int("metadata", "generation") ?? 1) > 1
                || ds["spec"]?["template"]?["metadata"]?["annotations"]?["kubectl.kubernetes.io/restartedAt"] != nil
        {
            // Only the pods of a later rollout hang; the first generation came up fine.
            if pod.labelMap["pod-template-generation"]?.stringValue != "1" { return images.first }
        }
        return nil
    }

    func webhookDown(_ name: String) -> Bool {
        let t = worldElapsed
        return world.options.faults.webhookDown.contains { ($0.target == name || $0.target == "*") && $0.contains(t) }
    }
}
