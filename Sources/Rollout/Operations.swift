import Foundation
import KubeModel
import Planning
import Stages

extension RolloutEngine {
    /// Objects whose live resourceVersion moved since a saved plan was made (or that appeared
    /// or vanished). Empty means the plan still describes the cluster.
    public func drift(_ plan: Plan) async throws(RolloutError) -> [String] {
        var out: [String] = []
        for stage in plan.stages {
            for change in stage.changes {
                let live = try await cluster.get(change.ref)
                let rv = live?[path: ["metadata", "resourceVersion"]]?.stringValue
                switch change.action {
                case .create where live != nil: out.append("\(change.ref): created since the plan was made")
                case .create: break
                default:
                    if rv != change.liveResourceVersion {
                        out.append("\(change.ref): " + (rv == nil ? "deleted since the plan was made"
                                                                   : "resourceVersion \(change.liveResourceVersion ?? "-") -> \(rv ?? "-")"))
                    }
                }
            }
        }
        return out
    }

    /// Everything every stage owns, in reverse stage order: custom resources first (their
    /// operators must still run to clean up), then the rest in reverse install order; waits
    /// for finalizers. CRDs only with `pruneCRDs`. As `helm uninstall`, each stage's releases
    /// (`deleteHooks[stage]`, last release first) run their `pre-delete` hooks before and
    /// `post-delete` hooks after the deletion, unless `noHooks`; a failing hook stops there.
    public func destroy(profile: String, stages: [String], deleteHooks: [String: [ReleaseHooks]] = [:]) async throws(RolloutError) {
        let lock = LeaseLock(cluster: cluster, clock: clock, name: "platform-\(profile)", holder: options.holder, seconds: options.leaseSeconds)
        try await lock.acquire()
        do {
            let observer = Observer(cluster: cluster)
            for stage in stages.reversed() {
                let start = clock.now()
                let parent = ApplySet.parent(profile: profile, stage: stage)
                let owned = try await observer.owned(applySet: parent)
                let refs = owned.compactMap(ObjectRef.init)
                emit(.stageStarted(stage: stage))
                let record = StageRecord(cluster: cluster, parent: parent)
                let phase = try await record.read()["phase"]
                let releases = (deleteHooks[stage] ?? []).reversed().filter { !$0.hooks.isEmpty }
                // Like Helm, hooks run only for an installed release: not for a stage that was never
                // applied or is already destroyed (a parent kept for CRDs says `destroyed`).
                let installed = phase != nil && phase != "destroyed"
                let runHooks = installed && !options.noHooks
                if installed, options.noHooks, !releases.isEmpty {
                    emit(.warning(stage: stage, message: "--no-hooks: skipped \(releases.map(\.hooks.count).reduce(0, +)) delete hook(s) of \(releases.map(\.release).joined(separator: ", "))"))
                }
                let hooks = HookRunner(cluster: cluster, clock: clock, options: options, emit: emit)
                // A destroy interrupted after its pre-delete hooks ran (phase `destroying`) does not run them again.
                if runHooks, phase != "destroying" {
                    for r in releases {
                        try await hooks.run(r.hooks.filter { $0.hook.events.contains("pre-delete") }, stage: stage, phase: "pre-delete", release: r.release)
                    }
                }
                if installed { try await record.write(members: refs, ["phase": "destroying", "destroyStartedAt": timestamp()]) }
                let builtin = Set(InstallOrder.kinds)
                let custom = refs.filter { !builtin.contains($0.kind) }
                let rest = refs.filter { builtin.contains($0.kind) }.sorted { Planner.pruneOrder($0) > Planner.pruneOrder($1) }
                var kept: [ObjectRef] = []
                for ref in custom + rest {
                    if ref.kind == "CustomResourceDefinition", !options.pruneCRDs {
                        emit(.warning(stage: stage, message: "kept \(ref) (use --prune-crds to delete CRDs)"))
                        kept.append(ref)
                        continue
                    }
                    try await cluster.delete(ref)
                    emit(.object(stage: stage, action: .prune, ref: ref))
                    if ref.kind != "Namespace" { try await waitGone(ref, stage: stage) }
                }
                for ref in refs where ref.kind == "Namespace" { try await waitGone(ref, stage: stage) }
                if runHooks {
                    for r in releases {
                        try await hooks.run(r.hooks.filter { $0.hook.events.contains("post-delete") }, stage: stage, phase: "post-delete", release: r.release)
                    }
                }
                if kept.isEmpty {
                    try await cluster.delete(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: parent.namespace, name: parent.name))
                } else {
                    // The parent stays, listing what is left, so `destroy --prune-crds` can still find it.
                    try await StageRecord(cluster: cluster, parent: parent).write(members: kept, ["phase": "destroyed", "kept": "\(kept.count) CRD(s)"])
                }
                emit(.stageFinished(stage: stage, outcome: .passed, seconds: clock.now().timeIntervalSince(start)))
            }
        } catch {
            await lock.release()
            throw error
        }
        await lock.release()
    }

    func waitGone(_ ref: ObjectRef, stage: String) async throws(RolloutError) {
        let deadline = clock.now().addingTimeInterval(300)
        while let live = try await cluster.get(ref) {
            if clock.now() >= deadline {
                let finalizers = live[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
                throw RolloutError(stage: stage, object: ref.description, message: "still there after 300s; finalizers: \(finalizers.joined(separator: ", "))",
                                   remedy: "the controller that owns the finalizer must run; check it, or remove the finalizer by hand as a last resort")
            }
            try await sleep()
        }
    }

    /// Per-stage health for `platform status`.
    public struct StageStatus: Sendable {
        public var name: String
        public var record: [String: String]
        public var readiness: [ReadinessResult]
        public var releases: [String]
        public var drift: Int
    }

    public func status(_ plan: Plan, specs: [StageSpec]) async throws(RolloutError) -> [StageStatus] {
        var out: [StageStatus] = []
        for stage in plan.stages {
            let spec = specs.first { $0.name == stage.name } ?? StageSpec(name: stage.name)
            let record = try await StageRecord(cluster: cluster, parent: stage.applySet).read()
            var results: [ReadinessResult] = []
            for rule in spec.readiness { results += try await evaluate(rule) }
            out.append(StageStatus(name: stage.name, record: record, readiness: results, releases: spec.releases,
                                   drift: stage.changes.count { $0.action != .unchanged }))
        }
        return out
    }
}
