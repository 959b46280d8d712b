import Foundation
import KubeModel
import Planning

/// One release's hooks for a phase of `destroy` (`pre-delete`, `post-delete`), taken from the
/// same render the destroy uses; the release name is for messages.
public struct ReleaseHooks: Sendable {
    public var release: String
    public var hooks: [PlannedHook]
    public init(release: String, hooks: [PlannedHook]) {
        self.release = release
        self.hooks = hooks
    }
}

/// Helm hooks: in weight order, each created and (Jobs, Pods) waited for; delete policies
/// as Helm applies them (`before-hook-creation` by default). Shared by apply
/// (install/upgrade hooks) and destroy (delete hooks).
struct HookRunner: Sendable {
    let cluster: Cluster
    let clock: any RolloutClock
    let options: RolloutOptions
    let emit: @Sendable (RolloutEvent) -> Void

    /// Helm's order (pkg/action/hooks.go): weight, then name; equal names keep kind install
    /// order (a ServiceAccount and its RBAC before the Job that uses them).
    static func ordered(_ hooks: [PlannedHook]) -> [PlannedHook] {
        hooks.sorted {
            ($0.hook.weight, $0.ref.name, InstallOrder.rank($0.ref.kind), $0.ref) < ($1.hook.weight, $1.ref.name, InstallOrder.rank($1.ref.kind), $1.ref)
        }
    }

    /// `release` (destroy) names the release in progress lines and errors; delete hooks also
    /// point at `--no-hooks`, as `helm uninstall` does.
    func run(_ hooks: [PlannedHook], stage: String, phase: String, release: String? = nil) async throws(RolloutError) {
        guard !hooks.isEmpty else { return }
        let of = release.map { " of release \($0)" } ?? ""
        emit(.step(stage: stage, message: "\(phase) hooks\(of) (\(hooks.count))"))
        for hook in Self.ordered(hooks) {
            let policies = hook.hook.deletePolicies
            let what = "\(phase) hook\(of)"
            if policies.contains("before-hook-creation") { try await deleteAndWait(hook.ref, stage: stage) }
            do { _ = try await cluster.apply(hook.object, force: true) } catch {
                throw RolloutError(stage: stage, object: hook.ref.description, message: "\(what): apply failed: \(error)",
                                   remedy: release == nil ? nil : Self.deleteRemedy)
            }
            emit(.step(stage: stage, message: "\(phase) hook \(hook.ref) (weight \(hook.hook.weight)) started"))
            let failure = await waitDone(hook, stage: stage)
            if let failure {
                if policies.contains("hook-failed") { try? await cluster.delete(hook.ref) }
                let describe = "kubectl -n \(hook.ref.namespace) describe \(hook.ref.kind.lowercased()) \(hook.ref.name)"
                throw RolloutError(stage: stage, object: hook.ref.description, message: "\(what) failed: \(failure)",
                                   remedy: release == nil ? describe : describe + " (and its pods' logs); fix the cause and run destroy again, or " + Self.deleteRemedy)
            }
            if policies.contains("hook-succeeded") { try await cluster.delete(hook.ref) }
            emit(.step(stage: stage, message: "\(phase) hook \(hook.ref) done" + (policies.contains("hook-succeeded") ? ", deleted (hook-succeeded)" : "")))
        }
    }

    static let deleteRemedy = "pass --no-hooks to destroy without running delete hooks (what the hook cleans up may then be left behind)"

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
