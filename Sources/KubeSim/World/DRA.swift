import Foundation
import KubeModel

/// Dynamic Resource Allocation: the NVIDIA DRA driver's kubelet plugin publishes
/// ResourceSlices for its node; the resource-claim controller makes claims from templates;
/// the scheduler allocates devices. Needs resource.k8s.io/v1, i.e. Kubernetes 1.34+.
extension KubeSim {
    static let draDriver = "gpu.nvidia.com"

    func reconcileDRADriver() {
        guard let ds = objects(R.daemonSets).first(where: { Unstructured($0).name.hasSuffix("dra-driver-gpu-kubelet-plugin") }) else {
            return
        }
        // The driver talks resource.k8s.io/v1; below 1.34 it cannot publish anything.
        guard kubernetesMinor >= 34 else { return }
        for node in objects(R.nodes) where isGPUNode(node) {
            let nodeName = Unstructured(node).name
            let running = livePods(ds).contains { $0.str("spec", "nodeName") == nodeName && Self.isReady($0) }
            let sliceName = "\(nodeName)-gpu.nvidia.com-\(shortHash(nodeName, length: 5))"
            let existing = object(R.resourceSlices, "", sliceName)
            guard running else {
                if let existing { destroy(R.resourceSlices, existing) }
                continue
            }
            let model = gpuModel(node)
            let devices: [JSONValue] = (0..<gpuCount(node)).map { i in
                ["name": .string("gpu-\(i)"),
                 "attributes": ["type": ["string": "gpu"], "index": ["int": .int(Int64(i))],
                                "uuid": ["string": .string(gpuUUID(nodeName, i))],
                                "productName": ["string": .string(model.smiName)], "brand": ["string": "Nvidia"],
                                "architecture": ["string": .string(model.family.capitalized)],
                                "cudaComputeCapability": ["version": .string("\(model.computeMajor).\(model.computeMinor).0")],
                                "driverVersion": ["version": .string(GPUModel.driverVersion)],
                                "cudaDriverVersion": ["version": .string(GPUModel.cudaVersion + ".0")],
                                "pcieBusID": ["string": .string(String(format: "0000:%02x:00.0", 0x18 + i * 0x10))]],
                 "capacity": ["memory": ["value": .string("\(model.memoryMiB)Mi")]]]
            }
            var slice: JSONValue = [
                "apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice",
                "metadata": ["name": .string(sliceName), "ownerReferences": [ownerRef(node, kind: "Node", apiVersion: "v1", controller: true)]],
                "spec": ["driver": .string(Self.draDriver), "nodeName": .string(nodeName),
                         "pool": ["name": .string(nodeName), "generation": 1, "resourceSliceCount": 1],
                         "devices": .array(devices)],
            ]
            if let existing {
                slice["metadata"] = existing["metadata"]
                put(R.resourceSlices, slice)
            } else {
                make(R.resourceSlices, slice)
            }
        }
    }

    func gpuUUID(_ node: String, _ index: Int) -> String {
        let h = shortHash("\(node)/\(index)", length: 32).unicodeScalars.map { String(format: "%02x", Int($0.value) % 256) }.joined()
        let hex = Array(h.prefix(32))
        func part(_ r: Range<Int>) -> String { String(hex[r]) }
        return "GPU-\(part(0..<8))-\(part(8..<12))-\(part(12..<16))-\(part(16..<20))-\(part(20..<32))"
    }

    /// Creates ResourceClaims for pods' claim templates and records them in pod status.
    func reconcileResourceClaims() {
        for pod in objects(R.pods) where !pod.isDeleting && pod.str("spec", "nodeName") == nil {
            let refs = pod["spec"]?["resourceClaims"]?.arrayValue ?? []
            guard !refs.isEmpty else { continue }
            let ns = Unstructured(pod).namespace
            var statuses = pod["status"]?["resourceClaimStatuses"]?.arrayValue ?? []
            var changed = false
            for ref in refs {
                guard let refName = ref["name"]?.stringValue, let tmplName = ref["resourceClaimTemplateName"]?.stringValue,
                    !statuses.contains(where: { $0["name"]?.stringValue == refName })
                else { continue }
                guard let tmpl = object(R.resourceClaimTemplates, ns, tmplName) else { continue }
                let claimName = "\(Unstructured(pod).name)-\(refName)-\(shortHash(pod.uidString + refName, length: 5))"
                if object(R.resourceClaims, ns, claimName) == nil {
                    make(R.resourceClaims, [
                        "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
                        "metadata": ["name": .string(claimName), "namespace": .string(ns),
                                     "annotations": ["resource.kubernetes.io/pod-claim-name": .string(refName)],
                                     "ownerReferences": [ownerRef(pod, kind: "Pod", apiVersion: "v1")]],
                        "spec": tmpl["spec"]?["spec"] ?? [:],
                    ])
                }
                statuses.append(["name": .string(refName), "resourceClaimName": .string(claimName)])
                changed = true
            }
            if changed {
                var p = pod
                p.set(path: ["status", "resourceClaimStatuses"], to: .array(statuses))
                put(R.pods, p)
            }
        }
    }

