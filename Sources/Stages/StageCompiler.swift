import Helm
import Profiles
import YAML

/// Names the rendered output relies on; kept in one place so tests and docs agree.
public enum StageNames {
    public static let timeSlicingConfigMap = "time-slicing-config"
    /// The key of the time-slicing ConfigMap every node uses (`devicePlugin.config.default`).
    public static let timeSlicingConfigKey = "any"
    /// The DaemonSet the GPU Operator runs the device plugin as.
    public static let devicePluginDaemonSet = "nvidia-device-plugin-daemonset"
    public static let clusterPolicy = "cluster-policy"
    public static let nicClusterPolicy = "nic-cluster-policy"
    public static let migConfigLabel = "nvidia.com/mig.config"
    public static let draNamespace = "nvidia-dra-driver-gpu"
    public static let draDriverName = "gpu.nvidia.com"
    public static let volcanoNamespace = "volcano-system"
    public static let kueueNamespace = "kueue-system"
    public static let gpuPresentLabel = "nvidia.com/gpu.present"
    /// The eviction label env the GPU Operator's driver manager reads (DRA: evict claim users before a driver upgrade).
    public static let driverManagerEvictionEnv = "NODE_LABEL_FOR_GPU_POD_EVICTION"
}

/// A profile that cannot be compiled (a chart the enabled stages need is not pinned).
public struct StageCompileError: Error, Sendable, CustomStringConvertible {
    public var stage: StageID
    public var message: String
    public var description: String { "stage \(stage.rawValue): \(message)" }
}

/// Profile -> stage plans. Pure: every chart value the profile implies is decided here,
/// in one place per setting, so "what does `driver: host` change" has one answer.
public enum StageCompiler {
    public static func compile(_ profile: Profile) throws(StageCompileError) -> [StagePlan] {
        let spec = profile.spec
        var plans = [StagePlan(id: .namespaces)]
        if spec.gpu.enabled { plans.append(try gpuStage(spec)) }
        if spec.network.enabled { plans.append(try networkStage(spec)) }
        if spec.sharing.model != .none { plans.append(try sharingStage(spec)) }
        if spec.scheduling.enabled { plans.append(try schedulingStage(spec)) }
        return plans
    }

    // MARK: gpu

    /// The GPU Operator's values. The sharing model's operator-side settings live here
    /// (one release, one values tree); the sharing stage holds the rest.
    public static func gpuOperatorValues(_ spec: ProfileSpec) -> YAMLMapping {
        var v = YAMLMapping()
        v.set("driver.enabled", .bool(spec.gpu.driver == .container))
        v.set("toolkit.enabled", .bool(spec.gpu.toolkit))
        v.set("dcgmExporter.enabled", .bool(spec.gpu.dcgmExporter))
        v.set("nfd.enabled", .bool(gpuOperatorOwnsNFD(spec)))
        let strategy = spec.sharing.model == .mig ? (spec.sharing.mig?.strategy ?? .single) : .single
        v.set("mig.strategy", .string(strategy.rawValue))
        switch spec.sharing.model {
        case .timeSlicing:
            v.set("devicePlugin.config.name", .string(StageNames.timeSlicingConfigMap))
            v.set("devicePlugin.config.default", .string(StageNames.timeSlicingConfigKey))
        case .dra:
            let label = spec.sharing.dra?.nodeLabel ?? DRA().nodeLabel
            v.set("devicePlugin.enabled", .bool(false))
            v.set("driver.manager.env", .sequence([.mapping(YAMLMapping([
                ("name", .string(StageNames.driverManagerEvictionEnv)), ("value", .string(label)),
            ]))]))
        case .none, .mig:
            break
        }
        return Values.mergeMaps(v, spec.gpu.values.tree)
    }

    /// Exactly one operator deploys NFD: the Network Operator's wins when its stage runs with NFD on.
    public static func gpuOperatorOwnsNFD(_ spec: ProfileSpec) -> Bool {
        spec.gpu.nfd && !(spec.network.enabled && spec.network.nfd)
    }

