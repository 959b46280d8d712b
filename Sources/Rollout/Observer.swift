import KubeClient
import KubeModel
import Planning

/// Reads what the planner needs from the cluster: each rendered object's live copy and
/// its server-side dry-run, and what each stage's ApplySet owns.
public struct Observer: Sendable {
    public let cluster: Cluster
    public init(cluster: Cluster) { self.cluster = cluster }

    public func observe(_ stages: [PreparedStage]) async throws(RolloutError) -> ObservedState {
        var state = ObservedState()
        // Discovery does not change while we look: read it once (and refresh once on a miss).
        var served = try await cluster.servedKinds(refresh: false)
        var refreshed = false
        for stage in stages {
            for (ref, object) in stage.objects {
                let key = ref.apiVersion + "/" + ref.kind
                if !served.contains(key), !refreshed {
                    served = try await cluster.servedKinds(refresh: true)
                    refreshed = true
                }
                guard served.contains(key) else {
                    state.objects[ref.identity] = Observation(live: nil, kindServed: false)
                    continue
                }
                guard let live = try await cluster.get(ref) else {
                    state.objects[ref.identity] = Observation(live: nil)
                    continue
                }
                do {
                    // force: the dry-run shows the result of our apply even where another
                    // manager holds a field (apply itself reports that conflict).
                    let dry = try await cluster.apply(object, force: true, dryRun: true)
                    state.objects[ref.identity] = Observation(live: live, dryRun: dry)
                } catch {
                    state.objects[ref.identity] = Observation(live: live, dryRunError: error.description)
                }
            }
            state.owned[stage.applySet.id] = try await owned(stage)
        }
        return state
    }

    /// Objects labelled as members of the stage's ApplySet, over the group-kinds the parent
    /// lists (what earlier applies made) and those rendered now.
    public func owned(_ stage: PreparedStage) async throws(RolloutError) -> [JSONValue] {
        try await owned(applySet: stage.applySet, alsoKinds: stage.objects.map(\.ref.groupKind))
    }

    public func owned(applySet: ApplySetParent, alsoKinds: [GroupKind] = []) async throws(RolloutError) -> [JSONValue] {
        let parentRef = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: applySet.namespace, name: applySet.name)
        var kinds = alsoKinds
        if let parent = try await cluster.get(parentRef),
           let listed = parent[path: ["metadata", "annotations", ApplySet.groupKindsAnnotation]]?.stringValue {
            kinds += ApplySet.parseGroupKinds(listed)
        }
        var seen = Set<GroupKind>()
        var out: [JSONValue] = []
        for gk in kinds where seen.insert(gk).inserted {
            out += try await cluster.list(gk, labelSelector: "\(ApplySet.partOfLabel)=\(applySet.id)")
        }
        return out
    }
}
