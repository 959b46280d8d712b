import Foundation
import KubeModel

/// The NVIDIA Network Operator: with its Deployment ready and a NicClusterPolicy, the RDMA
/// shared device plugin runs on nodes with Mellanox NICs and advertises `rdma/<resourceName>`.
extension KubeSim {
    static let rdmaDaemonSet = "rdma-shared-dp-ds"

    func networkOperator() -> (policy: JSONValue, namespace: String)? {
        guard let policy = objects(R.nicClusterPolicies).first(where: { !$0.isDeleting }),
            let op = deployments(named: "network-operator").first(where: deploymentReady)
        else { return nil }
        return (policy, Unstructured(op).namespace)
    }

    /// resourceName → rdmaHcaMax from the policy's RDMA shared device plugin config.
    func rdmaResources(_ policy: JSONValue) -> [(String, Int)] {
        guard let text = policy.str("spec", "rdmaSharedDevicePlugin", "config"), let cfg = try? JSONValue.parse(text) else { return [] }
        return (cfg["configList"]?.arrayValue ?? []).compactMap { c in
            guard let name = c["resourceName"]?.stringValue else { return nil }
            return (name, Int(c["rdmaHcaMax"]?.intValue ?? 1000))
        }
    }

    func reconcileNetworkOperator() {
        guard let (policy, ns) = networkOperator() else { return }
        if policy["spec"]?["rdmaSharedDevicePlugin"] != nil, object(R.daemonSets, ns, Self.rdmaDaemonSet) == nil {
            let image = "\(policy.str("spec", "rdmaSharedDevicePlugin", "repository") ?? "ghcr.io/mellanox")/\(policy.str("spec", "rdmaSharedDevicePlugin", "image") ?? "k8s-rdma-shared-dev-plugin"):\(policy.str("spec", "rdmaSharedDevicePlugin", "version") ?? "latest")"
            make(R.daemonSets, [
                "apiVersion": "apps/v1", "kind": "DaemonSet",
                "metadata": ["name": .string(Self.rdmaDaemonSet), "namespace": .string(ns),
                             "labels": ["app": "rdma-shared-dp", "nvidia.com/ofed-driver-upgrade-drain.skip": "true"],
                             "ownerReferences": [ownerRef(policy, kind: "NicClusterPolicy", apiVersion: "mellanox.com/v1alpha1")]],
                "spec": ["selector": ["matchLabels": ["app": "rdma-shared-dp"]],
                         "template": ["metadata": ["labels": ["app": "rdma-shared-dp"]],
                                      "spec": ["nodeSelector": ["feature.node.kubernetes.io/pci-15b3.present": "true"],
                                               "hostNetwork": true, "tolerations": [["operator": "Exists"]],
                                               "containers": [["name": "rdma-shared-dp", "image": .string(image)]]]]],
            ])
        }
        let resources = rdmaResources(policy)
        for node in objects(R.nodes) {
            let name = Unstructured(node).name
            let running = operandPod(Self.rdmaDaemonSet, namespace: ns, node: name) != nil
            var n = node
            var res: [String: Int] = [:]
            if running { for (r, max) in resources { res["rdma/\(r)"] = max } }
            setExtendedResources(&n, prefix: "rdma/", res)
            put(R.nodes, n)
        }
    }

    func reconcileNetworkOperatorStatus() {
        guard let (policy, ns) = networkOperator() else { return }
        var states: [JSONValue] = []
        var ready = true
        if policy["spec"]?["rdmaSharedDevicePlugin"] != nil {
            let ds = object(R.daemonSets, ns, Self.rdmaDaemonSet)
            let ok = ds.map { ($0.int("status", "numberReady") ?? 0) == ($0.int("status", "desiredNumberScheduled") ?? -1) } ?? false
            ready = ready && ok
            states.append(["name": "state-rdma-device-plugin", "state": .string(ok ? "ready" : "notReady")])
        }
        var p = policy
        p.set(path: ["status", "state"], to: .string(ready ? "ready" : "notReady"))
        p.set(path: ["status", "appliedStates"], to: .array(states))
        setCondition(&p, "Ready", ready ? "True" : "False", reason: ready ? "Ready" : "NotReady", message: "")
        put(R.nicClusterPolicies, p)
    }
}
