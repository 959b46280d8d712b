/// Plain JSON data as Kubernetes objects travel on the wire (an "unstructured" object).
///
/// Integers and floating-point numbers stay apart, as in Go's `unstructured` decoding
/// (int64 vs float64), so `replicas: 3` round-trips as `3`, never `3.0`.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An object with string keys that keeps insertion order, so output is deterministic.
/// Lookup is linear: Kubernetes objects have few keys per level.
public struct JSONObject: Sendable, Hashable, Sequence {
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() { members = [] }
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }
    public init(members: [Member]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for m in members { self[m.key] = m.value }
    }
    /// Builds from members already known to have unique keys (parsers check this).
    init(uniqueMembers: [Member]) { members = uniqueMembers }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            for m in members where m.key == key { return m.value }
            return nil
        }
        set {
            if let i = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key, newValue))
            }
        }
    }

    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = members.firstIndex(where: { $0.key == key }) else { return nil }
        return members.remove(at: i).value
    }

    /// Keys sorted as Go's encoding/json sorts map keys (byte order).
    public mutating func sortKeys() {
        members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    /// Equality that ignores key order (JSON semantics).
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.members.count == b.members.count else { return false }
        for m in a.members {
            guard let other = b[m.key], other == m.value else { return false }
        }
        return true
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(members.count)
        var acc = 0
        for m in members { acc ^= m.key.hashValue &+ m.value.hashValue }
        hasher.combine(acc)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension JSONValue {
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e18: return Int64(d)
        default: return nil
        }
    }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The JSON type name used in Kubernetes validation messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Member of an object; nil for non-objects.
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            guard case .object(var o) = self else { return }
            self = .null  // drop the reference so the mutation below is in place
            o[key] = newValue
            self = .object(o)
        }
    }

    /// Value at a path of object keys.
    public subscript(path path: [String]) -> JSONValue? {
        var cur: JSONValue? = self
        for p in path { cur = cur?[p] }
        return cur
    }

    /// Sets a value at a path, creating intermediate objects; a nil value removes the key.
    public mutating func set(path: ArraySlice<String>, to value: JSONValue?) {
        guard let first = path.first else {
            if let value { self = value }
            return
        }
        guard case .object(var o) = self else {
            if value == nil { return }
            var fresh = JSONValue.object(JSONObject())
            fresh.set(path: path, to: value)
            self = fresh
            return
        }
        self = .null
        if path.count == 1 {
            o[first] = value
        } else {
            var child = o[first] ?? .object(JSONObject())
            child.set(path: path.dropFirst(), to: value)
            o[first] = child
        }
        self = .object(o)
    }
    public mutating func set(path: [String], to value: JSONValue?) { set(path: path[...], to: value) }

    /// Numeric-aware equality: `1` and `1.0` are equal, as after a JSON round trip in Go.
    public func semanticallyEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.semanticallyEquals($1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for m in a.members {
                guard let o = b[m.key], o.semanticallyEquals(m.value) else { return false }
            }
            return true
        default: return self == other
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (k, v) in elements { self[k] = v }
    }
}

extension JSONObject {
    /// Builds from ordered pairs; a later duplicate key replaces an earlier one.
    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (k, v) in pairs { self[k] = v }
    }
}
