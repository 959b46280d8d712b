import Foundation
import KubeModel

/// The objects one stage renders, in install order (as the Stages module emits them).
public struct DesiredStage: Sendable {
    public var name: String
    public var objects: [JSONValue]
    public init(name: String, objects: [JSONValue]) {
        self.name = name
        self.objects = objects
    }
}

public struct PlanInput: Sendable {
    public var profileName: String
    public var profileDigest: String
    public var chartDigests: [String: String]
    public var stages: [DesiredStage]
    public init(profileName: String, profileDigest: String = "", chartDigests: [String: String] = [:], stages: [DesiredStage]) {
        self.profileName = profileName
        self.profileDigest = profileDigest
        self.chartDigests = chartDigests
        self.stages = stages
    }
}

/// A stage after decoration: what the observer must look up and dry-run.
public struct PreparedStage: Sendable {
    public var name: String
    public var applySet: ApplySetParent
    /// Decorated objects to apply (hooks excluded), in install order.
    public var objects: [(ref: ObjectRef, object: JSONValue)]
    public var hooks: [PlannedHook]
}

/// What the cluster said about one rendered object.
public struct Observation: Sendable {
    public var live: JSONValue?
    /// The server-side dry-run apply of the decorated object; nil when it could not be made
    /// (namespace or CRD not there yet, or the server refused).
    public var dryRun: JSONValue?
    /// False when discovery does not know the kind (its CRD is not installed yet).
    public var kindServed: Bool
    public var dryRunError: String?
    public init(live: JSONValue?, dryRun: JSONValue? = nil, kindServed: Bool = true, dryRunError: String? = nil) {
        self.live = live
        self.dryRun = dryRun
        self.kindServed = kindServed
        self.dryRunError = dryRunError
    }
}

/// Live state, gathered by the rollout module (I/O) and handed to the pure planner.
public struct ObservedState: Sendable {
    public var objects: [ObjectIdentity: Observation]
    /// Objects labelled `part-of` each ApplySet id, as listed from the cluster.
    public var owned: [String: [JSONValue]]
    public init(objects: [ObjectIdentity: Observation] = [:], owned: [String: [JSONValue]] = [:]) {
        self.objects = objects
        self.owned = owned
    }
}

public struct PlanningError: Error, Sendable, CustomStringConvertible {
    public var stage: String
    public var object: String
    public var message: String
    public var description: String { "stage \(stage): \(object): \(message)" }
}

/// Profile render + live state -> Plan. No I/O.
public enum Planner {
    public static func prepare(_ input: PlanInput) throws(PlanningError) -> [PreparedStage] {
        try input.stages.map { (stage) throws(PlanningError) -> PreparedStage in
            let parent = ApplySet.parent(profile: input.profileName, stage: stage.name)
            var objects: [(ObjectRef, JSONValue)] = []
            var hooks: [PlannedHook] = []
            for object in stage.objects {
                guard let ref = ObjectRef(object) else {
                    throw PlanningError(stage: stage.name, object: object["kind"]?.stringValue ?? "object",
                                        message: "rendered object has no apiVersion, kind or metadata.name")
                }
                if let hook = HookInfo(annotations: object) {
                    if !hook.isTest { hooks.append(PlannedHook(ref: ref, hook: hook, object: object)) }
                    continue
                }
                objects.append((ref, ApplySet.decorate(object, parent: parent)))
            }
            return PreparedStage(name: stage.name, applySet: parent, objects: objects, hooks: hooks)
        }
    }

    public static func plan(_ input: PlanInput, observed: ObservedState) throws(PlanningError) -> Plan {
        plan(input, prepared: try prepare(input), observed: observed)
    }

