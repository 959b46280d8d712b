import Foundation
import KubeModel

/// The plan's JSON form (documented in docs/rollout.md). `includeObjects` is the saved-plan
/// form (`--out`): it carries the objects to apply, Secrets included, so the file is written 0600.
public enum PlanCodec {
    public struct DecodingError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "plan file: \(path): \(message)" }
    }

    public static func encode(_ plan: Plan, includeObjects: Bool) -> JSONValue {
        var root = JSONObject()
        root["formatVersion"] = .int(Int64(Plan.formatVersion))
        var profile = JSONObject([("name", .string(plan.profileName)), ("digest", .string(plan.profileDigest))])
        if !plan.profilePath.isEmpty { profile["path"] = .string(plan.profilePath) }
        root["profile"] = .object(profile)
        var charts = JSONObject()
        for name in plan.chartDigests.keys.sorted() { charts[name] = .string(plan.chartDigests[name] ?? "") }
        root["charts"] = .object(charts)
        var summary = JSONObject()
        for action in ChangeAction.allCases { summary[action.rawValue] = .int(Int64(plan.count(action))) }
        root["summary"] = .object(summary)
        root["stages"] = .array(plan.stages.map { encode($0, includeObjects: includeObjects) })
        return .object(root)
    }

    static func encode(_ stage: PlannedStage, includeObjects: Bool) -> JSONValue {
        var s = JSONObject()
        s["name"] = .string(stage.name)
        s["applySet"] = .object(JSONObject([("id", .string(stage.applySet.id)), ("namespace", .string(stage.applySet.namespace)),
                                            ("name", .string(stage.applySet.name))]))
        s["changes"] = .array(stage.changes.map { c in
            var o = ref(c.ref)
            o["action"] = .string(c.action.rawValue)
            if let reason = c.reason { o["reason"] = .string(reason) }
            if let rv = c.liveResourceVersion { o["liveResourceVersion"] = .string(rv) }
            if !c.fields.isEmpty {
                o["fields"] = .array(c.fields.map { f in
                    var fo = JSONObject([("path", .string(f.path)), ("kind", .string(f.kind.rawValue))])
                    if let b = f.before { fo["before"] = b }
                    if let a = f.after { fo["after"] = a }
                    if f.sensitive { fo["sensitive"] = .bool(true) }
                    return .object(fo)
                })
            }
            if !c.diff.isEmpty { o["diff"] = .string(c.diff) }
            if includeObjects, let object = c.object { o["object"] = object }
            return .object(o)
        })
        s["hooks"] = .array(stage.hooks.map { h in
            var o = ref(h.ref)
            o["events"] = .array(h.hook.events.map { .string($0) })
            o["weight"] = .int(Int64(h.hook.weight))
            o["deletePolicies"] = .array(h.hook.deletePolicies.map { .string($0) })
            if includeObjects { o["object"] = h.object }
            return .object(o)
        })
        return .object(s)
    }

    static func ref(_ r: ObjectRef) -> JSONObject {
        JSONObject([("apiVersion", .string(r.apiVersion)), ("kind", .string(r.kind)), ("namespace", .string(r.namespace)),
                    ("name", .string(r.name))])
    }

    public static func decode(_ value: JSONValue) throws(DecodingError) -> Plan {
        guard value["formatVersion"]?.intValue == Int64(Plan.formatVersion) else {
            throw DecodingError(path: "formatVersion", message: "expected \(Plan.formatVersion) (plan made by another platform version?)")
        }
        var charts: [String: String] = [:]
        for m in value["charts"]?.objectValue ?? JSONObject() { charts[m.key] = m.value.stringValue ?? "" }
        var stages: [PlannedStage] = []
        for (i, s) in (value["stages"]?.arrayValue ?? []).enumerated() {
            let at = "stages[\(i)]"
            guard let name = s["name"]?.stringValue, let set = s["applySet"], let id = set["id"]?.stringValue else {
                throw DecodingError(path: at, message: "missing name or applySet")
            }
            var changes: [PlannedChange] = []
            for (j, c) in (s["changes"]?.arrayValue ?? []).enumerated() {
                let cat = "\(at).changes[\(j)]"
                let r = try decodeRef(c, at: cat)
                guard let action = c["action"]?.stringValue.flatMap(ChangeAction.init(rawValue:)) else {
                    throw DecodingError(path: cat + ".action", message: "expected create, update, unchanged or prune")
                }
                if action != .prune, c["object"] == nil {
                    throw DecodingError(path: cat + ".object", message: "missing: apply needs a plan saved with --out")
                }
                let fields = (c["fields"]?.arrayValue ?? []).map { f in
                    FieldChange(path: f["path"]?.stringValue ?? "", kind: f["kind"]?.stringValue.flatMap(FieldChange.Kind.init) ?? .changed,
                                before: f["before"], after: f["after"], sensitive: f["sensitive"]?.boolValue ?? false)
                }
                changes.append(PlannedChange(ref: r, action: action, reason: c["reason"]?.stringValue, fields: fields,
                                             diff: c["diff"]?.stringValue ?? "", liveResourceVersion: c["liveResourceVersion"]?.stringValue,
                                             object: c["object"]))
            }
            var hooks: [PlannedHook] = []
            for (j, h) in (s["hooks"]?.arrayValue ?? []).enumerated() {
                let hat = "\(at).hooks[\(j)]"
                let r = try decodeRef(h, at: hat)
                guard let object = h["object"] else { throw DecodingError(path: hat + ".object", message: "missing") }
                hooks.append(PlannedHook(ref: r, hook: HookInfo(events: (h["events"]?.arrayValue ?? []).compactMap(\.stringValue),
                                                                 weight: Int(h["weight"]?.intValue ?? 0),
                                                                 deletePolicies: (h["deletePolicies"]?.arrayValue ?? []).compactMap(\.stringValue)),
                                         object: object))
            }
            stages.append(PlannedStage(name: name, applySet: ApplySetParent(namespace: set["namespace"]?.stringValue ?? ApplySet.parentNamespace,
                                                                            name: set["name"]?.stringValue ?? "", id: id),
                                       changes: changes, hooks: hooks))
        }
        var plan = Plan(profileName: value[path: ["profile", "name"]]?.stringValue ?? "",
                        profileDigest: value[path: ["profile", "digest"]]?.stringValue ?? "", chartDigests: charts, stages: stages)
        plan.profilePath = value[path: ["profile", "path"]]?.stringValue ?? ""
        return plan
    }

    static func decodeRef(_ v: JSONValue, at path: String) throws(DecodingError) -> ObjectRef {
        guard let apiVersion = v["apiVersion"]?.stringValue, let kind = v["kind"]?.stringValue, let name = v["name"]?.stringValue else {
            throw DecodingError(path: path, message: "missing apiVersion, kind or name")
        }
        return ObjectRef(apiVersion: apiVersion, kind: kind, namespace: v["namespace"]?.stringValue ?? "", name: name)
    }
}
