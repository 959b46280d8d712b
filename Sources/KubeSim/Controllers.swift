import Foundation
import KubeModel

/// Server-side defaulting for the built-in fields clients rely on.
enum Defaults {
    static func apply(_ info: ResourceInfo, _ obj: inout JSONValue, old: JSONValue?, sim: isolated KubeSim) throws(APIError) {
        normalizeForApply(info, &obj)
        switch (info.group, info.plural) {
        case ("", "namespaces"):
            let name = Unstructured(obj).name
            obj.set(path: ["metadata", "labels", "kubernetes.io/metadata.name"], to: .string(name))
            if obj["spec"]?["finalizers"] == nil { obj.set(path: ["spec", "finalizers"], to: ["kubernetes"]) }
            if obj["status"]?["phase"] == nil { obj.set(path: ["status", "phase"], to: "Active") }
        case ("", "services"):
            if obj["spec"]?["type"] == nil { obj.set(path: ["spec", "type"], to: "ClusterIP") }
            if obj["spec"]?["clusterIP"] == nil {
                if let ip = old?["spec"]?["clusterIP"] { obj.set(path: ["spec", "clusterIP"], to: ip) } else {
                    let ip = sim.allocateClusterIP()
                    obj.set(path: ["spec", "clusterIP"], to: .string(ip))
                    obj.set(path: ["spec", "clusterIPs"], to: [.string(ip)])
                }
            }
            if obj["spec"]?["sessionAffinity"] == nil { obj.set(path: ["spec", "sessionAffinity"], to: "None") }
        case ("", "pods"):
            if obj["status"]?["phase"] == nil && old == nil { obj.set(path: ["status", "phase"], to: "Pending") }
        default:
            break
        }
    }

    /// Defaults that also apply to an applied configuration before merging, so that
    /// list keys (`protocol`) match the stored object.
    static func normalizeForApply(_ info: ResourceInfo, _ obj: inout JSONValue) {
        guard !info.isCustom else { return }
        obj = defaultProtocols(obj)
    }

    static func defaultProtocols(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(var o):
            for m in o {
                if m.key == "ports", let items = m.value.arrayValue {
                    o["ports"] = .array(items.map { item in
                        guard case .object(var p) = item, p["containerPort"] != nil || p["port"] != nil else { return item }
                        if p["protocol"] == nil { p["protocol"] = "TCP" }
                        return .object(p)
                    })
                } else if case .object = m.value {
                    o[m.key] = defaultProtocols(m.value)
                } else if case .array(let a) = m.value, a.contains(where: { $0.objectValue != nil }) {
                    o[m.key] = .array(a.map(defaultProtocols))
                }
            }
            return .object(o)
        default: return v
        }
    }
}

extension KubeSim {
    func allocateClusterIP() -> String {
        let n = (store[GroupResource(group: "", resource: "services")]?.count ?? 0) + 10
        return "10.96.\(n / 250).\(n % 250 + 2)"
    }

    // MARK: - CRDs

    static let crdResource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")

