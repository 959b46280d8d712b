import YAML

/// Raw chart values from the profile (`values:` blocks), merged last over what the
/// profile generates. Scalars are typed by the YAML 1.2 core schema like the rest
/// of the profile. Encodes to JSON as the plain value tree.
public struct RawValues: Sendable, Equatable, Codable {
    public var tree: YAMLMapping

    public init(_ tree: YAMLMapping = YAMLMapping()) { self.tree = tree }

    public var isEmpty: Bool { tree.isEmpty }

    /// The value at a dotted key path (`driver.enabled`), nil when absent.
    public func value(at keys: [String]) -> YAMLValue? {
        var current: YAMLValue = .mapping(tree)
        for k in keys {
            guard case .mapping(let m) = current, let next = m[k] else { return nil }
            current = next
        }
        return current
    }

    public init(from decoder: any Decoder) throws {
        guard case .mapping(let m) = try JSONTree(from: decoder).value else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "values must be a mapping"))
        }
        tree = m
    }

    public func encode(to encoder: any Encoder) throws {
        try JSONTree(.mapping(tree)).encode(to: encoder)
    }
}

/// Codable bridge for `YAMLValue` (which lives in the YAML module without Codable).
private struct JSONTree: Codable {
    var value: YAMLValue
    init(_ value: YAMLValue) { self.value = value }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: Key.self) {
            var m = YAMLMapping()
            for k in keyed.allKeys { m[k.stringValue] = try keyed.decode(JSONTree.self, forKey: k).value }
            value = .mapping(m)
            return
        }
        if var seq = try? decoder.unkeyedContainer() {
            var items: [YAMLValue] = []
            while !seq.isAtEnd { items.append(try seq.decode(JSONTree.self).value) }
            value = .sequence(items)
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { value = .null }
        else if let b = try? c.decode(Bool.self) { value = .bool(b) }
        else if let i = try? c.decode(Int64.self) { value = .int(i) }
        else if let d = try? c.decode(Double.self) { value = .float(d) }
        else { value = .string(try c.decode(String.self)) }
    }

    func encode(to encoder: any Encoder) throws {
        switch value {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .float(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .sequence(let items):
            var c = encoder.unkeyedContainer()
            for i in items { try c.encode(JSONTree(i)) }
        case .mapping(let m):
            var c = encoder.container(keyedBy: Key.self)
            for e in m { try c.encode(JSONTree(e.value), forKey: Key(stringValue: e.key)) }
        }
    }
}
