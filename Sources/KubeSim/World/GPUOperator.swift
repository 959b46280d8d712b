import Foundation
import KubeModel

/// The NVIDIA GPU Operator as the cluster sees it: once its Deployment is ready and a
/// ClusterPolicy exists it labels GPU nodes, runs its operand DaemonSets there, and GFD /
/// the device plugin label nodes and advertise capacity from what they loaded at start.
extension KubeSim {
    static let operandNames = [
        "driver": "nvidia-driver-daemonset", "container-toolkit": "nvidia-container-toolkit-daemonset",
        "device-plugin": "nvidia-device-plugin-daemonset", "gpu-feature-discovery": "gpu-feature-discovery",
        "dcgm-exporter": "nvidia-dcgm-exporter", "operator-validator": "nvidia-operator-validator",
        "mig-manager": "nvidia-mig-manager",
    ]

    /// The ClusterPolicy and the namespace of a ready operator, when both exist.
    func gpuOperator() -> (policy: JSONValue, namespace: String)? {
        guard let policy = objects(R.clusterPolicies).first(where: { !$0.isDeleting }),
            let op = deployments(named: "gpu-operator").first(where: deploymentReady)
        else { return nil }
        return (policy, Unstructured(op).namespace)
    }

    func isGPUNode(_ node: JSONValue) -> Bool { node.annotationMap[SimKeys.gpuModel] != nil }

    func gpuModel(_ node: JSONValue) -> GPUModel { GPUModel.named(node.annotationMap[SimKeys.gpuModel]?.stringValue ?? "") }

    func gpuCount(_ node: JSONValue) -> Int { Int(node.annotationMap[SimKeys.gpuCount]?.stringValue ?? "") ?? 0 }

    func enabledComponents(_ policy: JSONValue) -> [String] {
        var out = ["container-toolkit", "gpu-feature-discovery", "operator-validator"]
        func on(_ key: String, default d: Bool = true) -> Bool { policy["spec"]?[key]?["enabled"]?.boolValue ?? d }
        if on("driver") { out.append("driver") }
        if on("devicePlugin") { out.append("device-plugin") }
        if on("dcgmExporter") { out.append("dcgm-exporter") }
        if on("migManager") { out.append("mig-manager") }
        return out
    }

    func reconcileGPUOperator() {
        guard let (policy, ns) = gpuOperator() else { return }
        let components = enabledComponents(policy)
        for node in objects(R.nodes) where isGPUNode(node) {
            var n = node
            let model = gpuModel(node)
            for c in Self.operandNames.keys.sorted() {
                let want = components.contains(c) && (c != "mig-manager" || model.migCapable)
                n.set(path: ["metadata", "labels", "nvidia.com/gpu.deploy.\(c)"], to: want ? "true" : nil)
            }
            n.set(path: ["metadata", "labels", "nvidia.com/gpu.present"], to: "true")
            if model.migCapable && n.labelMap["nvidia.com/mig.config"] == nil && components.contains("mig-manager") {
                n.set(path: ["metadata", "labels", "nvidia.com/mig.config"], to: "all-disabled")
            }
            put(R.nodes, n)
        }
        for c in components {
            guard let name = Self.operandNames[c], object(R.daemonSets, ns, name) == nil else { continue }
            make(R.daemonSets, operandDaemonSet(c, name: name, namespace: ns, policy: policy))
        }
        reconcileMIG(policy, namespace: ns)
        reconcileGPUNodes(policy, namespace: ns)
    }

