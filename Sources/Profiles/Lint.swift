import YAML

/// Lint rules: configurations that decode fine but fail on real GPU clusters.
/// Each rule has a stable code (`FindingCode`, PL1xx), a fixed severity and a fix.
struct Linter {
    let profile: Profile
    let map: SourceMap
    let file: String
    private(set) var findings: [Finding] = []

    init(profile: Profile, map: SourceMap, file: String) {
        self.profile = profile
        self.map = map
        self.file = file
    }

    private var spec: ProfileSpec { profile.spec }
    private static let spec = FieldPath.root / "spec"

    private mutating func report(_ code: FindingCode, _ severity: Severity, _ path: FieldPath, _ message: String, fix: String) {
        findings.append(Finding(file: file, mark: map.mark(for: path), severity: severity, code: code,
                                path: path.description, message: message, fix: fix))
    }

    mutating func run() -> [Finding] {
        driverConflict()
        timeSlicingIsolation()
        draChecks()
        gangScheduling()
        nfdOwnership()
        pinnedCharts()
        pinnedImages()
        resourceChecks()
        kueueChecks()
        missingCharts()
        priorityClasses()
        devicePlugins()
        rawOverrides()
        unusedSharingBlocks()
        stageTimeouts()
        draDriverRoot()
        networkDevices()
        kueueQueues()
        sharingNeedsOperator()
        productLabels()
        return findings
    }

    // MARK: GPU operator

    /// PL101: `driver: host` with the driver container on (or the reverse).
    private mutating func driverConflict() {
        guard spec.gpu.enabled, case .bool(let on)? = spec.gpu.values.value(at: ["driver", "enabled"]) else { return }
        let path = Self.spec / "gpu" / "values" / "driver" / "enabled"
        if spec.gpu.driver == .host && on {
            report(.hostDriverWithContainer, .error, path,
                   "gpu.driver is host but values turn the driver container on; it would try to load a second driver over the host's",
                   fix: "remove driver.enabled from spec.gpu.values (driver: host already sets driver.enabled=false)")
        } else if spec.gpu.driver == .container && !on {
            report(.hostDriverWithContainer, .error, path,
                   "gpu.driver is container but values turn the driver container off; no node would get a driver",
                   fix: "set spec.gpu.driver: host if the hosts have the driver, and remove driver.enabled from values")
        }
    }

    /// PL121: the GPU Operator places its operands by NFD labels; with NFD nowhere, nothing runs.
    private mutating func nfdOwnership() {
        let networkNFD = spec.network.enabled && spec.network.nfd
        if spec.gpu.enabled && spec.gpu.nfd && networkNFD {
            report(.nfdTwice, .error, Self.spec / "network" / "nfd",
                   "Node Feature Discovery is deployed by both the GPU Operator and the Network Operator; two NFD masters fight over node labels",
                   fix: "keep one owner: set spec.gpu.nfd: false (or spec.network.nfd: false)")
        }
        if spec.gpu.enabled && !spec.gpu.nfd && !networkNFD {
            report(.noNFD, .warning, Self.spec / "gpu" / "nfd",
                   "no operator deploys Node Feature Discovery; GPU Operator operands only run on nodes NFD labels feature.node.kubernetes.io/pci-10de.present",
                   fix: "set spec.gpu.nfd: true, unless NFD is already installed in the cluster")
        }
    }

    // MARK: Sharing

    /// PL102: time-slicing gives no memory or fault isolation.
    private mutating func timeSlicingIsolation() {
        guard spec.sharing.model == .timeSlicing else { return }
        let replicas = spec.sharing.timeSlicing?.replicas ?? 2
        for (i, t) in spec.tenants.enumerated() where t.isolation == .exclusive {
            report(.timeSlicingIsolation, .warning, Self.spec / "tenants" / i / "isolation",
                   "tenant \(t.namespace) expects exclusive GPUs, but time-slicing shares each GPU among \(replicas) pods with no memory or fault isolation",
                   fix: "use sharing.model mig for isolated slices, or set this tenant's isolation: shared")
        }
    }

