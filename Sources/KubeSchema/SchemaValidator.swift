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
struct SchemaNode: Sendable {
    var ref: Int32 = -1
    var types = TypeSet()
    var nullable = false
    var properties: [String: Int32]? = nil
    /// -1: unspecified (anything), -2: false (unknown fields rejected), else a node.
    var additional: Int32 = -1
    var items: Int32 = -1
    var required: [String] = []
    var enumValues: [JSONValue] = []
    var preserveUnknown = false
    var embeddedResource = false
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

    mutating func compileNode(_ s: JSONValue) -> SchemaNode {
        var n = SchemaNode()
        if let ref = s["$ref"]?.stringValue {
            n.ref = Int32(nameIndex[ref] ?? -1)
            return n
        }
        for t in s["type"]?.arrayValue ?? [] { if let name = t.stringValue, let ts = TypeSet(name: name) { n.types.insert(ts) } }
        n.nullable = s["nullable"]?.boolValue == true
        if s["x-kubernetes-int-or-string"]?.boolValue == true { n.types = [.integer, .string] }
        if let props = s["properties"]?.objectValue {
            var p: [String: Int32] = [:]
            for m in props { p[m.key] = compile(m.value) }
            n.properties = p
        }
        switch s["additionalProperties"] {
        case .bool(false)?: n.additional = -2
        case .object?: n.additional = compile(s["additionalProperties"]!)
        default: break
        }
        if let items = s["items"], case .object = items { n.items = compile(items) }
        n.required = s["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        n.enumValues = s["enum"]?.arrayValue ?? []
        n.preserveUnknown = s["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        n.embeddedResource = s["x-kubernetes-embedded-resource"]?.boolValue == true
        return n
    }
}

struct SchemaWalker<V: SchemaValue> {
    let nodes: [SchemaNode]
    var violations: [SchemaViolation] = []

    init(nodes: [SchemaNode]) { self.nodes = nodes }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    mutating func walk(_ value: V, _ index: Int32, path: String) {
        var i = index
        var hops = 0
        while i >= 0, nodes[Int(i)].ref >= 0, hops < 64 { i = nodes[Int(i)].ref; hops += 1 }
        guard i >= 0 else { return }
        let node = nodes[Int(i)]
        let kind = value.schemaKind
        if kind == .null {
            // Built-in fields decode null as "not set"; the strict schemas say so with nullable.
            if !node.nullable && !node.types.isEmpty {
                violations.append(SchemaViolation(path: path, reason: .typeMismatch(expected: node.types.names, got: "null")))
            }
            return
        }
        if !node.types.isEmpty && !node.types.admits(kind) {
            violations.append(SchemaViolation(path: path, reason: .typeMismatch(expected: node.types.names, got: kind.rawValue)))
            return
        }
        if !node.enumValues.isEmpty && !node.enumValues.contains(where: { Self.equal($0, value) }) {
            violations.append(SchemaViolation(path: path, reason: .unsupportedValue(
                value: Self.show(value), supported: node.enumValues.map { $0.encodedString() })))
        }
        switch kind {
        case .object:
            value.forEachSchemaMember { key, member in
                let child = join(path, key)
                if let p = node.properties?[key] {
                    walk(member, p, path: child)
                } else if node.additional >= 0 {
                    walk(member, node.additional, path: child)
                } else if node.additional == -2 && !node.preserveUnknown
                            && !(node.embeddedResource && (key == "apiVersion" || key == "kind" || key == "metadata"))
                {
                    violations.append(SchemaViolation(path: child, reason: .unknownField))
                }
            }
            for r in node.required where !value.hasSchemaMember(r) {
                violations.append(SchemaViolation(path: join(path, r), reason: .required))
            }
        case .array:
            if node.items >= 0, let elements = value.schemaElements {
                for (n, e) in elements.enumerated() { walk(e, node.items, path: "\(path)[\(n)]") }
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
