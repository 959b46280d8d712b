import Foundation
import KubeModel

/// How a list merges, from the built-in types' patch tags or a CRD's `x-kubernetes-list-type`.
enum ListKind: Equatable, Sendable {
    case atomic
    case set
    case map([String])
}

/// Merge semantics of fields in built-in kinds, keyed by field name (the server's Go struct
/// tags, reduced to what the charts and stages use).
enum BuiltinListSemantics {
    static func kind(field: String, items: [JSONValue]) -> ListKind {
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "env", "volumes", "imagePullSecrets",
            "resourceClaims", "webhooks":
            return .map(["name"])
        case "volumeMounts": return .map(["mountPath"])
        case "volumeDevices": return .map(["devicePath"])
        case "hostAliases": return .map(["ip"])
        case "conditions": return .map(["type"])
        case "ownerReferences": return .map(["uid"])
        case "finalizers": return .set
        case "topologySpreadConstraints": return .map(["topologyKey", "whenUnsatisfiable"])
        case "ports":
            if items.contains(where: { $0["containerPort"] != nil }) { return .map(["containerPort", "protocol"]) }
            if items.contains(where: { $0["port"] != nil }) { return .map(["port", "protocol"]) }
            return .atomic
        default: return .atomic
        }
    }
    /// Maps the server treats as one value (`+mapType=atomic` / `+structType=atomic`).
    static func isAtomicMap(field: String) -> Bool { field == "selector" && true }
}

enum PatchError: Error {
    case invalid(String)
}