    /// PL103, PL104: DRA needs resource.k8s.io/v1 (Kubernetes 1.34) and the device plugin off.
    private mutating func draChecks() {
        guard spec.sharing.model == .dra else { return }
        let required = KubernetesVersion(major: 1, minor: 34)
        if let v = spec.kubernetes.minVersion {
            if v < required {
                report(.draKubernetesVersion, .error, Self.spec / "kubernetes" / "minVersion",
                       "sharing.model dra needs Kubernetes 1.34 or newer (resource.k8s.io/v1), but minVersion is \(v)",
                       fix: "upgrade the cluster and set minVersion: \"1.34\", or choose another sharing model")
            }
        } else {
            report(.draKubernetesVersion, .error, Self.spec / "sharing" / "model",
                   "sharing.model dra needs Kubernetes 1.34 or newer, but spec.kubernetes.minVersion is not set",
                   fix: "set spec.kubernetes.minVersion to the cluster's version (\"1.34\" or newer)")
        }
        if spec.gpu.enabled, case .bool(true)? = spec.gpu.values.value(at: ["devicePlugin", "enabled"]) {
            report(.draDevicePlugin, .error, Self.spec / "gpu" / "values" / "devicePlugin" / "enabled",
                   "the device plugin still advertises nvidia.com/gpu while the DRA driver allocates the same GPUs; a GPU could be given out twice",
                   fix: "remove devicePlugin.enabled from spec.gpu.values (sharing.model dra turns the device plugin off)")
        }
        if spec.charts[.nvidiaDevicePlugin] != nil {
            report(.draDevicePlugin, .error, Self.spec / "charts" / ChartName.nvidiaDevicePlugin.rawValue,
                   "the standalone device plugin advertises nvidia.com/gpu while the DRA driver allocates the same GPUs",
                   fix: "remove charts.nvidia-device-plugin when sharing.model is dra")
        }
    }

    /// PL119: a block for a model that is not selected does nothing.
    private mutating func unusedSharingBlocks() {
        let blocks: [(String, SharingModel)] = [("timeSlicing", .timeSlicing), ("mig", .mig), ("dra", .dra)]
        for (key, model) in blocks where spec.sharing.model != model {
            let path = Self.spec / "sharing" / key
            guard map.contains(path) else { continue }
            report(.unusedSharingConfig, .warning, path,
                   "ignored: sharing.model is \(spec.sharing.model.rawValue), not \(model.rawValue)",
                   fix: "remove spec.sharing.\(key), or set sharing.model: \(model.rawValue)")
        }
    }

    // MARK: Scheduling

    private var volcanoOn: Bool { spec.scheduling.enabled && spec.scheduling.volcano.enabled }
    private var kueueOn: Bool { spec.scheduling.enabled && spec.scheduling.kueue.enabled }

    /// PL105, PL106: multi-pod jobs need a gang scheduler or they deadlock half-placed.
    private mutating func gangScheduling() {
        guard !volcanoOn else { return }
        var gangTenants = false
        for (i, t) in spec.tenants.enumerated() where t.gangJobs {
            gangTenants = true
            report(.gangWithoutVolcano, .error, Self.spec / "tenants" / i / "gangJobs",
                   "tenant \(t.namespace) runs gang jobs but Volcano is not enabled; partially placed jobs hold GPUs and deadlock",
                   fix: "set spec.scheduling.volcano.enabled: true and add the volcano chart")
        }
        if kueueOn && !gangTenants {
            report(.kueueWithoutVolcano, .warning, Self.spec / "scheduling" / "kueue" / "enabled",
                   "Kueue admits multi-pod workloads by quota, but without a gang scheduler their pods can still be placed partially",
                   fix: "enable spec.scheduling.volcano for all-or-nothing placement (or configure Kueue waitForPodsReady in kueue.values)")
        }
    }

