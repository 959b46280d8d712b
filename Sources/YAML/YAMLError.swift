/// A YAML syntax or structure error with where it happened.
///
/// Keeps libyaml's raw pieces (problem, context, 0-based marks) because Helm's
/// error text is built from them the way Go's yaml.v2 does (see `goMessage`).
public struct YAMLError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case reader, scanner, parser, composer, aliasLimit, other
    }
    public var kind: Kind
    public var file: String?
    /// Where the problem is (1-based).
    public var mark: Mark
    public var problem: String
    public var context: String?
    /// libyaml's raw 0-based lines, for Go-compatible formatting.
    public var rawProblemLine: Int
    public var rawContextLine: Int

    public init(kind: Kind, file: String?, mark: Mark, problem: String, context: String? = nil,
                rawProblemLine: Int? = nil, rawContextLine: Int = 0) {
        self.kind = kind
        self.file = file
        self.mark = mark
        self.problem = problem
        self.context = context
        self.rawProblemLine = rawProblemLine ?? (mark.line - 1)
        self.rawContextLine = rawContextLine
    }

    /// `file:line:col: error: problem (context)`.
    public var description: String {
        var s = file.map { "\($0):" } ?? ""
        s += "\(mark.line):\(mark.column): error: \(problem)"
        if let context, !context.isEmpty { s += " (\(context))" }
        return s
    }

    /// The message Go's gopkg.in/yaml.v2 produces for this error: `yaml: line N: problem`.
    public var goMessage: String {
        var line = 0
        if rawProblemLine != 0 {
            line = rawProblemLine
            if kind == .scanner { line += 1 }
        } else if rawContextLine != 0 {
            line = rawContextLine
        }
        let where_ = line != 0 ? "line \(line): " : ""
        return "yaml: " + where_ + (problem.isEmpty ? "unknown problem parsing YAML content" : problem)
    }
}
