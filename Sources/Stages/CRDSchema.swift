import YAML

/// One schema problem, phrased like kube-apiserver's field errors.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// Validates a custom resource against its CRD's structural `openAPIV3Schema` the way
/// `kubectl apply --server-side` (field validation Strict) would reject it: types,
/// required fields, enums, unknown fields. CEL rules, formats and defaults are not
/// evaluated (KubeSim does defaults/pruning; the cluster does CEL).
public struct CRDSchemaValidator: Sendable {
    public init() {}

    public func validate(_ object: YAMLValue, schema: YAMLValue) -> [SchemaViolation] {
        guard case .mapping(let o) = object else { return [SchemaViolation(path: "", message: "object must be a mapping")] }
        var out: [SchemaViolation] = []
        let props = schema.mapping?["properties"]?.mapping ?? YAMLMapping()
        for e in o where !["apiVersion", "kind", "metadata"].contains(e.key) {
            if let s = props[e.key] { walk(e.value, s, e.key, &out) }
            else if schema.mapping?["x-kubernetes-preserve-unknown-fields"] != .bool(true) {
                out.append(SchemaViolation(path: e.key, message: "field not declared in schema"))
            }
        }
        required(o, schema, "", &out)
        return out
    }

    private func walk(_ value: YAMLValue, _ schema: YAMLValue, _ path: String, _ out: inout [SchemaViolation]) {
        guard let s = schema.mapping else { return }
        if value == .null {
            if s["nullable"] != .bool(true) && s["type"] != nil {
                out.append(SchemaViolation(path: path, message: "must not be null"))
            }
            return
        }
        if s["x-kubernetes-int-or-string"] == .bool(true) {
            switch value {
            case .int, .string: break
            case .float(let d) where d.rounded() == d: break
            default: out.append(SchemaViolation(path: path, message: "must be of type integer,string"))
            }
            return
        }
        if case .sequence(let allowed)? = s["enum"], !allowed.contains(where: { Self.equal($0, value) }) {
            out.append(SchemaViolation(path: path, message: "unsupported value \(Self.show(value))"))
        }
        switch s["type"]?.string {
        case "object"?:
            guard case .mapping(let m) = value else { return typeError(path, "object", &out) }
            let props = s["properties"]?.mapping
            let additional = s["additionalProperties"]
            let preserve = s["x-kubernetes-preserve-unknown-fields"] == .bool(true)
            for e in m {
                let p = path + "." + e.key
                if let sub = props?[e.key] { walk(e.value, sub, p, &out) }
                else if let add = additional, add.mapping != nil { walk(e.value, add, p, &out) }
                // Free-form objects (no properties at all) are accepted as written.
                else if additional == .bool(true) || preserve || (props == nil && additional == nil) { continue }
                else { out.append(SchemaViolation(path: p, message: "field not declared in schema")) }
            }
            required(m, schema, path, &out)
        case "array"?:
            guard case .sequence(let items) = value else { return typeError(path, "array", &out) }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { walk(item, itemSchema, "\(path)[\(i)]", &out) }
            }
        case "string"?:
            guard case .string = value else { return typeError(path, "string", &out) }
        case "integer"?:
            switch value {
            case .int: break
            case .float(let d) where d.rounded() == d: break
            default: typeError(path, "integer", &out)
            }
        case "number"?:
            switch value { case .int, .float: break; default: typeError(path, "number", &out) }
        case "boolean"?:
            guard case .bool = value else { return typeError(path, "boolean", &out) }
        default:
            break
        }
    }

    private func required(_ m: YAMLMapping, _ schema: YAMLValue, _ path: String, _ out: inout [SchemaViolation]) {
        guard case .sequence(let names)? = schema.mapping?["required"] else { return }
        for case .string(let k) in names where m[k] == nil {
            out.append(SchemaViolation(path: path.isEmpty ? k : path + "." + k, message: "Required value"))
        }
    }

    private func typeError(_ path: String, _ type: String, _ out: inout [SchemaViolation]) {
        out.append(SchemaViolation(path: path, message: "must be of type \(type)"))
    }

    private static func equal(_ a: YAMLValue, _ b: YAMLValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .float(let y)), (.float(let y), .int(let x)): return Double(x) == y
        default: return a == b
        }
    }

    private static func show(_ v: YAMLValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .int(let i): return String(i)
        case .float(let d): return d.rounded() == d ? String(Int64(d)) : String(d)
        case .bool(let b): return String(b)
        default: return "value"
        }
    }
}

extension YAMLValue {
    var mapping: YAMLMapping? { if case .mapping(let m) = self { return m }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var sequence: [YAMLValue]? { if case .sequence(let s) = self { return s }; return nil }

    subscript(path keys: String...) -> YAMLValue? {
        var cur: YAMLValue? = self
        for k in keys { cur = cur?.mapping?[k] }
        return cur
    }
}
