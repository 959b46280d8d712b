/// An error from loading, resolving or rendering a chart.
///
/// `message` is exactly what Helm prints after `Error: ` so the CLI can reproduce
/// Helm byte for byte; `kind` lets library callers react without parsing text.
public struct HelmError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Chart files missing or malformed (Chart.yaml, values.yaml, archive layout).
        case load
        /// A packaged chart that is unsafe (path escapes, links out, size limits).
        case archive
        /// `--set`/`-f` style value input that cannot be parsed.
        case values
        /// values.schema.json rejected the values.
        case schema
        /// Template parse or execution failure (including `required`/`fail`).
        case template
        /// A rendered manifest that is not valid YAML.
        case manifest
        /// Command-line usage problems.
        case usage
        /// Anything else (I/O).
        case other
    }

    public var kind: Kind
    public var message: String
    /// Where it happened, when known (a file inside the chart or on disk).
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String { message }
}
