/// Turns YAML text or parsed `Node`s into `YAMLValue`s under one of the `ResolutionRules`.
///
/// - `.kubernetes` reproduces `sigs.k8s.io/yaml.Unmarshal` into `interface{}` (what Helm
///   does for values files, `fromYaml` and rendered manifests): yaml.v2 resolution and merge
///   keys, then the JSON step (keys become strings, numbers become doubles, NaN/Inf fail).
///   Only the first document of a stream is read, as in Go.
/// - `.core` is the strict YAML 1.2 core schema for the project's own files (profiles):
///   integers stay integers, `yes`/`no` stay strings, duplicate keys and unknown tags are
///   errors that point at the offending node.
public struct YAMLDecoder: Sendable {
    public var rules: ResolutionRules
    public var parser: Parser
    /// Deepest nesting of sequences and mappings decoded. Decoding recurses, so this keeps
    /// hostile input from exhausting the stack (real files nest a few dozen levels).
    public var maxDepth: Int

    public init(rules: ResolutionRules = .kubernetes, parser: Parser = Parser(), maxDepth: Int = 500) {
        self.rules = rules
        self.parser = parser
        self.maxDepth = maxDepth
    }

    /// Decodes the first document of `text` (`.null` for an empty stream or document).
    /// Later documents are not read, so errors in them go unnoticed, exactly as in Go.
    public func decode(_ text: String, file: String? = nil) throws(YAMLError) -> YAMLValue {
        let document = try parser.parseFirst(text, file: file)
        return try value(of: document?.root, file: file)
    }

    /// Decodes every document of a stream; empty documents decode to `.null`.
    public func decodeAll(_ text: String, file: String? = nil) throws(YAMLError) -> [YAMLValue] {
        var values: [YAMLValue] = []
        for document in try parser.parseStream(text, file: file) {
            values.append(try value(of: document.root, file: file))
        }
        return values
    }

    /// Converts an already parsed tree (nil, an empty document, decodes to `.null`).
    public func value(of node: Node?, file: String? = nil) throws(YAMLError) -> YAMLValue {
        guard let node else { return .null }
        switch rules {
        case .kubernetes:
            var converter = KubernetesConversion(file: file)
            let go = try GoDecoding(file: file, maxDepth: maxDepth).decode(node, depth: 0)
            return try converter.finish(go)
        case .core:
            return try CoreDecoding(file: file, maxDepth: maxDepth).decode(node, depth: 0)
        }
    }

    /// What a field of Go type `string` receives from this scalar through sigs.k8s.io/yaml:
    /// numbers and booleans are printed (`1.10` becomes `"1.1"`, floats with float32
    /// precision), strings are kept. Nil for null, collections and numbers too long for 64
    /// bits (Go then fails to decode). Helm reads `Chart.yaml` fields this way.
    public func kubernetesString(of node: Node, file: String? = nil) throws(YAMLError) -> String? {
        guard case .scalar = node.content else { return nil }
        guard case .scalar(let s) = try GoDecoding(file: file, maxDepth: maxDepth).decode(node, depth: 0) else { return nil }
        switch s {
        case .null, .bigInt: return nil
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .float(let d): return GoFormat.formatG(d, bits32: true)
        case .string(let str): return str
        }
    }
}

/// Helpers other modules need to agree with Go's YAML on.
public enum GoYAML {
    /// How yaml.v2 resolves this text as an untagged plain scalar. An emitter may write a
    /// string plain only when this is `.string` (yaml.v2's `stringv` rule).
    public static func kind(ofPlain text: String) -> GoYAMLKind {
        GoResolve.kind(ofPlain: text)
    }

    /// strconv.FormatFloat(value, 'g', -1, 64): how Go prints a float64 with `%v`.
    public static func formatFloat(_ value: Double) -> String {
        GoFormat.formatG(value)
    }
}

// MARK: - yaml.v2 decoding into interface{}

private struct GoDecoding {
    let file: String?
    let maxDepth: Int

