import Foundation
import KubeModel

/// A set of field paths in the FieldsV1 shape: children keyed `f:name`, `k:{"name":"x"}`
/// (associative list item) or `v:"x"` (set element); `member` means the node itself is in
/// the set (`.` in FieldsV1, or a leaf).
struct FieldSet: Sendable, Equatable {
    var member = false
    var children: [String: FieldSet] = [:]

    var isEmpty: Bool { !member && children.isEmpty }

    init(member: Bool = false) { self.member = member }

    init(fieldsV1 v: JSONValue) {
        guard let o = v.objectValue else { return }
        if o.isEmpty { member = true; return }
        for m in o {
            if m.key == "." { member = true; continue }
            children[m.key] = FieldSet(fieldsV1: m.value)
        }
    }

    var fieldsV1: JSONValue {
        var o = JSONObject()
        if member && !children.isEmpty { o["."] = .object(JSONObject()) }
        for k in children.keys.sorted() { o[k] = children[k]?.fieldsV1 ?? .object(JSONObject()) }
        return .object(o)
    }

    func union(_ other: FieldSet) -> FieldSet {
        var out = self
        out.member = member || other.member
        for (k, c) in other.children { out.children[k] = (children[k] ?? FieldSet()).union(c) }
        return out
    }

    func subtracting(_ other: FieldSet) -> FieldSet {
        var out = FieldSet(member: member && !other.member)
        for (k, c) in children {
            let rest = other.children[k].map { c.subtracting($0) } ?? c
            if !rest.isEmpty { out.children[k] = rest }
        }
        return out
    }

    func intersection(_ other: FieldSet) -> FieldSet {
        var out = FieldSet(member: member && other.member)
        for (k, c) in children {
            guard let o = other.children[k] else { continue }
            let i = c.intersection(o)
            if !i.isEmpty { out.children[k] = i }
        }
        return out
    }

    /// Paths of members, each a list of element keys.
    func memberPaths(prefix: [String] = []) -> [[String]] {
        var out: [[String]] = member && !prefix.isEmpty ? [prefix] : []
        for k in children.keys.sorted() { out += children[k]?.memberPaths(prefix: prefix + [k]) ?? [] }
        return out
    }

    /// Paths of members that have no children (the leaves that carry values).
    func leafPaths(prefix: [String] = []) -> [[String]] {
        if children.isEmpty { return member ? [prefix] : [] }
        var out: [[String]] = []
        for k in children.keys.sorted() { out += children[k]?.leafPaths(prefix: prefix + [k]) ?? [] }
        return out
    }

    mutating func insert(path: ArraySlice<String>) {
        guard let first = path.first else { member = true; return }
        var c = children[first] ?? FieldSet()
        c.insert(path: path.dropFirst())
        children[first] = c
    }
}

/// Type information that decides how objects and lists merge: a CRD's structural schema
/// when there is one, the built-in semantics table otherwise.
struct TypeContext: Sendable {
    var schema: JSONValue?
    var custom: Bool
    var fieldName: String

    static func root(_ info: ResourceInfo) -> TypeContext {
        TypeContext(schema: info.schema, custom: info.isCustom, fieldName: "")
    }

    func child(_ key: String) -> TypeContext {
        if custom && fieldName == "" && key == "metadata" {
            return TypeContext(schema: nil, custom: false, fieldName: key)
        }
        var s: JSONValue?
        if let schema {
            if let p = schema["properties"]?[key] { s = p } else if case .object = schema["additionalProperties"] ?? .null {
                s = schema["additionalProperties"]
            }
        }
        return TypeContext(schema: s, custom: custom, fieldName: key)
    }

    var item: TypeContext { TypeContext(schema: schema?["items"], custom: custom, fieldName: fieldName) }

