import YAML

/// Decodes a profile's node tree into the typed model, applying defaults and the
/// schema's semantic checks (names, ranges, duplicates, references). Findings are
/// collected, never thrown; `profile` is nil when there was any error.
struct ProfileDecoder {
    let r: NodeReader

    init(file: String) { r = NodeReader(file: file) }

    func decode(root: Node?) -> Profile? {
        guard let root else {
            r.error(.missingField, Mark(line: 1, column: 1), .root,
                    "the profile is empty; expected a mapping with apiVersion, kind, metadata and spec")
            return nil
        }
        guard root.mappingPairs != nil else {
            r.error(.wrongType, root.mark, .root, "expected a mapping at the top level, got \(root.typeDescription)")
            return nil
        }
        guard let f = r.mapping(root, .root, known: ["apiVersion", "kind", "metadata", "spec"]) else { return nil }

        if let node = f["apiVersion"] {
            if let v = r.string(node, FieldPath.root / "apiVersion"), v != Profile.apiVersion {
                r.error(.notAllowed, node.mark, FieldPath.root / "apiVersion",
                        "\"\(v)\" is not supported; this version of platform reads \(Profile.apiVersion)")
            }
        } else {
            r.missing(f, "apiVersion")
        }
        if let node = f["kind"] {
            if let v = r.string(node, FieldPath.root / "kind"), v != Profile.kind {
                r.error(.notAllowed, node.mark, FieldPath.root / "kind",
                        "\"\(v)\" is not one of \(Profile.kind)" + Suggestion.hint(for: v, in: [Profile.kind]))
            }
        } else {
            r.missing(f, "kind")
        }

        var name = ""
        if let node = f["metadata"] {
            if let m = r.mapping(node, FieldPath.root / "metadata", known: ["name"]) {
                name = r.name(m, "name", .label, what: "profile name") ?? ""
            }
        } else {
            r.missing(f, "metadata")
        }

        var spec = ProfileSpec()
        if let node = f["spec"] {
            if let s = r.mapping(node, FieldPath.root / "spec", known: [
                "kubernetes", "charts", "gpu", "network", "sharing", "scheduling", "tenants", "smoke",
            ]) {
                spec = decodeSpec(s)
            }
        } else {
            r.missing(f, "spec")
        }

        // Every schema finding is an error: any of them means no usable profile.
        guard r.findings.isEmpty else { return nil }
        return Profile(metadata: .init(name: name), spec: spec)
    }

    // MARK: spec

    private func decodeSpec(_ s: NodeReader.Fields) -> ProfileSpec {
        var spec = ProfileSpec()
        if let node = s["kubernetes"], let k = r.mapping(node, s.path / "kubernetes", known: ["minVersion"]),
           let vnode = k["minVersion"], let text = r.string(vnode, k.path / "minVersion") {
            if let v = KubernetesVersion(parsing: text) {
                spec.kubernetes.minVersion = v
            } else {
                r.error(.badFormat, vnode.mark, k.path / "minVersion",
                        "\"\(text)\" is not a Kubernetes version (write MAJOR.MINOR such as \"1.34\", quoted)")
            }
        }
        if let node = s["charts"] { spec.charts = decodeCharts(node, s.path / "charts") }
        if let node = s["gpu"], let g = r.mapping(node, s.path / "gpu", known: [
            "enabled", "namespace", "driver", "toolkit", "dcgmExporter", "nfd", "values",
        ]) { spec.gpu = decodeGPU(g) }
        if let node = s["network"], let n = r.mapping(node, s.path / "network", known: [
            "enabled", "namespace", "nfd", "sriov", "nicClusterPolicy", "values",
        ]) { spec.network = decodeNetwork(n) }
        if let node = s["sharing"], let sh = r.mapping(node, s.path / "sharing", known: ["model", "timeSlicing", "mig", "dra"]) {
            spec.sharing = decodeSharing(sh, driver: spec.gpu.driver)
        }
        if let node = s["scheduling"], let sc = r.mapping(node, s.path / "scheduling", known: [
            "enabled", "volcano", "kueue", "priorityClasses",
        ]) { spec.scheduling = decodeScheduling(sc) }
        spec.tenants = decodeTenants(s, sharing: spec.sharing)
        if let node = s["smoke"], let sm = r.mapping(node, s.path / "smoke", known: ["image", "timeout", "stageTimeouts"]) {
            spec.smoke = decodeSmoke(sm)
        }
        return spec
    }

