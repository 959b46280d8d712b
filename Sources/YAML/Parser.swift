import CLibYAML

/// Parses YAML text with libyaml into `Document`s of `Node`s.
///
/// Aliases are expanded by copying the anchored node. Expansion is bounded by
/// `maxAliasNodes` (nodes produced through aliases in one stream) so a "billion
/// laughs" document fails fast with an error instead of exhausting memory.
public struct Parser: Sendable {
    public var maxAliasNodes: Int
    public var maxDepth: Int

    public init(maxAliasNodes: Int = 100_000, maxDepth: Int = 10_000) {
        self.maxAliasNodes = maxAliasNodes
        self.maxDepth = maxDepth
    }

    /// Parses every document of a stream.
    public func parseStream(_ text: String, file: String? = nil) throws(YAMLError) -> [Document] {
        var builder = Builder(file: file, maxAliasNodes: maxAliasNodes, maxDepth: maxDepth)
        return try builder.run(text)
    }

    /// Parses only the first document of a stream (nil when the stream has none) and stops
    /// there, as Go's yaml.Unmarshal does: later documents are not read, not even for errors.
    public func parseFirst(_ text: String, file: String? = nil) throws(YAMLError) -> Document? {
        var builder = Builder(file: file, maxAliasNodes: maxAliasNodes, maxDepth: maxDepth)
        builder.stopAfterFirstDocument = true
        return try builder.run(text).first
    }

    /// Parses a stream that must hold at most one document; returns its root (nil when empty).
    public func parseSingle(_ text: String, file: String? = nil) throws(YAMLError) -> Node? {
        let docs = try parseStream(text, file: file)
        if docs.count > 1 {
            throw YAMLError(kind: .composer, file: file, mark: docs[1].mark,
                            problem: "expected a single document in the stream but found another document")
        }
        return docs.first?.root
    }
}

private struct Builder {
    let file: String?
    let maxAliasNodes: Int
    let maxDepth: Int
    var anchors: [String: Node] = [:]
    var aliasNodes = 0
    var stopAfterFirstDocument = false

    init(file: String?, maxAliasNodes: Int, maxDepth: Int) {
        self.file = file
        self.maxAliasNodes = maxAliasNodes
        self.maxDepth = maxDepth
    }

    private enum Frame {
        case sequence(items: [Node], tag: String?, anchor: String?, mark: Mark, flow: Bool)
        case mapping(pairs: [Node.Pair], pendingKey: Node?, tag: String?, anchor: String?, mark: Mark, flow: Bool)
    }

    mutating func run(_ text: String) throws(YAMLError) -> [Document] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(kind: .other, file: file, mark: Mark(line: 1, column: 1), problem: "cannot initialise libyaml")
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        let count = bytes.count
        return try bytes.withUnsafeMutableBufferPointer { (buffer) throws(YAMLError) -> [Document] in
            let base = buffer.baseAddress ?? UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
            yaml_parser_set_input_string(&parser, base, count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return try loop(&parser)
        }
    }

