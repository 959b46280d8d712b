import YAML

// The typed profile. Every default is applied by `ProfileDecoder` (see the
// `default…` constants beside each field) so later stages never guess; the
// reference with every field is docs/profiles.md.

/// A decoded, schema-valid profile (`apiVersion: platform.gpu/v1alpha1`, `kind: Profile`).
public struct Profile: Sendable, Equatable, Codable {
    public static let apiVersion = "platform.gpu/v1alpha1"
    public static let kind = "Profile"

    public var apiVersion: String
    public var kind: String
    public var metadata: Metadata
    public var spec: ProfileSpec

    public init(metadata: Metadata, spec: ProfileSpec) {
        self.apiVersion = Profile.apiVersion
        self.kind = Profile.kind
        self.metadata = metadata
        self.spec = spec
    }

    public struct Metadata: Sendable, Equatable, Codable {
        /// RFC 1123 label; names the platform's ApplySet and labels everything it owns.
        public var name: String
        public init(name: String) { self.name = name }
    }
}

/// The four rollout stages, in install order.
public enum Stage: String, Sendable, Equatable, Codable, CaseIterable {
    case gpu, network, sharing, scheduling
}

public struct ProfileSpec: Sendable, Equatable, Codable {
    public var kubernetes: KubernetesSpec
    /// Every chart the enabled stages install, pinned. Keys are the known chart names.
    public var charts: [ChartName: ChartSpec]
    public var gpu: GPUSpec
    public var network: NetworkSpec
    public var sharing: SharingSpec
    public var scheduling: SchedulingSpec
    public var tenants: [Tenant]
    public var smoke: SmokeSpec

    public init(kubernetes: KubernetesSpec = .init(), charts: [ChartName: ChartSpec] = [:], gpu: GPUSpec = .init(),
                network: NetworkSpec = .init(), sharing: SharingSpec = .init(), scheduling: SchedulingSpec = .init(),
                tenants: [Tenant] = [], smoke: SmokeSpec = .init()) {
        self.kubernetes = kubernetes
        self.charts = charts
        self.gpu = gpu
        self.network = network
        self.sharing = sharing
        self.scheduling = scheduling
        self.tenants = tenants
        self.smoke = smoke
    }

    /// The stages this profile runs, in order. `sharing` runs unless the model is `none`.
    public var enabledStages: [Stage] {
        Stage.allCases.filter { stage in
            switch stage {
            case .gpu: return gpu.enabled
            case .network: return network.enabled
            case .sharing: return sharing.model != .none
            case .scheduling: return scheduling.enabled
            }
        }
    }
}

public struct KubernetesSpec: Sendable, Equatable, Codable {
    /// The oldest Kubernetes version the platform must run on (the cluster's version,
    /// or the oldest across a fleet). Gates API-dependent features: DRA needs 1.34.
    /// Optional; nil means "unknown", and version-dependent lint rules then ask for it.
    public var minVersion: KubernetesVersion?
    public init(minVersion: KubernetesVersion? = nil) { self.minVersion = minVersion }
}

/// The charts the platform knows how to configure.
public enum ChartName: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable, Comparable {
    case gpuOperator = "gpu-operator"
    case networkOperator = "network-operator"
    case volcano
    case kueue
    case nvidiaDRADriverGPU = "nvidia-dra-driver-gpu"
    case nvidiaDevicePlugin = "nvidia-device-plugin"

    public static func < (a: ChartName, b: ChartName) -> Bool { a.rawValue < b.rawValue }
}

public struct ChartSpec: Sendable, Equatable, Codable {
    public var source: ChartSource
    /// The exact chart version (SemVer, NVIDIA's charts use a leading `v`). Ranges and
    /// `latest` decode but are lint errors (PL108): renders must be reproducible.
    public var version: String
    public init(source: ChartSource, version: String) {
        self.source = source
        self.version = version
    }
}