    private func decodeCharts(_ node: Node, _ path: FieldPath) -> [ChartName: ChartSpec] {
        let names = ChartName.allCases.map(\.rawValue)
        guard let m = r.mapping(node, path, known: names) else { return [:] }
        var charts: [ChartName: ChartSpec] = [:]
        for chart in ChartName.allCases {
            guard let cnode = m[chart.rawValue],
                  let c = r.mapping(cnode, path / chart.rawValue, known: ["source", "version"]) else { continue }
            var source: ChartSource?
            if let snode = c["source"], let text = r.string(snode, c.path / "source") {
                switch ChartSource.parse(text) {
                case .success(let s): source = s
                case .failure(let p):
                    r.error(.badFormat, snode.mark, c.path / "source", "\"\(text)\" \(p.reason)")
                }
            } else if c["source"] == nil {
                r.missing(c, "source")
            }
            // An empty or unpinned version is a lint finding (PL108), not a schema error,
            // so `version: ""` decodes and gets the pinning advice.
            var version: String?
            if let vnode = c["version"] {
                version = r.string(vnode, c.path / "version")
            } else if c.values["version"] == nil {
                r.missing(c, "version")
            } else {
                version = ""
                r.sourceMap.record(c.path / "version", c.values["version"]?.mark ?? c.node.mark)
            }
            if let source, let version { charts[chart] = ChartSpec(source: source, version: version) }
        }
        return charts
    }

    private func decodeGPU(_ g: NodeReader.Fields) -> GPUSpec {
        var gpu = GPUSpec()
        gpu.enabled = r.bool(g, "enabled") ?? gpu.enabled
        gpu.namespace = r.name(g, "namespace", .label, what: "namespace", required: false) ?? gpu.namespace
        gpu.driver = r.enumeration(g, "driver") ?? gpu.driver
        gpu.toolkit = r.bool(g, "toolkit") ?? gpu.toolkit
        gpu.dcgmExporter = r.bool(g, "dcgmExporter") ?? gpu.dcgmExporter
        gpu.nfd = r.bool(g, "nfd") ?? gpu.nfd
        gpu.values = r.rawValues(g, "values") ?? gpu.values
        return gpu
    }

