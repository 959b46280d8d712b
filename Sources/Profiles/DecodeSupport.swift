import YAML

/// Reading primitives over `Node` trees that never stop at the first problem:
/// each bad field records a finding and yields nil, and the caller falls back to
/// the default so decoding can continue and report everything at once.
final class NodeReader {
    let file: String
    private(set) var findings: [Finding] = []
    var sourceMap = SourceMap()

    init(file: String) { self.file = file }

    func error(_ code: FindingCode, _ mark: Mark, _ path: FieldPath, _ message: String) {
        findings.append(Finding(file: file, mark: mark, severity: .error, code: code, path: path.description, message: message))
    }

    /// The fields of a mapping, after reporting unknown and duplicate keys.
    struct Fields {
        let node: Node
        let path: FieldPath
        var values: [String: Node] = [:]

        /// The value written for `key`; nil when absent or written as null (`key:` / `key: ~`).
        subscript(key: String) -> Node? {
            guard let v = values[key] else { return nil }
            return v.isNull ? nil : v
        }
        func has(_ key: String) -> Bool { self[key] != nil }
    }

    /// Opens a mapping. `known` lists the accepted keys; nil accepts any key
    /// (free-form maps such as node labels). A null node reads as an empty mapping.
    func mapping(_ node: Node, _ path: FieldPath, known: [String]?) -> Fields? {
        sourceMap.record(path, node.mark)
        if node.isNull { return Fields(node: node, path: path) }
        guard let pairs = node.mappingPairs else {
            error(.wrongType, node.mark, path, "expected a mapping, got \(node.typeDescription)")
            return nil
        }
        var fields = Fields(node: node, path: path)
        var firstLine: [String: Int] = [:]
        for pair in pairs {
            guard let key = pair.key.scalarValue else {
                error(.wrongType, pair.key.mark, path, "mapping keys must be strings, got a \(pair.key.kindName)")
                continue
            }
            let keyPath = path / key
            if let line = firstLine[key] {
                error(.duplicateKey, pair.key.mark, keyPath, "duplicate key (first written on line \(line))")
                continue
            }
            firstLine[key] = pair.key.mark.line
            if let known, !known.contains(key) {
                let hint = Suggestion.closest(to: key, in: known).map { " (did you mean \"\($0)\"?)" }
                    ?? " (expected one of \(known.joined(separator: ", ")))"
                error(.unknownField, pair.key.mark, keyPath, "unknown field" + hint)
                continue
            }
            fields.values[key] = pair.value
        }
        return fields
    }

    func missing(_ f: Fields, _ key: String) {
        error(.missingField, f.node.mark, f.path / key, "missing required field")
    }

    // MARK: Scalars

    /// A string. Numbers are accepted as written (`version: 1.15.1`, `name: 2024`) since
    /// only their text matters; booleans, null and collections are type errors.
    func string(_ f: Fields, _ key: String, required: Bool = false) -> String? {
        guard let node = f[key] else {
            if required { missing(f, key) }
            return nil
        }
        return string(node, f.path / key)
    }

    func string(_ node: Node, _ path: FieldPath) -> String? {
        sourceMap.record(path, node.mark)
        guard case .scalar(let text, let style) = node.content else {
            error(.wrongType, node.mark, path, "expected a string, got \(node.typeDescription)")
            return nil
        }
        switch CoreScalar(text, style: style, tag: node.tag) {
        case .bool, .null:
            error(.wrongType, node.mark, path, "expected a string, got \(node.typeDescription)")
            return nil
        default:
            return text
        }
    }

    func bool(_ f: Fields, _ key: String) -> Bool? {
        guard let node = f[key] else { return nil }
        let path = f.path / key
        sourceMap.record(path, node.mark)
        if case .scalar(let text, let style) = node.content, case .bool(let b) = CoreScalar(text, style: style, tag: node.tag) {
            return b
        }
        var message = "expected a boolean, got \(node.typeDescription)"
        if ["yes", "no", "on", "off", "y", "n"].contains(node.scalarValue?.lowercased() ?? "") {
            message += " (profiles use YAML 1.2: write true or false)"
        }
        error(.wrongType, node.mark, path, message)
        return nil
    }

