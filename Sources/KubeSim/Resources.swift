import KubeModel

/// A printer column of a `kubectl get` table (CRD `additionalPrinterColumns` or built in).
public struct PrinterColumn: Sendable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int
    /// A simple JSONPath such as `.status.phase`; nil for computed built-in columns.
    public var jsonPath: String?
}

/// Everything the server knows about one resource (one group/version/plural).
public struct ResourceInfo: Sendable {
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var hasStatus: Bool
    public var hasScale: Bool
    /// For CRD scale subresources: JSON paths (without leading dot) of replicas and selector.
    public var scaleSpecPath: [String] = ["spec", "replicas"]
    public var scaleStatusPath: [String] = ["status", "replicas"]
    public var scaleSelectorPath: [String]? = nil
    public var hasLog: Bool = false
    /// The CRD `openAPIV3Schema` for custom resources; nil for built-ins.
    public var schema: JSONValue?
    public var printerColumns: [PrinterColumn] = []
    public var isCustom: Bool = false
    /// Whether this version is the one objects are stored in (CRD `storage: true`).
    public var storageVersion: String

    public var gvr: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: plural) }
    public var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
    public var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    public var apiVersion: String { gvk.apiVersion }
    public var listKind: String { kind + "List" }
    public var verbs: [String] {
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }

    init(group: String, version: String, plural: String, kind: String, namespaced: Bool, shortNames: [String] = [],
         categories: [String] = [], status: Bool = false, scale: Bool = false)
    {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.singular = kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.categories = categories
        self.hasStatus = status
        self.hasScale = scale
        self.storageVersion = version
    }
}

/// The built-in kinds: those the six charts and the stages create, plus their usual neighbours.
enum BuiltinResources {
    static let all: [ResourceInfo] = {
        func r(_ gv: String, _ plural: String, _ kind: String, ns: Bool, short: [String] = [], cat: [String] = [],
               status: Bool = false, scale: Bool = false) -> ResourceInfo
        {
            let parts = gv.split(separator: "/").map(String.init)
            let (g, v) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
            return ResourceInfo(group: g, version: v, plural: plural, kind: kind, namespaced: ns, shortNames: short,
                                categories: cat, status: status, scale: scale)
        }
        var list: [ResourceInfo] = [
            r("v1", "namespaces", "Namespace", ns: false, short: ["ns"], status: true),
            r("v1", "nodes", "Node", ns: false, short: ["no"], status: true),
            r("v1", "serviceaccounts", "ServiceAccount", ns: true, short: ["sa"]),
            r("v1", "configmaps", "ConfigMap", ns: true, short: ["cm"]),
            r("v1", "secrets", "Secret", ns: true),
            r("v1", "services", "Service", ns: true, short: ["svc"], cat: ["all"], status: true),
            r("v1", "endpoints", "Endpoints", ns: true, short: ["ep"]),
            r("v1", "pods", "Pod", ns: true, short: ["po"], cat: ["all"], status: true),
            r("v1", "events", "Event", ns: true, short: ["ev"]),
            r("v1", "resourcequotas", "ResourceQuota", ns: true, short: ["quota"], status: true),
            r("v1", "limitranges", "LimitRange", ns: true, short: ["limits"]),
            r("v1", "persistentvolumeclaims", "PersistentVolumeClaim", ns: true, short: ["pvc"], status: true),
            r("v1", "persistentvolumes", "PersistentVolume", ns: false, short: ["pv"], status: true),
            r("v1", "replicationcontrollers", "ReplicationController", ns: true, short: ["rc"], cat: ["all"], status: true, scale: true),
            r("v1", "podtemplates", "PodTemplate", ns: true),
            r("apps/v1", "deployments", "Deployment", ns: true, short: ["deploy"], cat: ["all"], status: true, scale: true),
            r("apps/v1", "daemonsets", "DaemonSet", ns: true, short: ["ds"], cat: ["all"], status: true),
            r("apps/v1", "statefulsets", "StatefulSet", ns: true, short: ["sts"], cat: ["all"], status: true, scale: true),
            r("apps/v1", "replicasets", "ReplicaSet", ns: true, short: ["rs"], cat: ["all"], status: true, scale: true),
            r("apps/v1", "controllerrevisions", "ControllerRevision", ns: true),
            r("batch/v1", "jobs", "Job", ns: true, cat: ["all"], status: true),
            r("batch/v1", "cronjobs", "CronJob", ns: true, short: ["cj"], cat: ["all"], status: true),
            r("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", ns: false),
            r("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", ns: false),
            r("rbac.authorization.k8s.io/v1", "roles", "Role", ns: true),
            r("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding", ns: true),
            r("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", ns: false, short: ["pc"]),
            r("node.k8s.io/v1", "runtimeclasses", "RuntimeClass", ns: false),
            r("coordination.k8s.io/v1", "leases", "Lease", ns: true),
            r("events.k8s.io/v1", "events", "Event", ns: true, short: ["ev"]),
            r("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", ns: false,
              short: ["crd", "crds"], status: true),
            r("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration", ns: false),
            r("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", ns: false),
            r("admissionregistration.k8s.io/v1", "validatingadmissionpolicies", "ValidatingAdmissionPolicy", ns: false, status: true),
            r("admissionregistration.k8s.io/v1", "validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", ns: false),
            r("apiregistration.k8s.io/v1", "apiservices", "APIService", ns: false, status: true),
            r("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", ns: true, short: ["pdb"], status: true),
            r("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", ns: true, short: ["netpol"]),
            r("networking.k8s.io/v1", "ingresses", "Ingress", ns: true, short: ["ing"], status: true),
            r("networking.k8s.io/v1", "ingressclasses", "IngressClass", ns: false),
            r("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", ns: true),
            r("storage.k8s.io/v1", "storageclasses", "StorageClass", ns: false, short: ["sc"]),
            r("storage.k8s.io/v1", "csidrivers", "CSIDriver", ns: false),
            r("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", ns: true, short: ["hpa"], cat: ["all"], status: true),
            r("resource.k8s.io/v1", "deviceclasses", "DeviceClass", ns: false),
            r("resource.k8s.io/v1", "resourceclaims", "ResourceClaim", ns: true, status: true),
            r("resource.k8s.io/v1", "resourceclaimtemplates", "ResourceClaimTemplate", ns: true),
            r("resource.k8s.io/v1", "resourceslices", "ResourceSlice", ns: false),
        ]
        for i in list.indices where list[i].plural == "pods" { list[i].hasLog = true }
        return list
    }()

