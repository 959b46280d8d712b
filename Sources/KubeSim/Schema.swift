import KubeModel

/// Validates a custom resource against its CRD's structural `openAPIV3Schema`, applying
/// defaults and pruning unknown fields as kube-apiserver does (CEL rules are not evaluated).
struct SchemaValidator {
    var causes: [APIError.Cause] = []
    /// Paths of fields dropped because the schema does not declare them.
    var pruned: [String] = []
    private var regexCache: [String: Regex<AnyRegexOutput>] = [:]

    init() {}

    /// Validates the whole object; `metadata`, `apiVersion` and `kind` are checked elsewhere.
    mutating func validateObject(_ object: inout JSONValue, schema: JSONValue) {
        guard case .object(var o) = object else { return }
        object = .null
        let props = schema["properties"]?.objectValue ?? JSONObject()
        for m in o {
            let key = m.key
            if key == "apiVersion" || key == "kind" || key == "metadata" { continue }
            if let s = props[key] {
                var v = m.value
                if !walk(&v, schema: s, path: key) { _ = o.removeValue(forKey: key); continue }
                o[key] = v
            } else if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue != true {
                pruned.append(key)
                _ = o.removeValue(forKey: key)
            }
        }
        applyDefaults(&o, props: props)
        checkRequired(o, schema: schema, path: "")
        object = .object(o)
    }

    private mutating func applyDefaults(_ o: inout JSONObject, props: JSONObject) {
        for p in props where o[p.key] == nil {
            if let d = p.value["default"] {
                var v = d
                _ = walk(&v, schema: p.value, path: p.key)
                o[p.key] = v
            }
        }
    }

    private mutating func checkRequired(_ o: JSONObject, schema: JSONValue, path: String) {
        for r in schema["required"]?.arrayValue ?? [] {
            if let k = r.stringValue, o[k] == nil { causes.append(.required(join(path, k))) }
        }
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// Returns false when the value should be dropped (a null in a non-nullable field).
    @discardableResult
    mutating func walk(_ value: inout JSONValue, schema: JSONValue, path: String) -> Bool {
        if value.isNull {
            return schema["nullable"]?.boolValue == true
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            case .double(let d) where d.rounded() == d: break
            default:
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type integer,string: \(goType(value))"))
                return true
            }
            checkValue(value, schema: schema, path: path)
            return true
        }
        let type = schema["type"]?.stringValue
        switch type {
        case "object"?:
            guard case .object(var o) = value else {
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type object: \(goType(value))"))
                return true
            }
            value = .null
            let props = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
            for m in o {
                let childPath = join(path, m.key)
                if let s = props?[m.key] {
                    var v = m.value
                    if walk(&v, schema: s, path: childPath) { o[m.key] = v } else { _ = o.removeValue(forKey: m.key) }
                } else if case .object = additional ?? .null, let a = additional {
                    var v = m.value
                    if walk(&v, schema: a, path: childPath) { o[m.key] = v } else { _ = o.removeValue(forKey: m.key) }
                } else if additional?.boolValue == true || preserve
                            || (embedded && ["apiVersion", "kind", "metadata"].contains(m.key))
                {
                    continue
                } else if props != nil || additional != nil || !preserve {
                    pruned.append(childPath)
                    _ = o.removeValue(forKey: m.key)
                }
            }
            if let props { applyDefaults(&o, props: props) }
            checkRequired(o, schema: schema, path: path)
            if let min = schema["minProperties"]?.intValue, o.count < min {
                causes.append(.invalid(path, .int(Int64(o.count)), "\(path) in body should have at least \(min) properties"))
            }
            if let max = schema["maxProperties"]?.intValue, o.count > max {
                causes.append(.init(reason: "FieldValueTooMany", message: "Too many: \(o.count): must have at most \(max) items", field: path))
            }
            value = .object(o)
        case "array"?:
            guard case .array(var a) = value else {
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type array: \(goType(value))"))
                return true
            }
            value = .null
            if let items = schema["items"] {
                for i in a.indices {
                    var v = a[i]
                    _ = walk(&v, schema: items, path: "\(path)[\(i)]")
                    a[i] = v
                }
            }
            if let min = schema["minItems"]?.intValue, a.count < min {
                causes.append(.invalid(path, .int(Int64(a.count)), "\(path) in body should have at least \(min) items"))
            }
            if let max = schema["maxItems"]?.intValue, a.count > max {
                causes.append(.init(reason: "FieldValueTooMany", message: "Too many: \(a.count): must have at most \(max) items", field: path))
            }
            if schema["x-kubernetes-list-type"]?.stringValue == "set" {
                for i in a.indices where a[..<i].contains(where: { $0.semanticallyEquals(a[i]) }) {
                    causes.append(.init(reason: "FieldValueDuplicate", message: "Duplicate value: \(APIError.Cause.goValue(a[i]))", field: "\(path)[\(i)]"))
                }
            }
            value = .array(a)
        case "string"?:
            guard case .string = value else {
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type string: \(goType(value))"))
                return true
            }
        case "integer"?:
            switch value {
            case .int: break
            case .double(let d) where d.rounded() == d: value = .int(Int64(d))
            default:
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type integer: \(goType(value))"))
                return true
            }
        case "number"?:
            switch value {
            case .int, .double: break
            default:
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type number: \(goType(value))"))
                return true
            }
        case "boolean"?:
            guard case .bool = value else {
                causes.append(.typeInvalid(path, value, "\(path) in body must be of type boolean: \(goType(value))"))
                return true
            }
        default:
            break
        }
        checkValue(value, schema: schema, path: path)
        return true
    }

