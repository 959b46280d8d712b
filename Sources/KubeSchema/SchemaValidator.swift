import KubeModel
import YAML

/// What the validator needs to know about a value; `JSONValue` (KubeSim, KubeClient) and
/// `YAMLValue` (Helm output in Stages) both conform, so neither is converted.
public protocol SchemaValue {
    var schemaKind: SchemaValueKind { get }
    var schemaString: String? { get }
    var schemaNumber: Double? { get }
    var schemaBool: Bool? { get }
    var schemaElements: [Self]? { get }
    func forEachSchemaMember(_ body: (String, Self) -> Void)
    func hasSchemaMember(_ key: String) -> Bool
}

/// JSON types as OpenAPI names them; an integral float counts as an integer (Helm output
/// carries every number as a float, as Go's JSON does).
public enum SchemaValueKind: String, Sendable {
    case null, boolean, integer, number, string, array, object
}

/// One problem, worded as kubectl prints the API server's field errors.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unknownField
        /// Expected types (OpenAPI names), the type found.
        case typeMismatch(expected: [String], got: String)
        case required
        case unsupportedValue(value: String, supported: [String])
    }

    /// `spec.template.spec.containers[0].image` (no leading dot).
    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unknownField: return "unknown field \"\(path)\""
        case .typeMismatch(let expected, let got): return "\(path): expected \(expected.joined(separator: " or ")), got \(got)"
        case .required: return "\(path): Required value"
        case .unsupportedValue(let value, let supported):
            return "\(path): Unsupported value: \(value): supported values: \(supported.joined(separator: ", "))"
        }
    }
}

struct TypeSet: OptionSet, Sendable {
    let rawValue: UInt8
    static let boolean = TypeSet(rawValue: 1)
    static let integer = TypeSet(rawValue: 2)
    static let number = TypeSet(rawValue: 4)
    static let string = TypeSet(rawValue: 8)
    static let array = TypeSet(rawValue: 16)
    static let object = TypeSet(rawValue: 32)

    init(rawValue: UInt8) { self.rawValue = rawValue }

    init?(name: String) {
        switch name {
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "number": self = .number
        case "string": self = .string
        case "array": self = .array
        case "object": self = .object
        default: return nil
        }
    }

    var names: [String] {
        [(TypeSet.boolean, "boolean"), (.integer, "integer"), (.number, "number"), (.string, "string"),
         (.array, "array"), (.object, "object")].filter { contains($0.0) }.map(\.1)
    }

    func admits(_ kind: SchemaValueKind) -> Bool {
        switch kind {
        case .null: return false
        case .boolean: return contains(.boolean)
        case .integer: return contains(.integer) || contains(.number)
        case .number: return contains(.number)
        case .string: return contains(.string)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }
}

/// A compiled schema node; children and `$ref`s are indices into the version's node table.
/// A class so the walk reads a node without copying (and retaining) its collections.
final class SchemaNode: Sendable {
    let ref: Int32
    let types: TypeSet
    let nullable: Bool
    let properties: [String: Int32]?
    /// -1: unspecified (anything), -2: false (unknown fields rejected), else a node.
    let additional: Int32
    let items: Int32
    let required: [String]
    let enumValues: [JSONValue]
    let preserveUnknown: Bool
    let embeddedResource: Bool

    init(ref: Int32 = -1, types: TypeSet = [], nullable: Bool = false, properties: [String: Int32]? = nil,
         additional: Int32 = -1, items: Int32 = -1, required: [String] = [], enumValues: [JSONValue] = [],
         preserveUnknown: Bool = false, embeddedResource: Bool = false)
    {
        self.ref = ref
        self.types = types
        self.nullable = nullable
        self.properties = properties
        self.additional = additional
        self.items = items
        self.required = required
        self.enumValues = enumValues
        self.preserveUnknown = preserveUnknown
        self.embeddedResource = embeddedResource
    }
}

struct SchemaCompiler {
    var nodes: [SchemaNode] = []
    let nameIndex: [String: Int]

    init(names: [String]) {
        var m: [String: Int] = [:]
        for (i, n) in names.enumerated() { m[n] = i }
        nameIndex = m
    }

    mutating func compile(_ s: JSONValue) -> Int32 {
        let node = compileNode(s)
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// Reads the stored form written by scripts/gen-k8s-schemas.py (`compact()`): `$` ref index,
    /// `t` type bits, `x` not nullable, `p` properties, `a` additionalProperties (0 = false),
    /// `i` items, `r` required, `e` enum, `u` preserve-unknown-fields, `m` embedded-resource.
    mutating func compileNode(_ s: JSONValue) -> SchemaNode {
        if let ref = s["$"]?.intValue { return SchemaNode(ref: Int32(ref)) }
        var properties: [String: Int32]? = nil
        if let props = s["p"]?.objectValue {
            var p: [String: Int32] = [:]
            p.reserveCapacity(props.count)
            for m in props { p[m.key] = compile(m.value) }
            properties = p
        }
        var additional: Int32 = -1
        switch s["a"] {
        case .int(0)?: additional = -2
        case .object(let o)?: additional = compile(.object(o))
        default: break
        }
        var items: Int32 = -1
        if let i = s["i"], case .object = i { items = compile(i) }
        return SchemaNode(types: TypeSet(rawValue: UInt8(truncatingIfNeeded: s["t"]?.intValue ?? 0)), nullable: s["x"] == nil,
                          properties: properties, additional: additional, items: items,
                          required: s["r"]?.arrayValue?.compactMap(\.stringValue) ?? [], enumValues: s["e"]?.arrayValue ?? [],
                          preserveUnknown: s["u"] != nil, embeddedResource: s["m"] != nil)
    }
}

struct SchemaWalker<V: SchemaValue> {
    let nodes: [SchemaNode]
    var violations: [SchemaViolation] = []
    /// The current field path; joined into text only when a violation is recorded (the walk
    /// visits every field of megabytes of CRDs, so building strings per field is the cost).
    private var stack: [PathElement] = []