    /// PL112, PL113, PL115, PL122: Kueue objects that are rejected or cannot admit what tenants need.
    private mutating func kueueChecks() {
        guard kueueOn else { return }
        let kueue = spec.scheduling.kueue
        let kpath = Self.spec / "scheduling" / "kueue"

        // PL113: within a ClusterQueue every flavor must cover the same resources.
        for (ci, cq) in kueue.clusterQueues.enumerated() {
            var byFlavor: [String: Set<String>] = [:]
            var order: [String] = []
            for q in cq.quotas {
                if byFlavor[q.flavor] == nil { order.append(q.flavor) }
                byFlavor[q.flavor, default: []].insert(q.resource)
            }
            let all = byFlavor.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            for flavor in order {
                let lacking = all.subtracting(byFlavor[flavor] ?? []).sorted()
                guard !lacking.isEmpty else { continue }
                report(.kueueFlavorCoverage, .error, kpath / "clusterQueues" / ci / "quotas",
                       "flavor \(flavor) has no quota for \(lacking.joined(separator: ", ")) in cluster queue \(cq.name); Kueue requires every flavor of a resource group to cover the same resources",
                       fix: "add a quota for \(lacking[0]) with flavor \(flavor) (nominal 0 is allowed)")
            }
        }

        // PL115: LocalQueues live in namespaces the platform creates (tenants).
        let tenantNamespaces = Set(spec.tenants.map(\.namespace))
        for (li, lq) in kueue.localQueues.enumerated() where !tenantNamespaces.contains(lq.namespace) {
            report(.localQueueNamespace, .warning, kpath / "localQueues" / li / "namespace",
                   "namespace \(lq.namespace) is not a tenant, so the platform does not create it; the LocalQueue cannot be applied until it exists",
                   fix: "add a tenant with namespace \(lq.namespace), or use a tenant's namespace")
        }

        // PL122 and PL112, per cluster queue reached through tenants' local queues.
        for (ci, cq) in kueue.clusterQueues.enumerated() {
            let namespaces = Set(kueue.localQueues.filter { $0.clusterQueue == cq.name }.map(\.namespace))
            let tenants = spec.tenants.enumerated().filter { namespaces.contains($0.element.namespace) && $0.element.gpus > 0 }
            var resources: [String] = []
            for t in tenants where !resources.contains(t.element.resource) { resources.append(t.element.resource) }
            for resource in resources {
                let users = tenants.filter { $0.element.resource == resource }
                let quotas = cq.quotas.filter { $0.resource == resource }
                if quotas.isEmpty {
                    for (ti, t) in users {
                        report(.queueWithoutQuota, .error, Self.spec / "tenants" / ti / "resource",
                               "tenant \(t.namespace) queues to cluster queue \(cq.name), which has no quota for \(resource); its workloads are never admitted",
                               fix: "add a quota for \(resource) to cluster queue \(cq.name)")
                    }
                    continue
                }
                let nominal = quotas.reduce(Int64(0)) { $0 + ($1.nominal.integerValue ?? 0) }
                let wanted = users.reduce(Int64(0)) { $0 + Int64($1.element.gpus) }
                if wanted > nominal, let qi = cq.quotas.firstIndex(where: { $0.resource == resource }) {
                    let names = users.map(\.element.namespace).joined(separator: ", ")
                    report(.tenantQuotaExceeded, .warning, kpath / "clusterQueues" / ci / "quotas" / qi / "nominal",
                           "tenants \(names) may use \(wanted) \(resource) through cluster queue \(cq.name), but its nominal quota is \(nominal); the rest is only admitted by borrowing",
                           fix: "raise the nominal quota to at least \(wanted), or lower the tenants' gpus")
                }
            }
        }
    }

    /// PL116: the API server rejects a second global default PriorityClass.
    private mutating func priorityClasses() {
        guard spec.scheduling.enabled else { return }
        var first: String?
        for (i, pc) in spec.scheduling.priorityClasses.enumerated() where pc.globalDefault {
            if let first {
                report(.priorityClassDefault, .error, Self.spec / "scheduling" / "priorityClasses" / i / "globalDefault",
                       "\(pc.name) is a second global default (\(first) is one); Kubernetes allows only one",
                       fix: "set globalDefault: true on one priority class only")
            } else {
                first = pc.name
            }
        }
    }

    // MARK: Resources

