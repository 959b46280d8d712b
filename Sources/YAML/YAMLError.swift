/// A YAML syntax or structure error with where it happened.
///
/// Keeps libyaml's raw pieces (problem, context, 0-based marks) because Helm's
/// error text is built from them the way Go's yaml.v2 does (see `goMessage`).
public struct YAMLError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        case reader, scanner, parser, composer, aliasLimit, other
        /// The text parsed but its content could not be decoded (yaml.v2's `failf`:
        /// a tag that does not fit, a bad merge, a collection as a key; or a strict rule).
        case decode
        /// The JSON step of sigs.k8s.io/yaml refused the value (a key that is not a string,
        /// int, float or bool; NaN or infinity). `problem` is Go's message verbatim.
        case conversion
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

    /// The message Go's gopkg.in/yaml.v2 produces for this error: `yaml: line N: problem`
    /// for syntax errors, `yaml: problem` for decoding failures (they carry no line in Go).
    public var goMessage: String {
        switch kind {
        case .conversion:
            return problem
        case .aliasLimit:
            return "yaml: document contains excessive aliasing"
        case .decode, .composer:
            return "yaml: " + problem
        case .reader, .scanner, .parser, .other:
            break
        }
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

    /// The message of `sigs.k8s.io/yaml.Unmarshal` (Helm's values, `fromYaml`, manifests):
    /// `error converting YAML to JSON: yaml: line 3: ...`.
    public var kubernetesMessage: String {
        "error converting YAML to JSON: " + goMessage
    }
}