    func listKind(_ items: [JSONValue]) -> ListKind {
        if custom {
            switch schema?["x-kubernetes-list-type"]?.stringValue {
            case "map": return .map(schema?["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            case "set": return .set
            default: return .atomic
            }
        }
        return BuiltinListSemantics.kind(field: fieldName, items: items)
    }

    var isAtomicMap: Bool {
        if custom {
            return schema?["x-kubernetes-map-type"]?.stringValue == "atomic"
                || (schema?["type"]?.stringValue == "object" && schema?["properties"] == nil
                    && schema?["additionalProperties"] == nil
                    && schema?["x-kubernetes-preserve-unknown-fields"]?.boolValue != true && schema != nil
                    && false)
        }
        return BuiltinListSemantics.isAtomicMap(field: fieldName)
    }

    /// Whether an added map gets its own `.` entry in an Update set (maps do, Go structs do not).
    var addedMapIsMember: Bool {
        if custom { return true }
        return ["labels", "annotations", "data", "stringData", "binaryData", "nodeSelector", "limits", "requests",
                "capacity", "allocatable", "parameters", "rollingUpdate", "securityContext", "resources"].contains(fieldName)
    }
}

enum FieldPaths {
    static func keyElement(_ item: JSONValue, keys: [String]) -> String {
        var o = JSONObject()
        for k in keys.sorted() { if let v = item[k] { o[k] = v } }
        return "k:" + JSONValue.object(o).encodedString()
    }

    /// Leaves of an applied configuration (what structured-merge-diff's ToFieldSet yields).
    static func applied(_ v: JSONValue, _ ctx: TypeContext) -> FieldSet {
        var set = FieldSet()
        switch v {
        case .object(let o) where !ctx.isAtomicMap:
            for m in o {
                let c = ctx.child(m.key)
                set.children["f:" + m.key] = appliedChild(m.value, c)
            }
        case .array(let a):
            switch ctx.listKind(a) {
            case .map(let keys):
                for item in a {
                    var s = applied(item, ctx.item)
                    s.member = true
                    set.children[keyElement(item, keys: keys)] = s
                }
            case .set:
                for item in a { set.children["v:" + item.encodedString()] = FieldSet(member: true) }
            case .atomic: set.member = true
            }
        default: set.member = true
        }
        return set
    }

    static func appliedChild(_ v: JSONValue, _ ctx: TypeContext) -> FieldSet {
        switch v {
        case .object(let o) where !o.isEmpty && !ctx.isAtomicMap: return applied(v, ctx)
        case .array(let a) where !a.isEmpty && ctx.listKind(a) != .atomic: return applied(v, ctx)
        default: return FieldSet(member: true)
        }
    }

    /// Every path of a newly added value, intermediate maps and list items included.
    static func added(_ v: JSONValue, _ ctx: TypeContext) -> FieldSet {
        switch v {
        case .object(let o) where !o.isEmpty && !ctx.isAtomicMap:
            var s = FieldSet(member: ctx.addedMapIsMember)
            for m in o { s.children["f:" + m.key] = added(m.value, ctx.child(m.key)) }
            return s
        case .array(let a) where !a.isEmpty:
            switch ctx.listKind(a) {
            case .map(let keys):
                var s = FieldSet()
                for item in a {
                    var c = added(item, ctx.item)
                    c.member = true
                    s.children[keyElement(item, keys: keys)] = c
                }
                return s
            case .set:
                var s = FieldSet()
                for item in a { s.children["v:" + item.encodedString()] = FieldSet(member: true) }
                return s
            case .atomic: return FieldSet(member: true)
            }
        default: return FieldSet(member: true)
        }
    }

    /// Fields added or modified from `old` to `new`, and fields removed.
    static func compare(_ old: JSONValue?, _ new: JSONValue?, _ ctx: TypeContext) -> (changed: FieldSet, removed: FieldSet) {
        switch (old, new) {
        case (nil, nil): return (FieldSet(), FieldSet())
        case (nil, let n?): return (added(n, ctx), FieldSet())
        case (let o?, nil): return (FieldSet(), added(o, ctx))
        case (.object(let a)?, .object(let b)?) where !ctx.isAtomicMap:
            var changed = FieldSet(), removed = FieldSet()
            for m in b {
                let (c, r) = compare(a[m.key], m.value, ctx.child(m.key))
                if !c.isEmpty { changed.children["f:" + m.key] = c }
                if !r.isEmpty { removed.children["f:" + m.key] = r }
            }
            for m in a where b[m.key] == nil {
                removed.children["f:" + m.key] = added(m.value, ctx.child(m.key))
            }
            return (changed, removed)
        case (.array(let a)?, .array(let b)?):
            if case .map(let keys) = ctx.listKind(a + b) {
                var changed = FieldSet(), removed = FieldSet()
                var oldByKey: [String: JSONValue] = [:]
                for item in a { oldByKey[keyElement(item, keys: keys)] = item }
                var newKeys = Set<String>()
                for item in b {
                    let k = keyElement(item, keys: keys)
                    newKeys.insert(k)
                    var (c, r) = compare(oldByKey[k], item, ctx.item)
                    if oldByKey[k] == nil { c.member = true }
                    if !c.isEmpty { changed.children[k] = c }
                    if !r.isEmpty { removed.children[k] = r }
                }
                for (k, item) in oldByKey where !newKeys.contains(k) {
                    var r = added(item, ctx.item)
                    r.member = true
                    removed.children[k] = r
                }
                return (changed, removed)
            }
            return a.count == b.count && zip(a, b).allSatisfy({ $0.semanticallyEquals($1) })
                ? (FieldSet(), FieldSet()) : (FieldSet(member: true), FieldSet())
        case (let o?, let n?):
            return o.semanticallyEquals(n) ? (FieldSet(), FieldSet()) : (FieldSet(member: true), FieldSet())
        }
    }

    /// The value at a FieldsV1 path, or nil when absent.
    static func value(at path: ArraySlice<String>, in v: JSONValue?) -> JSONValue? {
        guard let first = path.first else { return v }
        guard let v else { return nil }
        if first.hasPrefix("f:") { return value(at: path.dropFirst(), in: v[String(first.dropFirst(2))]) }
        guard let items = v.arrayValue else { return nil }
        if first.hasPrefix("k:") {
            guard let key = try? JSONValue.parse(String(first.dropFirst(2))), let ko = key.objectValue else { return nil }
            let match = items.first { item in ko.allSatisfy { m in item[m.key]?.semanticallyEquals(m.value) == true } }
            return value(at: path.dropFirst(), in: match)
        }
        if first.hasPrefix("v:") {
            guard let want = try? JSONValue.parse(String(first.dropFirst(2))) else { return nil }
            return value(at: path.dropFirst(), in: items.first { $0.semanticallyEquals(want) })
        }
        return nil
    }

    /// Removes the members of `set` from `v` (fields a manager gave up and nobody else owns).
    static func remove(_ set: FieldSet, from v: JSONValue) -> JSONValue {
        switch v {
        case .object(var o):
            for (k, c) in set.children where k.hasPrefix("f:") {
                let name = String(k.dropFirst(2))
                if c.member && (c.children.isEmpty || true) && isWholeRemoval(c) {
                    _ = o.removeValue(forKey: name)
                } else if let child = o[name] {
                    o[name] = remove(c, from: child)
                }
            }
            return .object(o)
        case .array(var a):
            for (k, c) in set.children {
                let matches: (JSONValue) -> Bool
                if k.hasPrefix("k:"), let key = try? JSONValue.parse(String(k.dropFirst(2))), let ko = key.objectValue {
                    matches = { item in ko.allSatisfy { m in item[m.key]?.semanticallyEquals(m.value) == true } }
                } else if k.hasPrefix("v:"), let want = try? JSONValue.parse(String(k.dropFirst(2))) {
                    matches = { $0.semanticallyEquals(want) }
                } else { continue }
                if c.member {
                    a.removeAll(where: matches)
                } else if let i = a.firstIndex(where: matches) {
                    a[i] = remove(c, from: a[i])
                }
            }
            return .array(a)
        default: return v
        }
    }

    static func isWholeRemoval(_ c: FieldSet) -> Bool { c.member }

    /// Human form of a path for conflict messages: `.spec.containers[name="nginx"].image`.
    static func describe(_ path: [String]) -> String {
        var out = ""
        for e in path {
            if e.hasPrefix("f:") { out += "." + e.dropFirst(2) }
            else if e.hasPrefix("k:"), let key = try? JSONValue.parse(String(e.dropFirst(2))), let o = key.objectValue {
                out += "[" + o.map { "\($0.key)=\($0.value.encodedString())" }.joined(separator: ",") + "]"
            } else if e.hasPrefix("v:") { out += "[=" + e.dropFirst(2) + "]" }
        }
        return out
    }
}

/// Three-way merge of an applied configuration into the live object.
enum ApplyMerge {
    static func merge(_ live: JSONValue?, _ config: JSONValue, _ ctx: TypeContext) -> JSONValue {
        switch (live, config) {
        case (.object(let l)?, .object(let c)) where !ctx.isAtomicMap:
            var out = l
            for m in c {
                if m.value.isNull { _ = out.removeValue(forKey: m.key); continue }
                out[m.key] = merge(l[m.key], m.value, ctx.child(m.key))
            }
            return .object(out)
        case (.array(let l)?, .array(let c)):
            switch ctx.listKind(l + c) {
            case .map(let keys):
                var out = l
                for item in c {
                    let k = FieldPaths.keyElement(item, keys: keys)
                    if let i = out.firstIndex(where: { FieldPaths.keyElement($0, keys: keys) == k }) {
                        out[i] = merge(out[i], item, ctx.item)
                    } else {
                        out.append(item)
                    }
                }
                return .array(out)
            case .set:
                var out = l
                for v in c where !out.contains(where: { $0.semanticallyEquals(v) }) { out.append(v) }
                return .array(out)
            case .atomic: return config
            }
        default:
            return config
        }
    }
}

/// One `metadata.managedFields` entry.
struct ManagedFieldsEntry: Sendable {
    var manager: String
    var operation: String
    var apiVersion: String
    var time: String
    var subresource: String
    var fields: FieldSet

    init(manager: String, operation: String, apiVersion: String, time: String, subresource: String, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    init?(_ v: JSONValue) {
        guard let manager = v["manager"]?.stringValue else { return nil }
        self.manager = manager
        operation = v["operation"]?.stringValue ?? "Update"
        apiVersion = v["apiVersion"]?.stringValue ?? ""
        time = v["time"]?.stringValue ?? ""
        subresource = v["subresource"]?.stringValue ?? ""
        fields = FieldSet(fieldsV1: v["fieldsV1"] ?? .object(JSONObject()))
    }

    var json: JSONValue {
        var o = JSONObject()
        o["manager"] = .string(manager)
        o["operation"] = .string(operation)
        o["apiVersion"] = .string(apiVersion)
        if !time.isEmpty { o["time"] = .string(time) }
        o["fieldsType"] = "FieldsV1"
        o["fieldsV1"] = fields.fieldsV1
        if !subresource.isEmpty { o["subresource"] = .string(subresource) }
        return .object(o)
    }

    static func decode(_ object: JSONValue) -> [ManagedFieldsEntry] {
        object["metadata"]?["managedFields"]?.arrayValue?.compactMap(ManagedFieldsEntry.init) ?? []
    }
}

/// Fields the field manager never tracks (structured-merge-diff's strip set), plus the
/// part of the object a subresource does not own.
enum FieldStrip {
    static let metadataFields = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                                 "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"]

    static func strip(_ set: FieldSet, hasStatus: Bool, subresource: String) -> FieldSet {
        var s = set
        s.children["f:apiVersion"] = nil
        s.children["f:kind"] = nil
        if var md = s.children["f:metadata"] {
            for f in metadataFields { md.children["f:" + f] = nil }
            s.children["f:metadata"] = md.isEmpty ? nil : md
        }
        if subresource == "status" {
            s.children = s.children.filter { $0.key == "f:status" }
        } else if hasStatus {
            s.children["f:status"] = nil
        }
        s.member = false
        return s
    }
}
