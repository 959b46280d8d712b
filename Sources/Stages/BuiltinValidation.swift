import KubeSchema
import Profiles

/// Checks built-in kinds against the Kubernetes schema of the profile's version
/// (`KubeSchema`, generated from kubernetes-validate; docs/stages.md "Validation").
struct BuiltinValidator {
    /// The schema version used ("1.32"): `kubernetes.minVersion` clamped to the shipped range,
    /// the newest shipped version when the profile names none.
    let version: String
    /// What the profile asked for, for messages ("1.28" when clamped to 1.30).
    let requested: String?
    let schemas: KubernetesVersionSchemas

    init(minVersion: KubernetesVersion?) throws(StageRenderError) {
        let version = minVersion.map { KubernetesSchemas.schemaVersion(major: $0.major, minor: $0.minor) }
            ?? KubernetesSchemas.supportedVersions[KubernetesSchemas.supportedVersions.count - 1]
        let loaded: KubernetesVersionSchemas?
        do { loaded = try KubernetesSchemas.shared.version(version) } catch {
            throw StageRenderError(stage: nil, object: nil, message: error.description)
        }
        guard let loaded else { throw StageRenderError(stage: nil, object: nil, message: "no Kubernetes \(version) schemas in this build") }
        schemas = loaded
        self.version = version
        requested = minVersion.map { "\($0.major).\($0.minor)" }
    }

    /// Throws when `o` (a built-in kind, not a custom resource) does not match its schema or
    /// is not served by this Kubernetes version. Kinds without any shipped schema (the add-on
    /// kinds `ScopeTable` accepts, such as ServiceMonitor) pass.
    func check(_ o: RenderedObject) throws(StageRenderError) {
        if let problems = schemas.validate(o.value, apiVersion: o.apiVersion, kind: o.kind) {
            guard !problems.isEmpty else { return }
            throw StageRenderError(
                stage: o.stage, object: o.reference,
                message: "from \(o.origin): does not match the Kubernetes \(version) schema of \(o.apiVersion) \(o.kind):\n  "
                    + problems.map(\.description).joined(separator: "\n  "))
        }
        let serving: [String]
        do {
            guard try KubernetesSchemas.shared.isBuiltin(group: o.group, kind: o.kind) else { return }
            serving = try KubernetesSchemas.shared.versionsServing(apiVersion: o.apiVersion, kind: o.kind)
        } catch {
            throw StageRenderError(stage: o.stage, object: o.reference, message: error.description)
        }
        let asked = requested.map { "spec.kubernetes.minVersion \($0)" } ?? "Kubernetes \(version)"
        let fix = serving.isEmpty
            ? "no Kubernetes 1.30-1.36 serves \(o.apiVersion); use a served version of \(o.kind)"
            : "served from Kubernetes \(serving[0]); raise spec.kubernetes.minVersion or use an API version \(asked) serves"
        throw StageRenderError(stage: o.stage, object: o.reference,
                               message: "from \(o.origin): \(o.apiVersion) \(o.kind) is not served by \(asked) (\(fix))")
    }
}
