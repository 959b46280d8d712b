import Foundation
import KubeModel
import Planning

/// Helm hooks: in weight order, each created and (Jobs, Pods) waited for; delete policies
/// as Helm applies them (`before-hook-creation` by default).
struct HookRunner: Sendable {
    let cluster: Cluster
    let clock: any RolloutClock
    let options: RolloutOptions
    let emit: @Sendable (RolloutEvent) -> Void

    func run(_ hooks: [PlannedHook], stage: String, phase: String) async throws(RolloutError) {
        guard !hooks.isEmpty else { return }
        emit(.step(stage: stage, message: "\(phase) hooks (\(hooks.count))"))
        for hook in hooks.sorted(by: { ($0.hook.weight, $0.ref) < ($1.hook.weight, $1.ref) }) {
            let policies = hook.hook.deletePolicies
            if policies.contains("before-hook-creation") { try await deleteAndWait(hook.ref, stage: stage) }
            do { _ = try await cluster.apply(hook.object, force: true) } catch {
                throw RolloutError(stage: stage, object: hook.ref.description, message: "\(phase) hook: apply failed: \(error)")
            }
            let failure = await waitDone(hook, stage: stage)
            if let failure {
                if policies.contains("hook-failed") { try? await cluster.delete(hook.ref) }
                throw RolloutError(stage: stage, object: hook.ref.description, message: "\(phase) hook failed: \(failure)",
                                   remedy: "kubectl -n \(hook.ref.namespace) describe \(hook.ref.kind.lowercased()) \(hook.ref.name)")
            }
            if policies.contains("hook-succeeded") { try await cluster.delete(hook.ref) }
        }
    }

    /// nil on success; Jobs must complete and Pods succeed, other kinds are done when created.
    func waitDone(_ hook: PlannedHook, stage: String) async -> String? {
        guard hook.ref.kind == "Job" || hook.ref.kind == "Pod" else { return nil }
        let deadline = clock.now().addingTimeInterval(300)
        while true {
            guard let live = try? await cluster.get(hook.ref) else { return "disappeared" }
            if hook.ref.kind == "Job" {
                let r = ReadinessCheck.workload(live)
                if r.state == .ready { return nil }
                if r.state == .failed { return r.message }
            } else {
                switch live[path: ["status", "phase"]]?.stringValue {
                case "Succeeded": return nil
                case "Failed": return "pod failed"
                default: break
                }
            }
            if clock.now() >= deadline { return "not done after 300s" }
            do { try await clock.sleep(for: options.pollInterval) } catch { return "interrupted" }
        }
    }

    func deleteAndWait(_ ref: ObjectRef, stage: String) async throws(RolloutError) {
        guard try await cluster.get(ref) != nil else { return }
        try await cluster.delete(ref)
        let deadline = clock.now().addingTimeInterval(120)
        while try await cluster.get(ref) != nil {
            if clock.now() >= deadline { throw RolloutError(stage: stage, object: ref.description, message: "old hook object not deleted after 120s (finalizer?)") }
            do { try await clock.sleep(for: options.pollInterval) } catch { throw RolloutError(message: "interrupted") }
        }
    }
}