    func operandDaemonSet(_ component: String, name: String, namespace: String, policy: JSONValue) -> JSONValue {
        let keys = ["driver": "driver", "container-toolkit": "toolkit", "device-plugin": "devicePlugin",
                    "gpu-feature-discovery": "gfd", "dcgm-exporter": "dcgmExporter", "operator-validator": "validator",
                    "mig-manager": "migManager"]
        let spec = policy["spec"]?[keys[component] ?? ""] ?? [:]
        let image = "\(spec["repository"]?.stringValue ?? "nvcr.io/nvidia")/\(spec["image"]?.stringValue ?? name):\(spec["version"]?.stringValue ?? "latest")"
        var selector = JSONObject()
        selector["nvidia.com/gpu.deploy.\(component)"] = "true"
        var podSpec: JSONObject = [
            "nodeSelector": .object(selector),
            "containers": [["name": .string(name.replacingOccurrences(of: "-daemonset", with: "")), "image": .string(image)]],
            "serviceAccountName": .string(name.replacingOccurrences(of: "-daemonset", with: "")),
        ]
        if let t = policy["spec"]?["daemonsets"]?["tolerations"] { podSpec["tolerations"] = t }
        if let pc = policy["spec"]?["daemonsets"]?["priorityClassName"] { podSpec["priorityClassName"] = pc }
        return [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": ["name": .string(name), "namespace": .string(namespace),
                         "labels": ["app": .string(name), "app.kubernetes.io/managed-by": "gpu-operator",
                                    "app.kubernetes.io/part-of": "nvidia-gpu"],
                         "ownerReferences": [ownerRef(policy, kind: "ClusterPolicy", apiVersion: "nvidia.com/v1")]],
            "spec": ["selector": ["matchLabels": ["app": .string(name)]],
                     "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "1"]],
                     "template": ["metadata": ["labels": ["app": .string(name), "app.kubernetes.io/part-of": "nvidia-gpu"]],
                                  "spec": .object(podSpec)]],
        ]
    }

    /// The Ready operand pod of a DaemonSet on a node.
    func operandPod(_ daemonSet: String, namespace: String, node: String) -> JSONValue? {
        guard let ds = object(R.daemonSets, namespace, daemonSet) else { return nil }
        return livePods(ds).first { $0.str("spec", "nodeName") == node && Self.isReady($0) }
    }

    /// Called when a pod starts running: plugins load their configuration then, which is why
    /// a changed time-slicing ConfigMap only counts after a restart.
    func podStarted(_ pod: JSONValue, node: JSONValue) {
        let owner = pod["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue
        if owner == "nvidia-device-plugin-daemonset", let (policy, ns) = gpuOperator() {
            let nodeName = Unstructured(node).name
            world.devicePluginConfig[nodeName] = loadDevicePluginConfig(policy, namespace: ns, node: node, podUID: pod.uidString)
        }
    }

    func loadDevicePluginConfig(_ policy: JSONValue, namespace: String, node: JSONValue, podUID: String) -> DevicePluginSnapshot {
        var snap = DevicePluginSnapshot(replicas: 1, renameByDefault: false, podUID: podUID)
        guard let cmName = policy.str("spec", "devicePlugin", "config", "name"), !cmName.isEmpty,
            let cm = object(R.configMaps, namespace, cmName)
        else { return snap }
        let key = node.labelMap["nvidia.com/device-plugin.config"]?.stringValue ?? policy.str("spec", "devicePlugin", "config", "default")
            ?? cm["data"]?.objectValue?.keys.first ?? ""
        guard let text = cm["data"]?[key]?.stringValue, let doc = try? JSONValue.parseYAMLStream(text).first else { return snap }
        let ts = doc["sharing"]?["timeSlicing"]
        snap.renameByDefault = ts?["renameByDefault"]?.boolValue ?? false
        for r in ts?["resources"]?.arrayValue ?? [] where r["name"]?.stringValue == "nvidia.com/gpu" {
            snap.replicas = max(1, Int(r["replicas"]?.intValue ?? 1))
        }
        return snap
    }

    // MARK: - MIG manager

    func reconcileMIG(_ policy: JSONValue, namespace: String) {
        let now = clockNow
        for node in objects(R.nodes) where isGPUNode(node) && gpuModel(node).migCapable {
            let name = Unstructured(node).name
            guard operandPod("nvidia-mig-manager", namespace: namespace, node: name) != nil,
                let config = node.labelMap["nvidia.com/mig.config"]?.stringValue
            else { continue }
            var n = node
            let state = node.labelMap["nvidia.com/mig.config.state"]?.stringValue
            if world.migRequested[name]?.config != config {
                world.migRequested[name] = (config, now)
                if state != nil || config != "all-disabled" {
                    n.set(path: ["metadata", "labels", "nvidia.com/mig.config.state"], to: "pending")
                    put(R.nodes, n)
                    continue
                }
            }
            guard let req = world.migRequested[name], state == "pending" || state == nil else { continue }
            guard now.timeIntervalSince(req.at) >= world.options.migSeconds || state == nil else { continue }
            let ok = gpuModel(node).migLayout(config) != nil
            n.set(path: ["metadata", "labels", "nvidia.com/mig.config.state"], to: ok ? "success" : "failed")
            put(R.nodes, n)
        }
    }

    /// The MIG devices per GPU that are in effect on a node (empty: MIG off).
    func migDevices(_ node: JSONValue) -> [String: Int] {
        guard node.labelMap["nvidia.com/mig.config.state"]?.stringValue == "success",
            let config = node.labelMap["nvidia.com/mig.config"]?.stringValue
        else { return [:] }
        return gpuModel(node).migLayout(config) ?? [:]
    }

    // MARK: - GFD labels and device-plugin capacity

    func reconcileGPUNodes(_ policy: JSONValue, namespace: String) {
        let strategy = policy.str("spec", "mig", "strategy") ?? "single"
        for node in objects(R.nodes) where isGPUNode(node) {
            let name = Unstructured(node).name
            let model = gpuModel(node)
            let count = gpuCount(node)
            let mig = migDevices(node)
            var n = node
            let snap = world.devicePluginConfig[name]
            let dpPod = operandPod("nvidia-device-plugin-daemonset", namespace: namespace, node: name)
            // A snapshot from a pod that is gone (restart in progress) no longer serves.
            let plugin = dpPod != nil && snap?.podUID == dpPod?.uidString ? snap : nil
            let replicas = plugin?.replicas ?? 1
            if operandPod("gpu-feature-discovery", namespace: namespace, node: name) != nil {
                var labels: [String: String?] = [
                    "nvidia.com/gpu.present": "true", "nvidia.com/gpu.family": model.family,
                    "nvidia.com/gpu.compute.major": String(model.computeMajor), "nvidia.com/gpu.compute.minor": String(model.computeMinor),
                    "nvidia.com/cuda.driver-version.full": GPUModel.driverVersion, "nvidia.com/cuda.driver.major": "580",
                    "nvidia.com/cuda.runtime-version.full": GPUModel.cudaVersion, "nvidia.com/cuda.runtime.major": "13",
                    "nvidia.com/gpu.machine": "kubesim", "nvidia.com/mig.capable": model.migCapable ? "true" : "false",
                    "nvidia.com/mig.strategy": strategy, "nvidia.com/gfd.timestamp": String(Int(clockNow.timeIntervalSince1970)),
                ]
                var product = model.product, gpuLabelCount = count, memory = model.memoryMiB
                if !mig.isEmpty && strategy == "single", mig.count == 1, let (profile, per) = mig.first, let p = model.migProfile(profile) {
                    product += "-MIG-\(profile)"
                    gpuLabelCount = count * per
                    memory = p.memoryMiB
                    labels["nvidia.com/gpu.slices.gi"] = String(p.slices)
                    labels["nvidia.com/gpu.slices.ci"] = String(p.slices)
                    labels["nvidia.com/gpu.multiprocessors"] = String(p.slices * 16)
                }
                if replicas > 1 {
                    if !(plugin?.renameByDefault ?? false) { product += "-SHARED" }
                    labels["nvidia.com/gpu.sharing-strategy"] = "time-slicing"
                } else {
                    labels["nvidia.com/gpu.sharing-strategy"] = "none"
                }
                labels["nvidia.com/gpu.replicas"] = String(replicas)
                labels["nvidia.com/gpu.product"] = product
                labels["nvidia.com/gpu.count"] = String(gpuLabelCount)
                labels["nvidia.com/gpu.memory"] = String(memory)
                for m in node.labelMap where m.key.hasPrefix("nvidia.com/mig-") { labels[m.key] = String?.none }
                if strategy == "mixed" {
                    for (profile, per) in mig {
                        guard let p = model.migProfile(profile) else { continue }
                        labels["nvidia.com/mig-\(profile).count"] = String(per * count)
                        labels["nvidia.com/mig-\(profile).memory"] = String(p.memoryMiB)
                        labels["nvidia.com/mig-\(profile).slices.gi"] = String(p.slices)
                        labels["nvidia.com/mig-\(profile).slices.ci"] = String(p.slices)
                        labels["nvidia.com/mig-\(profile).product"] = "\(model.product)-MIG-\(profile)"
                    }
                }
                // The timestamp only moves when something else changes, to keep passes quiet.
                var probe = n
                for (k, v) in labels where k != "nvidia.com/gfd.timestamp" { probe.set(path: ["metadata", "labels", k], to: v.map { .string($0) }) }
                if probe != n {
                    for (k, v) in labels { n.set(path: ["metadata", "labels", k], to: v.map { .string($0) }) }
                }
            }
            // Capacity the device plugin advertises.
            var resources: [String: Int] = [:]
            if dpPod != nil {
                if mig.isEmpty {
                    resources[(plugin?.renameByDefault ?? false) && replicas > 1 ? "nvidia.com/gpu.shared" : "nvidia.com/gpu"] = count * replicas
                } else if strategy == "mixed" {
                    resources["nvidia.com/gpu"] = 0
                    for (profile, per) in mig { resources["nvidia.com/mig-\(profile)"] = per * count }
                } else if strategy == "single" {
                    resources["nvidia.com/gpu"] = mig.count == 1 ? count * (mig.first?.value ?? 0) : 0
                } else {
                    resources["nvidia.com/gpu"] = count
                }
            }
            setExtendedResources(&n, prefix: "nvidia.com/", resources)
            put(R.nodes, n)
        }
    }

    /// Replaces the node's extended resources under a prefix in capacity and allocatable.
    func setExtendedResources(_ n: inout JSONValue, prefix: String, _ resources: [String: Int]) {
        for field in ["capacity", "allocatable"] {
            var o = n["status"]?[field]?.objectValue ?? JSONObject()
            for k in o.keys where k.hasPrefix(prefix) && resources[k] == nil { o[k] = nil }
            for (k, v) in resources.sorted(by: { $0.key < $1.key }) { o[k] = .string(String(v)) }
            n.set(path: ["status", field], to: .object(o))
        }
    }

    /// A host driver on the node while the operator also installs one: the driver pod
    /// crash-loops and the node goes NotReady.
    func hostDriverConflict(_ node: JSONValue) -> Bool {
        guard node.annotationMap[SimKeys.hostDriver]?.stringValue == "true",
            let policy = objects(R.clusterPolicies).first,
            policy["spec"]?["driver"]?["enabled"]?.boolValue ?? true
        else { return false }
        return objects(R.pods).contains {
            $0.str("spec", "nodeName") == Unstructured(node).name && !$0.isDeleting
                && $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue == "nvidia-driver-daemonset"
        }
    }

    func crashReason(_ pod: JSONValue, node: JSONValue) -> String? {
        let owner = pod["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue
        if owner == "nvidia-driver-daemonset" && node.annotationMap[SimKeys.hostDriver]?.stringValue == "true" {
            return "back-off 40s restarting failed container=nvidia-driver-ctr pod=\(Unstructured(pod).name): NVIDIA driver is already loaded on the host (nvidia.ko in use); disable driver.enabled in the ClusterPolicy"
        }
        return nil
    }

    func reconcileGPUOperatorStatus() {
        guard let (policy, ns) = gpuOperator() else { return }
        let names = enabledComponents(policy).compactMap { Self.operandNames[$0] }
        let sets = names.compactMap { object(R.daemonSets, ns, $0) }
        let ready = sets.count == names.count && sets.allSatisfy { ds in
            let desired = ds.int("status", "desiredNumberScheduled") ?? -1
            return desired >= 0 && (ds.int("status", "numberReady") ?? 0) == desired
        }
        var p = policy
        p.set(path: ["status", "state"], to: ready ? "ready" : "notReady")
        p.set(path: ["status", "namespace"], to: .string(ns))
        setCondition(&p, "Ready", ready ? "True" : "False", reason: ready ? "Reconciled" : "OperandNotReady",
                     message: ready ? "" : "ClusterPolicy is not ready, states not ready: [\(sets.filter { ($0.int("status", "numberReady") ?? 0) != ($0.int("status", "desiredNumberScheduled") ?? 0) }.map { Unstructured($0).name }.joined(separator: " "))]")
        setCondition(&p, "Error", ready ? "False" : "True", reason: ready ? "Ready" : "OperandNotReady", message: "")
        put(R.clusterPolicies, p)
    }
}