    /// PL110, PL111: quotas and tenants must name resources nodes actually advertise.
    private mutating func resourceChecks() {
        var uses: [(resource: String, path: FieldPath)] = []
        for (i, t) in spec.tenants.enumerated() where t.gpus > 0 {
            uses.append((t.resource, Self.spec / "tenants" / i / "resource"))
        }
        if kueueOn {
            for (ci, cq) in spec.scheduling.kueue.clusterQueues.enumerated() {
                for (qi, q) in cq.quotas.enumerated() {
                    uses.append((q.resource, Self.spec / "scheduling" / "kueue" / "clusterQueues" / ci / "quotas" / qi / "resource"))
                }
            }
        }
        let sharing = spec.sharing
        let exposed = sharing.exposedGPUResources
        for use in uses {
            let r = use.resource
            if r.hasPrefix("rdma/") {
                let advertised = spec.network.enabled ? spec.network.nicClusterPolicy?.rdmaSharedDevicePlugin?.resource : nil
                if r != advertised {
                    let why = advertised.map { "the RDMA shared device plugin advertises \($0)" }
                        ?? "no RDMA shared device plugin is configured (spec.network.nicClusterPolicy)"
                    report(.resourceNotExposed, .error, use.path, "no node advertises \(r): \(why)",
                           fix: advertised.map { "use \($0)" } ?? "enable spec.network with an rdmaSharedDevicePlugin")
                }
                continue
            }
            let isGPU = r.hasPrefix("nvidia.com/") || r.hasSuffix(".deviceclass.resource.k8s.io/devices")
            guard isGPU, !exposed.contains(r) else { continue }
            if sharing.model == .mig, let mig = sharing.mig {
                if mig.strategy == .mixed && r == "nvidia.com/gpu" {
                    report(.migStrategyResource, .error, use.path,
                           "MIG strategy mixed advertises slices as nvidia.com/mig-<profile>, so nvidia.com/gpu is 0 on MIG nodes",
                           fix: exposed.first.map { "use \($0)" } ?? "use the nvidia.com/mig-<profile> resource of your MIG config")
                    continue
                }
                if mig.strategy == .single && r.hasPrefix("nvidia.com/mig-") {
                    report(.migStrategyResource, .error, use.path,
                           "MIG strategy single advertises slices as nvidia.com/gpu; \(r) only exists with strategy mixed",
                           fix: "use nvidia.com/gpu, or set spec.sharing.mig.strategy: mixed")
                    continue
                }
                if mig.strategy == .mixed && exposed.isEmpty && r.hasPrefix("nvidia.com/mig-") { continue }
            }
            let what = exposed.isEmpty ? "nvidia.com/mig-<profile> resources" : exposed.joined(separator: ", ")
            report(.resourceNotExposed, .error, use.path,
                   "no node advertises \(r): sharing.model \(sharing.model.rawValue) advertises \(what)",
                   fix: exposed.first.map { "use \($0)" } ?? "use the resource of your MIG config")
        }
    }

    // MARK: Charts and images

    /// PL108: renders must be reproducible, so every chart names one release.
    private mutating func pinnedCharts() {
        for chart in spec.charts.keys.sorted() {
            guard let c = spec.charts[chart], let reason = ChartVersion.unpinnedReason(c.version) else { continue }
            report(.unpinnedChart, .error, Self.spec / "charts" / chart.rawValue / "version",
                   "chart \(chart.rawValue) is not pinned: version \(reason)",
                   fix: "pin one exact release, e.g. version: \(chart.testedVersion)")
        }
    }

    /// PL109: `:latest` and untagged images change under a running platform.
    private mutating func pinnedImages() {
        if let reason = ImageReference.unpinnedReason(spec.smoke.image) {
            report(.unpinnedImage, .warning, Self.spec / "smoke" / "image",
                   "image \(spec.smoke.image) \(reason)",
                   fix: "pin a tag or digest, e.g. \(SmokeSpec.defaultImage)")
        }
        let trees: [(RawValues, FieldPath)] = [
            (spec.gpu.values, Self.spec / "gpu" / "values"),
            (spec.network.values, Self.spec / "network" / "values"),
            (spec.sharing.dra?.values ?? RawValues(), Self.spec / "sharing" / "dra" / "values"),
            (spec.scheduling.volcano.values, Self.spec / "scheduling" / "volcano" / "values"),
            (spec.scheduling.kueue.values, Self.spec / "scheduling" / "kueue" / "values"),
        ]
        for (values, path) in trees { scanImages(.mapping(values.tree), path) }
    }

