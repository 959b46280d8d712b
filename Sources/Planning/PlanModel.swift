import Foundation
import KubeModel

/// Which object a change is about: `apiVersion`/`kind` as rendered, plus namespace/name.
public struct ObjectRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String = "", name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// Reads identity from an object; nil when apiVersion, kind or name is missing.
    public init?(_ object: JSONValue) {
        guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue,
              let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else { return nil }
        self.init(apiVersion: apiVersion, kind: kind,
                  namespace: object[path: ["metadata", "namespace"]]?.stringValue ?? "", name: name)
    }

    public var group: String { apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : "" }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    /// Identity without the version: the same object seen through two versions is one object.
    public var identity: ObjectIdentity { ObjectIdentity(groupKind: groupKind, key: ObjectKey(namespace: namespace, name: name)) }

    /// `group/Kind ns/name`, as every error and plan line names an object.
    public var description: String {
        let gk = group.isEmpty ? kind : "\(group)/\(kind)"
        return namespace.isEmpty ? "\(gk) \(name)" : "\(gk) \(namespace)/\(name)"
    }

    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.group, a.kind, a.namespace, a.name) < (b.group, b.kind, b.namespace, b.name)
    }
}

/// What applying the plan does to one object.
public enum ChangeAction: String, Sendable, Hashable, CaseIterable {
    case create, update, unchanged, prune
}

/// One changed leaf, for `--json` and the markdown table.
public struct FieldChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case added, removed, changed }
    /// `spec.template.spec.containers[name=x].image`
    public var path: String
    public var kind: Kind
    /// The old/new value; nil when absent or sensitive.
    public var before: JSONValue?
    public var after: JSONValue?
    /// Secret data: values never appear, only a digest of each side.
    public var sensitive: Bool

    public init(path: String, kind: Kind, before: JSONValue?, after: JSONValue?, sensitive: Bool = false) {
        self.path = path
        self.kind = kind
        self.before = before
        self.after = after
        self.sensitive = sensitive
    }
}

/// Helm hook metadata read from `helm.sh/hook*` annotations.
public struct HookInfo: Sendable, Hashable {
    public var events: [String]
    public var weight: Int
    /// `before-hook-creation` (Helm's default), `hook-succeeded`, `hook-failed`.
    public var deletePolicies: [String]

    public init(events: [String], weight: Int, deletePolicies: [String]) {
        self.events = events
        self.weight = weight
        self.deletePolicies = deletePolicies
    }

    /// nil for an ordinary object.
    public init?(annotations object: JSONValue) {
        guard let raw = object[path: ["metadata", "annotations", "helm.sh/hook"]]?.stringValue, !raw.isEmpty else { return nil }
        events = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        weight = Int(object[path: ["metadata", "annotations", "helm.sh/hook-weight"]]?.stringValue?
            .trimmingCharacters(in: .whitespaces) ?? "0") ?? 0
        let policies = object[path: ["metadata", "annotations", "helm.sh/hook-delete-policy"]]?.stringValue ?? ""
        let list = policies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Helm applies before-hook-creation when no policy is given.
        deletePolicies = list.isEmpty ? ["before-hook-creation"] : list
    }

    public var isPre: Bool { events.contains { $0.hasPrefix("pre-") } }
    public var isPost: Bool { events.contains { $0.hasPrefix("post-") } }
    public var isTest: Bool { events.contains("test") || events.contains("test-success") }
}

/// One object's entry in the plan.
public struct PlannedChange: Sendable, Hashable {
    public var ref: ObjectRef
    public var action: ChangeAction
    /// Why, in words, when it is not obvious (e.g. "CRD not installed yet").
    public var reason: String?
    public var fields: [FieldChange]
    /// Unified diff of the normalised live and desired YAML (secrets redacted); empty when unchanged.
    public var diff: String
    /// The resourceVersion seen when planning; a saved plan refuses to apply when it moved.
    public var liveResourceVersion: String?
    /// The object to apply (decorated with ApplySet labels); nil for prune.
    public var object: JSONValue?

    public init(ref: ObjectRef, action: ChangeAction, reason: String? = nil, fields: [FieldChange] = [], diff: String = "",
                liveResourceVersion: String? = nil, object: JSONValue? = nil) {
        self.ref = ref
        self.action = action
        self.reason = reason
        self.fields = fields
        self.diff = diff
        self.liveResourceVersion = liveResourceVersion
        self.object = object
    }
}

/// A Helm hook the stage runs when it changes (hooks are never diffed: they run, then go).
public struct PlannedHook: Sendable, Hashable {
    public var ref: ObjectRef
    public var hook: HookInfo
    public var object: JSONValue
    public init(ref: ObjectRef, hook: HookInfo, object: JSONValue) {
        self.ref = ref
        self.hook = hook
        self.object = object
    }
}

/// The stage's ApplySet parent: a ConfigMap whose id labels every object the stage owns.
public struct ApplySetParent: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var id: String
    public init(namespace: String, name: String, id: String) {
        self.namespace = namespace
        self.name = name
        self.id = id
    }
}

public struct PlannedStage: Sendable, Hashable {
    public var name: String
    public var applySet: ApplySetParent
    public var changes: [PlannedChange]
    public var hooks: [PlannedHook]

    public init(name: String, applySet: ApplySetParent, changes: [PlannedChange], hooks: [PlannedHook] = []) {
        self.name = name
        self.applySet = applySet
        self.changes = changes
        self.hooks = hooks
    }

    public var hasChanges: Bool { changes.contains { $0.action != .unchanged } }
    public func count(_ action: ChangeAction) -> Int { changes.count { $0.action == action } }
}

/// The plan: data that is printed, saved and applied later (Terraform's model).
public struct Plan: Sendable, Hashable {
    /// Bumped when the JSON schema changes incompatibly.
    public static let formatVersion = 1

    public var profileName: String
    /// The profile file as given to `plan` (a saved plan applies with it by default).
    public var profilePath: String = ""
    /// `sha256:` of the profile text and of each chart archive/directory, to refuse a plan
    /// made from other inputs.
    public var profileDigest: String
    public var chartDigests: [String: String]
    public var stages: [PlannedStage]

    public init(profileName: String, profileDigest: String = "", chartDigests: [String: String] = [:],
                stages: [PlannedStage]) {
        self.profileName = profileName
        self.profileDigest = profileDigest
        self.chartDigests = chartDigests
        self.stages = stages
    }

    public func count(_ action: ChangeAction) -> Int { stages.reduce(0) { $0 + $1.count(action) } }
    public var hasChanges: Bool { stages.contains { $0.hasChanges } }

    /// `Plan: 12 to create, 3 to update, 1 to prune, 240 unchanged.`
    public var summary: String {
        "Plan: \(count(.create)) to create, \(count(.update)) to update, \(count(.prune)) to prune, \(count(.unchanged)) unchanged."
    }
}
