import Foundation
import KubeModel
import Testing
@testable import KubeSim

func volcanoJob(_ name: String, replicas: Int, minAvailable: Int, gpus: Int) -> String {
    """
    apiVersion: batch.volcano.sh/v1alpha1
    kind: Job
    metadata: {name: \(name), namespace: default}
    spec:
      minAvailable: \(minAvailable)
      schedulerName: volcano
      queue: default
      tasks:
      - name: worker
        replicas: \(replicas)
        template:
          spec:
            restartPolicy: OnFailure
            containers:
            - {name: w, image: trainer, resources: {limits: {nvidia.com/gpu: \(gpus)}}}
    """
}

@Suite struct WorldBatchTests {
    func gpuCluster(_ nodes: String = "2xH100-80GB,1xcpu", faults: WorldFaultPlan = WorldFaultPlan()) async throws -> World {
        let w = try await World(nodes, faults: faults)
        try await w.gpuOperator("gpu-operator-host-driver")
        return w
    }

    @Test func volcanoWebhookThenGangScheduling() async throws {
        let w = try await gpuCluster()
        await w.namespace("volcano-system")
        _ = try await w.golden("volcano-include-crds", namespace: "volcano-system")
        // Before the admission pods are ready the webhook refuses connections.
        let early = try await w.apply(volcanoJob("early", replicas: 1, minAvailable: 1, gpus: 1))
        #expect(early.first?.0 == 500)
        #expect(early.first?.1.contains("failed calling webhook \\\"mutatejob.volcano.sh\\\"") == true || early.first?.1.contains("failed calling webhook") == true)
        #expect(early.first?.1.contains("connect: connection refused") == true)
        await w.advance(10)
        // 3 pods × 8 GPUs on 2 nodes: all-or-nothing keeps every pod Pending.
        #expect(try await w.apply(volcanoJob("gang", replicas: 3, minAvailable: 3, gpus: 8)).isEmpty)
        await w.advance(10)
        let gang = await w.items("/api/v1/namespaces/default/pods").filter { $0["metadata"]?["labels"]?["volcano.sh/job-name"] == "gang" }
        #expect(gang.count == 3)
        #expect(gang.allSatisfy { $0["spec"]?["nodeName"] == nil })
        #expect(gang.first?["status"]?["conditions"]?.arrayValue?.first?["message"]?.stringValue?.contains("gang unschedulable") == true)
        let pg = await w.items("/apis/scheduling.volcano.sh/v1beta1/namespaces/default/podgroups").first
        #expect(pg?["status"]?["phase"] == "Pending")
        #expect(await w.get("/apis/batch.volcano.sh/v1alpha1/namespaces/default/jobs/gang")["status"]?["state"]?["phase"] == "Pending")
        // A gang that fits starts together and completes.
        await w.h.call("DELETE", "/apis/batch.volcano.sh/v1alpha1/namespaces/default/jobs/gang")
        #expect(try await w.apply(volcanoJob("fits", replicas: 2, minAvailable: 2, gpus: 8)).isEmpty)
        await w.advance(3)
        let fits = await w.items("/api/v1/namespaces/default/pods").filter { $0["metadata"]?["labels"]?["volcano.sh/job-name"] == "fits" }
        #expect(fits.count == 2 && fits.allSatisfy { $0["spec"]?["nodeName"] != nil })
        await w.advance(10)
        #expect(await w.get("/apis/batch.volcano.sh/v1alpha1/namespaces/default/jobs/fits")["status"]?["state"]?["phase"] == "Completed")
    }

    static let queues = """
    apiVersion: kueue.x-k8s.io/v1beta2
    kind: ResourceFlavor
    metadata: {name: h100}
    spec: {nodeLabels: {nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}}
    ---
    apiVersion: kueue.x-k8s.io/v1beta2
    kind: ClusterQueue
    metadata: {name: research}
    spec:
      namespaceSelector: {}
      resourceGroups:
      - coveredResources: [nvidia.com/gpu]
        flavors:
        - name: h100
          resources: [{name: nvidia.com/gpu, nominalQuota: 8}]
    ---
    apiVersion: kueue.x-k8s.io/v1beta2
    kind: LocalQueue
    metadata: {name: gpu-queue, namespace: default}
    spec: {clusterQueue: research}
    """

    static func kueueJob(_ name: String, parallelism: Int, gpus: Int) -> String {
        """
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: \(name)
          namespace: default
          labels: {kueue.x-k8s.io/queue-name: gpu-queue}
        spec:
          parallelism: \(parallelism)
          completions: \(parallelism)
          suspend: true
          template:
            spec:
              restartPolicy: Never
              containers:
              - {name: t, image: trainer, resources: {limits: {nvidia.com/gpu: \(gpus)}}}
        """
    }

