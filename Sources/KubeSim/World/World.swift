import Foundation
import KubeModel

/// How the simulated world behaves: delays (in simulated seconds) and whether a background
/// loop drives it. Tests keep `autoRun` off and call `KubeSim.advance(by:)` / `settle()`.
public struct WorldOptions: Sendable {
    /// Seconds from binding until containers run (image pull + start).
    public var startSeconds: Double = 1
    /// Seconds a pod that is meant to finish (restartPolicy Never/OnFailure) runs.
    public var runSeconds: Double = 2
    /// Seconds the GPU/Network operators take to bring a node's stack up after their pods run.
    public var operatorSeconds: Double = 2
    /// Seconds mig-manager takes to apply a MIG config.
    public var migSeconds: Double = 3
    /// Run reconcile passes on a background task (servers); off for tests with a ManualClock.
    public var autoRun: Bool = true
    /// GPU-world faults (node NotReady, image pulls, webhook windows, stuck rollouts).
    public var faults = WorldFaultPlan()

    public init() {}
}

/// Simulator-private bookkeeping the reconcile passes need beyond what objects carry.
struct WorldState: Sendable {
    var enabled = false
    var options = WorldOptions()
    /// When the world started (for fault windows), simulated time.
    var startedAt = Date(timeIntervalSince1970: 0)
    /// Pod logs by "ns/name".
    var logs: [String: String] = [:]
    var nextPodIP = 2
    /// node → what its device plugin / GFD loaded when their pods started.
    var devicePluginConfig: [String: DevicePluginSnapshot] = [:]
    /// node → MIG config applied (name) and the time it was requested.
    var migRequested: [String: (config: String, at: Date)] = [:]
    var passes = 0
}

struct DevicePluginSnapshot: Sendable, Equatable {
    var replicas: Int
    var renameByDefault: Bool
    var podUID: String
}

/// Well-known resources the world reads and writes.
enum R {
    static let pods = GroupResource(group: "", resource: "pods")
    static let nodes = GroupResource(group: "", resource: "nodes")
    static let services = GroupResource(group: "", resource: "services")
    static let endpoints = GroupResource(group: "", resource: "endpoints")
    static let configMaps = GroupResource(group: "", resource: "configmaps")
    static let namespaces = GroupResource(group: "", resource: "namespaces")
    static let endpointSlices = GroupResource(group: "discovery.k8s.io", resource: "endpointslices")
    static let deployments = GroupResource(group: "apps", resource: "deployments")
    static let replicaSets = GroupResource(group: "apps", resource: "replicasets")
    static let daemonSets = GroupResource(group: "apps", resource: "daemonsets")
    static let statefulSets = GroupResource(group: "apps", resource: "statefulsets")
    static let jobs = GroupResource(group: "batch", resource: "jobs")
    static let clusterPolicies = GroupResource(group: "nvidia.com", resource: "clusterpolicies")
    static let nicClusterPolicies = GroupResource(group: "mellanox.com", resource: "nicclusterpolicies")
    static let resourceSlices = GroupResource(group: "resource.k8s.io", resource: "resourceslices")
    static let resourceClaims = GroupResource(group: "resource.k8s.io", resource: "resourceclaims")
    static let resourceClaimTemplates = GroupResource(group: "resource.k8s.io", resource: "resourceclaimtemplates")
    static let deviceClasses = GroupResource(group: "resource.k8s.io", resource: "deviceclasses")
    static let podGroups = GroupResource(group: "scheduling.volcano.sh", resource: "podgroups")
    static let volcanoJobs = GroupResource(group: "batch.volcano.sh", resource: "jobs")
    static let workloads = GroupResource(group: "kueue.x-k8s.io", resource: "workloads")
    static let localQueues = GroupResource(group: "kueue.x-k8s.io", resource: "localqueues")
    static let clusterQueues = GroupResource(group: "kueue.x-k8s.io", resource: "clusterqueues")
    static let resourceFlavors = GroupResource(group: "kueue.x-k8s.io", resource: "resourceflavors")
    static let validatingWebhooks = GroupResource(group: "admissionregistration.k8s.io", resource: "validatingwebhookconfigurations")
    static let mutatingWebhooks = GroupResource(group: "admissionregistration.k8s.io", resource: "mutatingwebhookconfigurations")
}

/// Annotation keys the simulator itself uses on nodes.
enum SimKeys {
    static let gpuModel = "kubesim.platform.gpu/gpu-model"
    static let gpuCount = "kubesim.platform.gpu/gpu-count"
    static let hostDriver = "kubesim.platform.gpu/host-driver"
    static let rdma = "kubesim.platform.gpu/rdma"
}

