import Foundation
import KubeModel
import KubeModel

/// An unstructured Kubernetes object (what the server sent or what we apply).
/// KubeModel will own the unstructured type; this wraps `JSONValue` until then.
public struct KubeObject: Sendable, Equatable, CustomStringConvertible {
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }

    /// Decodes one JSON object.
    public init(json: Data) throws(JSON.DecodingError) {
        value = try JSON.decode(json)
    }

    public var apiVersion: String? { value.member("apiVersion")?.asString }
    public var kind: String? { value.member("kind")?.asString }
    public var name: String? { value.member("metadata")?.member("name")?.asString }
    public var namespace: String? { value.member("metadata")?.member("namespace")?.asString }
    public var resourceVersion: String? { value.member("metadata")?.member("resourceVersion")?.asString }
    public var uid: String? { value.member("metadata")?.member("uid")?.asString }
    public var groupVersionKind: GroupVersionKind? {
        guard let apiVersion, let kind else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    /// `kind namespace/name`, never the body (a Secret's data must not be printed).
    public var description: String {
        let ns = namespace.map { "\($0)/" } ?? ""
        return "\(kind ?? "object") \(ns)\(name ?? "<unnamed>")"
    }

    public func json() -> Data { JSON.encode(value) }

    /// Sets apiVersion/kind when missing (list items arrive without them).
    mutating func fillTypeIfMissing(_ gvk: GroupVersionKind) {
        guard case .object(var m) = value else { return }
        if m["apiVersion"] == nil { m["apiVersion"] = .string(gvk.apiVersion) }
        if m["kind"] == nil { m["kind"] = .string(gvk.kind) }
        value = .object(m)
    }
}

/// One page or the whole of a list.
public struct ObjectList: Sendable {
    public var items: [KubeObject]
    public var resourceVersion: String
}

public struct ServerVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: String
    public var minor: String
    public var gitVersion: String
    public var platform: String?
    public var description: String { gitVersion }
}

/// The server's answer to a delete: the object (still present while finalizers or
/// foreground deletion run) or a success `Status`.
public enum DeleteResult: Sendable {
    case deleting(KubeObject)
    case deleted
}

public enum PropagationPolicy: String, Sendable {
    case orphan = "Orphan", background = "Background", foreground = "Foreground"
}

/// Delete only if the live object still has this uid / resourceVersion.
public struct Preconditions: Sendable, Equatable {
    public var uid: String?
    public var resourceVersion: String?
    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// What the watch stream yields.
public enum WatchEvent: Sendable {
    case added(KubeObject)
    case modified(KubeObject)
    case deleted(KubeObject)
    /// The server's progress mark: nothing to apply, the stream resumes from here.
    case bookmark(resourceVersion: String)
    /// A full list replaced what came before: at the start (no resourceVersion given)
    /// and after the server answered 410 Gone (the resourceVersion was too old).
    case relisted([KubeObject], resourceVersion: String)
}
