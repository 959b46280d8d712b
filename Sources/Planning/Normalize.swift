import Crypto
import Foundation
import KubeModel

/// Strips what the server owns so two objects compare by intent, not bookkeeping.
public enum Normalizer {
    /// Metadata the API server writes; never part of a diff.
    static let serverMetadata: Set<String> = [
        "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
    ]
    /// Annotations other tools and controllers write.
    static let serverAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision",
        "meta.helm.sh/release-name", "meta.helm.sh/release-namespace",
    ]

    public static func normalize(_ object: JSONValue) -> JSONValue {
        guard case .object(var top) = dropNulls(object) else { return object }
        _ = top.removeValue(forKey: "status")
        if case .object(var meta)? = top["metadata"] {
            for key in serverMetadata { _ = meta.removeValue(forKey: key) }
            if case .object(var annotations)? = meta["annotations"] {
                for key in serverAnnotations { _ = annotations.removeValue(forKey: key) }
                meta["annotations"] = annotations.isEmpty ? nil : .object(annotations)
            }
            if case .object(let labels)? = meta["labels"], labels.isEmpty { meta["labels"] = nil }
            top["metadata"] = .object(meta)
        }
        return .object(top)
    }

    /// A null field in an applied object means "unset": the API server stores nothing for it.
    static func dropNulls(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            return .object(JSONObject(members: o.members.compactMap { $0.value.isNull ? nil : JSONObject.Member($0.key, dropNulls($0.value)) }))
        case .array(let a): return .array(a.map(dropNulls))
        default: return v
        }
    }

    public static func isSecret(_ object: JSONValue) -> Bool {
        object["kind"]?.stringValue == "Secret" && (object["apiVersion"]?.stringValue ?? "v1") == "v1"
    }

    /// Replaces every value under a Secret's `data`/`stringData` with a digest, so output
    /// shows that a value changed without showing it.
    public static func redact(_ object: JSONValue) -> JSONValue {
        guard isSecret(object), case .object(var top) = object else { return object }
        for key in ["data", "stringData"] {
            guard case .object(let entries)? = top[key] else { continue }
            var out = JSONObject()
            for member in entries {
                out[member.key] = .string("(sensitive) " + digest(of: member.value))
            }
            top[key] = .object(out)
        }
        return .object(top)
    }

    /// `sha256:` + first 12 hex digits of the value's JSON; enough to see "changed".
    public static func digest(of value: JSONValue) -> String {
        let hash = SHA256.hash(data: value.encoded())
        return "sha256:" + hash.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// Full digest of bytes (profile text, chart archive).
    public static func digest(bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