    private func decodeNetwork(_ n: NodeReader.Fields) -> NetworkSpec {
        var net = NetworkSpec()
        net.enabled = r.bool(n, "enabled") ?? net.enabled
        net.namespace = r.name(n, "namespace", .label, what: "namespace", required: false) ?? net.namespace
        net.nfd = r.bool(n, "nfd") ?? net.nfd
        net.sriov = r.bool(n, "sriov") ?? net.sriov
        net.values = r.rawValues(n, "values") ?? net.values
        if let node = n["nicClusterPolicy"],
           let p = r.mapping(node, n.path / "nicClusterPolicy", known: ["rdmaSharedDevicePlugin", "secondaryNetwork"]) {
            var policy = NicClusterPolicySpec()
            if let rnode = p["rdmaSharedDevicePlugin"],
               let rd = r.mapping(rnode, p.path / "rdmaSharedDevicePlugin", known: ["resourceName", "ifNames", "rdmaHcaMax"]) {
                var plugin = RDMASharedDevicePlugin(ifNames: [])
                if let node = rd["resourceName"], let name = r.string(node, rd.path / "resourceName") {
                    // Becomes `rdma/<name>`, so it must be a valid name part of a resource name.
                    if r.checkName("rdma/" + name, node.mark, rd.path / "resourceName", .qualified, what: "resource name") {
                        plugin.resourceName = name
                    }
                }
                let ifNames = r.sequence(rd, "ifNames")
                plugin.ifNames = ifNames.compactMap { r.string($0.node, $0.path) }
                if ifNames.isEmpty {
                    r.error(.missingField, rd.node.mark, rd.path / "ifNames",
                            rd.has("ifNames") ? "must list at least one interface" : "missing required field")
                }
                plugin.rdmaHcaMax = r.int(rd, "rdmaHcaMax", range: 1...10_000) ?? plugin.rdmaHcaMax
                policy.rdmaSharedDevicePlugin = plugin
            }
            if let snode = p["secondaryNetwork"],
               let sn = r.mapping(snode, p.path / "secondaryNetwork", known: ["multus", "cniPlugins", "ipoib", "nvIpam"]) {
                var s = SecondaryNetwork()
                s.multus = r.bool(sn, "multus") ?? s.multus
                s.cniPlugins = r.bool(sn, "cniPlugins") ?? s.cniPlugins
                s.ipoib = r.bool(sn, "ipoib") ?? s.ipoib
                s.nvIpam = r.bool(sn, "nvIpam") ?? s.nvIpam
                policy.secondaryNetwork = s
            }
            net.nicClusterPolicy = policy
        }
        return net
    }

    private func decodeSharing(_ s: NodeReader.Fields, driver: DriverMode) -> SharingSpec {
        var sharing = SharingSpec()
        sharing.model = r.enumeration(s, "model") ?? sharing.model
        if let node = s["timeSlicing"], let t = r.mapping(node, s.path / "timeSlicing", known: [
            "replicas", "renameByDefault", "failRequestsGreaterThanOne",
        ]) {
            if let replicas = r.int(t, "replicas", required: true, range: 2...1024, unit: " slices per GPU") {
                var ts = TimeSlicing(replicas: replicas)
                ts.renameByDefault = r.bool(t, "renameByDefault") ?? ts.renameByDefault
                ts.failRequestsGreaterThanOne = r.bool(t, "failRequestsGreaterThanOne") ?? ts.failRequestsGreaterThanOne
                sharing.timeSlicing = ts
            } else {
                _ = r.bool(t, "renameByDefault"); _ = r.bool(t, "failRequestsGreaterThanOne")
            }
        } else if sharing.model == .timeSlicing {
            r.error(.missingField, s.node.mark, s.path / "timeSlicing", "missing required field (sharing.model is time-slicing)")
        }
        if let node = s["mig"], let m = r.mapping(node, s.path / "mig", known: ["strategy", "config", "nodeSelector"]) {
            let strategy: MIGStrategy? = r.enumeration(m, "strategy")
            let config = r.string(m, "config", required: true)
            if let config, let cnode = m["config"], !Self.isMIGConfigName(config) {
                r.error(.badFormat, cnode.mark, m.path / "config",
                        "\"\(config)\" is not a mig-parted configuration name (such as all-1g.10gb, all-balanced or all-disabled)")
            }
            let selector = r.labels(m, "nodeSelector")
            if let config {
                sharing.mig = MIG(strategy: strategy ?? .single, config: config, nodeSelector: selector ?? [:])
            }
        } else if sharing.model == .mig {
            r.error(.missingField, s.node.mark, s.path / "mig", "missing required field (sharing.model is mig)")
        }
        if let node = s["dra"], let d = r.mapping(node, s.path / "dra", known: [
            "nodeLabel", "driverRoot", "deviceClass", "computeDomains", "values",
        ]) {
            var dra = DRA(driverRoot: DRA.defaultDriverRoot(for: driver))
            if let label = r.string(d, "nodeLabel"), let lnode = d["nodeLabel"],
               r.checkName(label, lnode.mark, d.path / "nodeLabel", .qualified, what: "label key") {
                dra.nodeLabel = label
            }
            if let root = r.string(d, "driverRoot"), let rnode = d["driverRoot"] {
                if root.hasPrefix("/") { dra.driverRoot = root } else {
                    r.error(.badFormat, rnode.mark, d.path / "driverRoot", "\"\(root)\" must be an absolute path")
                }
            }
            dra.deviceClass = r.name(d, "deviceClass", .subdomain, what: "DeviceClass name", required: false) ?? dra.deviceClass
            dra.computeDomains = r.bool(d, "computeDomains") ?? dra.computeDomains
            dra.values = r.rawValues(d, "values") ?? dra.values
            sharing.dra = dra
        } else if sharing.model == .dra {
            sharing.dra = DRA(driverRoot: DRA.defaultDriverRoot(for: driver))  // every DRA setting has a default
        }
        return sharing
    }