    func decode(_ node: Node, depth: Int) throws(YAMLError) -> GoValue {
        switch node.content {
        case .scalar(let text, let style):
            return .scalar(try scalar(text, style: style, tag: node.tag, mark: node.mark))
        case .sequence(let items):
            try checkDepth(depth, node.mark)
            var out: [GoValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try decode(item, depth: depth + 1)) }
            return .sequence(out)
        case .mapping(let pairs):
            try checkDepth(depth, node.mark)
            return try mapping(pairs, depth: depth + 1)
        }
    }

    // Out of line so `decode`'s stack frame stays small on deep recursion.
    @inline(never)
    private func mapping(_ pairs: [Node.Pair], depth: Int) throws(YAMLError) -> GoValue {
        var entries = GoEntries()
        try decodeMapping(pairs, into: &entries, depth: depth)
        return .mapping(entries.pairs)
    }

    private func checkDepth(_ depth: Int, _ mark: Mark) throws(YAMLError) {
        if depth >= maxDepth { throw fail("exceeded max depth of \(maxDepth)", mark) }
    }

    private func fail(_ message: String, _ mark: Mark) -> YAMLError {
        YAMLError(kind: .decode, file: file, mark: mark, problem: message)
    }

    private func scalar(_ text: String, style: ScalarStyle, tag: String?, mark: Mark) throws(YAMLError) -> GoScalar {
        // Untagged quoted and block scalars are strings; everything else goes through resolve.
        guard tag != nil || style == .plain else { return .string(text) }
        let resolvedTag: String
        let value: GoScalar
        do {
            (resolvedTag, value, _) = try GoResolve.resolve(tag: tag ?? "", text)
        } catch {
            throw fail(error.message, mark)
        }
        if resolvedTag == Tag.binary {
            guard let bytes = GoResolve.decodeBase64(text) else {
                throw fail("!!binary value contains invalid base64 data", mark)
            }
            return .string(GoResolve.goJSONString(bytes))
        }
        return value
    }

    private func isMerge(_ key: Node) -> Bool {
        guard case .scalar("<<", let style) = key.content else { return false }
        return (key.tag == nil && style == .plain) || key.tag == Tag.merge
    }

    /// yaml.v2's `mapping` into a `map[interface{}]interface{}`: later keys overwrite
    /// earlier ones, and merges (`<<`) write into the same map in place, so a merge after
    /// an explicit key overrides it (a yaml.v2 quirk Helm inherits).
    private func decodeMapping(_ pairs: [Node.Pair], into entries: inout GoEntries, depth: Int) throws(YAMLError) {
        for pair in pairs {
            if isMerge(pair.key) {
                try merge(pair.value, into: &entries, depth: depth)
                continue
            }
            let key = try decode(pair.key, depth: depth)
            if case .scalar = key {} else {
                throw fail("invalid map key: \(key.goSyntax())", pair.key.mark)
            }
            let value = try decode(pair.value, depth: depth)
            entries.set(key, value, mark: pair.key.mark)
        }
    }

    private func merge(_ node: Node, into entries: inout GoEntries, depth: Int) throws(YAMLError) {
        let wantMap = "map merge requires map or sequence of maps as the value"
        switch node.content {
        case .mapping(let pairs):
            try decodeMapping(pairs, into: &entries, depth: depth)
        case .sequence(let items):
            // Backwards, so that earlier maps in the list win.
            for item in items.reversed() {
                guard case .mapping(let pairs) = item.content else { throw fail(wantMap, item.mark) }
                try decodeMapping(pairs, into: &entries, depth: depth)
            }
        case .scalar:
            throw fail(wantMap, node.mark)
        }
    }
}

/// Insertion-ordered pairs with Go map-key equality (1, 1.0 and "1" are different keys;
/// NaN keys never equal anything, so each one is kept).
private struct GoEntries {
    var pairs: [(key: GoValue, value: GoValue, mark: Mark)] = []
    /// Each pair's key for equality (nil for NaN). Small mappings (nearly all) are searched
    /// linearly; hashing every key cost more than the search.
    private var keys: [GoKey?] = []
    private var index: [GoKey: Int]?
    private static let indexThreshold = 12

