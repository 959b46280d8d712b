import Foundation
import KubeModel
import Testing
@testable import KubeSim

let timeSlicing = """
apiVersion: v1
kind: ConfigMap
metadata: {name: time-slicing-config, namespace: gpu-operator}
data:
  any: |-
    version: v1
    flags:
      migStrategy: none
    sharing:
      timeSlicing:
        renameByDefault: false
        failRequestsGreaterThanOne: false
        resources:
        - name: nvidia.com/gpu
          replicas: 4
"""

@Suite struct WorldGPUTests {
    @Test func operatorLabelsNodesAndRunsNvidiaSmi() async throws {
        let w = try await World()
        try await w.gpuOperator()
        let policy = await w.get("/apis/nvidia.com/v1/clusterpolicies/cluster-policy")
        #expect(policy["status"]?["state"] == "ready")
        let n = await w.node("gpu-h100-80gb-0")
        let labels = n["metadata"]?["labels"]
        #expect(labels?["nvidia.com/gpu.present"] == "true")
        #expect(labels?["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3")
        #expect(labels?["nvidia.com/gpu.count"] == "8")
        #expect(labels?["nvidia.com/gpu.memory"] == "81559")
        #expect(labels?["nvidia.com/mig.capable"] == "true")
        #expect(n["status"]?["allocatable"]?["nvidia.com/gpu"] == "8")
        #expect(await w.node("cpu-0")["metadata"]?["labels"]?["nvidia.com/gpu.present"] == nil)
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("smi", gpus: 1))
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("list", gpus: 2, command: ["nvidia-smi", "-L"]))
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("plain", command: ["echo"]))
        await w.advance(5)
        #expect(await w.get("/api/v1/namespaces/default/pods/smi")["status"]?["phase"] == "Succeeded")
        let table = await w.log("default", "smi")
        #expect(table.contains("NVIDIA H100 80GB HBM3") && table.contains("Driver Version: 580.95.05"))
        #expect(table.split(separator: "\n").filter { $0.hasPrefix("|") }.allSatisfy { $0.count == 91 })
        let list = await w.log("default", "list")
        #expect(list.hasPrefix("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-") && list.contains("GPU 1:"))
        #expect(await w.log("default", "plain") == "")
    }

    @Test func timeSlicingNeedsADevicePluginRestart() async throws {
        let w = try await World("1xH100-80GB")
        try await w.gpuOperator("gpu-operator-time-slicing")
        #expect(try await w.apply(timeSlicing).isEmpty)
        await w.advance(5)
        #expect(await w.node("gpu-h100-80gb-0")["status"]?["allocatable"]?["nvidia.com/gpu"] == "8")
        let ds = "/apis/apps/v1/namespaces/gpu-operator/daemonsets/nvidia-device-plugin-daemonset"
        await w.h.call("PATCH", ds, ["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"]]]]],
                       contentType: "application/strategic-merge-patch+json")
        await w.advance(10)
        let n = await w.node("gpu-h100-80gb-0")
        #expect(n["status"]?["allocatable"]?["nvidia.com/gpu"] == "32")
        #expect(n["metadata"]?["labels"]?["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3-SHARED")
        #expect(n["metadata"]?["labels"]?["nvidia.com/gpu.replicas"] == "4")
    }

    @Test func migMixedAndSingle() async throws {
        let w = try await World("1xH100-80GB,1xA100-40GB")
        try await w.gpuOperator("gpu-operator-mig-mixed")
        await w.h.call("PATCH", "/api/v1/nodes/gpu-h100-80gb-0", ["metadata": ["labels": ["nvidia.com/mig.config": "all-1g.10gb"]]],
                       contentType: "application/merge-patch+json")
        await w.h.call("PATCH", "/api/v1/nodes/gpu-a100-40gb-0", ["metadata": ["labels": ["nvidia.com/mig.config": "all-7g.80gb"]]],
                       contentType: "application/merge-patch+json")
        await w.sim.settle()
        #expect(await w.node("gpu-h100-80gb-0")["metadata"]?["labels"]?["nvidia.com/mig.config.state"] == "pending")
        await w.advance(10)
        let h = await w.node("gpu-h100-80gb-0")
        #expect(h["metadata"]?["labels"]?["nvidia.com/mig.config.state"] == "success")
        #expect(h["status"]?["allocatable"]?["nvidia.com/mig-1g.10gb"] == "56")
        #expect(h["metadata"]?["labels"]?["nvidia.com/mig-1g.10gb.count"] == "56")
        // 7g.80gb does not exist on an A100-40GB.
        #expect(await w.node("gpu-a100-40gb-0")["metadata"]?["labels"]?["nvidia.com/mig.config.state"] == "failed")
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("mig", gpus: 1, resource: "nvidia.com/mig-1g.10gb", command: ["nvidia-smi", "-L"]))
        await w.advance(5)
        #expect(await w.log("default", "mig").contains("MIG 1g.10gb"))

        // Single strategy: nvidia.com/gpu counts slices, the product names the profile.
        let s = try await World("1xA100-40GB")
        try await s.gpuOperator("gpu-operator-defaults")
        await s.h.call("PATCH", "/api/v1/nodes/gpu-a100-40gb-0", ["metadata": ["labels": ["nvidia.com/mig.config": "all-1g.5gb"]]],
                       contentType: "application/merge-patch+json")
        await s.advance(10)
        let a = await s.node("gpu-a100-40gb-0")
        #expect(a["status"]?["allocatable"]?["nvidia.com/gpu"] == "56")
        #expect(a["metadata"]?["labels"]?["nvidia.com/gpu.product"] == "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb")
    }

    @Test func hostDriverConflictMakesTheNodeNotReady() async throws {
        let w = try await World("1xH100-80GB:hostdriver,1xH100-80GB")
        try await w.gpuOperator("gpu-operator-defaults")  // driver.enabled: true
        await w.advance(5)
        let bad = await w.node("gpu-h100-80gb-0")
        #expect(bad["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "False")
        #expect(await w.node("gpu-h100-80gb-1")["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")
        #expect(await w.get("/apis/nvidia.com/v1/clusterpolicies/cluster-policy")["status"]?["state"] == "notReady")
        // With driver.enabled=false (host driver) the same node is fine.
        let ok = try await World("1xH100-80GB:hostdriver")
        try await ok.gpuOperator("gpu-operator-host-driver")
        #expect(await ok.node("gpu-h100-80gb-0")["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")
        #expect(await ok.get("/apis/nvidia.com/v1/clusterpolicies/cluster-policy")["status"]?["state"] == "ready")
    }

    static let claimTemplate = """
    apiVersion: resource.k8s.io/v1
    kind: ResourceClaimTemplate
    metadata: {name: gpu, namespace: default}
    spec:
      spec:
        devices:
          requests:
          - name: gpu
            exactly: {deviceClassName: gpu.nvidia.com, allocationMode: ExactCount, count: COUNT}
    """

    func draWorld(_ version: String) async throws -> World {
        let w = try await World("1xH100-80GB,1xcpu", version: version)
        await w.namespace("nvidia-dra-driver-gpu")
        _ = try await w.golden("dra-driver-seed", namespace: "nvidia-dra-driver-gpu")
        await w.h.call("PATCH", "/api/v1/nodes/gpu-h100-80gb-0", ["metadata": ["labels": ["nvidia.com/dra-kubelet-plugin": "true"]]],
                       contentType: "application/merge-patch+json")
        _ = try await w.apply(Self.claimTemplate.replacingOccurrences(of: "COUNT", with: "1"))
        _ = try await w.apply(Self.claimTemplate.replacingOccurrences(of: "name: gpu,", with: "name: many,").replacingOccurrences(of: "COUNT", with: "9"))
        await w.advance(5)
        for (name, tmpl) in [("dra", "gpu"), ("greedy", "many")] {
            await w.h.call("POST", "/api/v1/namespaces/default/pods",
                           pod(name, command: ["nvidia-smi", "-L"], extra: ["resourceClaims": [["name": "gpu", "resourceClaimTemplateName": .string(tmpl)]]]))
        }
        await w.advance(5)
        return w
    }

    @Test func draAllocatesClaimsFromResourceSlices() async throws {
        let w = try await draWorld("1.34.1")
        let slices = await w.items("/apis/resource.k8s.io/v1/resourceslices")
        #expect(slices.count == 1)
        #expect(slices.first?["spec"]?["driver"] == "gpu.nvidia.com" && slices.first?["spec"]?["devices"]?.arrayValue?.count == 8)
        let p = await w.get("/api/v1/namespaces/default/pods/dra")
        #expect(p["status"]?["phase"] == "Succeeded")
        let claims = await w.items("/apis/resource.k8s.io/v1/namespaces/default/resourceclaims")
        #expect(claims.contains { $0["status"]?["allocation"]?["devices"]?["results"]?.arrayValue?.first?["device"] == "gpu-0" })
        #expect(await w.log("default", "dra").hasPrefix("GPU 0: NVIDIA H100 80GB HBM3"))
        let greedy = await w.get("/api/v1/namespaces/default/pods/greedy")
        #expect(greedy["status"]?["phase"] == "Pending")
        #expect(greedy["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "PodScheduled" }?["message"]?.stringValue?.contains("cannot allocate all claims") == true)
    }

    @Test func draBelow134NeverSatisfiesClaims() async throws {
        let w = try await draWorld("1.33.4")
        #expect(await w.items("/apis/resource.k8s.io/v1/resourceslices").isEmpty)
        #expect(await w.get("/api/v1/namespaces/default/pods/dra")["status"]?["phase"] == "Pending")
    }

    @Test func networkOperatorAdvertisesRDMA() async throws {
        let w = try await World("1xH100-80GB,1xcpu")
        await w.namespace("nvidia-network-operator")
        _ = try await w.golden("network-operator-include-crds", namespace: "nvidia-network-operator")
        _ = try await w.golden("network-operator-seed", namespace: "nvidia-network-operator")
        let ncp = """
        apiVersion: mellanox.com/v1alpha1
        kind: NicClusterPolicy
        metadata: {name: nic-cluster-policy}
        spec:
          rdmaSharedDevicePlugin:
            image: k8s-rdma-shared-dev-plugin
            repository: ghcr.io/mellanox
            version: v1.5.2
            config: |
              {"configList": [{"resourceName": "rdma_shared_device_a", "rdmaHcaMax": 63, "selectors": {"ifNames": ["ibp0"]}}]}
        """
        #expect(try await w.apply(ncp).isEmpty)
        await w.advance(10)
        #expect(await w.get("/apis/mellanox.com/v1alpha1/nicclusterpolicies/nic-cluster-policy")["status"]?["state"] == "ready")
        #expect(await w.node("gpu-h100-80gb-0")["status"]?["allocatable"]?["rdma/rdma_shared_device_a"] == "63")
        #expect(await w.node("cpu-0")["status"]?["allocatable"]?["rdma/rdma_shared_device_a"] == nil)
        await w.h.call("POST", "/api/v1/namespaces/default/pods", pod("rdma", gpus: 1, resource: "rdma/rdma_shared_device_a", command: ["sh", "-c", "ls /dev/infiniband"]))
        await w.advance(5)
        #expect(await w.log("default", "rdma").contains("uverbs0"))
    }
}