    static func gpuStage(_ spec: ProfileSpec) throws(StageCompileError) -> StagePlan {
        let ns = spec.gpu.namespace
        let release = try release(.gpuOperator, stage: .gpu, spec: spec, namespace: ns, values: gpuOperatorValues(spec))
        let gpuResource: [String: String] = spec.sharing.model == .dra ? [:] : ["nvidia.com/gpu": "1"]
        return StagePlan(
            id: .gpu, releases: [release],
            readiness: [
                .workloadsReady(namespace: ns),
                .resourceField(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: StageNames.clusterPolicy,
                               path: "status.state", equals: "ready"),
            ],
            smoke: [SmokeGate(name: "cuda-smoke", expectation: "the pod prints the nvidia-smi table",
                              image: spec.smoke.image, command: ["nvidia-smi"], resources: gpuResource,
                              timeout: timeout(.gpu, spec))])
    }

    // MARK: network

    public static func networkOperatorValues(_ spec: ProfileSpec) -> YAMLMapping {
        var v = YAMLMapping()
        v.set("nfd.enabled", .bool(spec.network.nfd))
        v.set("sriovNetworkOperator.enabled", .bool(spec.network.sriov))
        return Values.mergeMaps(v, spec.network.values.tree)
    }

    static func networkStage(_ spec: ProfileSpec) throws(StageCompileError) -> StagePlan {
        let ns = spec.network.namespace
        let release = try release(.networkOperator, stage: .network, spec: spec, namespace: ns,
                                  values: networkOperatorValues(spec))
        var readiness: [ReadinessRule] = [.workloadsReady(namespace: ns)]
        var smoke: [SmokeGate] = []
        if spec.network.nicClusterPolicy != nil {
            readiness.append(.resourceField(apiVersion: "mellanox.com/v1alpha1", kind: "NicClusterPolicy",
                                            name: StageNames.nicClusterPolicy, path: "status.state", equals: "ready"))
        }
        if let rdma = spec.network.nicClusterPolicy?.rdmaSharedDevicePlugin {
            readiness.append(.nodeResource(resource: rdma.resource))
            smoke.append(SmokeGate(name: "rdma-smoke", expectation: "the pod gets \(rdma.resource) and sees an RDMA device",
                                   image: spec.smoke.image, command: ["sh", "-c", "ls /dev/infiniband"],
                                   resources: [rdma.resource: "1"], timeout: timeout(.network, spec)))
        }
        return StagePlan(id: .network, releases: [release], readiness: readiness, smoke: smoke)
    }

    // MARK: sharing

    public static func draDriverValues(_ spec: ProfileSpec) -> YAMLMapping {
        let dra = spec.sharing.dra ?? DRA(driverRoot: DRA.defaultDriverRoot(for: spec.gpu.driver))
        var v = YAMLMapping()
        v.set("gpuResourcesEnabledOverride", .bool(true))
        v.set("nvidiaDriverRoot", .string(dra.driverRoot))
        v.set("kubeletPlugin.nodeSelector", .mapping(YAMLMapping([(dra.nodeLabel, .string("true"))])))
        v.set("resources.computeDomains.enabled", .bool(dra.computeDomains))
        return Values.mergeMaps(v, dra.values.tree)
    }

    static func sharingStage(_ spec: ProfileSpec) throws(StageCompileError) -> StagePlan {
        let gpuNS = spec.gpu.namespace
        var plan = StagePlan(id: .sharing)
        let resources = spec.sharing.exposedGPUResources
        let t = timeout(.sharing, spec)
        switch spec.sharing.model {
        case .none:
            break
        case .timeSlicing:
            plan.actions = [.restartDaemonSet(namespace: gpuNS, name: StageNames.devicePluginDaemonSet,
                                              reason: "the device plugin reads \(StageNames.timeSlicingConfigMap) only at start")]
            plan.readiness = resources.map { .nodeResource(resource: $0) }
            plan.smoke = [SmokeGate(name: "time-slicing-smoke", expectation: "a pod gets one slice and runs nvidia-smi",
                                    image: spec.smoke.image, command: ["nvidia-smi", "-L"],
                                    resources: [resources.first ?? "nvidia.com/gpu": "1"], timeout: t)]
        case .mig:
            let mig = spec.sharing.mig ?? MIG(config: "all-disabled")
            plan.actions = [.labelNodes(selector: mig.nodeSelector, labels: [StageNames.migConfigLabel: mig.config],
                                        reason: "the MIG manager repartitions GPUs of labelled nodes")]
            let names = resources.isEmpty ? ["nvidia.com/gpu"] : resources
            plan.readiness = [.resourceField(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: StageNames.clusterPolicy,
                                             path: "status.state", equals: "ready")] + names.map { .nodeResource(resource: $0) }
            plan.smoke = [SmokeGate(name: "mig-smoke", expectation: "a pod gets a MIG device and nvidia-smi -L lists it",
                                    image: spec.smoke.image, command: ["nvidia-smi", "-L"], resources: [names[0]: "1"], timeout: t)]
        case .dra:
            let dra = spec.sharing.dra ?? DRA()
            let ns = StageNames.draNamespace
            plan.releases = [try release(.nvidiaDRADriverGPU, stage: .sharing, spec: spec, namespace: ns,
                                         values: draDriverValues(spec))]
            plan.actions = [.labelNodes(selector: [StageNames.gpuPresentLabel: "true"], labels: [dra.nodeLabel: "true"],
                                        reason: "the DRA kubelet plugin runs only on labelled nodes")]
            plan.readiness = [.workloadsReady(namespace: ns), .resourceSlices(driver: StageNames.draDriverName)]
            plan.smoke = [SmokeGate(name: "dra-smoke", expectation: "a pod's ResourceClaim is allocated and nvidia-smi -L lists the GPU",
                                    image: spec.smoke.image, command: ["nvidia-smi", "-L"],
                                    resources: ["resourceClaimTemplate": "gpu"], timeout: t)]
        }
        return plan
    }