    private enum PathElement {
        case key(String)
        case index(Int)
    }

    init(nodes: [SchemaNode]) { self.nodes = nodes }

    private func path(adding key: String? = nil) -> String {
        var out = ""
        for e in stack {
            switch e {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        if let key { out += out.isEmpty ? key : "." + key }
        return out
    }

    private mutating func record(_ reason: SchemaViolation.Reason, adding key: String? = nil) {
        violations.append(SchemaViolation(path: path(adding: key), reason: reason))
    }

    /// `prefix`: the path of `value` when the walk starts below the root (tests).
    mutating func walk(_ value: V, _ index: Int32, path prefix: String) {
        if !prefix.isEmpty { stack = [.key(prefix)] }
        visit(value, index)
    }

    private mutating func visit(_ value: V, _ index: Int32) {
        var i = index
        var hops = 0
        while i >= 0, nodes[Int(i)].ref >= 0, hops < 64 { i = nodes[Int(i)].ref; hops += 1 }
        guard i >= 0 else { return }
        let node = nodes[Int(i)]
        let kind = value.schemaKind
        if kind == .null {
            // Built-in fields decode null as "not set"; the strict schemas say so with nullable.
            if !node.nullable && !node.types.isEmpty { record(.typeMismatch(expected: node.types.names, got: "null")) }
            return
        }
        if !node.types.isEmpty && !node.types.admits(kind) {
            record(.typeMismatch(expected: node.types.names, got: kind.rawValue))
            return
        }
        if !node.enumValues.isEmpty && !node.enumValues.contains(where: { Self.equal($0, value) }) {
            record(.unsupportedValue(value: Self.show(value), supported: node.enumValues.map { $0.encodedString() }))
        }
        switch kind {
        case .object:
            value.forEachSchemaMember { key, member in
                let child: Int32
                if let p = node.properties?[key] {
                    child = p
                } else if node.additional >= 0 {
                    child = node.additional
                } else {
                    if node.additional == -2 && !node.preserveUnknown
                        && !(node.embeddedResource && (key == "apiVersion" || key == "kind" || key == "metadata"))
                    {
                        record(.unknownField, adding: key)
                    }
                    return
                }
                stack.append(.key(key))
                visit(member, child)
                stack.removeLast()
            }
            for r in node.required where !value.hasSchemaMember(r) { record(.required, adding: r) }
        case .array:
            if node.items >= 0, let elements = value.schemaElements {
                for (n, e) in elements.enumerated() {
                    stack.append(.index(n))
                    visit(e, node.items)
                    stack.removeLast()
                }
            }
        default:
            break
        }
    }

    static func equal(_ a: JSONValue, _ v: V) -> Bool {
        switch a {
        case .string(let s): return v.schemaString == s
        case .bool(let b): return v.schemaBool == b
        case .int(let i): return v.schemaNumber == Double(i)
        case .double(let d): return v.schemaNumber == d
        default: return false
        }
    }

    static func show(_ v: V) -> String {
        if let s = v.schemaString { return JSONValue.string(s).encodedString() }
        if let b = v.schemaBool { return String(b) }
        if let d = v.schemaNumber { return d.rounded() == d && abs(d) < 9e15 ? String(Int64(d)) : String(d) }
        return v.schemaKind.rawValue
    }
}

extension JSONValue: SchemaValue {
    public var schemaKind: SchemaValueKind {
        switch self {
        case .null: return .null
        case .bool: return .boolean
        case .int: return .integer
        case .double(let d): return d.rounded() == d ? .integer : .number
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }
    public var schemaString: String? { stringValue }
    public var schemaNumber: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    public var schemaBool: Bool? { boolValue }
    public var schemaElements: [JSONValue]? { arrayValue }
    public func forEachSchemaMember(_ body: (String, JSONValue) -> Void) {
        if case .object(let o) = self { for m in o { body(m.key, m.value) } }
    }
    public func hasSchemaMember(_ key: String) -> Bool {
        if case .object(let o) = self { return o[key] != nil }
        return false
    }
}

extension YAMLValue: SchemaValue {
    public var schemaKind: SchemaValueKind {
        switch self {
        case .null: return .null
        case .bool: return .boolean
        case .int: return .integer
        case .float(let d): return d.rounded() == d ? .integer : .number
        case .string: return .string
        case .sequence: return .array
        case .mapping: return .object
        }
    }
    public var schemaString: String? { if case .string(let s) = self { return s }; return nil }
    public var schemaNumber: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
    public var schemaBool: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var schemaElements: [YAMLValue]? { if case .sequence(let s) = self { return s }; return nil }
    public func forEachSchemaMember(_ body: (String, YAMLValue) -> Void) {
        if case .mapping(let m) = self { for e in m { body(e.key, e.value) } }
    }
    public func hasSchemaMember(_ key: String) -> Bool {
        if case .mapping(let m) = self { return m[key] != nil }
        return false
    }
}