    private func mark(_ m: yaml_mark_t) -> Mark {
        Mark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self))
    }

    private func parserError(_ parser: inout yaml_parser_t) -> YAMLError {
        let kind: YAMLError.Kind
        switch parser.error {
        case YAML_READER_ERROR: kind = .reader
        case YAML_SCANNER_ERROR: kind = .scanner
        case YAML_PARSER_ERROR: kind = .parser
        case YAML_COMPOSER_ERROR: kind = .composer
        default: kind = .other
        }
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem parsing YAML content"
        let context = parser.context.map { String(cString: $0) }
        var m = mark(parser.problem_mark)
        if kind == .reader {
            m = Mark(line: 1, column: Int(parser.problem_offset) + 1)
        }
        return YAMLError(kind: kind, file: file, mark: m, problem: problem, context: context,
                         rawProblemLine: Int(parser.problem_mark.line), rawContextLine: Int(parser.context_mark.line))
    }

    private mutating func loop(_ parser: inout yaml_parser_t) throws(YAMLError) -> [Document] {
        var documents: [Document] = []
        var stack: [Frame] = []
        var documentMark = Mark(line: 1, column: 1)
        var root: Node?
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw parserError(&parser)
            }
            defer { yaml_event_delete(&event) }
            let start = mark(event.start_mark)
            var completed: Node?
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                documentMark = start
                root = nil
                anchors = [:]
            case YAML_DOCUMENT_END_EVENT:
                documents.append(Document(root: root, mark: documentMark))
                if stopAfterFirstDocument { return documents }
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value: String
                if let p = s.value {
                    value = String(decoding: UnsafeBufferPointer(start: p, count: Int(s.length)), as: UTF8.self)
                } else {
                    value = ""
                }
                let style: ScalarStyle
                switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: style = .literal
                case YAML_FOLDED_SCALAR_STYLE: style = .folded
                default: style = .plain
                }
                let node = Node(.scalar(value, style), tag: string(s.tag), anchor: string(s.anchor), mark: start)
                if let a = node.anchor { anchors[a] = node }
                completed = node
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor) ?? ""
                guard var target = anchors[name] else {
                    throw YAMLError(kind: .composer, file: file, mark: start, problem: "unknown anchor '\(name)' referenced")
                }
                aliasNodes += Self.size(of: target, limit: maxAliasNodes - aliasNodes + 1)
                if aliasNodes > maxAliasNodes {
                    throw YAMLError(kind: .aliasLimit, file: file, mark: start,
                                    problem: "document contains excessive aliasing (more than \(maxAliasNodes) nodes expanded)")
                }
                target.mark = start
                completed = target
            case YAML_SEQUENCE_START_EVENT:
                if stack.count >= maxDepth {
                    throw YAMLError(kind: .composer, file: file, mark: start, problem: "exceeded max depth of \(maxDepth)")
                }
                let s = event.data.sequence_start
                stack.append(.sequence(items: [], tag: string(s.tag), anchor: string(s.anchor), mark: start,
                                       flow: s.style == YAML_FLOW_SEQUENCE_STYLE))
            case YAML_MAPPING_START_EVENT:
                if stack.count >= maxDepth {
                    throw YAMLError(kind: .composer, file: file, mark: start, problem: "exceeded max depth of \(maxDepth)")
                }
                let m = event.data.mapping_start
                stack.append(.mapping(pairs: [], pendingKey: nil, tag: string(m.tag), anchor: string(m.anchor), mark: start,
                                      flow: m.style == YAML_FLOW_MAPPING_STYLE))
            case YAML_SEQUENCE_END_EVENT:
                if case .sequence(let items, let tag, let anchor, let m, let flow)? = stack.popLast() {
                    let node = Node(.sequence(items), tag: tag, anchor: anchor, mark: m, isFlow: flow)
                    if let anchor { anchors[anchor] = node }
                    completed = node
                }
            case YAML_MAPPING_END_EVENT:
                if case .mapping(let pairs, _, let tag, let anchor, let m, let flow)? = stack.popLast() {
                    let node = Node(.mapping(pairs), tag: tag, anchor: anchor, mark: m, isFlow: flow)
                    if let anchor { anchors[anchor] = node }
                    completed = node
                }
            default:
                break
            }
            if let node = completed {
                if stack.isEmpty {
                    root = node
                } else {
                    // Take the frame off the stack while appending, so its array is uniquely
                    // referenced and grows in place (otherwise every append copies it).
                    switch stack.removeLast() {
                    case .sequence(var items, let tag, let anchor, let m, let flow):
                        items.append(node)
                        stack.append(.sequence(items: items, tag: tag, anchor: anchor, mark: m, flow: flow))
                    case .mapping(var pairs, let pending, let tag, let anchor, let m, let flow):
                        if let key = pending {
                            pairs.append(Node.Pair(key: key, value: node))
                            stack.append(.mapping(pairs: pairs, pendingKey: nil, tag: tag, anchor: anchor, mark: m, flow: flow))
                        } else {
                            stack.append(.mapping(pairs: pairs, pendingKey: node, tag: tag, anchor: anchor, mark: m, flow: flow))
                        }
                    }
                }
            }
        }
    }

    /// Counts nodes in a tree, stopping early once `limit` is passed.
    private static func size(of node: Node, limit: Int) -> Int {
        var count = 0
        var work = [node]
        while let n = work.popLast() {
            count += 1
            if count > limit { return count }
            switch n.content {
            case .scalar: break
            case .sequence(let items): work.append(contentsOf: items)
            case .mapping(let pairs):
                for p in pairs { work.append(p.key); work.append(p.value) }
            }
        }
        return count
    }
}