    /// Flags `image: repo:latest` and `tag:`/`version: latest` beside an image in raw values.
    private mutating func scanImages(_ value: YAMLValue, _ path: FieldPath) {
        switch value {
        case .mapping(let m):
            let hasImage = m["image"] != nil || m["repository"] != nil
            for e in m {
                let p = path / e.key
                if case .string(let s) = e.value {
                    if e.key == "image", s.hasSuffix(":latest") {
                        report(.unpinnedImage, .warning, p, "image \(s) uses the moving tag :latest",
                               fix: "pin a release tag or digest")
                    } else if hasImage, e.key == "tag" || e.key == "version", s == "latest" {
                        report(.unpinnedImage, .warning, p, "image tag latest is a moving tag",
                               fix: "pin a release tag or digest")
                    }
                }
                scanImages(e.value, p)
            }
        case .sequence(let items):
            for (i, item) in items.enumerated() { scanImages(item, path[i]) }
        default:
            break
        }
    }

    /// PL114: every enabled stage's chart must be listed (and thereby pinned).
    private mutating func missingCharts() {
        var needed: [(ChartName, String)] = []
        if spec.gpu.enabled { needed.append((.gpuOperator, "spec.gpu is enabled")) }
        if spec.network.enabled { needed.append((.networkOperator, "spec.network is enabled")) }
        if spec.sharing.model == .dra { needed.append((.nvidiaDRADriverGPU, "sharing.model is dra")) }
        if volcanoOn { needed.append((.volcano, "Volcano is enabled")) }
        if kueueOn { needed.append((.kueue, "Kueue is enabled")) }
        for (chart, why) in needed where spec.charts[chart] == nil {
            report(.chartMissing, .error, Self.spec / "charts",
                   "\(why) but spec.charts has no \(chart.rawValue) entry",
                   fix: "add \(chart.rawValue): { source: \(chart.upstreamSource), version: \(chart.testedVersion) }")
        }
    }

    /// PL117: two device plugins registering nvidia.com/gpu with the kubelet replace each other.
    private mutating func devicePlugins() {
        guard spec.gpu.enabled, spec.sharing.model != .dra, spec.charts[.nvidiaDevicePlugin] != nil else { return }
        if case .bool(false)? = spec.gpu.values.value(at: ["devicePlugin", "enabled"]) { return }
        report(.twoDevicePlugins, .error, Self.spec / "charts" / ChartName.nvidiaDevicePlugin.rawValue,
               "the GPU Operator already runs the device plugin; a second one (nvidia-device-plugin) registers nvidia.com/gpu again",
               fix: "remove charts.nvidia-device-plugin, or set devicePlugin.enabled: false in spec.gpu.values")
    }