enum Patches {
    /// RFC 7386 JSON merge patch.
    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var result = target.objectValue ?? JSONObject()
        for m in p {
            if m.value.isNull {
                _ = result.removeValue(forKey: m.key)
            } else {
                result[m.key] = mergePatch(result[m.key] ?? .null, m.value)
            }
        }
        return .object(result)
    }

    /// RFC 6902 JSON patch.
    static func jsonPatch(_ target: JSONValue, _ patch: JSONValue) throws(APIError) -> JSONValue {
        guard let ops = patch.arrayValue else {
            throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
        }
        var doc = target
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
            }
            let tokens = try pointer(path)
            switch name {
            case "add": doc = try jsonPatchAdd(doc, tokens[...], op["value"] ?? .null)
            case "remove": doc = try jsonPatchRemove(doc, tokens[...])
            case "replace":
                _ = try jsonPatchGet(doc, tokens[...])
                doc = try jsonPatchRemove(doc, tokens[...])
                doc = try jsonPatchAdd(doc, tokens[...], op["value"] ?? .null)
            case "test":
                let actual = try jsonPatchGet(doc, tokens[...])
                if !actual.semanticallyEquals(op["value"] ?? .null) {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request")
                }
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw APIError.badRequest("missing from") }
                let ft = try pointer(from)
                let v = try jsonPatchGet(doc, ft[...])
                if name == "move" { doc = try jsonPatchRemove(doc, ft[...]) }
                doc = try jsonPatchAdd(doc, tokens[...], v)
            default:
                throw APIError(code: 422, reason: "Invalid", message: "Unexpected kind: \(name)")
            }
        }
        return doc
    }

    static func pointer(_ p: String) throws(APIError) -> [String] {
        if p.isEmpty { return [] }
        guard p.hasPrefix("/") else { throw APIError.badRequest("invalid JSON pointer \(p)") }
        return p.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func missing(_ t: ArraySlice<String>) -> APIError {
        APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                 causes: [.init(reason: "FieldValueInvalid", message: "doc is missing path: /" + t.joined(separator: "/"), field: "")])
    }

    static func jsonPatchGet(_ doc: JSONValue, _ t: ArraySlice<String>) throws(APIError) -> JSONValue {
        guard let first = t.first else { return doc }
        switch doc {
        case .object(let o):
            guard let v = o[first] else { throw missing(t) }
            return try jsonPatchGet(v, t.dropFirst())
        case .array(let a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(t) }
            return try jsonPatchGet(a[i], t.dropFirst())
        default: throw missing(t)
        }
    }

    static func jsonPatchAdd(_ doc: JSONValue, _ t: ArraySlice<String>, _ value: JSONValue) throws(APIError) -> JSONValue {
        guard let first = t.first else { return value }
        switch doc {
        case .object(var o):
            if t.count == 1 { o[first] = value } else {
                guard let child = o[first] else { throw missing(t) }
                o[first] = try jsonPatchAdd(child, t.dropFirst(), value)
            }
            return .object(o)
        case .array(var a):
            if t.count == 1 {
                if first == "-" { a.append(value) } else {
                    guard let i = Int(first), i >= 0, i <= a.count else { throw missing(t) }
                    a.insert(value, at: i)
                }
            } else {
                guard let i = Int(first), a.indices.contains(i) else { throw missing(t) }
                a[i] = try jsonPatchAdd(a[i], t.dropFirst(), value)
            }
            return .array(a)
        default: throw missing(t)
        }
    }

    static func jsonPatchRemove(_ doc: JSONValue, _ t: ArraySlice<String>) throws(APIError) -> JSONValue {
        guard let first = t.first else { return .null }
        switch doc {
        case .object(var o):
            guard let child = o[first] else { throw missing(t) }
            if t.count == 1 { _ = o.removeValue(forKey: first) } else { o[first] = try jsonPatchRemove(child, t.dropFirst()) }
            return .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(t) }
            if t.count == 1 { a.remove(at: i) } else { a[i] = try jsonPatchRemove(a[i], t.dropFirst()) }
            return .array(a)
        default: throw missing(t)
        }
    }

    /// Strategic merge patch for built-in kinds: maps merge, lists with a merge key merge by
    /// that key, `$patch: replace|delete` and `$deleteFromPrimitiveList` directives apply.
    static func strategicMerge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        if p["$patch"]?.stringValue == "replace" {
            var copy = p
            _ = copy.removeValue(forKey: "$patch")
            return .object(copy)
        }
        var result = target.objectValue ?? JSONObject()
        for m in p {
            let key = m.key
            if key == "$patch" || key.hasPrefix("$retainKeys") || key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = m.value.arrayValue ?? []
                if let current = result[field]?.arrayValue {
                    result[field] = .array(current.filter { c in !remove.contains { $0.semanticallyEquals(c) } })
                }
                continue
            }
            if m.value.isNull {
                _ = result.removeValue(forKey: key)
                continue
            }
            if case .object(let po) = m.value, po["$patch"]?.stringValue == "delete" {
                _ = result.removeValue(forKey: key)
                continue
            }
            switch (result[key], m.value) {
            case (.object?, .object):
                result[key] = strategicMerge(result[key] ?? .null, m.value)
            case (.array(let current)?, .array(let items)):
                result[key] = .array(mergeList(field: key, current, items))
            default:
                result[key] = stripDirectives(m.value)
            }
        }
        return .object(result)
    }

    static func stripDirectives(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(var o):
            for k in o.keys where k.hasPrefix("$") { _ = o.removeValue(forKey: k) }
            var out = JSONObject()
            for m in o { out[m.key] = stripDirectives(m.value) }
            return .object(out)
        case .array(let a): return .array(a.map(stripDirectives))
        default: return v
        }
    }

    static func mergeList(field: String, _ current: [JSONValue], _ patch: [JSONValue]) -> [JSONValue] {
        let kind = BuiltinListSemantics.kind(field: field, items: current + patch)
        switch kind {
        case .atomic:
            if patch.count == 1, patch[0]["$patch"]?.stringValue == "replace" { return [] }
            return patch.map(stripDirectives)
        case .set:
            var out = current
            for v in patch where !out.contains(where: { $0.semanticallyEquals(v) }) { out.append(v) }
            return out
        case .map(let keys):
            var out = current
            let mergeKey = keys[0]  // strategic merge patch uses the first key only
            for item in patch {
                if item["$patch"]?.stringValue == "replace" { out = []; continue }
                let kv = item[mergeKey]
                let idx = out.firstIndex { kv != nil && $0[mergeKey]?.semanticallyEquals(kv ?? .null) == true }
                if item["$patch"]?.stringValue == "delete" {
                    if let idx { out.remove(at: idx) }
                    continue
                }
                if let idx { out[idx] = strategicMerge(out[idx], item) } else { out.append(stripDirectives(item)) }
            }
            return out
        }
    }
}
