import Crypto
import Foundation
import KubeModel

/// KEP-3659 ApplySet labels and annotations: one parent ConfigMap per stage, and the
/// `part-of` label on every object the stage applies, so prune can find what we own.
public enum ApplySet {
    public static let partOfLabel = "applyset.kubernetes.io/part-of"
    public static let idLabel = "applyset.kubernetes.io/id"
    public static let toolingAnnotation = "applyset.kubernetes.io/tooling"
    public static let groupKindsAnnotation = "applyset.kubernetes.io/contains-group-kinds"
    public static let namespacesAnnotation = "applyset.kubernetes.io/additional-namespaces"
    public static let tooling = "platform/v1"
    /// Where parents live: it exists on every cluster, and a ConfigMap parent is namespaced.
    public static let parentNamespace = "kube-system"

    /// `platform-<profile>-<stage>`.
    public static func parent(profile: String, stage: String, namespace: String = parentNamespace) -> ApplySetParent {
        let name = "platform-\(profile)-\(stage)"
        return ApplySetParent(namespace: namespace, name: name, id: id(name: name, namespace: namespace, kind: "ConfigMap", group: ""))
    }

    /// `applyset-<base64url(sha256(name.namespace.kind.group))>-v1`, as the KEP defines it.
    public static func id(name: String, namespace: String, kind: String, group: String) -> String {
        let digest = SHA256.hash(data: Data("\(name).\(namespace).\(kind).\(group)".utf8))
        let encoded = Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "applyset-\(encoded)-v1"
    }

    /// Adds the `part-of` label (the only change we make to a rendered object).
    public static func decorate(_ object: JSONValue, parent: ApplySetParent) -> JSONValue {
        var out = object
        var labels = out[path: ["metadata", "labels"]]?.objectValue ?? JSONObject()
        labels[partOfLabel] = .string(parent.id)
        out.set(path: ["metadata", "labels"], to: .object(labels))
        return out
    }

    /// `Kind.group` sorted and comma-joined (core kinds have no dot part).
    public static func groupKinds(_ refs: [ObjectRef]) -> String {
        Set(refs.map { $0.group.isEmpty ? $0.kind : "\($0.kind).\($0.group)" }).sorted().joined(separator: ",")
    }

    /// Parses `contains-group-kinds` back into group-kinds for prune listing.
    public static func parseGroupKinds(_ text: String) -> [GroupKind] {
        text.split(separator: ",").map { item in
            let parts = item.split(separator: ".", maxSplits: 1)
            return GroupKind(group: parts.count > 1 ? String(parts[1]) : "", kind: String(parts[0]))
        }
    }

    /// The parent ConfigMap with the KEP's label and annotations; `record` is our own
    /// per-stage bookkeeping (applied plan digest, gate result) kept in its data.
    public static func parentObject(_ parent: ApplySetParent, members: [ObjectRef], record: [String: String] = [:]) -> JSONValue {
        let namespaces = Set(members.map(\.namespace)).subtracting(["", parent.namespace]).sorted()
        var data = JSONObject()
        for key in record.keys.sorted() { data[key] = .string(record[key] ?? "") }
        return .object(JSONObject([
            ("apiVersion", "v1"), ("kind", "ConfigMap"),
            ("metadata", .object(JSONObject([
                ("name", .string(parent.name)), ("namespace", .string(parent.namespace)),
                ("labels", .object(JSONObject([(idLabel, .string(parent.id))]))),
                ("annotations", .object(JSONObject([
                    (toolingAnnotation, .string(tooling)),
                    (groupKindsAnnotation, .string(groupKinds(members))),
                    (namespacesAnnotation, .string(namespaces.joined(separator: ","))),
                ]))),
            ]))),
            ("data", .object(data)),
        ]))
    }
}