    /// PL118: raw values are merged last, so they silently override profile fields.
    private mutating func rawOverrides() {
        let gpu = spec.gpu
        let gv = Self.spec / "gpu" / "values"
        if gpu.enabled {
            let flags: [([String], Bool, String)] = [
                (["toolkit", "enabled"], gpu.toolkit, "spec.gpu.toolkit"),
                (["dcgmExporter", "enabled"], gpu.dcgmExporter, "spec.gpu.dcgmExporter"),
                (["nfd", "enabled"], gpu.nfd, "spec.gpu.nfd"),
            ]
            for (keys, field, name) in flags {
                if case .bool(let b)? = gpu.values.value(at: keys), b != field {
                    override(gv, keys, "\(keys.joined(separator: ".")): \(b)", name, "\(field)")
                }
            }
            if spec.sharing.model == .mig, let mig = spec.sharing.mig,
               case .string(let s)? = gpu.values.value(at: ["mig", "strategy"]), s != mig.strategy.rawValue {
                override(gv, ["mig", "strategy"], "mig.strategy: \(s)", "spec.sharing.mig.strategy", mig.strategy.rawValue)
            }
            if spec.sharing.model == .mig, case .bool(false)? = gpu.values.value(at: ["migManager", "enabled"]) {
                report(.rawValueOverride, .warning, gv / "migManager" / "enabled",
                       "values turn the MIG manager off, so sharing.mig.config is never applied to the GPUs",
                       fix: "remove migManager.enabled from spec.gpu.values")
            }
            if spec.sharing.model == .timeSlicing, gpu.values.value(at: ["devicePlugin", "config"]) != nil {
                report(.rawValueOverride, .warning, gv / "devicePlugin" / "config",
                       "values set devicePlugin.config, which replaces the time-slicing configuration the profile generates",
                       fix: "remove devicePlugin.config from spec.gpu.values; configure spec.sharing.timeSlicing instead")
            }
            if spec.sharing.model != .dra, case .bool(false)? = gpu.values.value(at: ["devicePlugin", "enabled"]),
               spec.charts[.nvidiaDevicePlugin] == nil {
                report(.rawValueOverride, .warning, gv / "devicePlugin" / "enabled",
                       "values turn the device plugin off, so no node advertises \(spec.sharing.exposedGPUResources.first ?? "GPUs")",
                       fix: "remove devicePlugin.enabled from spec.gpu.values")
            }
        }
        let net = spec.network
        if net.enabled {
            let nv = Self.spec / "network" / "values"
            if case .bool(let b)? = net.values.value(at: ["nfd", "enabled"]), b != net.nfd {
                override(nv, ["nfd", "enabled"], "nfd.enabled: \(b)", "spec.network.nfd", "\(net.nfd)")
            }
            if case .bool(let b)? = net.values.value(at: ["sriovNetworkOperator", "enabled"]), b != net.sriov {
                override(nv, ["sriovNetworkOperator", "enabled"], "sriovNetworkOperator.enabled: \(b)", "spec.network.sriov", "\(net.sriov)")
            }
        }
    }

    private mutating func override(_ base: FieldPath, _ keys: [String], _ written: String, _ field: String, _ fieldValue: String) {
        let path = keys.reduce(base) { $0 / $1 }
        report(.rawValueOverride, .warning, path,
               "values set \(written), overriding \(field): \(fieldValue) (raw values are merged last)",
               fix: "set \(field) instead and remove \(keys.joined(separator: ".")) from values")
    }

    /// PL123: the DRA kubelet plugin must look where the driver really is.
    private mutating func draDriverRoot() {
        guard spec.sharing.model == .dra, let dra = spec.sharing.dra else { return }
        let expected = DRA.defaultDriverRoot(for: spec.gpu.driver)
        let path = Self.spec / "sharing" / "dra" / "driverRoot"
        guard map.contains(path), dra.driverRoot != expected else { return }
        if spec.gpu.driver == .container || dra.driverRoot == DRA.defaultDriverRoot(for: .container) {
            report(.draDriverRoot, .warning, path,
                   "driverRoot \(dra.driverRoot) does not match gpu.driver \(spec.gpu.driver.rawValue), whose driver is under \(expected); the DRA kubelet plugin would find no GPUs",
                   fix: "remove driverRoot (it defaults to \(expected) for gpu.driver \(spec.gpu.driver.rawValue))")
        }
    }

    /// PL124: the network stage's gate needs an RDMA resource or SR-IOV networks.
    private mutating func networkDevices() {
        let net = spec.network
        guard net.enabled, net.nicClusterPolicy?.rdmaSharedDevicePlugin == nil, !net.sriov else { return }
        report(.networkWithoutDevices, .warning, Self.spec / "network" / "enabled",
               "the network stage is enabled but exposes no RDMA devices (no rdmaSharedDevicePlugin, sriov off); its RDMA gate cannot pass",
               fix: "add spec.network.nicClusterPolicy.rdmaSharedDevicePlugin with the IB/RoCE interfaces, or disable the network stage")
    }

    /// PL125: Kueue without queues admits nothing.
    private mutating func kueueQueues() {
        guard kueueOn else { return }
        let kueue = spec.scheduling.kueue
        guard kueue.clusterQueues.isEmpty || kueue.localQueues.isEmpty else { return }
        let missing = kueue.clusterQueues.isEmpty ? "clusterQueues" : "localQueues"
        report(.kueueWithoutQueues, .warning, Self.spec / "scheduling" / "kueue" / "enabled",
               "Kueue is enabled but has no \(missing); workloads labelled with a queue name are never admitted",
               fix: "define spec.scheduling.kueue.clusterQueues and localQueues for the tenants, or disable Kueue")
    }

