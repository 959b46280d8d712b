/// Plain data decoded from YAML or JSON: what Go's yaml/json packages produce
/// into `interface{}`. Mapping keys are strings (as after sigs.k8s.io/yaml's
/// YAML→JSON step); source order is kept, consumers that need Go's map order sort.
public indirect enum YAMLValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    /// An integer. Helm semantics (`ResolutionRules.kubernetes`) never produce it:
    /// every number there becomes `.float` as it does through JSON in Go.
    case int(Int64)
    case float(Double)
    case string(String)
    case sequence([YAMLValue])
    case mapping(YAMLMapping)
}

/// An ordered mapping with string keys; setting an existing key replaces it in place.
public struct YAMLMapping: Sendable, Equatable, Hashable, Sequence {
    public struct Entry: Sendable, Equatable, Hashable {
        public var key: String
        public var value: YAMLValue
        public init(key: String, value: YAMLValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var entries: [Entry] = []

    public init() {}
    public init(_ entries: [(String, YAMLValue)]) {
        for (k, v) in entries { self[k] = v }
    }

    /// Builds a mapping in one step from entries whose keys are known to be distinct
    /// (decoders use it; setting keys one by one costs a linear search each).
    public init(uniqueEntries: [Entry]) {
        entries = uniqueEntries
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    public subscript(key: String) -> YAMLValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

/// Which scalar rules turn plain scalars into typed values.
///
/// - `kubernetes`: Go's yaml.v2 (YAML 1.1-ish) as used by sigs.k8s.io/yaml in Helm and
///   Kubernetes: `yes/no/on/off/y/n` are booleans, `~`/`null` is null, and every number ends
///   up a float64 because the data passes through JSON. Used for chart values, `-f` files,
///   `fromYaml`, and rendered manifests.
/// - `core`: YAML 1.2 core schema. Used for profiles, where `no` must stay a string and
///   integers stay integers.
public enum ResolutionRules: Sendable {
    case kubernetes
    case core
}