    private enum GoKey: Hashable {
        case null, bool(Bool), int(Int64), uint(UInt64), bigInt(Double), float(Double), string(String)
    }

    mutating func set(_ key: GoValue, _ value: GoValue, mark: Mark) {
        var goKey: GoKey?
        if case .scalar(let s) = key {
            switch s {
            case .null: goKey = .null
            case .bool(let b): goKey = .bool(b)
            case .int(let i): goKey = .int(i)
            case .uint(let u): goKey = .uint(u)
            case .bigInt(let d): goKey = .bigInt(d)
            case .float(let d): goKey = d.isNaN ? nil : .float(d)
            case .string(let str): goKey = .string(str)
            }
        }
        if let goKey, let i = position(of: goKey) {
            pairs[i].value = value
            return
        }
        if let goKey { index?[goKey] = pairs.count }
        pairs.append((key, value, mark))
        keys.append(goKey)
        if index == nil && keys.count > Self.indexThreshold {
            var built: [GoKey: Int] = [:]
            // First occurrence wins, as a key is only ever added once.
            for (i, k) in keys.enumerated() { if let k, built[k] == nil { built[k] = i } }
            index = built
        }
    }

    private func position(of key: GoKey) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }
}

/// Builds a `YAMLMapping` where a repeated key replaces the earlier value in place,
/// without YAMLMapping's linear search per key in large mappings (small ones search).
private struct MappingBuilder {
    private var entries: [YAMLMapping.Entry] = []
    private var index: [String: Int]?
    private static let indexThreshold = 12

    init(capacity: Int) { entries.reserveCapacity(capacity) }

    subscript(key: String) -> YAMLValue? {
        position(of: key).map { entries[$0].value }
    }

    mutating func set(_ key: String, _ value: YAMLValue) {
        if let i = position(of: key) {
            entries[i].value = value
            return
        }
        index?[key] = entries.count
        entries.append(YAMLMapping.Entry(key: key, value: value))
        if index == nil && entries.count > Self.indexThreshold {
            var built: [String: Int] = [:]
            for (i, e) in entries.enumerated() { built[e.key] = i }
            index = built
        }
    }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return entries.firstIndex { $0.key == key }
    }

    var mapping: YAMLMapping { YAMLMapping(uniqueEntries: entries) }
}

// MARK: - sigs.k8s.io/yaml: interface{} tree to JSON and back

private struct KubernetesConversion {
    let file: String?
    /// json.Marshal rejects NaN and infinities, but only after every key converted.
    var unsupported: (String, Mark)?

    init(file: String?) { self.file = file }

    mutating func finish(_ value: GoValue) throws(YAMLError) -> YAMLValue {
        let converted = try convert(value, mark: Mark(line: 1, column: 1))
        if let (text, mark) = unsupported {
            throw YAMLError(kind: .conversion, file: file, mark: mark, problem: "json: unsupported value: \(text)")
        }
        return converted
    }

    private mutating func convert(_ value: GoValue, mark: Mark) throws(YAMLError) -> YAMLValue {
        switch value {
        case .scalar(let s):
            switch s {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .float(Double(i))
            case .uint(let u): return .float(Double(u))
            case .bigInt(let d): return .float(d)
            case .float(let d):
                if !d.isFinite, unsupported == nil {
                    unsupported = (GoFormat.formatG(d), mark)
                }
                return .float(d)
            case .string(let str): return .string(str)
            }
        case .sequence(let items):
            var out: [YAMLValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try convert(item, mark: mark)) }
            return .sequence(out)
        case .mapping(let pairs):
            var mapping = MappingBuilder(capacity: pairs.count)
            for pair in pairs {
                let key = try keyString(pair.key, value: pair.value, mark: pair.mark)
                mapping.set(key, try convert(pair.value, mark: pair.mark))
            }
            return .mapping(mapping.mapping)
        }
    }

    /// sigs.k8s.io/yaml's key conversion: strings, ints, floats (float32 'g') and bools.
    private func keyString(_ key: GoValue, value: GoValue, mark: Mark) throws(YAMLError) -> String {
        if case .scalar(let s) = key {
            switch s {
            case .string(let str): return str
            case .int(let i): return String(i)
            case .float(let d): return GoFormat.formatG(d, bits32: true, yamlSpecials: true)
            case .bool(let b): return b ? "true" : "false"
            case .null, .uint, .bigInt: break
            }
        }
        throw YAMLError(kind: .conversion, file: file, mark: mark,
                        problem: "unsupported map key of type: \(key.goTypeName), key: \(key.goSyntax()), value: \(value.goSyntax())")
    }
}