/// Where a chart comes from. Encodes as the string the user wrote.
public enum ChartSource: Sendable, Equatable, Codable, CustomStringConvertible {
    /// A classic Helm repository (`https://…`, serving index.yaml); the chart name is the key.
    case repository(String)
    /// An OCI reference (`oci://registry/path/chart`).
    case oci(String)
    /// A chart directory or .tgz on disk, relative to the working directory.
    case path(String)

    /// Classifies a source; nil with a reason when it is none of the three.
    static func parse(_ text: String) -> Result<ChartSource, SourceProblem> {
        if text.hasPrefix("https://") {
            return text.count > "https://".count ? .success(.repository(text)) : .failure(.init("has no host"))
        }
        if text.hasPrefix("oci://") {
            let rest = text.dropFirst("oci://".count)
            return rest.contains("/") && !rest.hasPrefix("/") ? .success(.oci(text))
                : .failure(.init("must be oci://REGISTRY/PATH"))
        }
        if text.hasPrefix("http://") { return .failure(.init("uses plain http; use https://")) }
        if text.contains("://") { return .failure(.init("must be an https:// repository, an oci:// reference or a local path")) }
        if text.isEmpty { return .failure(.init("must not be empty")) }
        return .success(.path(text))
    }

    struct SourceProblem: Error { var reason: String; init(_ r: String) { reason = r } }

