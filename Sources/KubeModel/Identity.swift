/// An API group and version, e.g. `apps/v1` or `v1` (the core group is "").
public struct GroupVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var group: String
    public var version: String
    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }
    /// Parses an `apiVersion` string: `v1` → core, `apps/v1` → apps.
    public init?(apiVersion: String) {
        let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !parts[0].isEmpty: self.init(group: "", version: String(parts[0]))
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
            self.init(group: String(parts[0]), version: String(parts[1]))
        default: return nil
        }
    }
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { apiVersion }
    public static func < (a: GroupVersion, b: GroupVersion) -> Bool { (a.group, a.version) < (b.group, b.version) }
}

public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }
    public init?(apiVersion: String, kind: String) {
        guard let gv = GroupVersion(apiVersion: apiVersion), !kind.isEmpty else { return nil }
        self.init(group: gv.group, version: gv.version, kind: kind)
    }
    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    public var apiVersion: String { groupVersion.apiVersion }
    public var description: String { group.isEmpty ? "\(version), Kind=\(kind)" : "\(group)/\(version), Kind=\(kind)" }
}

public struct GroupKind: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var kind: String
    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }
    /// `Kind.group` as kubectl and error messages print it (`Deployment.apps`, `ConfigMap`).
    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

public struct GroupVersionResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }
    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var groupResource: GroupResource { GroupResource(group: group, resource: resource) }
    public var description: String { group.isEmpty ? "\(version)/\(resource)" : "\(group)/\(version)/\(resource)" }
}

public struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    public var group: String
    public var resource: String
    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }
    /// `resource.group` as the API server words it in messages (`deployments.apps`, `configmaps`).
    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// Namespace and name of an object; namespace is "" for cluster-scoped objects.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }
    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
}

/// Full identity of one object: what it is and which one.
public struct ObjectIdentity: Sendable, Hashable, CustomStringConvertible {
    public var groupKind: GroupKind
    public var key: ObjectKey
    public init(groupKind: GroupKind, key: ObjectKey) {
        self.groupKind = groupKind
        self.key = key
    }
    /// `group/Kind ns/name` as the design's error messages name objects.
    public var description: String {
        let gk = groupKind.group.isEmpty ? groupKind.kind : "\(groupKind.group)/\(groupKind.kind)"
        return "\(gk) \(key)"
    }
}
