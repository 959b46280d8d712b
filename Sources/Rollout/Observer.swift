import KubeClient
import KubeModel
import Planning

/// Reads what the planner needs from the cluster: each rendered object's live copy and
/// its server-side dry-run, and what each stage's ApplySet owns.
public struct Observer: Sendable {
    public let cluster: Cluster
    public init(cluster: Cluster) { self.cluster = cluster }

    /// Requests in flight at once (a real API server answers GET/dry-run in parallel).
    public static let concurrency = 8

    public func observe(_ stages: [PreparedStage]) async throws(RolloutError) -> ObservedState {
        var state = ObservedState()
        // Discovery does not change while we look: read it once (and refresh once on a miss).
        var served = try await cluster.servedKinds(refresh: false)
        let all = stages.flatMap(\.objects)
        if all.contains(where: { !served.contains($0.ref.apiVersion + "/" + $0.ref.kind) }) {
            served = try await cluster.servedKinds(refresh: true)
        }
        var work: [(ObjectRef, JSONValue)] = []
        for (ref, object) in all {
            if served.contains(ref.apiVersion + "/" + ref.kind) { work.append((ref, object)) }
            else { state.objects[ref.identity] = Observation(live: nil, kindServed: false) }
        }
        let cluster = self.cluster
        let results: [(ObjectIdentity, Result<Observation, RolloutError>)] = await withTaskGroup(
            of: (ObjectIdentity, Result<Observation, RolloutError>).self
        ) { group in
            var out: [(ObjectIdentity, Result<Observation, RolloutError>)] = []
            var next = 0
            func add() {
                let (ref, object) = work[next]
                next += 1
                group.addTask { (ref.identity, await Self.observeOne(ref, object, cluster: cluster)) }
            }
            while next < min(Self.concurrency, work.count) { add() }
            while let r = await group.next() {
                out.append(r)
                if next < work.count { add() }
            }
            return out
        }
        for (identity, result) in results {
            switch result {
            case .success(let observation): state.objects[identity] = observation
            case .failure(let error): throw error
            }
        }
        for stage in stages { state.owned[stage.applySet.id] = try await owned(stage) }
        return state
    }

    static func observeOne(_ ref: ObjectRef, _ object: JSONValue, cluster: Cluster) async -> Result<Observation, RolloutError> {
        let live: JSONValue?
        do { live = try await cluster.get(ref) } catch { return .failure(error) }
        guard let live else { return .success(Observation(live: nil)) }
        do {
            // force: the dry-run shows the result of our apply even where another
            // manager holds a field (apply itself reports that conflict).
            let dry = try await cluster.apply(object, force: true, dryRun: true)
            return .success(Observation(live: live, dryRun: dry))
        } catch {
            return .success(Observation(live: live, dryRunError: error.description))
        }
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