    @Test func kueueAdmitsWithinQuota() async throws {
        let w = try await gpuCluster()
        await w.namespace("kueue-system")
        _ = try await w.golden("kueue-include-crds", namespace: "kueue-system")
        let early = try await w.apply(Self.queues)
        #expect(early.contains { $0.1.contains("connection refused") })
        await w.advance(10)
        #expect(try await w.apply(Self.queues).isEmpty)
        #expect(try await w.apply(Self.kueueJob("a", parallelism: 2, gpus: 4)).isEmpty)
        #expect(try await w.apply(Self.kueueJob("b", parallelism: 1, gpus: 4)).isEmpty)
        #expect(try await w.apply(Self.kueueJob("huge", parallelism: 3, gpus: 8)).isEmpty)
        await w.sim.settle()
        let wls = await w.items("/apis/kueue.x-k8s.io/v1beta2/namespaces/default/workloads")
        #expect(wls.count == 3)
        func admitted(_ job: String) -> Bool {
            wls.first { $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"]?.stringValue == job }?["status"]?["conditions"]?.arrayValue?
                .contains { $0["type"] == "Admitted" && $0["status"] == "True" } ?? false
        }
        #expect(admitted("a"))
        #expect(!admitted("b"))
        let huge = wls.first { $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"] == "huge" }
        #expect(huge?["status"]?["conditions"]?.arrayValue?.first?["message"]?.stringValue?.contains("request > maximum capacity (24 > 8)") == true)
        let jobA = await w.get("/apis/batch/v1/namespaces/default/jobs/a")
        #expect(jobA["spec"]?["suspend"] == false)
        #expect(jobA["spec"]?["template"]?["spec"]?["nodeSelector"]?["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3")
        #expect(await w.get("/apis/batch/v1/namespaces/default/jobs/b")["spec"]?["suspend"] == true)
        // When a finishes, b gets its quota.
        await w.advance(10)
        let after = await w.items("/apis/kueue.x-k8s.io/v1beta2/namespaces/default/workloads")
        #expect(after.first { $0["metadata"]?["ownerReferences"]?.arrayValue?.first?["name"] == "b" }?["status"]?["conditions"]?.arrayValue?
            .contains { $0["type"] == "Admitted" && $0["status"] == "True" } == true)
    }

    @Test func worldFaults() async throws {
        var plan = WorldFaultPlan()
        try plan.add(key: "node-notready", value: "gpu-h100-80gb-1@20-40")
        try plan.add(key: "image-pull", value: "never-pulls")
        try plan.add(key: "stuck-rollout", value: "agent")
        let w = try await gpuCluster(faults: plan)
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("ghost", extra: ["containers": [["name": "c", "image": "example.com/never-pulls:1"]]]))
        _ = try await w.apply("""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: default}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec: {containers: [{name: a, image: agent}]}
        """)
        await w.advance(4)
        let ghost = await w.get("/api/v1/namespaces/default/pods/ghost")
        #expect(ghost["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["waiting"]?["reason"] == "ImagePullBackOff")
        // The node goes NotReady at t=20 s and comes back at 40 s.
        await w.advance(25 - 19)
        await w.advance(5)
        let down = await w.node("gpu-h100-80gb-1")
        #expect(down["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "Unknown")
        #expect(down["spec"]?["taints"]?.arrayValue?.contains { $0["key"] == "node.kubernetes.io/unreachable" } == true)
        await w.advance(20)
        #expect(await w.node("gpu-h100-80gb-1")["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")
        // A rollout of the faulted DaemonSet hangs after replacing one pod.
        let agent = await w.get("/apis/apps/v1/namespaces/default/daemonsets/agent")
        #expect(agent["status"]?["numberReady"] == 3)
        await w.h.call("PATCH", "/apis/apps/v1/namespaces/default/daemonsets/agent",
                       ["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "now"]]]]],
                       contentType: "application/strategic-merge-patch+json")
        await w.advance(20)
        let stuck = await w.get("/apis/apps/v1/namespaces/default/daemonsets/agent")
        #expect(stuck["status"]?["updatedNumberScheduled"] == 1)
        #expect(stuck["status"]?["numberReady"] == 2)
        // Webhook window (in-process API).
        await w.namespace("volcano-system")
        _ = try await w.golden("volcano-include-crds", namespace: "volcano-system")
        await w.advance(10)
        #expect(try await w.apply(volcanoJob("ok", replicas: 1, minAvailable: 1, gpus: 1)).isEmpty)
        try await w.sim.injectWorldFault("webhook-down", "mutatejob.volcano.sh")
        #expect(try await w.apply(volcanoJob("refused", replicas: 1, minAvailable: 1, gpus: 1)).first?.0 == 500)
        await w.sim.clearWorldFaults()
        #expect(try await w.apply(volcanoJob("again", replicas: 1, minAvailable: 1, gpus: 1)).isEmpty)
    }

    @Test func faultSpecParses() throws {
        let plan = try FaultPlan.parse("errors=0.1,node-notready=n1@5-10,image-pull=bad,webhook-down=*@0-30,stuck-rollout=ds,seed=3")
        #expect(plan.world.nodeNotReady == [WorldFaultPlan.Window(target: "n1", from: 5, to: 10)])
        #expect(plan.world.webhookDown.first?.to == 30)
        #expect(plan.world.imagePull == ["bad"] && plan.world.stuckRollouts == ["ds"])
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("node-notready=n1@9-3") }
    }
}