    func validateCRD(_ input: JSONValue, old: JSONValue?) throws(APIError) -> JSONValue {
        var obj = input
        let name = Unstructured(obj).name
        let gk = GroupKind(group: "apiextensions.k8s.io", kind: "CustomResourceDefinition")
        var causes: [APIError.Cause] = []
        let group = obj["spec"]?["group"]?.stringValue ?? ""
        let plural = obj["spec"]?["names"]?["plural"]?.stringValue ?? ""
        let kind = obj["spec"]?["names"]?["kind"]?.stringValue ?? ""
        let scope = obj["spec"]?["scope"]?.stringValue ?? ""
        if group.isEmpty { causes.append(.required("spec.group")) }
        if plural.isEmpty { causes.append(.required("spec.names.plural")) }
        if kind.isEmpty { causes.append(.required("spec.names.kind")) }
        if !["Namespaced", "Cluster"].contains(scope) {
            causes.append(.notSupported("spec.scope", .string(scope), ["Cluster", "Namespaced"]))
        }
        if !group.isEmpty && !plural.isEmpty && name != "\(plural).\(group)" {
            causes.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        let versions = obj["spec"]?["versions"]?.arrayValue ?? []
        if versions.isEmpty { causes.append(.invalid("spec.versions", .array([]), "must have exactly one version marked as storage version")) }
        let storage = versions.filter { $0["storage"]?.boolValue == true }
        if !versions.isEmpty && storage.count != 1 {
            causes.append(.invalid("spec.versions", .int(Int64(storage.count)), "must have exactly one version marked as storage version"))
        }
        if !causes.isEmpty { throw APIError.invalid(gk, name, causes) }
        // The CRD controllers' work, done at once: names accepted, established.
        let t = now
        var names = obj["spec"]?["names"]?.objectValue ?? JSONObject()
        if names["singular"] == nil { names["singular"] = .string(kind.lowercased()) }
        if names["listKind"] == nil { names["listKind"] = .string(kind + "List") }
        obj.set(path: ["spec", "names"], to: .object(names))
        let oldConditions = old?["status"]?["conditions"]
        let conditions: JSONValue = oldConditions ?? [
            ["type": "NamesAccepted", "status": "True", "lastTransitionTime": .string(t), "reason": "NoConflicts",
             "message": "no conflicts found"],
            ["type": "Established", "status": "True", "lastTransitionTime": .string(t), "reason": "InitialNamesAccepted",
             "message": "the initial names have been accepted"],
        ]
        var stored = old?["status"]?["storedVersions"]?.arrayValue ?? []
        if let sv = storage.first?["name"], !stored.contains(sv) { stored.append(sv) }
        obj["status"] = ["conditions": conditions, "acceptedNames": .object(names), "storedVersions": .array(stored)]
        return obj
    }

    func registerCRD(_ crd: JSONValue) {
        let spec = crd["spec"] ?? .null
        guard let group = spec["group"]?.stringValue, let plural = spec["names"]?["plural"]?.stringValue,
            let kind = spec["names"]?["kind"]?.stringValue
        else { return }
        let gr = GroupResource(group: group, resource: plural)
        registry.removeGroupResource(gr)
        let storageVersion = spec["versions"]?.arrayValue?.first { $0["storage"]?.boolValue == true }?["name"]?.stringValue ?? ""
        for v in spec["versions"]?.arrayValue ?? [] where v["served"]?.boolValue != false {
            guard let version = v["name"]?.stringValue else { continue }
            var info = ResourceInfo(group: group, version: version, plural: plural, kind: kind,
                                    namespaced: spec["scope"]?.stringValue == "Namespaced",
                                    shortNames: spec["names"]?["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                    categories: spec["names"]?["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                    status: v["subresources"]?["status"] != nil, scale: v["subresources"]?["scale"] != nil)
            info.singular = spec["names"]?["singular"]?.stringValue ?? kind.lowercased()
            info.isCustom = true
            info.schema = v["schema"]?["openAPIV3Schema"]
            info.storageVersion = storageVersion
            if let scale = v["subresources"]?["scale"] {
                func path(_ s: String?) -> [String]? {
                    s.map { $0.split(separator: ".").map(String.init) }
                }
                info.scaleSpecPath = path(scale["specReplicasPath"]?.stringValue) ?? ["spec", "replicas"]
                info.scaleStatusPath = path(scale["statusReplicasPath"]?.stringValue) ?? ["status", "replicas"]
                info.scaleSelectorPath = path(scale["labelSelectorPath"]?.stringValue)
            }
            info.printerColumns = (v["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { c in
                guard let name = c["name"]?.stringValue, let jp = c["jsonPath"]?.stringValue else { return nil }
                return PrinterColumn(name: name, type: c["type"]?.stringValue ?? "string", format: c["format"]?.stringValue ?? "",
                                     description: c["description"]?.stringValue ?? "", priority: Int(c["priority"]?.intValue ?? 0),
                                     jsonPath: jp)
            }
            registry.add(info)
        }
    }

    func unregisterCRD(_ crd: JSONValue) {
        guard let group = crd["spec"]?["group"]?.stringValue, let plural = crd["spec"]?["names"]?["plural"]?.stringValue else { return }
        let gr = GroupResource(group: group, resource: plural)
        for key in (store[gr] ?? [:]).keys.sorted() { _ = remove(gr, key) }
        store[gr] = nil
        registry.removeGroupResource(gr)
    }

    // MARK: - Write hooks

    func afterWrite(_ info: ResourceInfo, _ obj: JSONValue, old: JSONValue?) {
        if info.groupResource == Self.crdResource {
            registerCRD(obj)
        }
        if info.groupResource == GroupResource(group: "", resource: "namespaces") && old == nil {
            let ns = Unstructured(obj).name
            _ = try? createInternal(GroupResource(group: "", resource: "serviceaccounts"),
                                    ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(ns)]])
        }
        if obj["metadata"]?["deletionTimestamp"] != nil {
            runFinalizers(info, obj)
        }
    }

    func afterDelete(_ info: ResourceInfo, _ obj: JSONValue) {
        if info.groupResource == Self.crdResource { unregisterCRD(obj) }
        collectDependents(of: obj, orphan: false)
    }

    /// Garbage collection of objects whose owner is gone (background propagation), or
    /// removal of the owner reference (orphan).
    func collectDependents(of owner: JSONValue, orphan: Bool) {
        guard let uid = owner["metadata"]?["uid"]?.stringValue, let refs = dependents[uid] else { return }
        for ref in refs.sorted(by: { ($0.resource.resource, $0.key) < ($1.resource.resource, $1.key) }) {
            guard let s = stored(ref.resource, ref.key),
                let info = registry.resources.first(where: { $0.groupResource == ref.resource })
            else { continue }
            let owners = s.object["metadata"]?["ownerReferences"]?.arrayValue ?? []
            let remaining = owners.filter { $0["uid"]?.stringValue != uid }
            if orphan || !remaining.isEmpty {
                var obj = s.object
                obj.set(path: ["metadata", "ownerReferences"], to: remaining.isEmpty ? nil : .array(remaining))
                commit(ref.resource, obj, old: s.object)
            } else {
                deleteObject(info, s.object, propagation: "Background", dryRun: false)
            }
        }
    }

    /// The finalizers the control plane itself handles: namespace content removal,
    /// foreground deletion and orphaning.
    func runFinalizers(_ info: ResourceInfo, _ obj: JSONValue) {
        let key = Unstructured(obj).key
        var current = obj
        var finalizers = Unstructured(current).finalizers
        if finalizers.contains("foregroundDeletion") {
            if let uid = current["metadata"]?["uid"]?.stringValue {
                for ref in dependents[uid] ?? [] {
                    guard let s = stored(ref.resource, ref.key),
                        let depInfo = registry.resources.first(where: { $0.groupResource == ref.resource })
                    else { continue }
                    deleteObject(depInfo, s.object, propagation: "Foreground", dryRun: false)
                }
            }
            if hasDependents(current) { return }
            finalizers.removeAll { $0 == "foregroundDeletion" }
        }
        if finalizers.contains("orphan") {
            collectDependents(of: current, orphan: true)
            finalizers.removeAll { $0 == "orphan" }
        }
        let isNamespace = info.groupResource == GroupResource(group: "", resource: "namespaces")
        if isNamespace {
            let ns = key.name
            var remaining = 0
            for r in registry.resources where r.namespaced {
                for (k, s) in store[r.groupResource] ?? [:] where k.namespace == ns {
                    if s.object["metadata"]?["deletionTimestamp"] == nil {
                        deleteObject(r, s.object, propagation: "Background", dryRun: false)
                    }
                    if stored(r.groupResource, k) != nil { remaining += 1 }
                }
            }
            guard let latest = stored(info.groupResource, key) else { return }
            current = latest.object
            if remaining > 0 { return }
            current.set(path: ["spec", "finalizers"], to: nil)
        }
        if finalizers != Unstructured(current).finalizers || isNamespace {
            guard let latest = stored(info.groupResource, key) else { return }
            current = latest.object
            current.set(path: ["metadata", "finalizers"], to: finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }))
            if isNamespace { current.set(path: ["spec", "finalizers"], to: nil) }
            if finalizers.isEmpty && (!isNamespace || current["spec"]?["finalizers"] == nil) {
                let committed = commit(info.groupResource, current, old: latest.object)
                _ = remove(info.groupResource, key)
                afterDelete(info, committed)
            } else {
                commit(info.groupResource, current, old: latest.object)
            }
        }
    }
}

