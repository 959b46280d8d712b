// Convenience entry points over `YAMLDecoder` (Decoder.swift), for callers that think in
// values rather than decoders.

extension YAMLValue {
    /// Resolves a parsed node under `rules`. `file` only labels errors.
    public init(node: Node, rules: ResolutionRules, file: String? = nil) throws(YAMLError) {
        self = try YAMLDecoder(rules: rules).value(of: node, file: file)
    }

    /// Parses one YAML (or JSON) document.
    ///
    /// `.kubernetes` reads only the first document of the stream, as yaml.v2 does (later documents,
    /// even broken ones, are ignored); `.core` requires the stream to hold at most one document,
    /// so a stray `---` in a profile is reported. An empty stream gives `.null`.
    public static func parse(_ text: String, file: String? = nil, rules: ResolutionRules) throws(YAMLError) -> YAMLValue {
        switch rules {
        case .kubernetes:
            return try YAMLDecoder(rules: rules).decode(text, file: file)
        case .core:
            let root = try Parser().parseSingle(text, file: file)
            return try YAMLDecoder(rules: rules).value(of: root, file: file)
        }
    }

    /// Parses every document of a stream; empty documents give `.null`.
    public static func parseAll(_ text: String, file: String? = nil, rules: ResolutionRules) throws(YAMLError) -> [YAMLValue] {
        try YAMLDecoder(rules: rules).decodeAll(text, file: file)
    }
}