    public static func plan(_ input: PlanInput, prepared: [PreparedStage], observed: ObservedState) -> Plan {
        let stages = prepared.map { stage in
            var changes = stage.objects.map { classify(ref: $0.ref, desired: $0.object, observation: observed.objects[$0.ref.identity]) }
            let rendered = Set(stage.objects.map(\.ref.identity))
            // Reverse listing order so dependants go before what they depend on.
            let stale = (observed.owned[stage.applySet.id] ?? []).compactMap { o -> (ObjectRef, JSONValue)? in
                guard let ref = ObjectRef(o), !rendered.contains(ref.identity) else { return nil }
                return (ref, o)
            }
            for (ref, live) in stale.sorted(by: { pruneOrder($0.0) > pruneOrder($1.0) || (pruneOrder($0.0) == pruneOrder($1.0) && $0.0 < $1.0) }) {
                let before = yaml(live)
                changes.append(PlannedChange(ref: ref, action: .prune, reason: "owned by this stage's ApplySet, no longer rendered",
                                             diff: LineDiff.unified(old: before, new: "", oldLabel: "live/\(ref)", newLabel: "planned/\(ref)"),
                                             liveResourceVersion: live[path: ["metadata", "resourceVersion"]]?.stringValue))
            }
            return PlannedStage(name: stage.name, applySet: stage.applySet, changes: changes,
                                hooks: stage.hooks.sorted { ($0.hook.weight, $0.ref) < ($1.hook.weight, $1.ref) })
        }
        return Plan(profileName: input.profileName, profileDigest: input.profileDigest, chartDigests: input.chartDigests,
                    stages: stages)
    }

    /// Create, update or unchanged for one rendered object.
    public static func classify(ref: ObjectRef, desired: JSONValue, observation: Observation?) -> PlannedChange {
        guard let observation, let live = observation.live else {
            var reason: String? = nil
            if observation?.kindServed == false { reason = "\(ref.groupKind) is not served yet (its CRD is created first)" }
            return PlannedChange(ref: ref, action: .create, reason: reason,
                                 diff: LineDiff.unified(old: "", new: yaml(desired), oldLabel: "live/\(ref)", newLabel: "planned/\(ref)"),
                                 object: desired)
        }
        // The dry-run result carries server defaults, so it compares like with like; without
        // it, overlay what we set on the live object (what apply would produce, minus removals).
        let after = observation.dryRun.map(Normalizer.normalize) ?? Normalizer.normalize(overlay(live, desired))
        let before = Normalizer.normalize(live)
        let rv = live[path: ["metadata", "resourceVersion"]]?.stringValue
        if before.semanticallyEquals(after) {
            return PlannedChange(ref: ref, action: .unchanged, liveResourceVersion: rv, object: desired)
        }
        let sensitive = Normalizer.isSecret(desired) ? ["data", "stringData"] : []
        let fields = FieldDiff.changes(from: before, to: after, sensitivePrefixes: sensitive)
        if fields.isEmpty {
            return PlannedChange(ref: ref, action: .unchanged, liveResourceVersion: rv, object: desired)
        }
        return PlannedChange(ref: ref, action: .update, fields: fields,
                             diff: LineDiff.unified(old: yaml(before), new: yaml(after), oldLabel: "live/\(ref)", newLabel: "planned/\(ref)"),
                             liveResourceVersion: rv, object: desired)
    }

    /// Normalised, redacted YAML used in diffs.
    static func yaml(_ object: JSONValue) -> String { Normalizer.redact(Normalizer.normalize(object)).yamlString() }

    /// Maps merged recursively; everything else replaced by `top`.
    public static func overlay(_ base: JSONValue, _ top: JSONValue) -> JSONValue {
        guard case .object(var b) = base, case .object(let t) = top else { return top }
        for m in t { b[m.key] = b[m.key].map { overlay($0, m.value) } ?? m.value }
        return .object(b)
    }

    /// Helm's install rank (lower installs first); prune and destroy go highest first.
    public static func pruneOrder(_ ref: ObjectRef) -> Int { InstallOrder.rank(ref.kind) }
}

/// Helm's `InstallOrder` (pkg/releaseutil/kind_sorter.go) as data; unknown kinds last.
public enum InstallOrder {
    public static let kinds = [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
        "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
        "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
        "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
        "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
    ]
    static let table: [String: Int] = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })
    public static func rank(_ kind: String) -> Int { table[kind] ?? kinds.count }
}
