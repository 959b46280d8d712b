import KubeModel
import Planning
import Profiles
import Stages
import YAML

/// Stages' render as the rollout's input: objects per stage for the planner, and the
/// gates, actions and timeouts per stage for the engine.
public enum StageInput {
    public static func stages(_ render: PlatformRender) -> [DesiredStage] {
        render.stages.map { stage in DesiredStage(name: stage.plan.id.rawValue, objects: stage.objects.map { json($0.value) }) }
    }

    public static func specs(_ render: PlatformRender, profile: Profile) -> [StageSpec] {
        render.stages.map { stage in
            let timeout = stage.plan.smoke.first.flatMap { SmokeRunner.parseDuration($0.timeout) }
                ?? .seconds(Int64(profile.spec.smoke.timeout.nanoseconds / 1_000_000_000))
            return StageSpec(name: stage.plan.id.rawValue, readiness: stage.plan.readiness, smoke: stage.plan.smoke,
                             actions: stage.plan.actions, timeout: timeout,
                             releases: stage.plan.releases.map { "\($0.chart.rawValue) \($0.version)" })
        }
    }

    /// Each stage's `pre-delete`/`post-delete` hooks per release (in the stage's release order),
    /// for `destroy`. A hook's release is the one whose chart its template came from
    /// (`origin` starts with the chart name); the platform's own manifests go under `platform`.
    public static func deleteHooks(_ render: PlatformRender) -> [String: [ReleaseHooks]] {
        var out: [String: [ReleaseHooks]] = [:]
        for stage in render.stages {
            var byRelease: [String: [PlannedHook]] = [:]
            var order = stage.plan.releases.map(\.releaseName)
            for o in stage.objects where o.hookEvents.contains(where: { $0 == "pre-delete" || $0 == "post-delete" }) {
                let object = json(o.value)
                guard let ref = ObjectRef(object), let info = HookInfo(annotations: object), !info.isTest else { continue }
                let chart = o.origin.split(separator: "/").first.map(String.init) ?? ""
                let release = stage.plan.releases.first { $0.chart.rawValue == chart }?.releaseName ?? "platform"
                if !order.contains(release) { order.append(release) }
                byRelease[release, default: []].append(PlannedHook(ref: ref, hook: info, object: object))
            }
            let releases = order.compactMap { name in byRelease[name].map { ReleaseHooks(release: name, hooks: $0) } }
            if !releases.isEmpty { out[stage.plan.id.rawValue] = releases }
        }
        return out
    }

    public static func queues(_ profile: Profile) -> SmokeQueues {
        let scheduling = profile.spec.scheduling
        return SmokeQueues(volcanoQueue: scheduling.volcano.queues.first?.name,
                           localQueue: scheduling.kueue.localQueues.first.map { ($0.namespace, $0.name) },
                           tenantNamespace: profile.spec.tenants.first?.namespace)
    }

    /// YAML data as Kubernetes JSON.
    public static func json(_ v: YAMLValue) -> JSONValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let d):
            // Helm numbers arrive as floats; integral ones are ints on the wire (as Go's JSON prints them).
            if d.rounded() == d, abs(d) < 9e15 { return .int(Int64(d)) }
            return .double(d)
        case .string(let s): return .string(s)
        case .sequence(let a): return .array(a.map(json))
        case .mapping(let m): return .object(JSONObject(members: m.entries.map { JSONObject.Member($0.key, json($0.value)) }))
        }
    }
}
