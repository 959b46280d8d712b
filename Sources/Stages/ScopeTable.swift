import YAML

/// Which kinds are namespaced, and the CRD schemas of custom kinds in the render.
struct ScopeTable {
    struct CRDInfo {
        var name: String
        var namespaced: Bool
        /// Served version -> openAPIV3Schema.
        var versions: [String: YAMLValue]
    }

    /// Built-in cluster-scoped kinds by group (Kubernetes 1.30-1.36; with `namespacedBuiltins`, every
    /// object kind `KubeSchema` ships, so each schema-checked kind has a scope).
    static let clusterScoped: [String: Set<String>] = [
        "": ["Namespace", "Node", "PersistentVolume", "ComponentStatus"],
        "internal.apiserver.k8s.io": ["StorageVersion"],
        "storagemigration.k8s.io": ["StorageVersionMigration"],
        "rbac.authorization.k8s.io": ["ClusterRole", "ClusterRoleBinding"],
        "apiextensions.k8s.io": ["CustomResourceDefinition"],
        "apiregistration.k8s.io": ["APIService"],
        "admissionregistration.k8s.io": ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
                                         "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
                                         "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"],
        "scheduling.k8s.io": ["PriorityClass"],
        "storage.k8s.io": ["StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"],
        "node.k8s.io": ["RuntimeClass"],
        "networking.k8s.io": ["IngressClass", "IPAddress", "ServiceCIDR"],
        "certificates.k8s.io": ["CertificateSigningRequest", "ClusterTrustBundle"],
        "flowcontrol.apiserver.k8s.io": ["FlowSchema", "PriorityLevelConfiguration"],
        "resource.k8s.io": ["DeviceClass", "ResourceSlice", "DeviceTaintRule", "ResourceClass"],
    ]

    /// Built-in namespaced kinds by group.
    static let namespacedBuiltins: [String: Set<String>] = [
        "": ["ConfigMap", "Secret", "Service", "ServiceAccount", "Pod", "PersistentVolumeClaim", "ResourceQuota",
             "LimitRange", "Endpoints", "ReplicationController", "Event", "PodTemplate"],
        "events.k8s.io": ["Event"],
        "apps": ["Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ControllerRevision"],
        "batch": ["Job", "CronJob"],
        "rbac.authorization.k8s.io": ["Role", "RoleBinding"],
        "policy": ["PodDisruptionBudget"],
        "autoscaling": ["HorizontalPodAutoscaler"],
        "networking.k8s.io": ["NetworkPolicy", "Ingress"],
        "coordination.k8s.io": ["Lease", "LeaseCandidate"],
        "storage.k8s.io": ["CSIStorageCapacity"],
        "certificates.k8s.io": ["PodCertificateRequest"],
        "scheduling.k8s.io": ["Workload", "PodGroup"],
        "discovery.k8s.io": ["EndpointSlice"],
        "resource.k8s.io": ["ResourceClaim", "ResourceClaimTemplate", "PodSchedulingContext", "ResourceClaimParameters",
                            "ResourceClassParameters"],
        // Common add-on kinds charts render behind flags (Prometheus Operator, cert-manager).
        "monitoring.coreos.com": ["ServiceMonitor", "PodMonitor", "PrometheusRule"],
        "cert-manager.io": ["Certificate", "Issuer"],
    ]

    var crds: [String: CRDInfo] = [:]  // "group/Kind"

    init(crds objects: [YAMLValue]) throws(StageRenderError) {
        for crd in objects {
            guard let group = crd[path: "spec", "group"]?.string, let kind = crd[path: "spec", "names", "kind"]?.string else {
                throw StageRenderError(stage: nil, object: "CustomResourceDefinition \(crd[path: "metadata", "name"]?.string ?? "?")",
                                       message: "missing spec.group or spec.names.kind")
            }
            var versions: [String: YAMLValue] = [:]
            for v in crd[path: "spec", "versions"]?.sequence ?? [] where v[path: "served"] != .bool(false) {
                if let name = v[path: "name"]?.string {
                    versions[name] = v[path: "schema", "openAPIV3Schema"] ?? .mapping(YAMLMapping([("x-kubernetes-preserve-unknown-fields", .bool(true))]))
                }
            }
            crds["\(group)/\(kind)"] = CRDInfo(name: crd[path: "metadata", "name"]?.string ?? "", 
                                               namespaced: crd[path: "spec", "scope"]?.string != "Cluster", versions: versions)
        }
    }

    func crd(group: String, kind: String) -> CRDInfo? { crds["\(group)/\(kind)"] }

    /// nil when the kind is unknown.
    func isNamespaced(group: String, kind: String) -> Bool? {
        if let c = crds["\(group)/\(kind)"] { return c.namespaced }
        if Self.clusterScoped[group]?.contains(kind) == true { return false }
        if Self.namespacedBuiltins[group]?.contains(kind) == true { return true }
        return nil
    }
}
