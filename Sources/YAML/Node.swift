/// A position in a YAML source, 1-based as editors show it.
public struct Mark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// How a scalar was written; the resolvers use it (quoted scalars are always strings).
public enum ScalarStyle: Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A parsed YAML node. Mappings keep their source order; aliases are already
/// expanded (a copy of the anchored node), so consumers never see them.
public struct Node: Sendable {
    public enum Content: Sendable {
        case scalar(String, ScalarStyle)
        case sequence([Node])
        case mapping([Pair])
    }

    public struct Pair: Sendable {
        public var key: Node
        public var value: Node
        public init(key: Node, value: Node) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    /// The explicit tag as written after resolution of handles (e.g. `tag:yaml.org,2002:str`), or nil.
    public var tag: String?
    public var anchor: String?
    public var mark: Mark
    /// Set when the mapping or sequence used flow style (`{}` / `[]`).
    public var isFlow: Bool

    public init(_ content: Content, tag: String? = nil, anchor: String? = nil, mark: Mark, isFlow: Bool = false) {
        self.content = content
        self.tag = tag
        self.anchor = anchor
        self.mark = mark
        self.isFlow = isFlow
    }

    public var scalarValue: String? {
        if case .scalar(let s, _) = content { return s }
        return nil
    }
    public var scalarStyle: ScalarStyle? {
        if case .scalar(_, let s) = content { return s }
        return nil
    }
    public var sequenceItems: [Node]? {
        if case .sequence(let items) = content { return items }
        return nil
    }
    public var mappingPairs: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }
    /// The value for a plain string key in a mapping (first match).
    public subscript(key: String) -> Node? {
        mappingPairs?.first(where: { $0.key.scalarValue == key })?.value
    }

    /// A short kind name for error messages: "mapping", "sequence", "scalar".
    public var kindName: String {
        switch content {
        case .scalar: return "scalar"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        }
    }
}

/// One document of a YAML stream. `root` is nil for an empty document.
public struct Document: Sendable {
    public var root: Node?
    public var mark: Mark
    public init(root: Node?, mark: Mark) {
        self.root = root
        self.mark = mark
    }
}