// MARK: - YAML 1.2 core schema, strict

private struct CoreDecoding {
    let file: String?
    let maxDepth: Int

    func decode(_ node: Node, depth: Int) throws(YAMLError) -> YAMLValue {
        switch node.content {
        case .scalar:
            return try CoreResolve.scalar(node, file: file)
        case .sequence(let items):
            try checkCollectionTag(node, allowed: Tag.seq)
            try checkDepth(depth, node.mark)
            var out: [YAMLValue] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try decode(item, depth: depth + 1)) }
            return .sequence(out)
        case .mapping(let pairs):
            try checkCollectionTag(node, allowed: Tag.map)
            try checkDepth(depth, node.mark)
            return try mapping(pairs, depth: depth + 1)
        }
    }

    private func checkDepth(_ depth: Int, _ mark: Mark) throws(YAMLError) {
        if depth >= maxDepth {
            throw YAMLError(kind: .decode, file: file, mark: mark, problem: "exceeded max depth of \(maxDepth)")
        }
    }

    // Out of line so `decode`'s stack frame stays small on deep recursion.
    @inline(never)
    private func mapping(_ pairs: [Node.Pair], depth: Int) throws(YAMLError) -> YAMLValue {
        var explicit = MappingBuilder(capacity: pairs.count)
        var firstSeen: [String: Mark] = [:]
        var merged = MappingBuilder(capacity: 0)
        for pair in pairs {
            if case .scalar("<<", .plain) = pair.key.content, pair.key.tag == nil || pair.key.tag == Tag.merge {
                // Merge keys: explicit keys win over merged ones; earlier sources win.
                for source in try mergeSources(pair.value, depth: depth) {
                    for entry in source where merged[entry.key] == nil {
                        merged.set(entry.key, entry.value)
                    }
                }
                continue
            }
            guard case .scalar(let key, _) = pair.key.content else {
                throw YAMLError(kind: .decode, file: file, mark: pair.key.mark,
                                problem: "mapping keys must be scalars, found a \(pair.key.kindName)")
            }
            if let first = firstSeen[key] {
                throw YAMLError(kind: .decode, file: file, mark: pair.key.mark,
                                problem: "duplicate key \"\(key)\" (first defined at \(first))")
            }
            firstSeen[key] = pair.key.mark
            explicit.set(key, try decode(pair.value, depth: depth))
        }
        for entry in merged.mapping where explicit[entry.key] == nil {
            explicit.set(entry.key, entry.value)
        }
        return .mapping(explicit.mapping)
    }

    private func mergeSources(_ node: Node, depth: Int) throws(YAMLError) -> [YAMLMapping] {
        let items: [Node]
        if case .sequence(let list) = node.content { items = list } else { items = [node] }
        var out: [YAMLMapping] = []
        for item in items {
            guard case .mapping = item.content, case .mapping(let m) = try decode(item, depth: depth) else {
                throw YAMLError(kind: .decode, file: file, mark: item.mark,
                                problem: "merge key \"<<\" needs a mapping or a sequence of mappings, found a \(item.kindName)")
            }
            out.append(m)
        }
        return out
    }

    private func checkCollectionTag(_ node: Node, allowed: String) throws(YAMLError) {
        guard let tag = node.tag, tag != "!", tag != allowed else { return }
        throw YAMLError(kind: .decode, file: file, mark: node.mark,
                        problem: "unsupported tag \(Tag.short(tag)) on a \(node.kindName)")
    }
}