    /// An integer within `range`; values outside it are reported with the bound.
    func int(_ f: Fields, _ key: String, required: Bool = false, range: ClosedRange<Int>? = nil,
             unit: String = "", because reason: String? = nil) -> Int? {
        guard let node = f[key] else {
            if required { missing(f, key) }
            return nil
        }
        let path = f.path / key
        sourceMap.record(path, node.mark)
        guard case .scalar(let text, let style) = node.content,
              case .int(let i) = CoreScalar(text, style: style, tag: node.tag), let value = Int(exactly: i) else {
            error(.wrongType, node.mark, path, "expected an integer, got \(node.typeDescription)")
            return nil
        }
        if let range, !range.contains(value) {
            let bound = value < range.lowerBound ? "at least \(range.lowerBound)" : "at most \(range.upperBound)"
            error(.outOfRange, node.mark, path, "must be \(bound)\(unit) (got \(value))" + (reason.map { "; \($0)" } ?? ""))
            return nil
        }
        return value
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ f: Fields, _ key: String, required: Bool = false) -> E?
    where E.RawValue == String {
        guard let node = f[key] else {
            if required { missing(f, key) }
            return nil
        }
        return enumeration(node, f.path / key)
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ node: Node, _ path: FieldPath) -> E? where E.RawValue == String {
        sourceMap.record(path, node.mark)
        let names = E.allCases.map(\.rawValue)
        guard let text = node.scalarValue else {
            error(.wrongType, node.mark, path, "expected one of \(names.joined(separator: ", ")), got \(node.typeDescription)")
            return nil
        }
        if let value = E(rawValue: text) { return value }
        error(.notAllowed, node.mark, path,
              "\"\(text)\" is not one of \(names.joined(separator: ", "))" + Suggestion.hint(for: text, in: names))
        return nil
    }

    /// A Kubernetes resource quantity; integers and quoted strings are both fine.
    func quantity(_ f: Fields, _ key: String, required: Bool = false) -> Quantity? {
        guard let node = f[key] else {
            if required { missing(f, key) }
            return nil
        }
        return quantity(node, f.path / key)
    }

    func quantity(_ node: Node, _ path: FieldPath) -> Quantity? {
        guard let text = string(node, path) else { return nil }
        guard let q = Quantity(parsing: text) else {
            error(.badFormat, node.mark, path, "\"\(text)\" is not a Kubernetes quantity (such as 8, 500m or 64Gi)")
            return nil
        }
        if text.hasPrefix("-") {
            error(.outOfRange, node.mark, path, "must not be negative (got \(text))")
            return nil
        }
        return q
    }

    func duration(_ node: Node, _ path: FieldPath) -> GoDuration? {
        guard let text = string(node, path) else { return nil }
        guard let d = GoDuration(parsing: text) else {
            error(.badFormat, node.mark, path, "\"\(text)\" is not a duration (use Go syntax such as 90s, 10m or 1h30m)")
            return nil
        }
        guard d.nanoseconds > 0 else {
            error(.outOfRange, node.mark, path, "must be longer than 0s (got \(text))")
            return nil
        }
        return d
    }

    // MARK: Names

    enum NameRule { case label, subdomain, qualified }

    /// A string that must be a Kubernetes name of the given kind.
    func name(_ f: Fields, _ key: String, _ rule: NameRule, what: String, required: Bool = true) -> String? {
        guard let node = f[key] else {
            if required { missing(f, key) }
            return nil
        }
        guard let s = string(node, f.path / key) else { return nil }
        return checkName(s, node.mark, f.path / key, rule, what: what) ? s : nil
    }

    func checkName(_ s: String, _ mark: Mark, _ path: FieldPath, _ rule: NameRule, what: String) -> Bool {
        let problem: String?
        switch rule {
        case .label: problem = KubernetesName.labelProblem(s)
        case .subdomain: problem = KubernetesName.subdomainProblem(s)
        case .qualified: problem = KubernetesName.qualifiedNameProblem(s)
        }
        guard let problem else { return true }
        error(.invalidName, mark, path, "\"\(s)\" is not a valid \(what): \(problem)")
        return false
    }

    // MARK: Collections