    public var description: String {
        switch self {
        case .repository(let s), .oci(let s), .path(let s): return s
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch ChartSource.parse(text) {
        case .success(let s): self = s
        case .failure(let p):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: p.reason))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Stage 1: the NVIDIA GPU Operator.
public struct GPUSpec: Sendable, Equatable, Codable {
    /// Default true: every GPU platform needs the operator (disable only when it is managed elsewhere).
    public var enabled: Bool
    /// Namespace for the operator and its operands. Default `gpu-operator`.
    public var namespace: String
    /// Where the NVIDIA kernel driver comes from. Default `container` (the chart's default).
    public var driver: DriverMode
    /// NVIDIA Container Toolkit (`toolkit.enabled`). Default true.
    public var toolkit: Bool
    /// DCGM exporter for GPU metrics (`dcgmExporter.enabled`). Default true.
    public var dcgmExporter: Bool
    /// Whether this chart deploys Node Feature Discovery (`nfd.enabled`). Default true;
    /// set false when the Network Operator owns NFD (exactly one must, PL107).
    public var nfd: Bool
    /// Raw gpu-operator chart values, merged last over what the profile generates.
    public var values: RawValues

    public init(enabled: Bool = true, namespace: String = "gpu-operator", driver: DriverMode = .container,
                toolkit: Bool = true, dcgmExporter: Bool = true, nfd: Bool = true, values: RawValues = .init()) {
        self.enabled = enabled
        self.namespace = namespace
        self.driver = driver
        self.toolkit = toolkit
        self.dcgmExporter = dcgmExporter
        self.nfd = nfd
        self.values = values
    }
}

public enum DriverMode: String, Sendable, Equatable, Codable, CaseIterable {
    /// The driver is preinstalled on the hosts (`driver.enabled=false`).
    case host
    /// The operator runs the driver container (`driver.enabled=true`).
    case container
}

/// Stage 2: the NVIDIA Network Operator (RDMA, secondary networks).
public struct NetworkSpec: Sendable, Equatable, Codable {
    /// Default false: most clusters have no RDMA fabric.
    public var enabled: Bool
    /// Default `nvidia-network-operator`.
    public var namespace: String
    /// Whether this chart deploys NFD (`nfd.enabled`). Default false (the GPU Operator's NFD is the default owner).
    public var nfd: Bool
    /// SR-IOV network operator (`sriovNetworkOperator.enabled`). Default false.
    public var sriov: Bool
    /// The NicClusterPolicy the stage creates; nil creates none.
    public var nicClusterPolicy: NicClusterPolicySpec?
    /// Raw network-operator chart values, merged last.
    public var values: RawValues

    public init(enabled: Bool = false, namespace: String = "nvidia-network-operator", nfd: Bool = false,
                sriov: Bool = false, nicClusterPolicy: NicClusterPolicySpec? = nil, values: RawValues = .init()) {
        self.enabled = enabled
        self.namespace = namespace
        self.nfd = nfd
        self.sriov = sriov
        self.nicClusterPolicy = nicClusterPolicy
        self.values = values
    }
}

public struct NicClusterPolicySpec: Sendable, Equatable, Codable {
    public var rdmaSharedDevicePlugin: RDMASharedDevicePlugin?
    public var secondaryNetwork: SecondaryNetwork?
    public init(rdmaSharedDevicePlugin: RDMASharedDevicePlugin? = nil, secondaryNetwork: SecondaryNetwork? = nil) {
        self.rdmaSharedDevicePlugin = rdmaSharedDevicePlugin
        self.secondaryNetwork = secondaryNetwork
    }
}

/// One entry of the RDMA shared device plugin's `configList`.
public struct RDMASharedDevicePlugin: Sendable, Equatable, Codable {
    /// Advertised as `rdma/<resourceName>`. Default `rdma_shared_device_a`.
    public var resourceName: String
    /// Network interfaces whose RDMA devices are shared (`selectors.ifNames`). Required, non-empty.
    public var ifNames: [String]
    /// How many pods may share one HCA (`rdmaHcaMax`). Default 63 (the plugin's example value).
    public var rdmaHcaMax: Int
    public init(resourceName: String = "rdma_shared_device_a", ifNames: [String], rdmaHcaMax: Int = 63) {
        self.resourceName = resourceName
        self.ifNames = ifNames
        self.rdmaHcaMax = rdmaHcaMax
    }
    /// The extended resource pods request.
    public var resource: String { "rdma/\(resourceName)" }
}

/// The NicClusterPolicy `secondaryNetwork` components.
public struct SecondaryNetwork: Sendable, Equatable, Codable {
    /// Multus CNI. Default true.
    public var multus: Bool
    /// Standard CNI plugins. Default true.
    public var cniPlugins: Bool
    /// IPoIB CNI (InfiniBand). Default false.
    public var ipoib: Bool
    /// NVIDIA IPAM plugin (`nvIpam`). Default true.
    public var nvIpam: Bool
    public init(multus: Bool = true, cniPlugins: Bool = true, ipoib: Bool = false, nvIpam: Bool = true) {
        self.multus = multus
        self.cniPlugins = cniPlugins
        self.ipoib = ipoib
        self.nvIpam = nvIpam
    }
}

/// Stage 3: how GPUs are shared. Exactly one model; the block for the chosen model is
/// always present after decoding (defaults filled in), blocks for other models are kept
/// as written but unused (lint PL119).
public struct SharingSpec: Sendable, Equatable, Codable {
    /// Default `none` (whole GPUs, `nvidia.com/gpu`); the stage is skipped.
    public var model: SharingModel
    public var timeSlicing: TimeSlicing?
    public var mig: MIG?
    public var dra: DRA?

    public init(model: SharingModel = .none, timeSlicing: TimeSlicing? = nil, mig: MIG? = nil, dra: DRA? = nil) {
        self.model = model
        self.timeSlicing = timeSlicing
        self.mig = mig
        self.dra = dra
    }

    /// The GPU resource names the model makes nodes advertise (used by lint and quotas).
    /// Empty for MIG `mixed` with a config whose profiles are not in its name
    /// (`all-balanced`, custom): then any `nvidia.com/mig-*` resource may exist.
    public var exposedGPUResources: [String] {
        switch model {
        case .none: return ["nvidia.com/gpu"]
        case .timeSlicing:
            return timeSlicing?.renameByDefault == true ? ["nvidia.com/gpu.shared"] : ["nvidia.com/gpu"]
        case .mig:
            if mig?.strategy == .mixed { return mig?.resourceNames ?? [] }
            return ["nvidia.com/gpu"]
        case .dra: return [DRA.quotaResource(deviceClass: dra?.deviceClass ?? DRA.defaultDeviceClass)]
        }
    }
}

public enum SharingModel: String, Sendable, Equatable, Codable, CaseIterable {
    case none
    case timeSlicing = "time-slicing"
    case mig
    case dra
}

/// Device-plugin time-slicing (`sharing.timeSlicing.resources[0]` of the plugin config).
public struct TimeSlicing: Sendable, Equatable, Codable {
    /// Slices per physical GPU. Required, at least 2.
    public var replicas: Int
    /// Advertise `nvidia.com/gpu.shared` instead of `nvidia.com/gpu`. Default false.
    public var renameByDefault: Bool
    /// Reject pods asking for more than one slice (they would not get more compute). Default false.
    public var failRequestsGreaterThanOne: Bool
    public init(replicas: Int, renameByDefault: Bool = false, failRequestsGreaterThanOne: Bool = false) {
        self.replicas = replicas
        self.renameByDefault = renameByDefault
        self.failRequestsGreaterThanOne = failRequestsGreaterThanOne
    }
}

/// Multi-Instance GPU partitioning through the GPU Operator's MIG manager.
public struct MIG: Sendable, Equatable, Codable {
    /// `mig.strategy` of the operator. Default `single`.
    public var strategy: MIGStrategy
    /// The mig-parted configuration applied through the `nvidia.com/mig.config` node
    /// label, e.g. `all-1g.10gb`, `all-balanced`, `all-disabled`. Required.
    public var config: String
    /// Which nodes get the label; empty means every GPU node. Default empty.
    public var nodeSelector: [String: String]

    public init(strategy: MIGStrategy = .single, config: String, nodeSelector: [String: String] = [:]) {
        self.strategy = strategy
        self.config = config
        self.nodeSelector = nodeSelector
    }

    /// For `all-<profile>` configs, the mixed-strategy resource (`nvidia.com/mig-1g.10gb`);
    /// nil for configs whose profiles are not in the name (`all-balanced`, custom ones).
    public var resourceNames: [String]? {
        guard config.hasPrefix("all-"), config != "all-disabled", config != "all-enabled", config != "all-balanced"
        else { return nil }
        return ["nvidia.com/mig-" + config.dropFirst(4)]
    }
}

public enum MIGStrategy: String, Sendable, Equatable, Codable, CaseIterable {
    /// Every GPU of a node uses one MIG profile; slices are advertised as `nvidia.com/gpu`.
    case single
    /// Profiles are advertised separately as `nvidia.com/mig-<profile>`.
    case mixed
}

/// Dynamic Resource Allocation with the NVIDIA DRA driver (Kubernetes 1.34+, `resource.k8s.io/v1`).
public struct DRA: Sendable, Equatable, Codable {
    public static let defaultDeviceClass = "gpu.nvidia.com"

    /// Node label selecting where the kubelet plugin runs. Default `nvidia.com/dra-kubelet-plugin`.
    public var nodeLabel: String
    /// Driver installation root on the host (`nvidiaDriverRoot`). Default follows
    /// `gpu.driver`: `/run/nvidia/driver` for `container` (where the operator's driver
    /// container installs it), `/` for `host`.
    public var driverRoot: String
    /// The DeviceClass claims name. Default `gpu.nvidia.com` (created by the chart).
    public var deviceClass: String
    /// Multi-node NVLink ComputeDomains (`resources.computeDomains.enabled`). Default false.
    public var computeDomains: Bool
    /// Raw nvidia-dra-driver-gpu chart values, merged last.
    public var values: RawValues

    public init(nodeLabel: String = "nvidia.com/dra-kubelet-plugin", driverRoot: String = "/run/nvidia/driver",
                deviceClass: String = DRA.defaultDeviceClass, computeDomains: Bool = false, values: RawValues = .init()) {
        self.nodeLabel = nodeLabel
        self.driverRoot = driverRoot
        self.deviceClass = deviceClass
        self.computeDomains = computeDomains
        self.values = values
    }

    /// Where the driver lives for each way of installing it.
    public static func defaultDriverRoot(for driver: DriverMode) -> String {
        driver == .host ? "/" : "/run/nvidia/driver"
    }

    /// The ResourceQuota resource that counts devices of a class (Kubernetes 1.34).
    public static func quotaResource(deviceClass: String) -> String {
        "\(deviceClass).deviceclass.resource.k8s.io/devices"
    }
}

/// Stage 4: gang scheduling, queueing, priorities and tenant namespaces.
public struct SchedulingSpec: Sendable, Equatable, Codable {
    /// Default true: tenant namespaces and priority classes are created even without a scheduler.
    public var enabled: Bool
    public var volcano: Volcano
    public var kueue: Kueue
    public var priorityClasses: [PriorityClass]

    public init(enabled: Bool = true, volcano: Volcano = .init(), kueue: Kueue = .init(), priorityClasses: [PriorityClass] = []) {
        self.enabled = enabled
        self.volcano = volcano
        self.kueue = kueue
        self.priorityClasses = priorityClasses
    }
}

public struct Volcano: Sendable, Equatable, Codable {
    /// Default false.
    public var enabled: Bool
    public var queues: [VolcanoQueue]
    /// Raw volcano chart values, merged last.
    public var values: RawValues
    public init(enabled: Bool = false, queues: [VolcanoQueue] = [], values: RawValues = .init()) {
        self.enabled = enabled
        self.queues = queues
        self.values = values
    }
}

/// A Volcano `Queue` (scheduling.volcano.sh/v1beta1).
public struct VolcanoQueue: Sendable, Equatable, Codable {
    /// RFC 1123 subdomain.
    public var name: String
    /// Share of the cluster relative to other queues. Default 1, at least 1.
    public var weight: Int
    /// Upper bound per resource (`spec.capability`), e.g. `nvidia.com/gpu: 32`. Default none.
    public var capability: [String: Quantity]
    /// Whether other queues may reclaim this queue's idle share. Default true (Volcano's default).
    public var reclaimable: Bool
    public init(name: String, weight: Int = 1, capability: [String: Quantity] = [:], reclaimable: Bool = true) {
        self.name = name
        self.weight = weight
        self.capability = capability
        self.reclaimable = reclaimable
    }
}

public struct Kueue: Sendable, Equatable, Codable {
    /// Default false.
    public var enabled: Bool
    public var flavors: [KueueFlavor]
    public var clusterQueues: [ClusterQueue]
    public var localQueues: [LocalQueue]
    /// Raw kueue chart values, merged last.
    public var values: RawValues
    public init(enabled: Bool = false, flavors: [KueueFlavor] = [], clusterQueues: [ClusterQueue] = [],
                localQueues: [LocalQueue] = [], values: RawValues = .init()) {
        self.enabled = enabled
        self.flavors = flavors
        self.clusterQueues = clusterQueues
        self.localQueues = localQueues
        self.values = values
    }
}

/// A Kueue `ResourceFlavor`.
public struct KueueFlavor: Sendable, Equatable, Codable {
    public var name: String
    /// `spec.nodeLabels`: workloads admitted with this flavor are pinned to matching nodes. Default empty.
    public var nodeLabels: [String: String]
    public init(name: String, nodeLabels: [String: String] = [:]) {
        self.name = name
        self.nodeLabels = nodeLabels
    }
}

/// A Kueue `ClusterQueue`; `quotas` become one resource group per set of flavors.
public struct ClusterQueue: Sendable, Equatable, Codable {
    public var name: String
    /// Queues in one cohort borrow unused quota from each other. Default none.
    public var cohort: String?
    public var quotas: [Quota]
    public init(name: String, cohort: String? = nil, quotas: [Quota] = []) {
        self.name = name
        self.cohort = cohort
        self.quotas = quotas
    }
}

public struct Quota: Sendable, Equatable, Codable {
    /// A flavor defined in `kueue.flavors`.
    public var flavor: String
    /// A resource name such as `nvidia.com/gpu`, `cpu`, `memory`.
    public var resource: String
    /// `nominalQuota`.
    public var nominal: Quantity
    public init(flavor: String, resource: String, nominal: Quantity) {
        self.flavor = flavor
        self.resource = resource
        self.nominal = nominal
    }
}

/// A Kueue `LocalQueue`: the namespaced entry point (`kueue.x-k8s.io/queue-name`).
public struct LocalQueue: Sendable, Equatable, Codable {
    public var name: String
    public var namespace: String
    /// A cluster queue defined in `kueue.clusterQueues`.
    public var clusterQueue: String
    public init(name: String, namespace: String, clusterQueue: String) {
        self.name = name
        self.namespace = namespace
        self.clusterQueue = clusterQueue
    }
}

/// A `scheduling.k8s.io/v1` PriorityClass.
public struct PriorityClass: Sendable, Equatable, Codable {
    public var name: String
    /// At most 1,000,000,000 (higher values are reserved for system classes).
    public var value: Int
    /// Default false; at most one class may be the default (PL116).
    public var globalDefault: Bool
    public var description: String?
    public init(name: String, value: Int, globalDefault: Bool = false, description: String? = nil) {
        self.name = name
        self.value = value
        self.globalDefault = globalDefault
        self.description = description
    }
}

/// A team's namespace, GPU quota and expectations.
public struct Tenant: Sendable, Equatable, Codable {
    /// Created by the scheduling stage; RFC 1123 label, unique.
    public var namespace: String
    /// GPUs the namespace may request (ResourceQuota `requests.<resource>`). At least 0.
    public var gpus: Int
    /// The GPU resource the quota counts. Default: what the sharing model advertises
    /// (`nvidia.com/gpu`, `nvidia.com/gpu.shared` with renameByDefault, the DRA device-class
    /// quota resource); with MIG `mixed` set it to a `nvidia.com/mig-…` resource.
    public var resource: String
    /// What the tenant was promised. Default `shared`; `exclusive` tenants must not be
    /// time-sliced (PL102).
    public var isolation: Isolation
    /// The tenant runs multi-pod jobs that must start all-or-nothing (needs Volcano, PL105). Default false.
    public var gangJobs: Bool

    public init(namespace: String, gpus: Int, resource: String = "nvidia.com/gpu", isolation: Isolation = .shared,
                gangJobs: Bool = false) {
        self.namespace = namespace
        self.gpus = gpus
        self.resource = resource
        self.isolation = isolation
        self.gangJobs = gangJobs
    }
}

public enum Isolation: String, Sendable, Equatable, Codable, CaseIterable {
    case shared, exclusive
}

/// The gates' smoke workloads.
public struct SmokeSpec: Sendable, Equatable, Codable {
    public static let defaultImage = "nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04"

    /// Image for the CUDA smoke pods (must print the `nvidia-smi` table). Default `nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04`.
    public var image: String
    /// Total time for all gates of one run. Default 10m.
    public var timeout: GoDuration
    /// Per-stage limits; a stage without one may use what is left of `timeout`.
    public var stageTimeouts: [Stage: GoDuration]

    public init(image: String = SmokeSpec.defaultImage, timeout: GoDuration = .minutes(10), stageTimeouts: [Stage: GoDuration] = [:]) {
        self.image = image
        self.timeout = timeout
        self.stageTimeouts = stageTimeouts
    }
}

extension Stage: CodingKeyRepresentable {}