    /// Preferred group order in discovery, as kube-apiserver lists its groups.
    static let groupOrder: [String] = [
        "", "apiregistration.k8s.io", "apps", "events.k8s.io", "autoscaling", "batch", "certificates.k8s.io",
        "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io", "admissionregistration.k8s.io",
        "apiextensions.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io",
        "resource.k8s.io",
    ]
}

/// The set of served resources; CRDs add and remove entries at run time.
struct ResourceRegistry: Sendable {
    private(set) var resources: [ResourceInfo] = []
    private var byPath: [String: Int] = [:]  // "group/version/plural" → index

    init() {
        for r in BuiltinResources.all { add(r) }
    }

    mutating func add(_ r: ResourceInfo) {
        let k = "\(r.group)/\(r.version)/\(r.plural)"
        if let i = byPath[k] { resources[i] = r } else {
            byPath[k] = resources.count
            resources.append(r)
        }
    }

    mutating func removeGroupResource(_ gr: GroupResource) {
        resources.removeAll { $0.group == gr.group && $0.plural == gr.resource }
        byPath = [:]
        for (i, r) in resources.enumerated() { byPath["\(r.group)/\(r.version)/\(r.plural)"] = i }
    }

    func lookup(group: String, version: String, plural: String) -> ResourceInfo? {
        byPath["\(group)/\(version)/\(plural)"].map { resources[$0] }
    }

    func lookup(gvk: GroupVersionKind) -> ResourceInfo? {
        resources.first { $0.group == gvk.group && $0.version == gvk.version && $0.kind == gvk.kind }
    }

    /// Group versions in discovery order: built-in groups first, then CRD groups by name.
    var groupVersions: [GroupVersion] {
        var seen = Set<GroupVersion>()
        var out: [GroupVersion] = []
        for r in resources {
            let gv = GroupVersion(group: r.group, version: r.version)
            if seen.insert(gv).inserted { out.append(gv) }
        }
        func rank(_ g: String) -> Int { BuiltinResources.groupOrder.firstIndex(of: g) ?? Int.max }
        return out.sorted { a, b in
            let ra = rank(a.group), rb = rank(b.group)
            if ra != rb { return ra < rb }
            if a.group != b.group { return a.group < b.group }
            return versionPriority(a.version) > versionPriority(b.version)
        }
    }

    func resources(in gv: GroupVersion) -> [ResourceInfo] {
        resources.filter { $0.group == gv.group && $0.version == gv.version }
    }
}

/// Kubernetes version priority (`v2 > v1 > v1beta2 > v1beta1 > v1alpha1 > other`), as a sortable number.
func versionPriority(_ v: String) -> Int {
    guard v.hasPrefix("v") else { return 0 }
    let body = v.dropFirst()
    let digits = body.prefix(while: \.isNumber)
    guard let major = Int(digits) else { return 0 }
    let rest = body.dropFirst(digits.count)
    if rest.isEmpty { return 3_000_000 + major * 1000 }
    if rest.hasPrefix("beta"), let minor = Int(rest.dropFirst(4)) { return 2_000_000 + major * 1000 + minor }
    if rest.hasPrefix("alpha"), let minor = Int(rest.dropFirst(5)) { return 1_000_000 + major * 1000 + minor }
    return 0
}
