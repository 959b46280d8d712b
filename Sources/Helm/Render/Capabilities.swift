import Foundation

/// `.Capabilities`: the Kubernetes version and API versions templates may test, and
/// the Helm version we stand in for.
public struct Capabilities: Sendable {
    public struct KubeVersion: Sendable, Equatable {
        /// As given, with a `v` prefix (`v1.34.0`, `v1.33.4-gke.1`); also `GitVersion`.
        public var version: String
        /// `vMAJOR.MINOR.PATCH[-pre]` used for `kubeVersion:` constraint checks.
        public var normalized: String
        public var major: String
        public var minor: String

        /// Helm's `ParseKubeVersion` (k8s `ParseGeneric`: at least major.minor, optional `v`).
        public init?(parsing text: String) {
            var s = Substring(text.trimmingCharacters(in: .whitespaces))
            if s.hasPrefix("v") { s = s.dropFirst() }
            // ParseGeneric: numbers separated by dots, then optional -pre/+build.
            var core = s
            var tail = Substring("")
            if let i = s.firstIndex(where: { $0 == "-" || $0 == "+" }) { core = s[..<i]; tail = s[i...] }
            let parts = core.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
                  let maj = UInt64(parts[0]), let min = UInt64(parts[1]) else { return nil }
            let patch = parts.count > 2 ? UInt64(parts[2]) ?? 0 : 0
            version = text.hasPrefix("v") ? text : "v" + text
            var pre = ""
            if tail.hasPrefix("-") {
                pre = String(tail.dropFirst().prefix(while: { $0 != "+" }))
            }
            normalized = "v\(maj).\(min).\(patch)" + (pre.isEmpty ? "" : "-" + pre)
            major = String(maj)
            minor = String(min)
        }
    }

    public var kubeVersion: KubeVersion
    public var apiVersions: [String]
    public var helmVersion: String
    public var helmGitCommit: String
    public var goVersion: String

    /// What Helm 4.3.0 uses when no cluster is asked: its client-go's (v0.36) Kubernetes version
    /// and the API groups client-go knows.
    public static let defaultKubeVersion = "v1.36.0"

    public init(kubeVersion: KubeVersion? = nil, extraAPIVersions: [String] = []) {
        self.kubeVersion = kubeVersion ?? KubeVersion(parsing: Self.defaultKubeVersion)!
        self.apiVersions = Self.defaultAPIVersions + extraAPIVersions
        self.helmVersion = "v4.3.0"
        self.helmGitCommit = ""
        self.goVersion = "go1.26.0"
    }

    /// `APIVersions.Has`: exact `group/version` or `group/version/Kind`; a `group/version`
    /// also counts as present when a kind under it was declared (`-a g/v/Kind`).
    public func has(_ apiVersion: String) -> Bool {
        apiVersions.contains { $0 == apiVersion || $0.hasPrefix(apiVersion + "/") }
    }

    /// client-go's scheme (`PrioritizedVersionsAllGroups`) plus apiextensions, as Helm lists it.
    public static let defaultAPIVersions: [String] = [
        "v1",
        "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1", "admissionregistration.k8s.io/v1beta1",
        "internal.apiserver.k8s.io/v1alpha1",
        "apps/v1", "apps/v1beta1", "apps/v1beta2",
        "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1",
        "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
        "autoscaling/v1", "autoscaling/v2", "autoscaling/v2beta1", "autoscaling/v2beta2",
        "batch/v1", "batch/v1beta1",
        "certificates.k8s.io/v1", "certificates.k8s.io/v1alpha1", "certificates.k8s.io/v1beta1",
        "coordination.k8s.io/v1", "coordination.k8s.io/v1alpha2", "coordination.k8s.io/v1beta1",
        "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1",
        "events.k8s.io/v1", "events.k8s.io/v1beta1",
        "extensions/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3",
        "networking.k8s.io/v1", "networking.k8s.io/v1alpha1", "networking.k8s.io/v1beta1",
        "node.k8s.io/v1", "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1",
        "policy/v1", "policy/v1beta1",
        "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1alpha1", "rbac.authorization.k8s.io/v1beta1",
        "resource.k8s.io/v1", "resource.k8s.io/v1alpha3", "resource.k8s.io/v1beta1", "resource.k8s.io/v1beta2",
        "scheduling.k8s.io/v1", "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1",
        "storage.k8s.io/v1", "storage.k8s.io/v1alpha1", "storage.k8s.io/v1beta1",
        "storagemigration.k8s.io/v1alpha1",
        "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1",
    ]
}