    /// mig-parted config names: lowercase letters, digits, `-`, `.`, `_`.
    static func isMIGConfigName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-._".contains($0)) }
    }

    private func decodeScheduling(_ s: NodeReader.Fields) -> SchedulingSpec {
        var sched = SchedulingSpec()
        sched.enabled = r.bool(s, "enabled") ?? sched.enabled

        if let node = s["volcano"], let v = r.mapping(node, s.path / "volcano", known: ["enabled", "queues", "values"]) {
            sched.volcano.enabled = r.bool(v, "enabled") ?? false
            sched.volcano.values = r.rawValues(v, "values") ?? RawValues()
            var queues: [(value: VolcanoQueue, path: FieldPath)] = []
            for (qnode, qpath) in r.sequence(v, "queues") {
                guard let q = r.mapping(qnode, qpath, known: ["name", "weight", "capability", "reclaimable"]) else { continue }
                let name = r.name(q, "name", .label, what: "queue name")
                let weight = r.int(q, "weight", range: 1...65535)
                let reclaimable = r.bool(q, "reclaimable")
                var capability: [String: Quantity] = [:]
                if let cnode = q["capability"], let c = r.mapping(cnode, q.path / "capability", known: nil) {
                    var seen = Set<String>()
                    for pair in cnode.mappingPairs ?? [] {
                        // Keys `mapping` rejected (duplicates, non-strings) were reported already.
                        guard let k = pair.key.scalarValue, c.values[k] != nil, seen.insert(k).inserted else { continue }
                        guard r.checkName(k, pair.key.mark, c.path / k, .qualified, what: "resource name") else { continue }
                        if let qty = r.quantity(c, k, required: true), wholeNumberAllowed(qty, k, c, k) { capability[k] = qty }
                    }
                }
                if let name {
                    queues.append((VolcanoQueue(name: name, weight: weight ?? 1, capability: capability,
                                                reclaimable: reclaimable ?? true), qpath))
                }
            }
            r.checkUnique(queues, by: \.name, field: "name", what: "queue name")
            sched.volcano.queues = queues.map(\.value)
        }

        if let node = s["kueue"], let k = r.mapping(node, s.path / "kueue", known: [
            "enabled", "flavors", "clusterQueues", "localQueues", "values",
        ]) {
            sched.kueue = decodeKueue(k)
        }

        var classes: [(value: PriorityClass, path: FieldPath)] = []
        for (pnode, ppath) in r.sequence(s, "priorityClasses") {
            guard let p = r.mapping(pnode, ppath, known: ["name", "value", "globalDefault", "description"]) else { continue }
            var name = r.name(p, "name", .subdomain, what: "PriorityClass name")
            if let n = name, n.hasPrefix("system-") {
                r.error(.invalidName, r.sourceMap.mark(for: p.path / "name"), p.path / "name",
                        "\"\(n)\" is reserved: names starting with \"system-\" belong to Kubernetes")
                name = nil
            }
            let value = r.int(p, "value", required: true, range: -2_147_483_648...1_000_000_000,
                              because: "higher values are reserved for system classes")
            let globalDefault = r.bool(p, "globalDefault")
            let description = r.string(p, "description")
            if let name, let value {
                classes.append((PriorityClass(name: name, value: value, globalDefault: globalDefault ?? false,
                                              description: description), ppath))
            }
        }
        r.checkUnique(classes, by: \.name, field: "name", what: "priority class name")
        sched.priorityClasses = classes.map(\.value)
        return sched
    }

    private func decodeKueue(_ k: NodeReader.Fields) -> Kueue {
        var kueue = Kueue()
        kueue.enabled = r.bool(k, "enabled") ?? false
        kueue.values = r.rawValues(k, "values") ?? RawValues()

        var flavors: [(value: KueueFlavor, path: FieldPath)] = []
        for (fnode, fpath) in r.sequence(k, "flavors") {
            guard let f = r.mapping(fnode, fpath, known: ["name", "nodeLabels"]) else { continue }
            let name = r.name(f, "name", .subdomain, what: "ResourceFlavor name")
            let labels = r.labels(f, "nodeLabels")
            if let name { flavors.append((KueueFlavor(name: name, nodeLabels: labels ?? [:]), fpath)) }
        }
        r.checkUnique(flavors, by: \.name, field: "name", what: "flavor name")
        kueue.flavors = flavors.map(\.value)
        let flavorNames = kueue.flavors.map(\.name)

        var queues: [(value: ClusterQueue, path: FieldPath)] = []
        for (cnode, cpath) in r.sequence(k, "clusterQueues") {
            guard let c = r.mapping(cnode, cpath, known: ["name", "cohort", "quotas"]) else { continue }
            let name = r.name(c, "name", .subdomain, what: "ClusterQueue name")
            let cohort = r.name(c, "cohort", .subdomain, what: "cohort name", required: false)
            var quotas: [(value: Quota, path: FieldPath)] = []
            for (qnode, qpath) in r.sequence(c, "quotas") {
                guard let q = r.mapping(qnode, qpath, known: ["flavor", "resource", "nominal"]) else { continue }
                var flavor = r.string(q, "flavor", required: true)
                if let fl = flavor, let fnode = q["flavor"], !flavorNames.contains(fl) {
                    let hint = flavorNames.isEmpty ? " (no flavors are defined in spec.scheduling.kueue.flavors)"
                        : Suggestion.hint(for: fl, in: flavorNames)
                    r.error(.undefinedReference, fnode.mark, q.path / "flavor", "\"\(fl)\" is not a defined flavor\(hint)")
                    flavor = nil
                }
                let resource = r.name(q, "resource", .qualified, what: "resource name")
                var nominal = r.quantity(q, "nominal", required: true)
                if let n = nominal, let resource, !wholeNumberAllowed(n, resource, q, "nominal") { nominal = nil }
                if let flavor, let resource, let nominal {
                    quotas.append((Quota(flavor: flavor, resource: resource, nominal: nominal), qpath))
                }
            }
            // One nominal quota per (flavor, resource) pair, as Kueue requires.
            r.checkUnique(quotas, by: { "\($0.flavor)/\($0.resource)" }, field: "resource", what: "quota for flavor/resource")
            if let name { queues.append((ClusterQueue(name: name, cohort: cohort, quotas: quotas.map(\.value)), cpath)) }
        }
        r.checkUnique(queues, by: \.name, field: "name", what: "cluster queue name")
        kueue.clusterQueues = queues.map(\.value)
        let queueNames = kueue.clusterQueues.map(\.name)

        var locals: [(value: LocalQueue, path: FieldPath)] = []
        for (lnode, lpath) in r.sequence(k, "localQueues") {
            guard let l = r.mapping(lnode, lpath, known: ["name", "namespace", "clusterQueue"]) else { continue }
            let name = r.name(l, "name", .label, what: "LocalQueue name")
            let namespace = r.name(l, "namespace", .label, what: "namespace")
            var clusterQueue = r.string(l, "clusterQueue", required: true)
            if let cq = clusterQueue, let cnode = l["clusterQueue"], !queueNames.contains(cq) {
                let hint = queueNames.isEmpty ? " (no cluster queues are defined in spec.scheduling.kueue.clusterQueues)"
                    : Suggestion.hint(for: cq, in: queueNames)
                r.error(.undefinedReference, cnode.mark, l.path / "clusterQueue", "\"\(cq)\" is not a defined cluster queue\(hint)")
                clusterQueue = nil
            }
            if let name, let namespace, let clusterQueue {
                locals.append((LocalQueue(name: name, namespace: namespace, clusterQueue: clusterQueue), lpath))
            }
        }
        r.checkUnique(locals, by: { "\($0.namespace)/\($0.name)" }, field: "name", what: "local queue namespace/name")
        kueue.localQueues = locals.map(\.value)
        return kueue
    }

    /// Extended resources (a domain-prefixed name outside kubernetes.io, such as
    /// nvidia.com/gpu) are counted in whole units; Kubernetes rejects fractions.
    private func wholeNumberAllowed(_ q: Quantity, _ resource: String, _ f: NodeReader.Fields, _ key: String) -> Bool {
        guard resource.contains("/"), !resource.hasPrefix("kubernetes.io/"), !resource.contains(".kubernetes.io/"),
              q.integerValue == nil else { return true }
        r.error(.badFormat, r.sourceMap.mark(for: f.path / key), f.path / key,
                "\(resource) is an extended resource and needs a whole number (got \(q.text))")
        return false
    }

    private func decodeTenants(_ s: NodeReader.Fields, sharing: SharingSpec) -> [Tenant] {
        var tenants: [(value: Tenant, path: FieldPath)] = []
        // The quota's default resource is the one the sharing model advertises.
        let defaultResource = sharing.exposedGPUResources.first ?? "nvidia.com/gpu"
        for (tnode, tpath) in r.sequence(s, "tenants") {
            guard let t = r.mapping(tnode, tpath, known: ["namespace", "gpus", "resource", "isolation", "gangJobs"]) else { continue }
            let namespace = r.name(t, "namespace", .label, what: "namespace")
            let gpus = r.int(t, "gpus", required: true, range: 0...1_000_000)
            let resource = r.name(t, "resource", .qualified, what: "resource name", required: false)
            let isolation: Isolation? = r.enumeration(t, "isolation")
            let gang = r.bool(t, "gangJobs")
            if let namespace, let gpus {
                tenants.append((Tenant(namespace: namespace, gpus: gpus, resource: resource ?? defaultResource,
                                       isolation: isolation ?? .shared, gangJobs: gang ?? false), tpath))
            }
        }
        r.checkUnique(tenants, by: \.namespace, field: "namespace", what: "tenant namespace")
        return tenants.map(\.value)
    }

    private func decodeSmoke(_ s: NodeReader.Fields) -> SmokeSpec {
        var smoke = SmokeSpec()
        if let image = r.string(s, "image"), let inode = s["image"] {
            if image.isEmpty || image.contains(where: { $0.isWhitespace }) {
                r.error(.badFormat, inode.mark, s.path / "image", "\"\(image)\" is not a container image reference")
            } else {
                smoke.image = image
            }
        }
        if let node = s["timeout"] { smoke.timeout = r.duration(node, s.path / "timeout") ?? smoke.timeout }
        if let node = s["stageTimeouts"],
           let st = r.mapping(node, s.path / "stageTimeouts", known: Stage.allCases.map(\.rawValue)) {
            for stage in Stage.allCases {
                if let n = st[stage.rawValue], let d = r.duration(n, st.path / stage.rawValue) {
                    smoke.stageTimeouts[stage] = d
                }
            }
        }
        return smoke
    }
}