extension KubeSim {
    // MARK: - Driving the world

    /// Turns the simulated world on (done by `init` when `options.world` is set).
    func startWorld(_ options: WorldOptions) {
        world.enabled = true
        world.options = options
        world.startedAt = self.options.clock.now()
        if options.autoRun {
            Task { [weak self] in
                while let sim = self {
                    await sim.settle()
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        }
    }

    /// Runs reconcile passes until nothing changes (bounded), at the current simulated time.
    public func settle() {
        guard world.enabled else { return }
        for _ in 0..<40 {
            let before = resourceVersion
            worldPass()
            if resourceVersion == before { break }
        }
    }

    /// Moves a `ManualClock` forward in steps of at most one second, settling the world after
    /// each step, so that chains of delayed reactions unfold as they would in real time.
    public func advance(by seconds: TimeInterval) {
        guard let manual = options.clock as? ManualClock else {
            settle()
            return
        }
        var left = seconds
        settle()
        while left > 0 {
            let step = min(1, left)
            manual.advance(by: step)
            left -= step
            settle()
        }
    }

    /// The simulated time now.
    var clockNow: Date { options.clock.now() }

    /// One reconcile pass of every simulated component, in dependency order.
    func worldPass() {
        world.passes += 1
        applyNodeFaults()
        reconcileGPUOperator()
        reconcileNetworkOperator()
        reconcileDRADriver()
        reconcileDeployments()
        reconcileReplicaSets()
        reconcileDaemonSets()
        reconcileStatefulSets()
        reconcileKueue()
        reconcileJobs()
        reconcileVolcanoJobs()
        reconcileResourceClaims()
        schedulePods()
        runKubelets()
        reconcileEndpoints()
        reconcileWorkloadStatus()
        reconcileGPUOperatorStatus()
        reconcileNetworkOperatorStatus()
    }

    // MARK: - Store helpers for controllers

    func info(_ gr: GroupResource) -> ResourceInfo? { registry.resources.first { $0.groupResource == gr } }

    func objects(_ gr: GroupResource, namespace: String? = nil) -> [JSONValue] {
        guard let bucket = store[gr] else { return [] }
        return bucket.keys.sorted().compactMap { k in
            if let namespace, k.namespace != namespace { return nil }
            return bucket[k]?.object
        }
    }

    func object(_ gr: GroupResource, _ namespace: String, _ name: String) -> JSONValue? {
        store[gr]?[ObjectKey(namespace: namespace, name: name)]?.object
    }

    /// Writes a controller's change to an existing object when it differs.
    @discardableResult
    func put(_ gr: GroupResource, _ new: JSONValue) -> JSONValue {
        let key = Unstructured(new).key
        guard let current = store[gr]?[key]?.object else { return new }
        if current == new { return current }
        return commit(gr, new, old: current)
    }

    /// Creates an object as a controller; nil when the store refuses it (e.g. name taken).
    @discardableResult
    func make(_ gr: GroupResource, _ obj: JSONValue) -> JSONValue? {
        guard let info = info(gr) else { return nil }
        var w: [String] = []
        return try? createObject(info, obj, manager: "kubesim-controller", dryRun: false, validation: "Ignore", warnings: &w)
    }

    func destroy(_ gr: GroupResource, _ obj: JSONValue) {
        guard let info = info(gr), obj["metadata"]?["deletionTimestamp"] == nil else { return }
        _ = deleteObject(info, obj, propagation: "Background", dryRun: false)
    }

    func ownerRef(_ owner: JSONValue, kind: String, apiVersion: String, controller: Bool = true) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(Unstructured(owner).name),
         "uid": .string(owner["metadata"]?["uid"]?.stringValue ?? ""), "controller": .bool(controller),
         "blockOwnerDeletion": true]
    }

