/// Go's `missingkey` option: what a missing map key yields.
public enum MissingKey: String, Sendable {
    /// `missingkey=default` / `invalid`: "no value", printed `<no value>`.
    case `default`
    /// `missingkey=zero`: the zero of the map's element type (nil for
    /// `map[string]interface{}`, which a pipeline turns into "no value" again). Helm's choice.
    case zero
    /// `missingkey=error`: `map has no entry for key "x"`.
    case error
}

/// Options for one execution. Limits keep hostile or buggy templates from hanging or
/// exhausting memory; the defaults are far above what real charts need.
public struct ExecutionOptions: Sendable {
    public var missingKey: MissingKey
    /// Go's `maxExecDepth`: nesting of `template` actions and nested executions
    /// (`include`). Go uses 100000 because its stacks grow; ours do not, so the
    /// default is what a thread's stack safely holds (see docs/gotemplate.md).
    public var maxDepth: Int
    /// Stop with an error once the output of one execution exceeds this many bytes.
    public var maxOutputBytes: Int
    /// Stop with an error after this many loop iterations plus template calls in one
    /// top-level execution (protection against `range 1000000000`).
    public var maxSteps: Int
    /// The embedder's per-execution state, handed to functions as `CallContext.state`.
    public var state: (any Sendable)?

    public init(missingKey: MissingKey = .default, maxDepth: Int = 1500,
                maxOutputBytes: Int = 256 << 20, maxSteps: Int = 100_000_000,
                state: (any Sendable)? = nil) {
        self.missingKey = missingKey
        self.maxDepth = maxDepth
        self.maxOutputBytes = maxOutputBytes
        self.maxSteps = maxSteps
        self.state = state
    }
}
