import Foundation
import KubeClient
import KubeModel
import KubeSim
import Planning
import Testing
@testable import Rollout

/// `--sim --sim-state` runs as separate processes, each with KubeSim's real world: the
/// time-slicing change whose device-plugin rollout is stuck, then resumed (the e2e
/// `test_time_slicing_change_with_stuck_device_plugin_names_the_wedge`), with the wall clock
/// of each "process" chosen by the test instead of taken from the machine.
@Suite struct SimResumeTests {
    static let plugin = "nvidia-device-plugin-daemonset"

    static func stages(replicas: Int) -> PlanInput {
        let config = "version: v1\\nsharing:\\n  timeSlicing:\\n    resources:\\n    - name: nvidia.com/gpu\\n      replicas: \(replicas)\\n"
        return PlanInput(profileName: "resume", stages: [
            DesiredStage(name: "namespaces", objects: [obj("apiVersion: v1\nkind: Namespace\nmetadata: { name: gpu-operator }")]),
            DesiredStage(name: "gpu", objects: [
                crd,
                obj("apiVersion: nvidia.com/v1\nkind: ClusterPolicy\nmetadata: { name: cluster-policy }\nspec: { devicePlugin: { config: { name: time-slicing-config, default: any } } }"),
                obj("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: { name: gpu-operator, namespace: gpu-operator }
                spec:
                  replicas: 1
                  selector: { matchLabels: { app: gpu-operator } }
                  template:
                    metadata: { labels: { app: gpu-operator } }
                    spec: { containers: [{ name: operator, image: "nvcr.io/nvidia/gpu-operator:v25" }] }
                """),
            ]),
            DesiredStage(name: "sharing", objects: [
                obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: time-slicing-config, namespace: gpu-operator }\ndata: { any: \"\(config)\" }"),
            ]),
        ])
    }

    static let specs = [
        StageSpec(name: "gpu", readiness: [.workloadsReady(namespace: "gpu-operator"),
                                           .resourceField(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: "cluster-policy",
                                                          path: "status.state", equals: "ready")],
                  timeout: .seconds(300)),
        StageSpec(name: "sharing", readiness: [.nodeResource(resource: "nvidia.com/gpu")],
                  actions: [.restartDaemonSet(namespace: "gpu-operator", name: plugin, reason: "re-read config")],
                  timeout: .seconds(300)),
    ]

    /// One `platform apply --sim --sim-state STATE` process whose machine clock reads `wall`.
    static func apply(replicas: Int, state: String, wall: Date, faults: String? = nil) async throws -> Result<RolloutEngine.Result, RolloutError> {
        var options = KubeSimOptions(nodes: try NodeSpec.parse("2xH100-80GB,1xcpu"))
        options.faults = try faults.map { try FaultPlan.parse($0) }
        let manual = ManualClock(wall)
        let (sim, clock) = try await SimWorld.start(options, clock: manual,
                                                    state: FileManager.default.fileExists(atPath: state) ? state : nil)
        let cluster = Cluster.simulated(sim)
        let plan = try await makePlan(stages(replicas: replicas), cluster)
        let outcome: Result<RolloutEngine.Result, RolloutError>
        do { outcome = .success(try await engine(cluster, clock, configure: { $0.runGates = false }).apply(plan, specs: specs)) } catch {
            outcome = .failure(error)
        }
        try await sim.save(to: state)
        return outcome
    }

    static func restartedAt(state: String) async throws -> Date? {
        let sim = await KubeSim(options: KubeSimOptions(nodes: []))
        try await sim.load(from: state)
        let ds = try await Cluster.simulated(sim).get(ObjectRef(apiVersion: "apps/v1", kind: "DaemonSet", namespace: "gpu-operator", name: plugin))
        return ds?[path: ["spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"]]?.stringValue
            .flatMap { ISO8601DateFormatter().date(from: $0) }
    }

    /// Regression: the resumed apply used to start its simulated clock at the machine's time,
    /// behind the times the earlier runs' simulated waits had recorded. When that time fell in
    /// the second of the first apply's `rollout restart`, the resumed restart wrote the same
    /// `restartedAt`, the DaemonSet template hashed like that old revision, its pod on one node
    /// counted as updated and kept the old config: "not ready after 300s" — depending on how long
    /// the earlier processes took in real time (a 100 ms stall was enough).
    @Test func resumedApplyContinuesTheSavedTimelineWhateverTheWallClock() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("sim.json").path
        let start = Date(timeIntervalSince1970: 1_767_225_600)

        let first = try await Self.apply(replicas: 4, state: state, wall: start)
        #expect((try? first.get())?.outcomes.map(\.outcome) == [.passed, .passed, .passed])
        let firstRestart = try #require(try await Self.restartedAt(state: state))

        // The wall clock moved on 2 s; the first run's simulated waits took longer than that.
        let stuck = try await Self.apply(replicas: 8, state: state, wall: start.addingTimeInterval(2),
                                         faults: "stuck-rollout=\(Self.plugin)")
        guard case .failure(let error) = stuck else {
            Issue.record("the stuck device-plugin rollout passed")
            return
        }
        #expect(error.stage == "sharing")
        #expect(error.message.contains("not ready after 300s"))
        let stuckRestart = try #require(try await Self.restartedAt(state: state))
        #expect(stuckRestart > firstRestart)

        // The unlucky wall clock: the same second as the first apply's restart.
        let resumed = try await Self.apply(replicas: 8, state: state, wall: firstRestart)
        switch resumed {
        case .success(let result):
            #expect(result.outcomes.map(\.outcome) == [.unchanged, .unchanged, .passed])
        case .failure(let error):
            Issue.record("the resumed apply failed: \(error)")
        }
        let resumedRestart = try #require(try await Self.restartedAt(state: state))
        #expect(resumedRestart > stuckRestart, "the resumed run's time continues after the saved state's")
    }
}
