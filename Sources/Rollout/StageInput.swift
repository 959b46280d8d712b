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
