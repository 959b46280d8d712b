import Foundation
import KubeModel
import Testing
@testable import KubeSim

@Suite struct WorldCoreTests {
    @Test func nodesAndVersion() async throws {
        let w = try await World("1xH100-80GB:4:taint,1xA100-40GB:hostdriver,1xcpu", version: "1.33.2")
        #expect(await w.get("/version")["gitVersion"] == "v1.33.2")
        let n = await w.node("gpu-h100-80gb-0")
        #expect(n["metadata"]?["labels"]?["kubernetes.io/hostname"] == "gpu-h100-80gb-0")
        #expect(n["metadata"]?["labels"]?["node.kubernetes.io/instance-type"] == "gpu-h100-80gbx4")
        #expect(n["status"]?["capacity"]?["pods"] == "110")
        #expect(n["spec"]?["taints"]?.arrayValue?.first?["key"] == "nvidia.com/gpu")
        #expect(n["status"]?["nodeInfo"]?["kubeletVersion"] == "v1.33.2")
        #expect(await w.node("gpu-a100-40gb-0")["metadata"]?["annotations"]?["kubesim.platform.gpu/host-driver"] == "true")
        #expect(await w.node("cpu-0")["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } == true)
    }

    @Test func deploymentRollsOutThroughReplicaSets() async throws {
        let w = try await World()
        let d = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
        """
        #expect(try await w.apply(d).isEmpty)
        await w.sim.settle()
        var pods = await w.items("/api/v1/namespaces/default/pods")
        #expect(pods.count == 3)
        #expect(pods.allSatisfy { $0["status"]?["phase"] == "Pending" })
        await w.advance(3)
        pods = await w.items("/api/v1/namespaces/default/pods")
        #expect(pods.allSatisfy { $0["status"]?["phase"] == "Running" })
        #expect(pods.first?["status"]?["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue }.sorted()
            == ["ContainersReady", "Initialized", "PodReadyToStartContainers", "PodScheduled", "Ready"])
        let dep = await w.get("/apis/apps/v1/namespaces/default/deployments/web")
        #expect(dep["status"]?["readyReplicas"] == 3)
        #expect(dep["status"]?["updatedReplicas"] == 3)
        #expect(dep["status"]?["observedGeneration"] == dep["metadata"]?["generation"])
        #expect(dep["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Available" && $0["status"] == "True" } == true)
        #expect(await w.items("/apis/apps/v1/namespaces/default/replicasets").count == 1)
        let ep = await w.get("/api/v1/namespaces/default/endpoints/web")
        #expect(ep["subsets"]?.arrayValue?.first?["addresses"]?.arrayValue?.count == 3)
        #expect(ep["subsets"]?.arrayValue?.first?["ports"]?.arrayValue?.first?["port"] == 8080)
        #expect(await w.items("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices").first?["endpoints"]?.arrayValue?.count == 3)
        // A template change rolls out a new ReplicaSet; the old one drains to zero.
        #expect(try await w.apply(d.replacingOccurrences(of: "image: nginx", with: "image: nginx:1.29")).isEmpty)
        await w.advance(5)
        let rs = await w.items("/apis/apps/v1/namespaces/default/replicasets")
        #expect(rs.count == 2)
        #expect(rs.map { $0["spec"]?["replicas"]?.intValue ?? -1 }.sorted() == [0, 3])
        let dep2 = await w.get("/apis/apps/v1/namespaces/default/deployments/web")
        #expect(dep2["status"]?["replicas"] == 3 && dep2["status"]?["updatedReplicas"] == 3 && dep2["status"]?["availableReplicas"] == 3)
        #expect(dep2["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == "2")
    }

    @Test func daemonSetsStatefulSetsAndJobs() async throws {
        let w = try await World()
        let y = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: default}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec: {containers: [{name: a, image: agent}]}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: nowhere, namespace: default}
        spec:
          selector: {matchLabels: {app: nowhere}}
          template:
            metadata: {labels: {app: nowhere}}
            spec: {nodeSelector: {no: such}, containers: [{name: a, image: agent}]}
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: default}
        spec:
          replicas: 2
          serviceName: db
          selector: {matchLabels: {app: db}}
          template:
            metadata: {labels: {app: db}}
            spec: {containers: [{name: db, image: postgres}]}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once, namespace: default}
        spec:
          completions: 2
          parallelism: 1
          template:
            spec: {restartPolicy: Never, containers: [{name: j, image: busybox}]}
        """
        #expect(try await w.apply(y).isEmpty)
        await w.sim.settle()
        // Ordered StatefulSet: db-1 waits for db-0.
        #expect(await w.get("/api/v1/namespaces/default/pods/db-1")["kind"] == "Status")
        await w.advance(20)
        let agent = await w.get("/apis/apps/v1/namespaces/default/daemonsets/agent")
        #expect(agent["status"]?["desiredNumberScheduled"] == 3 && agent["status"]?["numberReady"] == 3)
        let nowhere = await w.get("/apis/apps/v1/namespaces/default/daemonsets/nowhere")
        #expect(nowhere["status"]?["desiredNumberScheduled"] == 0 && nowhere["status"]?["numberReady"] == 0)
        let db = await w.get("/apis/apps/v1/namespaces/default/statefulsets/db")
        #expect(db["status"]?["readyReplicas"] == 2)
        let job = await w.get("/apis/batch/v1/namespaces/default/jobs/once")
        #expect(job["status"]?["succeeded"] == 2)
        #expect(job["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Complete" && $0["status"] == "True" } == true)
    }

    @Test func schedulerExplainsUnschedulablePods() async throws {
        let w = try await World("1xH100-80GB:2:taint,1xcpu")
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("big", gpus: 1))
        await w.h.call("POST", "/api/v1/namespaces/default/pods",
                       pod("tolerant", extra: ["tolerations": [["key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"]],
                                               "nodeSelector": ["kubernetes.io/hostname": "gpu-h100-80gb-0"]]))
        await w.advance(3)
        let big = await w.get("/api/v1/namespaces/default/pods/big")
        #expect(big["status"]?["phase"] == "Pending")
        let cond = big["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }
        #expect(cond?["reason"] == "Unschedulable")
        #expect(cond?["message"]?.stringValue?.contains("0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 node(s) had untolerated taint {nvidia.com/gpu: present}") == true)
        #expect(await w.get("/api/v1/namespaces/default/pods/tolerant")["spec"]?["nodeName"] == "gpu-h100-80gb-0")
    }
}