    // MARK: scheduling

    static func schedulingStage(_ spec: ProfileSpec) throws(StageCompileError) -> StagePlan {
        var plan = StagePlan(id: .scheduling)
        let s = spec.scheduling
        if s.volcano.enabled {
            plan.releases.append(try release(.volcano, stage: .scheduling, spec: spec, namespace: StageNames.volcanoNamespace,
                                             values: s.volcano.values.tree))
            plan.readiness += [.workloadsReady(namespace: StageNames.volcanoNamespace),
                               .webhookServing(namespace: StageNames.volcanoNamespace, service: "volcano-admission-service")]
            plan.smoke.append(SmokeGate(name: "gang-smoke", expectation: "a Volcano job with minAvailable runs all pods or none",
                                        image: spec.smoke.image, command: ["true"], resources: [:], timeout: timeout(.scheduling, spec)))
        }
        if s.kueue.enabled {
            plan.releases.append(try release(.kueue, stage: .scheduling, spec: spec, namespace: StageNames.kueueNamespace,
                                             values: s.kueue.values.tree))
            plan.readiness += [.workloadsReady(namespace: StageNames.kueueNamespace),
                               .webhookServing(namespace: StageNames.kueueNamespace, service: "kueue-webhook-service")]
            plan.smoke.append(SmokeGate(name: "kueue-smoke", expectation: "a Job is admitted through its LocalQueue",
                                        image: spec.smoke.image, command: ["true"], resources: [:], timeout: timeout(.scheduling, spec)))
        }
        return plan
    }

    // MARK: helpers

    static func release(_ chart: ChartName, stage: StageID, spec: ProfileSpec, namespace: String,
                        values: YAMLMapping) throws(StageCompileError) -> HelmRelease {
        guard let pinned = spec.charts[chart] else {
            throw StageCompileError(stage: stage, message: "needs chart \(chart.rawValue); add it under spec.charts with a source and version")
        }
        return HelmRelease(chart: chart, version: pinned.version, source: pinned.source, releaseName: chart.rawValue,
                           namespace: namespace, values: values)
    }

    static func timeout(_ stage: Profiles.Stage, _ spec: ProfileSpec) -> String {
        (spec.smoke.stageTimeouts[stage] ?? spec.smoke.timeout).description
    }
}

extension YAMLMapping {
    /// Sets a dotted path, creating (or replacing non-mapping) intermediate mappings.
    mutating func set(_ path: String, _ value: YAMLValue) {
        let keys = path.split(separator: ".").map(String.init)
        set(keys[...], value)
    }

    private mutating func set(_ keys: ArraySlice<String>, _ value: YAMLValue) {
        guard let first = keys.first else { return }
        if keys.count == 1 { self[first] = value; return }
        var child: YAMLMapping
        if case .mapping(let m)? = self[first] { child = m } else { child = YAMLMapping() }
        child.set(keys.dropFirst(), value)
        self[first] = .mapping(child)
    }
}