    /// PL126: time-slicing and MIG are configured through the GPU Operator (or, for
    /// time-slicing, the standalone device plugin); with neither, nothing applies them.
    private mutating func sharingNeedsOperator() {
        guard !spec.gpu.enabled else { return }
        let model = spec.sharing.model
        let standalone = spec.charts[.nvidiaDevicePlugin] != nil
        guard model == .mig || (model == .timeSlicing && !standalone) else { return }
        report(.sharingWithoutOperator, .error, Self.spec / "sharing" / "model",
               "sharing.model \(model.rawValue) is configured through the GPU Operator, but spec.gpu.enabled is false",
               fix: model == .mig ? "enable spec.gpu (MIG needs the operator's MIG manager)"
                   : "enable spec.gpu, or add the nvidia-device-plugin chart to apply time-slicing")
    }

    /// PL127: GPU Feature Discovery rewrites `nvidia.com/gpu.product` under time-slicing
    /// (`<product>-SHARED`, unless renameByDefault) and MIG single (`<product>-MIG-<profile>`),
    /// so a flavor selecting the plain product name matches no node.
    private mutating func productLabels() {
        guard kueueOn else { return }
        let sharing = spec.sharing
        for (fi, flavor) in spec.scheduling.kueue.flavors.enumerated() {
            guard let product = flavor.nodeLabels["nvidia.com/gpu.product"] else { continue }
            let path = Self.spec / "scheduling" / "kueue" / "flavors" / fi / "nodeLabels" / "nvidia.com/gpu.product"
            if sharing.model == .timeSlicing, sharing.timeSlicing?.renameByDefault != true, !product.hasSuffix("-SHARED") {
                report(.productLabelRenamed, .warning, path,
                       "with time-slicing, GPU Feature Discovery labels nodes nvidia.com/gpu.product=\(product)-SHARED, so \(product) matches no node",
                       fix: "select \(product)-SHARED, or set sharing.timeSlicing.renameByDefault: true")
            }
            if sharing.model == .mig, let mig = sharing.mig, mig.strategy == .single, !product.contains("-MIG-") {
                let profile = mig.config.hasPrefix("all-") ? String(mig.config.dropFirst(4)) : "<profile>"
                report(.productLabelRenamed, .warning, path,
                       "with MIG strategy single, GPU Feature Discovery labels nodes nvidia.com/gpu.product=\(product)-MIG-\(profile), so \(product) matches no MIG node",
                       fix: "select \(product)-MIG-\(profile), or a label MIG does not change")
            }
        }
    }

    // MARK: Smoke

    /// PL120: a stage limit longer than the whole run can never be used.
    private mutating func stageTimeouts() {
        for stage in Stage.allCases {
            guard let t = spec.smoke.stageTimeouts[stage], t > spec.smoke.timeout else { continue }
            report(.stageTimeout, .warning, Self.spec / "smoke" / "stageTimeouts" / stage.rawValue,
                   "the \(stage.rawValue) stage may take \(t) but the whole smoke run is limited to \(spec.smoke.timeout)",
                   fix: "raise spec.smoke.timeout to at least \(t), or lower this stage's timeout")
        }
    }
}

extension ChartName {
    /// The release the platform is tested with (the fixtures' pinned charts).
    public var testedVersion: String {
        switch self {
        case .gpuOperator: return "v26.7.0"
        case .networkOperator: return "26.4.1"
        case .volcano: return "1.15.1"
        case .kueue: return "0.19.2"
        case .nvidiaDRADriverGPU: return "25.12.0"
        case .nvidiaDevicePlugin: return "0.20.0"
        }
    }

    /// Where upstream publishes the chart.
    public var upstreamSource: String {
        switch self {
        case .gpuOperator, .networkOperator, .nvidiaDRADriverGPU: return "https://helm.ngc.nvidia.com/nvidia"
        case .volcano: return "https://volcano-sh.github.io/helm-charts"
        case .kueue: return "oci://registry.k8s.io/kueue/charts/kueue"
        case .nvidiaDevicePlugin: return "https://nvidia.github.io/k8s-device-plugin"
        }
    }
}
