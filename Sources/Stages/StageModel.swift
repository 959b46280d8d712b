import Profiles
import YAML

/// A directory of the rendered output. `namespaces` comes first so every later stage
/// finds its namespaces; the other four are the rollout stages of the profile.
public enum StageID: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case namespaces, gpu, network, sharing, scheduling

    /// Output directory name; the prefix keeps `ls` order equal to install order.
    public var directory: String {
        switch self {
        case .namespaces: return "00-namespaces"
        case .gpu: return "10-gpu"
        case .network: return "20-network"
        case .sharing: return "30-sharing"
        case .scheduling: return "40-scheduling"
        }
    }

    public var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: StageID, b: StageID) -> Bool { a.order < b.order }

    /// The profile's rollout stage, nil for the namespaces directory.
    public var profileStage: Profiles.Stage? { Profiles.Stage(rawValue: rawValue) }
}

/// One Helm release a stage installs.
public struct HelmRelease: Sendable, Equatable {
    public var chart: ChartName
    public var version: String
    public var source: ChartSource
    public var releaseName: String
    public var namespace: String
    /// Values computed from the profile with the profile's raw `values` merged last.
    public var values: YAMLMapping

    public init(chart: ChartName, version: String, source: ChartSource, releaseName: String, namespace: String,
                values: YAMLMapping) {
        self.chart = chart
        self.version = version
        self.source = source
        self.releaseName = releaseName
        self.namespace = namespace
        self.values = values
    }
}

/// Something the rollout does that is not "apply an object". Data only; the apply
/// issue executes these after the stage's objects are applied, in order.
public enum StageAction: Sendable, Equatable, Codable {
    /// `kubectl rollout restart` of a DaemonSet (e.g. the device plugin re-reading its config).
    case restartDaemonSet(namespace: String, name: String, reason: String)
    /// Labels matching nodes (Nodes are not rendered objects). An empty selector means
    /// every node carrying `nvidia.com/gpu.present=true`.
    case labelNodes(selector: [String: String], labels: [String: String], reason: String)
}

/// When a stage counts as installed. Data; a later issue evaluates them against the cluster.
public enum ReadinessRule: Sendable, Equatable, Codable {
    /// Every Deployment and DaemonSet the stage's releases rendered is rolled out.
    case workloadsReady(namespace: String)
    /// A custom resource's status field has a value, e.g. ClusterPolicy `status.state == ready`.
    case resourceField(apiVersion: String, kind: String, name: String, path: String, equals: String)
    /// Nodes advertise a resource (allocatable > 0) — proves the device plugin / MIG manager ran.
    case nodeResource(resource: String)
    /// ResourceSlices exist for a DRA driver.
    case resourceSlices(driver: String)
    /// Webhooks of a service answer (a dry-run create is admitted).
    case webhookServing(namespace: String, service: String)
}

/// The stage's gate: a workload that must succeed before the next stage. Data only.
public struct SmokeGate: Sendable, Equatable, Codable {
    public var name: String
    /// What must be observed, in words the CLI prints.
    public var expectation: String
    public var image: String
    public var command: [String]
    /// Extended resources / claims the smoke pod requests.
    public var resources: [String: String]
    public var timeout: String

    public init(name: String, expectation: String, image: String, command: [String], resources: [String: String],
                timeout: String) {
        self.name = name
        self.expectation = expectation
        self.image = image
        self.command = command
        self.resources = resources
        self.timeout = timeout
    }
}

/// A stage compiled from a profile: what to install and how to know it worked.
public struct StagePlan: Sendable, Equatable {
    public var id: StageID
    public var releases: [HelmRelease]
    /// The directory under `Manifests/` whose templates this stage renders (may hold none).
    public var manifestDirectory: String
    public var actions: [StageAction]
    public var readiness: [ReadinessRule]
    public var smoke: [SmokeGate]

    public init(id: StageID, releases: [HelmRelease] = [], actions: [StageAction] = [], readiness: [ReadinessRule] = [],
                smoke: [SmokeGate] = []) {
        self.id = id
        self.releases = releases
        self.manifestDirectory = id.directory
        self.actions = actions
        self.readiness = readiness
        self.smoke = smoke
    }
}