    func isOwned(_ obj: JSONValue, by owner: JSONValue) -> Bool {
        guard let uid = owner["metadata"]?["uid"]?.stringValue else { return false }
        return (obj["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
    }

    func owned(_ gr: GroupResource, by owner: JSONValue) -> [JSONValue] {
        objects(gr, namespace: Unstructured(owner).namespace).filter { isOwned($0, by: owner) }
    }

    var nowString: String { Timestamps.rfc3339(clockNow) }

    /// The server's Kubernetes minor version (for version-gated behaviour such as DRA v1).
    var kubernetesMinor: Int { Int(options.kubernetesVersion.split(separator: ".").dropFirst().first ?? "") ?? 34 }
}

// MARK: - Small helpers shared by the controllers

extension JSONValue {
    var labelMap: JSONObject { self["metadata"]?["labels"]?.objectValue ?? JSONObject() }
    var annotationMap: JSONObject { self["metadata"]?["annotations"]?.objectValue ?? JSONObject() }
    var uidString: String { self["metadata"]?["uid"]?.stringValue ?? "" }
    var isDeleting: Bool { self["metadata"]?["deletionTimestamp"] != nil }
    func str(_ path: String...) -> String? { self[path: path]?.stringValue }
    func int(_ path: String...) -> Int? { self[path: path]?.intValue.map { Int($0) } }
}

/// matchLabels / matchExpressions as in metav1.LabelSelector.
func selectorMatches(_ selector: JSONValue?, _ labels: JSONObject) -> Bool {
    guard let selector, !selector.isNull else { return false }
    for m in selector["matchLabels"]?.objectValue ?? JSONObject() where labels[m.key]?.stringValue != m.value.stringValue {
        return false
    }
    for e in selector["matchExpressions"]?.arrayValue ?? [] {
        guard requirementMatches(e, value: e["key"]?.stringValue.flatMap { labels[$0]?.stringValue }) else { return false }
    }
    return true
}

/// One node-selector or label-selector requirement against a value (nil = key absent).
func requirementMatches(_ req: JSONValue, value: String?) -> Bool {
    let values = req["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
    switch req["operator"]?.stringValue ?? "" {
    case "In": return value.map(values.contains) ?? false
    case "NotIn": return value.map { !values.contains($0) } ?? true
    case "Exists": return value != nil
    case "DoesNotExist": return value == nil
    case "Gt": return value.flatMap(Int.init).map { v in values.first.flatMap(Int.init).map { v > $0 } ?? false } ?? false
    case "Lt": return value.flatMap(Int.init).map { v in values.first.flatMap(Int.init).map { v < $0 } ?? false } ?? false
    default: return false
    }
}

/// Kubernetes quantities as doubles in base units ("100m" = 0.1, "1Gi" = 1073741824).
enum Quantity {
    static func parse(_ v: JSONValue?) -> Double {
        if let i = v?.intValue { return Double(i) }
        if case .double(let d)? = v { return d }
        guard let s = v?.stringValue?.trimmingCharacters(in: .whitespaces), !s.isEmpty else { return 0 }
        let suffixes: [(String, Double)] = [("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
                                            ("Pi", 1_125_899_906_842_624), ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3),
                                            ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15)]
        for (suffix, mult) in suffixes where s.hasSuffix(suffix) {
            return (Double(s.dropLast(suffix.count)) ?? 0) * mult
        }
        return Double(s) ?? 0
    }

    static func format(_ resource: String, _ v: Double) -> String {
        if resource == "cpu" && v != v.rounded() { return "\(Int((v * 1000).rounded()))m" }
        if resource == "memory" || resource == "ephemeral-storage" {
            let mi = v / 1_048_576
            if mi == mi.rounded() { return "\(Int(mi))Mi" }
        }
        return String(Int(v.rounded()))
    }
}

/// A short stable hash (FNV-1a) for pod-template-hash style names.
func shortHash(_ text: String, length: Int = 10) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    var out = ""
    for _ in 0..<length {
        out.append(alphabet[Int(h % UInt64(alphabet.count))])
        h /= UInt64(alphabet.count)
        if h == 0 { h = 0x9E37_79B9_7F4A_7C15 }
    }
    return out
}

/// Wall-clock time sped up by a factor (`--time-scale`): simulated delays of seconds pass in
/// milliseconds, while timestamps stay plausible.
public struct ScaledClock: SimClock {
    public let origin: Date
    public let scale: Double
    public init(scale: Double, origin: Date = Date()) {
        self.origin = origin
        self.scale = max(0.001, scale)
    }
    public func now() -> Date { origin.addingTimeInterval(Date().timeIntervalSince(origin) * scale) }
}

extension KubeSim {
    /// The REST path of an object, from its apiVersion and kind (tests and tools applying YAML).
    public func restPath(apiVersion: String, kind: String, namespace: String?, name: String) -> String? {
        guard let gv = GroupVersion(apiVersion: apiVersion),
            let info = registry.resources.first(where: { $0.group == gv.group && $0.version == gv.version && $0.kind == kind })
        else { return nil }
        let base = gv.group.isEmpty ? "/api/v1" : "/apis/\(gv.group)/\(gv.version)"
        let ns = info.namespaced ? "/namespaces/\(namespace?.isEmpty == false ? namespace ?? "default" : "default")" : ""
        return "\(base)\(ns)/\(info.plural)/\(name)"
    }
}