    /// The items of a sequence with their paths; a null value reads as empty.
    func sequence(_ f: Fields, _ key: String) -> [(node: Node, path: FieldPath)] {
        guard let node = f[key] else { return [] }
        let path = f.path / key
        sourceMap.record(path, node.mark)
        guard let items = node.sequenceItems else {
            error(.wrongType, node.mark, path, "expected a sequence, got \(node.typeDescription)")
            return []
        }
        return items.enumerated().map { (i, item) in
            sourceMap.record(path[i], item.mark)
            return (item, path[i])
        }
    }

    /// A map of label-like keys to string values (node selectors, node labels).
    func labels(_ f: Fields, _ key: String) -> [String: String]? {
        guard let node = f[key], let m = mapping(node, f.path / key, known: nil) else { return nil }
        var out: [String: String] = [:]
        var seen = Set<String>()
        for pair in node.mappingPairs ?? [] {
            // Keys `mapping` rejected (duplicates, non-strings) were reported already.
            guard let k = pair.key.scalarValue, m.values[k] != nil, seen.insert(k).inserted else { continue }
            let path = f.path / key / k
            guard checkName(k, pair.key.mark, path, .qualified, what: "label key") else { continue }
            guard let v = pair.value.isNull ? "" : string(pair.value, path) else { continue }
            if let problem = KubernetesName.labelValueProblem(v) {
                error(.invalidName, pair.value.mark, path, "\"\(v)\" is not a valid label value: \(problem)")
                continue
            }
            out[k] = v
        }
        return out
    }

    /// Raw chart values: any mapping, scalars typed by the core schema, every position recorded.
    func rawValues(_ f: Fields, _ key: String) -> RawValues? {
        guard let node = f[key] else { return nil }
        let path = f.path / key
        guard case .mapping(let m)? = value(node, path) else {
            if !node.isNull, node.mappingPairs == nil {
                error(.wrongType, node.mark, path, "expected a mapping of chart values, got \(node.typeDescription)")
            }
            return nil
        }
        return RawValues(m)
    }

    private func value(_ node: Node, _ path: FieldPath) -> YAMLValue? {
        sourceMap.record(path, node.mark)
        switch node.content {
        case .scalar(let text, let style):
            switch CoreScalar(text, style: style, tag: node.tag) {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let i): return .int(i)
            case .float(let d): return .float(d)
            case .string(let s): return .string(s)
            }
        case .sequence(let items):
            return .sequence(items.enumerated().compactMap { value($1, path[$0]) })
        case .mapping(let pairs):
            var m = YAMLMapping()
            var firstLine: [String: Int] = [:]
            for pair in pairs {
                guard let k = pair.key.scalarValue else {
                    error(.wrongType, pair.key.mark, path, "mapping keys must be strings, got a \(pair.key.kindName)")
                    continue
                }
                if let line = firstLine[k] {
                    error(.duplicateKey, pair.key.mark, path / k, "duplicate key (first written on line \(line))")
                    continue
                }
                firstLine[k] = pair.key.mark.line
                if let v = value(pair.value, path / k) { m[k] = v }
            }
            return .mapping(m)
        }
    }

    /// Reports the second and later items whose `key(item)` repeats an earlier one.
    func checkUnique<T>(_ items: [(value: T, path: FieldPath)], by key: (T) -> String, field: String, what: String) {
        var seen: [String: Int] = [:]
        for item in items {
            let k = key(item.value)
            let path = item.path / field
            let mark = sourceMap.mark(for: path)
            if let line = seen[k] {
                error(.duplicate, mark, path, "duplicate \(what) \"\(k)\" (first defined on line \(line))")
            } else {
                seen[k] = mark.line
            }
        }
    }
}

extension Node {
    /// Plain `null`, `~` or an empty value.
    var isNull: Bool {
        if case .scalar(let text, let style) = content { return CoreScalar(text, style: style, tag: tag) == .null }
        return false
    }

    /// "string \"four\"", "integer 4", "mapping", "sequence" for type errors.
    var typeDescription: String {
        switch content {
        case .scalar(let text, let style): return CoreScalar(text, style: style, tag: tag).typeDescription
        case .sequence: return "a sequence"
        case .mapping: return "a mapping"
        }
    }
}