    /// The pod's claims, or nil while one of them does not exist yet.
    func podClaims(_ pod: JSONValue) -> [JSONValue]? {
        let refs = pod["spec"]?["resourceClaims"]?.arrayValue ?? []
        if refs.isEmpty { return [] }
        let ns = Unstructured(pod).namespace
        let statuses = pod["status"]?["resourceClaimStatuses"]?.arrayValue ?? []
        var out: [JSONValue] = []
        for ref in refs {
            let name = ref["resourceClaimName"]?.stringValue
                ?? statuses.first { $0["name"] == ref["name"] }?["resourceClaimName"]?.stringValue
            guard let name, let claim = object(R.resourceClaims, ns, name) else { return nil }
            out.append(claim)
        }
        return out
    }

    /// What a DeviceClass selects: the driver and the `type` attribute its CEL names.
    func deviceClassFilter(_ className: String) -> (driver: String, type: String?)? {
        guard let dc = object(R.deviceClasses, "", className) else { return nil }
        var driver: String?, type: String?
        for sel in dc["spec"]?["selectors"]?.arrayValue ?? [] {
            let expr = sel["cel"]?["expression"]?.stringValue ?? ""
            driver = driver ?? Self.quoted(after: "device.driver ==", in: expr)
            type = type ?? Self.quoted(after: ".type ==", in: expr)
        }
        guard let driver else { return nil }
        return (driver, type)
    }

    static func quoted(after marker: String, in text: String) -> String? {
        guard let r = text.range(of: marker) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " }
        guard let q = rest.first, q == "'" || q == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != q })
    }

    struct DRAAllocation {
        var results: [(claim: JSONValue, devices: [(request: String, driver: String, pool: String, device: String)])]
    }

    /// Devices on `node` for all unallocated claims, or nil when they do not fit.
    func draAllocation(_ claims: [JSONValue], node: String) -> DRAAllocation? {
        var taken = Set<String>()
        for c in objects(R.resourceClaims) {
            for r in c["status"]?["allocation"]?["devices"]?["results"]?.arrayValue ?? [] {
                taken.insert("\(r["pool"]?.stringValue ?? "")/\(r["device"]?.stringValue ?? "")")
            }
        }
        let slices = objects(R.resourceSlices).filter { $0.str("spec", "nodeName") == node }
        var out = DRAAllocation(results: [])
        for claim in claims {
            if let sel = claim["status"]?["allocation"]?["nodeSelector"] {
                // Already allocated: the pod must go where the devices are.
                let onNode = sel["nodeSelectorTerms"]?.arrayValue?.first?["matchFields"]?.arrayValue?.first?["values"]?.arrayValue?.first?.stringValue
                if onNode != nil && onNode != node { return nil }
                continue
            }
            var picked: [(String, String, String, String)] = []
            for req in claim["spec"]?["devices"]?["requests"]?.arrayValue ?? [] {
                let exactly = req["exactly"] ?? req
                guard let className = exactly["deviceClassName"]?.stringValue, let filter = deviceClassFilter(className) else { return nil }
                let all = exactly["allocationMode"]?.stringValue == "All"
                let want = Int(exactly["count"]?.intValue ?? 1)
                var got = 0
                for s in slices where s.str("spec", "driver") == filter.driver {
                    let pool = s.str("spec", "pool", "name") ?? node
                    for d in s["spec"]?["devices"]?.arrayValue ?? [] {
                        guard all || got < want, let dn = d["name"]?.stringValue, !taken.contains("\(pool)/\(dn)") else { continue }
                        if let t = filter.type, d["attributes"]?["type"]?["string"]?.stringValue != t { continue }
                        taken.insert("\(pool)/\(dn)")
                        picked.append((req["name"]?.stringValue ?? "", filter.driver, pool, dn))
                        got += 1
                    }
                }
                if got < want || (all && got == 0) { return nil }
            }
            out.results.append((claim, picked.map { (request: $0.0, driver: $0.1, pool: $0.2, device: $0.3) }))
        }
        return out
    }

    func commitAllocation(_ alloc: DRAAllocation, pod: JSONValue, node: String) {
        for (claim, devices) in alloc.results {
            var c = claim
            c.set(path: ["status", "allocation"], to: [
                "devices": ["results": .array(devices.map {
                    ["request": .string($0.request), "driver": .string($0.driver), "pool": .string($0.pool), "device": .string($0.device)]
                })],
                "nodeSelector": ["nodeSelectorTerms": [["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]]],
                "allocationTimestamp": .string(nowString),
            ])
            c.set(path: ["status", "reservedFor"], to: [["resource": "pods", "name": .string(Unstructured(pod).name), "uid": .string(pod.uidString)]])
            put(R.resourceClaims, c)
        }
    }

    /// The DRA devices a pod's claims hold (for nvidia-smi output).
    func draDevices(_ pod: JSONValue) -> [String] {
        (podClaims(pod) ?? []).flatMap { c in
            (c["status"]?["allocation"]?["devices"]?["results"]?.arrayValue ?? []).compactMap { $0["device"]?.stringValue }
        }
    }
}