    private func goType(_ v: JSONValue) -> String {
        switch v {
        case .string: return "\"string\""
        case .int: return "\"integer\""
        case .double: return "\"number\""
        case .bool: return "\"boolean\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        case .null: return "\"null\""
        }
    }

    /// Value validations shared by every type: enum, pattern, bounds, lengths, allOf/anyOf/oneOf.
    private mutating func checkValue(_ value: JSONValue, schema: JSONValue, path: String) {
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { $0.semanticallyEquals(value) }) {
            causes.append(.notSupported(path, value, allowed))
        }
        if case .string(let s) = value {
            if let p = schema["pattern"]?.stringValue, let re = regex(p), (try? re.firstMatch(in: s)) == nil {
                causes.append(.invalid(path, value, "\(path) in body should match '\(p)'"))
            }
            let length = s.unicodeScalars.count
            if let min = schema["minLength"]?.intValue, length < min {
                causes.append(.invalid(path, value, "\(path) in body should be at least \(min) chars long"))
            }
            if let max = schema["maxLength"]?.intValue, length > max {
                causes.append(.init(reason: "FieldValueTooLong", message: "Too long: may not be more than \(max) bytes", field: path))
            }
        }
        let number: Double? = {
            switch value {
            case .int(let i): return Double(i)
            case .double(let d): return d
            default: return nil
            }
        }()
        if let n = number {
            if let min = schema["minimum"].flatMap(Self.double) {
                let exclusive = schema["exclusiveMinimum"]?.boolValue == true
                if exclusive ? n <= min : n < min {
                    causes.append(.invalid(path, value, "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(Self.format(min))"))
                }
            }
            if let max = schema["maximum"].flatMap(Self.double) {
                let exclusive = schema["exclusiveMaximum"]?.boolValue == true
                if exclusive ? n >= max : n > max {
                    causes.append(.invalid(path, value, "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(Self.format(max))"))
                }
            }
        }
        for sub in schema["allOf"]?.arrayValue ?? [] {
            var v = value
            var inner = SchemaValidator()
            inner.walkValueOnly(&v, schema: sub, path: path)
            causes += inner.causes
        }
        if let anyOf = schema["anyOf"]?.arrayValue, !anyOf.isEmpty {
            let ok = anyOf.contains { sub in
                var v = value
                var inner = SchemaValidator()
                inner.walkValueOnly(&v, schema: sub, path: path)
                return inner.causes.isEmpty
            }
            if !ok { causes.append(.invalid(path, value, "\(path) in body must validate at least one schema (anyOf)")) }
        }
        if let oneOf = schema["oneOf"]?.arrayValue, !oneOf.isEmpty {
            let n = oneOf.filter { sub in
                var v = value
                var inner = SchemaValidator()
                inner.walkValueOnly(&v, schema: sub, path: path)
                return inner.causes.isEmpty
            }.count
            if n != 1 { causes.append(.invalid(path, value, "\(path) in body must validate one and only one schema (oneOf)")) }
        }
    }

    /// Validation of a value against a schema that only constrains values (no pruning).
    private mutating func walkValueOnly(_ value: inout JSONValue, schema: JSONValue, path: String) {
        var s = schema
        if case .object(var o) = s, o["x-kubernetes-preserve-unknown-fields"] == nil {
            o["x-kubernetes-preserve-unknown-fields"] = true
            s = .object(o)
        }
        if case .object(let o) = value {
            for r in schema["required"]?.arrayValue ?? [] {
                if let k = r.stringValue, o[k] == nil { causes.append(.required(join(path, k))) }
            }
        }
        if schema["properties"] != nil || schema["type"] != nil || schema["enum"] != nil || schema["pattern"] != nil {
            walk(&value, schema: s, path: path)
        } else {
            checkValue(value, schema: s, path: path)
        }
    }

    private static func double(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    private static func format(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 9e18 ? String(Int64(d)) : String(d)
    }

    private mutating func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let r = regexCache[pattern] { return r }
        guard let r = try? Regex(pattern) else { return nil }
        regexCache[pattern] = r
        return r
    }
}

/// Names as kube-apiserver validates them.
enum NameValidation {
    static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabelLike(Substring($0), max: 63) }
    }
    static func isDNS1123Label(_ s: String) -> Bool { isLabelLike(Substring(s), max: 63) }

    private static func isLabelLike(_ s: Substring, max: Int) -> Bool {
        guard !s.isEmpty, s.utf8.count <= max else { return false }
        let bytes = Array(s.utf8)
        func alnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
        guard alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
}
