/// Typed accessors over an unstructured Kubernetes object (a JSON object with
/// `apiVersion`, `kind`, `metadata`). Missing or mistyped fields read as empty.
public struct Unstructured: Sendable, Hashable {
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }

    public var apiVersion: String {
        get { value["apiVersion"]?.stringValue ?? "" }
        set { value["apiVersion"] = .string(newValue) }
    }
    public var kind: String {
        get { value["kind"]?.stringValue ?? "" }
        set { value["kind"] = .string(newValue) }
    }
    public var groupVersionKind: GroupVersionKind? { GroupVersionKind(apiVersion: apiVersion, kind: kind) }

    public var metadata: JSONObject {
        get { value["metadata"]?.objectValue ?? JSONObject() }
        set { value["metadata"] = .object(newValue) }
    }
    public func metadataString(_ key: String) -> String? { metadata[key]?.stringValue }
    public mutating func setMetadata(_ key: String, _ v: JSONValue?) {
        var m = metadata
        m[key] = v
        metadata = m
    }

    public var name: String {
        get { metadataString("name") ?? "" }
        set { setMetadata("name", .string(newValue)) }
    }
    public var namespace: String {
        get { metadataString("namespace") ?? "" }
        set { setMetadata("namespace", newValue.isEmpty ? nil : .string(newValue)) }
    }
    public var key: ObjectKey { ObjectKey(namespace: namespace, name: name) }

    public var labels: [String: String] {
        get { Self.stringMap(metadata["labels"]) }
        set { setMetadata("labels", newValue.isEmpty ? nil : Self.jsonMap(newValue)) }
    }
    public var annotations: [String: String] {
        get { Self.stringMap(metadata["annotations"]) }
        set { setMetadata("annotations", newValue.isEmpty ? nil : Self.jsonMap(newValue)) }
    }
    public var resourceVersion: String? { metadataString("resourceVersion") }
    public var uid: String? { metadataString("uid") }
    public var finalizers: [String] {
        get { metadata["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        set { setMetadata("finalizers", newValue.isEmpty ? nil : .array(newValue.map { .string($0) })) }
    }

    static func stringMap(_ v: JSONValue?) -> [String: String] {
        guard let o = v?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for m in o { if let s = m.value.stringValue { out[m.key] = s } }
        return out
    }
    static func jsonMap(_ m: [String: String]) -> JSONValue {
        var o = JSONObject()
        for k in m.keys.sorted() { o[k] = .string(m[k] ?? "") }
        return .object(o)
    }
}