/// Node shapes for `--nodes 2xH100-80GB,1xcpu`: `COUNTxMODEL[:GPUS][:OPTION...]`, GPUS per
/// node default 8; options `hostdriver` (an NVIDIA driver is installed on the host), `taint`
/// (the `nvidia.com/gpu=present:NoSchedule` taint GPU node pools usually carry), `nordma`
/// (no Mellanox NIC on the node).
public struct NodeSpec: Sendable, Equatable {
    public var count: Int
    public var model: String
    public var gpusPerNode: Int
    public var hostDriver: Bool = false
    public var gpuTaint: Bool = false
    public var rdma: Bool = true

    public init(count: Int, model: String, gpusPerNode: Int, hostDriver: Bool = false, gpuTaint: Bool = false, rdma: Bool = true) {
        self.count = count
        self.model = model
        self.gpusPerNode = gpusPerNode
        self.hostDriver = hostDriver
        self.gpuTaint = gpuTaint
        self.rdma = rdma
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws(ParseError) -> [NodeSpec] {
        var out: [NodeSpec] = []
        for raw in text.split(separator: ",") {
            let item = raw.trimmingCharacters(in: .whitespaces)
            guard let x = item.firstIndex(of: "x"), let n = Int(item[..<x]), n > 0 else {
                throw ParseError(description: "invalid node spec \"\(item)\": expected COUNTxMODEL such as 2xH100-80GB or 1xcpu")
            }
            let parts = item[item.index(after: x)...].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let model = parts.first ?? ""
            guard !model.isEmpty else { throw ParseError(description: "invalid node spec \"\(item)\": missing model") }
            var spec = NodeSpec(count: n, model: model, gpusPerNode: model.lowercased() == "cpu" ? 0 : 8)
            for opt in parts.dropFirst() {
                switch opt.lowercased() {
                case "hostdriver": spec.hostDriver = true
                case "taint": spec.gpuTaint = true
                case "nordma": spec.rdma = false
                default:
                    guard let g = Int(opt), g >= 0 else {
                        throw ParseError(description: "invalid option \"\(opt)\" in node spec \"\(item)\" (expected a GPU count, hostdriver, taint or nordma)")
                    }
                    spec.gpusPerNode = g
                }
            }
            out.append(spec)
        }
        return out
    }

    /// Product names as GPU feature discovery labels them.
    static func productName(_ model: String) -> String {
        switch model.uppercased() {
        case "H100-80GB": return "NVIDIA-H100-80GB-HBM3"
        case "H200-141GB", "H200": return "NVIDIA-H200"
        case "A100-40GB": return "NVIDIA-A100-SXM4-40GB"
        case "A100-80GB": return "NVIDIA-A100-SXM4-80GB"
        case "L4": return "NVIDIA-L4"
        default: return "NVIDIA-" + model.uppercased()
        }
    }

    /// Cloud-like instance types for the node label.
    static func instanceType(_ spec: NodeSpec) -> String {
        switch (spec.model.uppercased(), spec.gpusPerNode) {
        case ("H100-80GB", 8): return "p5.48xlarge"
        case ("A100-40GB", 8): return "p4d.24xlarge"
        case ("A100-80GB", 8): return "p4de.24xlarge"
        case ("H200-141GB", 8), ("H200", 8): return "p5e.48xlarge"
        case ("CPU", _): return "m6i.4xlarge"
        default: return "gpu-\(spec.model.lowercased())x\(spec.gpusPerNode)"
        }
    }

    static func nodeObjects(_ specs: [NodeSpec], now: String, version: String = "1.34.1") -> [JSONValue] {
        var out: [JSONValue] = []
        for spec in specs {
            let base = spec.model.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" }
            let prefix = "\(spec.gpusPerNode > 0 ? "gpu-" : "")\(base)-"
            for _ in 0..<spec.count {
                let name = "\(prefix)\(out.filter { Unstructured($0).name.hasPrefix(prefix) }.count)"
                var labels: JSONObject = [
                    "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
                    "node.kubernetes.io/instance-type": .string(instanceType(spec)),
                    "topology.kubernetes.io/region": "sim-region-1", "topology.kubernetes.io/zone": "sim-region-1a",
                ]
                var annotations: JSONObject = ["node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"]
                if spec.gpusPerNode > 0 {
                    labels["feature.node.kubernetes.io/pci-10de.present"] = "true"
                    if spec.rdma { labels["feature.node.kubernetes.io/pci-15b3.present"] = "true" }
                    annotations["kubesim.platform.gpu/gpu-model"] = .string(productName(spec.model))
                    annotations["kubesim.platform.gpu/gpu-count"] = .string(String(spec.gpusPerNode))
                    if spec.hostDriver { annotations["kubesim.platform.gpu/host-driver"] = "true" }
                }
                let capacity: JSONValue = ["cpu": spec.gpusPerNode > 0 ? "192" : "16",
                                           "memory": spec.gpusPerNode > 0 ? "2113459Mi" : "65536Mi",
                                           "pods": "110", "ephemeral-storage": "3836Gi", "hugepages-1Gi": "0", "hugepages-2Mi": "0"]
                let allocatable: JSONValue = ["cpu": spec.gpusPerNode > 0 ? "191500m" : "15500m",
                                              "memory": spec.gpusPerNode > 0 ? "2111362Mi" : "64512Mi",
                                              "pods": "110", "ephemeral-storage": "3500Gi", "hugepages-1Gi": "0", "hugepages-2Mi": "0"]
                var nodeSpec: JSONValue = ["podCIDR": .string("10.244.\(out.count).0/24"), "podCIDRs": [.string("10.244.\(out.count).0/24")],
                                           "providerID": .string("kubesim://\(name)")]
                if spec.gpuTaint && spec.gpusPerNode > 0 {
                    nodeSpec["taints"] = [["key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"]]
                }
                func cond(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
                    ["type": .string(type), "status": .string(status), "reason": .string(reason), "message": .string(message),
                     "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)]
                }
                out.append([
                    "apiVersion": "v1", "kind": "Node",
                    "metadata": ["name": .string(name), "labels": .object(labels), "annotations": .object(annotations)],
                    "spec": nodeSpec,
                    "status": [
                        "capacity": capacity, "allocatable": allocatable,
                        "conditions": [
                            cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                            cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                            cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                            cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                        ],
                        "addresses": [["type": "InternalIP", "address": .string("10.0.0.\(out.count + 10)")],
                                      ["type": "Hostname", "address": .string(name)]],
                        "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                        "nodeInfo": ["kubeletVersion": .string("v" + version), "containerRuntimeVersion": "containerd://2.1.4",
                                     "kernelVersion": "6.8.0-1015-kubesim", "osImage": "Ubuntu 24.04.3 LTS", "operatingSystem": "linux",
                                     "architecture": "amd64", "kubeProxyVersion": "", "machineID": .string(shortHash(name, length: 32)),
                                     "systemUUID": .string(shortHash(name + "uuid", length: 32)), "bootID": .string(shortHash(name + "boot", length: 32))],
                    ],
                ])
            }
        }
        return out
    }
}
