import KubeModel

/// Leaf-level differences between two normalised objects.
public enum FieldDiff {
    public static func changes(from old: JSONValue?, to new: JSONValue?, sensitivePrefixes: [String] = []) -> [FieldChange] {
        var out: [FieldChange] = []
        walk(old, new, path: "", sensitive: sensitivePrefixes, into: &out)
        return out
    }

    static func walk(_ old: JSONValue?, _ new: JSONValue?, path: String, sensitive: [String], into out: inout [FieldChange]) {
        let isSensitive = sensitive.contains { path == $0 || path.hasPrefix($0 + ".") }
        switch (old, new) {
        case (nil, nil): return
        case (.object(let a)?, .object(let b)?):
            var keys = a.keys
            for k in b.keys where a[k] == nil { keys.append(k) }
            for k in keys.sorted() { walk(a[k], b[k], path: join(path, k), sensitive: sensitive, into: &out) }
            return
        case (.array(let a)?, .array(let b)?):
            if let ka = keyed(a), let kb = keyed(b) {
                var names = ka.map(\.0)
                for (n, _) in kb where !names.contains(n) { names.append(n) }
                for n in names {
                    walk(ka.first { $0.0 == n }?.1, kb.first { $0.0 == n }?.1, path: path + "[name=\(n)]",
                         sensitive: sensitive, into: &out)
                }
                return
            }
            if a.count == b.count {
                for i in a.indices { walk(a[i], b[i], path: path + "[\(i)]", sensitive: sensitive, into: &out) }
                return
            }
        default: break
        }
        if let old, let new, old.semanticallyEquals(new) { return }
        let kind: FieldChange.Kind = old == nil ? .added : (new == nil ? .removed : .changed)
        out.append(FieldChange(path: path.isEmpty ? "." : path, kind: kind,
                               before: isSensitive ? nil : old,
                               after: isSensitive ? nil : new, sensitive: isSensitive))
    }

    /// Lists whose elements all carry a unique `name` compare by name (containers, env, ports).
    static func keyed(_ items: [JSONValue]) -> [(String, JSONValue)]? {
        guard !items.isEmpty else { return nil }
        var out: [(String, JSONValue)] = []
        for item in items {
            guard let n = item["name"]?.stringValue, !out.contains(where: { $0.0 == n }) else { return nil }
            out.append((n, item))
        }
        return out
    }

    static func join(_ path: String, _ key: String) -> String {
        let safe = key.contains(".") || key.contains("/") ? "\"\(key)\"" : key
        return path.isEmpty ? safe : path + "." + safe
    }

    public static func compact(_ v: JSONValue) -> String {
        let text = v.encodedString()
        return text.count > 200 ? String(text.prefix(197)) + "..." : text
    }
}
