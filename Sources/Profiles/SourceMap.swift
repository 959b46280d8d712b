import YAML

/// Where each decoded field was written, so lint rules (which run on the typed
/// model) can point at the offending line. Keys are `FieldPath` descriptions.
public struct SourceMap: Sendable, Equatable {
    /// Mark of each field's value node.
    public private(set) var marks: [String: Mark] = [:]

    public init() {}

    mutating func record(_ path: FieldPath, _ mark: Mark) {
        marks[path.description] = mark
    }

    /// The mark of `path`, or of its nearest written ancestor (a defaulted field
    /// is reported where its parent is); 1:1 when nothing is known.
    public func mark(for path: FieldPath) -> Mark {
        var p: FieldPath? = path
        while let current = p {
            if let m = marks[current.description] { return m }
            p = current.parent
        }
        return Mark(line: 1, column: 1)
    }

    /// Whether the user wrote `path` (as opposed to it taking its default).
    public func contains(_ path: FieldPath) -> Bool { marks[path.description] != nil }
}
