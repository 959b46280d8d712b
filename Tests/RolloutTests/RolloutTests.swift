import Foundation
import KubeClient
import KubeModel
import KubeSim
import Planning
import Stages
import Testing
@testable import Rollout

func obj(_ yaml: String) -> JSONValue { (try? JSONValue.parseYAMLStream(yaml).first) ?? .null }

let crd = obj("""
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: clusterpolicies.nvidia.com }
spec:
  group: nvidia.com
  scope: Cluster
  names: { plural: clusterpolicies, singular: clusterpolicy, kind: ClusterPolicy, listKind: ClusterPolicyList }
  versions:
  - name: v1
    served: true
    storage: true
    subresources: { status: {} }
    schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
""")

func fixtureStages(replicas: Int = 4, image: String = "nvidia/cuda:13", extra: [JSONValue] = [], dropConfigMap: Bool = false) -> PlanInput {
    let gpu: [JSONValue] = [
        crd,
        obj("apiVersion: nvidia.com/v1\nkind: ClusterPolicy\nmetadata: { name: cluster-policy }\nspec: { driver: { enabled: true } }"),
        obj("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: { name: gpu-operator, namespace: gpu-operator }
        spec:
          replicas: 1
          selector: { matchLabels: { app: gpu-operator } }
          template:
            metadata: { labels: { app: gpu-operator } }
            spec: { containers: [{ name: operator, image: "\(image)" }] }
        """),
        obj("apiVersion: v1\nkind: Secret\nmetadata: { name: creds, namespace: gpu-operator }\nstringData: { token: s3cr3t }"),
        obj("""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: pre-check
          namespace: gpu-operator
          annotations: { helm.sh/hook: pre-install, helm.sh/hook-weight: "-5", helm.sh/hook-delete-policy: hook-succeeded }
        spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: busybox }] } } }
        """),
    ] + (dropConfigMap ? [] : [obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra, namespace: gpu-operator }\ndata: { a: b }")]) + extra
    let sharing = [obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: time-slicing-config, namespace: gpu-operator }\ndata: { any: \"version: v1\\nsharing:\\n  timeSlicing:\\n    resources:\\n    - name: nvidia.com/gpu\\n      replicas: \(replicas)\\n\" }")]
    return PlanInput(profileName: "fixture", stages: [
        DesiredStage(name: "namespaces", objects: [obj("apiVersion: v1\nkind: Namespace\nmetadata: { name: gpu-operator }")]),
        DesiredStage(name: "gpu", objects: gpu),
        DesiredStage(name: "sharing", objects: sharing),
    ])
}

let fixtureSpecs = [
    StageSpec(name: "gpu", readiness: [.workloadsReady(namespace: "gpu-operator"),
                                       .resourceField(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: "cluster-policy", path: "status.state", equals: "ready")],
              smoke: [SmokeGate(name: "cuda-smoke", expectation: "nvidia-smi table", image: "nvidia/cuda:13", command: ["nvidia-smi"],
                                resources: ["nvidia.com/gpu": "1"], timeout: "5m")],
              timeout: .seconds(300)),
    StageSpec(name: "sharing", readiness: [.nodeResource(resource: "nvidia.com/gpu")],
              smoke: [SmokeGate(name: "time-slicing-smoke", expectation: "GPU 0", image: "nvidia/cuda:13", command: ["nvidia-smi", "-L"],
                                resources: ["nvidia.com/gpu": "1"], timeout: "5m")],
              actions: [.restartDaemonSet(namespace: "gpu-operator", name: "nvidia-device-plugin-daemonset", reason: "re-read config")],
              timeout: .seconds(300)),
]

func makePlan(_ input: PlanInput, _ cluster: Cluster) async throws -> Plan {
    let prepared = try Planner.prepare(input)
    return Planner.plan(input, prepared: prepared, observed: try await Observer(cluster: cluster).observe(prepared))
}

func engine(_ cluster: Cluster, _ clock: SimulatedClock, log: EventLog = EventLog(), configure: (inout RolloutOptions) -> Void = { _ in }) -> RolloutEngine {
    var options = RolloutOptions()
    options.holder = "test"
    configure(&options)
    return RolloutEngine(cluster: cluster, clock: clock, options: options, emit: log.emit)
}

@Suite struct RolloutTests {
    @Test func appliesFromEmptyThenReportsNoChanges() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let first = try await makePlan(fixtureStages(), cluster)
        #expect(first.count(.create) == 7)
        #expect(first.stages[1].changes.first { $0.ref.kind == "ClusterPolicy" }?.reason?.contains("not served") == true)
        let log = EventLog()
        let result = try await engine(cluster, clock, log: log).apply(first, specs: fixtureSpecs)
        #expect(result.outcomes.map(\.outcome) == [.passed, .passed, .passed])
        #expect(log.lines.contains { $0.contains("cuda-smoke") && $0.contains("passed: true") })
        // The hook ran and was deleted (hook-succeeded).
        #expect(try await cluster.get(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "gpu-operator", name: "pre-check")) == nil)
        // Smoke pods are gone after passing.
        #expect(try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default").isEmpty)

        let second = try await makePlan(fixtureStages(), cluster)
        #expect(!second.hasChanges, "\(second.stages.flatMap(\.changes).filter { $0.action != .unchanged }.map { "\($0.ref) \($0.diff)" })")
        #expect(second.summary == "Plan: 0 to create, 0 to update, 0 to prune, 7 unchanged.")
        let again = try await engine(cluster, clock).apply(second, specs: fixtureSpecs)
        #expect(again.outcomes.map(\.outcome) == [.unchanged, .unchanged, .unchanged])
    }

    @Test func updatesAndPrunesOwnedObjects() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let p1 = try await makePlan(fixtureStages(), cluster)
        _ = try await engine(cluster, clock).apply(p1, specs: fixtureSpecs)
        // Someone else's ConfigMap in the same namespace must survive prune.
        _ = try await cluster.apply(obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: theirs, namespace: gpu-operator }\ndata: { x: \"y\" }"))
        let plan = try await makePlan(fixtureStages(replicas: 8, dropConfigMap: true), cluster)
        #expect(plan.count(.update) == 1)
        #expect(plan.count(.prune) == 1)
        let update = try #require(plan.stages[2].changes.first)
        #expect(update.fields.map(\.path) == ["data.any"])
        let result = try await engine(cluster, clock).apply(plan, specs: fixtureSpecs)
        #expect(result.outcomes.map(\.outcome) == [.unchanged, .passed, .passed])
        #expect(try await cluster.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "gpu-operator", name: "extra")) == nil)
        #expect(try await cluster.get(ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "gpu-operator", name: "theirs")) != nil)
        let gpuNodes = try await cluster.list(apiVersion: "v1", kind: "Node").filter(ReadinessCheck.isGPUNode)
        #expect(gpuNodes.count == 2)
        #expect(gpuNodes.allSatisfy { $0[path: ["status", "allocatable", "nvidia.com/gpu"]]?.stringValue == "64" })
    }

    @Test func noGPUNodesFailsTheGPUGateWithExplanation() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make(nodes: "2xcpu")
        do {
            let p2 = try await makePlan(fixtureStages(), cluster)
            _ = try await engine(cluster, clock).apply(p2, specs: fixtureSpecs)
            Issue.record("apply passed without GPU nodes")
        } catch {
            let error = asRollout(error)
            #expect(error.stage == "gpu")
            #expect(error.message.contains("ClusterPolicy cluster-policy is ready but no GPU nodes"))
            #expect(error.remedy?.contains("add GPU nodes") == true)
        }
    }

    @Test func imagePullFailureStopsAtGateThenResumes() async throws {
        let (_, world, cluster, clock) = try await FixtureWorld.make()
        world.faults.withLock { $0.imagePull = true }
        do {
            let p3 = try await makePlan(fixtureStages(), cluster)
            _ = try await engine(cluster, clock).apply(p3, specs: fixtureSpecs)
            Issue.record("apply passed with image pull failures")
        } catch {
            let error = asRollout(error)
            #expect(error.stage == "gpu")
            #expect(error.message.contains("gate cuda-smoke failed: container smoke is waiting: ErrImagePull"))
            #expect(error.message.contains("phase: Pending"))
            #expect(error.message.contains("logs:"))
        }
        #expect(try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default").isEmpty, "failed pod deleted without --keep-failed")
        let record = try await StageRecord(cluster: cluster, parent: ApplySet.parent(profile: "fixture", stage: "gpu")).read()
        #expect(record["phase"] == "failed")
        world.faults.withLock { $0.imagePull = false }
        let p4 = try await makePlan(fixtureStages(), cluster)
        let resumed = try await engine(cluster, clock).apply(p4, specs: fixtureSpecs)
        // namespaces passed earlier and is skipped; gpu has no object changes but its gate failed: it runs again.
        #expect(resumed.outcomes.map(\.outcome) == [.unchanged, .passed, .passed])
    }

    @Test func keepFailedKeepsThePod() async throws {
        let (_, world, cluster, clock) = try await FixtureWorld.make()
        world.faults.withLock { $0.imagePull = true }
        do {
            let p5 = try await makePlan(fixtureStages(), cluster)
            _ = try await engine(cluster, clock, configure: { $0.keepFailed = true }).apply(p5, specs: fixtureSpecs)
            Issue.record("expected the gate to fail")
        } catch is RolloutError {}
        #expect(try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default").count == 1)
    }

    @Test func readinessTimeoutNamesTheTimeSlicingWedge() async throws {
        let (_, world, cluster, clock) = try await FixtureWorld.make()
        world.faults.withLock { $0.ignoreTimeSlicing = true }
        // Nodes already advertise a GPU count: the plugin "did not pick up" the config.
        var specs = fixtureSpecs
        specs[1].readiness = [.nodeResource(resource: "nvidia.com/gpu.shared")]
        do {
            let p6 = try await makePlan(fixtureStages(), cluster)
            _ = try await engine(cluster, clock).apply(p6, specs: specs)
            Issue.record("expected a timeout")
        } catch {
            let error = asRollout(error)
            #expect(error.stage == "sharing")
            #expect(error.message.hasPrefix("not ready after 300s"))
            #expect(error.remedy?.contains("did not pick up the time-slicing config") == true)
        }
    }

    @Test func savedPlanRefusesAfterDrift() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let p7 = try await makePlan(fixtureStages(), cluster)
        _ = try await engine(cluster, clock).apply(p7, specs: fixtureSpecs)
        let saved = try PlanCodec.decode(try JSONValue.parse(PlanCodec.encode(try await makePlan(fixtureStages(replicas: 2), cluster), includeObjects: true).encodedString()))
        #expect(try await engine(cluster, clock).drift(saved).isEmpty)
        _ = try await cluster.client.apply(KubeObject(obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra, namespace: gpu-operator }\ndata: { a: changed }")), force: true)
        let drift = try await engine(cluster, clock).drift(saved)
        #expect(drift.count == 1)
        #expect(drift.first?.hasPrefix("ConfigMap gpu-operator/extra: resourceVersion") == true)
    }

    @Test func conflictNamesTheOtherManager() async throws {
        let (sim, _, cluster, clock) = try await FixtureWorld.make()
        let p8 = try await makePlan(fixtureStages(), cluster)
        _ = try await engine(cluster, clock).apply(p8, specs: fixtureSpecs)
        // Another manager takes data.a of our ConfigMap.
        try await applyAsOtherManager(sim)
        let plan = try await makePlan(fixtureStages(), cluster)
        #expect(plan.count(.update) == 1)
        do {
            _ = try await engine(cluster, clock).apply(plan, specs: fixtureSpecs)
            Issue.record("expected a conflict")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("\"helm\""))
            #expect(text.contains("--force-conflicts"))
        }
        let p9 = try await makePlan(fixtureStages(), cluster)
        let forced = try await engine(cluster, clock, configure: { $0.forceConflicts = true }).apply(p9, specs: fixtureSpecs)
        #expect(forced.outcomes[1].outcome == .passed)
    }

    @Test func leaseLockRefusesASecondApplyAndExpires() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let holder = LeaseLock(cluster: cluster, clock: clock, name: "platform-fixture", holder: "someone-else", seconds: 60)
        try await holder.acquire()
        let plan = try await makePlan(fixtureStages(), cluster)
        do {
            _ = try await engine(cluster, clock).apply(plan, specs: fixtureSpecs)
            Issue.record("expected the lock to refuse")
        } catch {
            let error = asRollout(error)
            #expect(error.message.contains("another apply holds the lock (holder someone-else"))
        }
        try await clock.sleep(for: .seconds(61))
        let result = try await engine(cluster, clock).apply(plan, specs: fixtureSpecs)
        #expect(result.outcomes.allSatisfy { $0.outcome == .passed })
        #expect(try await cluster.get(ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "kube-system", name: "platform-fixture")) == nil)
    }

    @Test func onlyStageAndFromStage() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let plan = try await makePlan(fixtureStages(), cluster)
        let only = try await engine(cluster, clock, configure: { $0.onlyStage = "namespaces" }).apply(plan, specs: fixtureSpecs)
        #expect(only.outcomes.map(\.outcome) == [.passed, .skipped, .skipped])
        let p10 = try await makePlan(fixtureStages(), cluster)
        let from = try await engine(cluster, clock, configure: { $0.fromStage = "gpu" }).apply(p10, specs: fixtureSpecs)
        #expect(from.outcomes.map(\.outcome) == [.skipped, .passed, .passed])
    }

    @Test func destroyRemovesOwnedObjectsAndKeepsCRDs() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let p11 = try await makePlan(fixtureStages(), cluster)
        _ = try await engine(cluster, clock).apply(p11, specs: fixtureSpecs)
        try await engine(cluster, clock).destroy(profile: "fixture", stages: ["namespaces", "gpu", "sharing"])
        #expect(try await cluster.get(ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "gpu-operator", name: "gpu-operator")) == nil)
        #expect(try await cluster.get(ObjectRef(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: "cluster-policy")) == nil)
        #expect(try await cluster.get(ObjectRef(apiVersion: "v1", kind: "Namespace", name: "gpu-operator")) == nil)
        #expect(try await cluster.get(ObjectRef(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "clusterpolicies.nvidia.com")) != nil)
        let plan = try await makePlan(fixtureStages(), cluster)
        #expect(plan.count(.unchanged) == 1, "only the kept CRD")
    }
}

/// A chart's delete hooks: two pre-delete Jobs (weights -1 and 0, default and hook-succeeded
/// policies, the default-policy one in `default` so it outlives the namespace) and a
/// post-delete ServiceAccount + Job sharing a name (kind order puts the ServiceAccount first).
func deleteHookObjects() -> [JSONValue] {
    func job(_ name: String, _ ns: String, _ event: String, _ weight: Int, _ policy: String?) -> JSONValue {
        let p = policy.map { ", helm.sh/hook-delete-policy: \"\($0)\"" } ?? ""
        return obj("""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: \(name)
          namespace: \(ns)
          annotations: { helm.sh/hook: \(event), helm.sh/hook-weight: "\(weight)"\(p) }
        spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: busybox }] } } }
        """)
    }
    return [
        job("drain-b", "gpu-operator", "pre-delete", 0, "hook-succeeded,hook-failed"),
        job("drain-a", "default", "pre-delete", -1, nil),
        job("prune", "default", "post-delete", 0, "before-hook-creation,hook-succeeded"),
        obj("apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: prune, namespace: default, annotations: { helm.sh/hook: post-delete } }"),
    ]
}

/// The delete hooks as destroy receives them (from the same input apply used).
func releaseDeleteHooks(_ input: PlanInput) throws -> [String: [ReleaseHooks]] {
    var out: [String: [ReleaseHooks]] = [:]
    for stage in try Planner.prepare(input) {
        let hooks = stage.hooks.filter { $0.hook.events.contains("pre-delete") || $0.hook.events.contains("post-delete") }
        if !hooks.isEmpty { out[stage.name] = [ReleaseHooks(release: "gpu-operator", hooks: hooks)] }
    }
    return out
}

@Suite struct DeleteHookTests {
    let job = { (ns: String, name: String) in ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: ns, name: name) }
    let deployment = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "gpu-operator", name: "gpu-operator")

    @Test func destroyRunsDeleteHooksInOrderWithPolicies() async throws {
        let (_, _, cluster, clock) = try await FixtureWorld.make()
        let input = fixtureStages(extra: deleteHookObjects())
        _ = try await engine(cluster, clock).apply(try await makePlan(input, cluster), specs: fixtureSpecs)
        // Apply runs install hooks only.
        #expect(try await cluster.get(job("default", "drain-a")) == nil)
        let log = EventLog()
        try await engine(cluster, clock, log: log).destroy(profile: "fixture", stages: ["namespaces", "gpu", "sharing"],
                                                           deleteHooks: try releaseDeleteHooks(input))
        let lines = log.lines
        func at(_ text: String) -> Int { lines.firstIndex { $0.contains(text) } ?? -1 }
        let a = at("pre-delete hook batch/Job default/drain-a"), b = at("pre-delete hook batch/Job gpu-operator/drain-b")
        let deleted = at("prune, ref: apps/Deployment gpu-operator/gpu-operator")
        let sa = at("post-delete hook ServiceAccount default/prune"), post = at("post-delete hook batch/Job default/prune")
        #expect(lines.contains { $0.contains("pre-delete hooks of release gpu-operator (2)") })
        #expect(a >= 0 && a < b && b < deleted && deleted < sa && sa < post, "\(lines.joined(separator: "\n"))")
        // Default policy (before-hook-creation) keeps the completed Job; hook-succeeded removes it.
        let kept = try #require(try await cluster.get(job("default", "drain-a")))
        #expect(ReadinessCheck.workload(kept).state == .ready)
        #expect(try await cluster.get(job("default", "prune")) == nil)
        #expect(try await cluster.get(ObjectRef(apiVersion: "v1", kind: "ServiceAccount", namespace: "default", name: "prune")) != nil)
        #expect(try await cluster.get(deployment) == nil)

        // A second destroy finds nothing installed: no hooks run (as Helm: no release, no hooks).
        let again = EventLog()
        try await engine(cluster, clock, log: again).destroy(profile: "fixture", stages: ["namespaces", "gpu", "sharing"],
                                                             deleteHooks: try releaseDeleteHooks(input))
        #expect(!again.lines.contains { $0.contains("hook") })
    }

    @Test func failingPreDeleteHookStopsTheStageAndNoHooksSkipsThem() async throws {
        let (_, world, cluster, clock) = try await FixtureWorld.make()
        let input = fixtureStages(extra: deleteHookObjects())
        _ = try await engine(cluster, clock).apply(try await makePlan(input, cluster), specs: fixtureSpecs)
        world.faults.withLock { $0.failingJobs = ["drain-b"] }
        let hooks = try releaseDeleteHooks(input)
        do {
            try await engine(cluster, clock).destroy(profile: "fixture", stages: ["namespaces", "gpu", "sharing"], deleteHooks: hooks)
            Issue.record("destroy passed with a failing pre-delete hook")
        } catch {
            let error = asRollout(error)
            #expect(error.stage == "gpu")
            #expect(error.object == "batch/Job gpu-operator/drain-b")
            #expect(error.message.contains("pre-delete hook of release gpu-operator failed: "))
            #expect(error.remedy?.contains("--no-hooks") == true)
        }
        // The stage was not destroyed; hook-failed removed the failed Job.
        #expect(try await cluster.get(deployment) != nil)
        #expect(try await cluster.get(job("gpu-operator", "drain-b")) == nil)

        let log = EventLog()
        try await engine(cluster, clock, log: log, configure: { $0.noHooks = true })
            .destroy(profile: "fixture", stages: ["namespaces", "gpu", "sharing"], deleteHooks: hooks)
        #expect(try await cluster.get(deployment) == nil)
        #expect(try await cluster.get(job("default", "prune")) == nil, "post-delete hook not run")
        #expect(!log.lines.contains { $0.contains("hook ") && $0.contains("started") })
        #expect(log.lines.contains { $0.contains("--no-hooks: skipped 4 delete hook(s) of gpu-operator") })
    }
}

@Suite struct ReadinessCheckTests {
    @Test func workloadGenerations() {
        let stale: JSONValue = ["kind": "Deployment", "metadata": ["generation": 2], "spec": ["replicas": 1],
                                "status": ["observedGeneration": 1, "updatedReplicas": 1, "availableReplicas": 1]]
        #expect(ReadinessCheck.workload(stale).state == .pending)
        let ready: JSONValue = ["kind": "DaemonSet", "metadata": ["generation": 2],
                                "status": ["observedGeneration": 2, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 3]]
        #expect(ReadinessCheck.workload(ready).state == .ready)
        let failed: JSONValue = ["kind": "Job", "status": ["conditions": [["type": "Failed", "status": "True", "message": "BackoffLimitExceeded"]]]]
        #expect(ReadinessCheck.workload(failed).state == .failed)
    }

    @Test func migWedgeIsNamed() {
        let node: JSONValue = ["metadata": ["name": "gpu-1", "labels": ["nvidia.com/mig.config.state": "pending"]]]
        #expect(ReadinessCheck.wedges(nodes: [node], stage: "sharing").first?.contains("stuck at nvidia.com/mig.config.state=pending") == true)
    }

    @Test func timeSlicedCapacityNeedsGPUsTimesReplicas() {
        let node: JSONValue = ["metadata": ["name": "g", "labels": ["nvidia.com/gpu.present": "true", "nvidia.com/gpu.count": "8"]],
                               "status": ["allocatable": ["nvidia.com/gpu": "32"]]]
        #expect(ReadinessCheck.timeSlicedCapacity(nodes: [node], replicas: 4).map(\.state) == [.ready])
        let stale = ReadinessCheck.timeSlicedCapacity(nodes: [node], replicas: 8)
        #expect(stale.map(\.state) == [.pending])
        #expect(stale.first?.message == "node g advertises 32 nvidia.com/gpu, expected 8×8=64 with time-slicing")
        let stage = PlannedStage(name: "sharing", applySet: ApplySet.parent(profile: "p", stage: "sharing"), changes: [
            PlannedChange(ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "gpu-operator", name: "time-slicing-config"),
                          action: .update, object: fixtureStages(replicas: 6).stages[2].objects[0])])
        #expect(RolloutEngine.timeSlicingReplicas(stage) == 6)
    }

    @Test func deadLocalHolderHoldsNothing() throws {
        let host = ProcessInfo.processInfo.hostName
        #expect(!LeaseLock.holderIsDead("\(host):\(ProcessInfo.processInfo.processIdentifier)"))
        #expect(!LeaseLock.holderIsDead("some-other-host:1"))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        #expect(LeaseLock.holderIsDead("\(host):\(p.processIdentifier)"))
    }

    @Test func durations() {
        #expect(SmokeRunner.parseDuration("10m") == .seconds(600))
        #expect(SmokeRunner.parseDuration("1h30m5s") == .seconds(5405))
        #expect(SmokeRunner.parseDuration("x") == nil)
    }
}

/// Writes data.a of ConfigMap gpu-operator/extra as field manager "helm".
func applyAsOtherManager(_ sim: KubeSim) async throws {
    let other = KubeClient(configuration: ClientConfiguration(server: SimTransport.serverURL), transport: SimTransport(sim: sim),
                           fieldManager: "helm", discoveryCacheDirectory: .some(nil))
    let cm = KubeObject(obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra, namespace: gpu-operator }\ndata: { a: theirs }"))
    _ = try await other.apply(cm, force: true)
}

func asRollout(_ e: any Error) -> RolloutError { e as? RolloutError ?? RolloutError(message: "unexpected error: \(e)") }
