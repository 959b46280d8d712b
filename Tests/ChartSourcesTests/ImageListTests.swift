import ChartSources
import Foundation
import Profiles
import Stages
import Testing
import YAML

private func objects(_ text: String) throws -> [YAMLValue] { try YAMLDecoder(rules: .core).decodeAll(text) }

@Suite struct ImageListTests {
    @Test func podSpecsOfEveryWorkloadKindAndHooks() throws {
        let list = ImageExtractor.images(in: try objects("""
            kind: Pod
            spec: { containers: [{ image: "busybox:1.36" }], ephemeralContainers: [{ image: debug:1 }] }
            ---
            kind: Deployment
            spec: { template: { spec: { initContainers: [{ image: "init:2" }], containers: [{ image: "nginx:1.27" }, { name: noimage }] } } }
            ---
            kind: StatefulSet
            spec: { template: { spec: { containers: [{ image: "sts:1" }] } } }
            ---
            kind: DaemonSet
            spec: { template: { spec: { initContainers: [{ image: "ds-init:1" }], containers: [{ image: "ds:1" }] } } }
            ---
            kind: ReplicaSet
            spec: { template: { spec: { containers: [{ image: "rs:1" }] } } }
            ---
            kind: CronJob
            spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: "cron@sha256:\(String(repeating: "b", count: 64))" }] } } } } }
            ---
            kind: Job
            metadata: { annotations: { helm.sh/hook: pre-install } }
            spec: { template: { spec: { containers: [{ image: "hook:3" }] } } }
            ---
            apiVersion: batch.volcano.sh/v1alpha1
            kind: Job
            spec: { tasks: [{ template: { spec: { containers: [{ image: "volcano-task:1" }] } } }] }
            ---
            kind: CustomResourceDefinition
            spec: { versions: [{ schema: { openAPIV3Schema: { properties: { containers: [{ image: not-an-image }] } } } }] }
            ---
            kind: ConfigMap
            data: { x: "containers: [{image: not-pulled}]" }
            """), extra: ["nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04", "busybox:1.36"])
        #expect(list.images == [
            "busybox:1.36", "cron@sha256:\(String(repeating: "b", count: 64))", "debug:1", "ds-init:1", "ds:1", "hook:3", "init:2",
            "nginx:1.27", "nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04", "rs:1", "sts:1", "volcano-task:1",
        ])
        #expect(list.notes.isEmpty)
    }

    static let policy = """
        kind: ClusterPolicy
        spec:
          driver:
            enabled: true
            repository: nvcr.io/nvidia
            image: driver
            version: "580.95.05"
            manager: { repository: nvcr.io/nvidia/cloud-native, image: k8s-driver-manager, version: v0.12.0 }
          toolkit: { enabled: true, repository: nvcr.io/nvidia/k8s, image: container-toolkit, version: v1.20.0 }
          devicePlugin: { enabled: false, repository: nvcr.io/nvidia, image: k8s-device-plugin, version: v0.20.0 }
          dcgm: { enabled: false, repository: nvcr.io/nvidia/cloud-native, image: dcgm, version: 4.6.0 }
          dcgmExporter: { repository: nvcr.io/nvidia/k8s, image: dcgm-exporter, version: 4.6.0-distroless }
          gfd: { enabled: true, repository: nvcr.io/nvidia, image: k8s-device-plugin, version: v0.20.0 }
          migManager: { enabled: true, repository: nvcr.io/nvidia/cloud-native, image: k8s-mig-manager, version: v0.15.0 }
          nodeStatusExporter: { enabled: false, repository: nvcr.io/nvidia, image: gpu-operator, version: v26.7.0 }
          validator: { repository: nvcr.io/nvidia, image: gpu-operator, version: v26.7.0 }
          gds: { enabled: true, repository: nvcr.io/nvidia/cloud-native, image: nvidia-fs, version: 2.29.4 }
          gdrcopy: { enabled: false, repository: nvcr.io/nvidia/cloud-native, image: gdrdrv, version: v2.6 }
          sandboxWorkloads: { enabled: SANDBOX }
          sandboxDevicePlugin: { enabled: true, repository: nvcr.io/nvidia, image: kubevirt-gpu-device-plugin, version: v1.6.0 }
          vfioManager:
            enabled: true
            repository: nvcr.io/nvidia/cloud-native
            image: k8s-driver-manager
            version: v0.12.0
            driverManager: { repository: nvcr.io/nvidia/cloud-native, image: k8s-driver-manager, version: v0.12.1 }
          kataManager: { enabled: false, repository: nvcr.io/nvidia/cloud-native, image: k8s-kata-manager, version: v0.2.3 }
          vgpuManager: { enabled: false, repository: private.example, image: vgpu-manager, version: "580.1" }
        """

    @Test func clusterPolicyListsOnlyWhatTheOperatorDeploys() throws {
        let list = ImageExtractor.images(in: try objects(Self.policy.replacingOccurrences(of: "SANDBOX", with: "false")),
                                         nodes: NodePlatform(operatingSystems: ["ubuntu24.04", "rhel9.4"]))
        #expect(list.images == [
            "nvcr.io/nvidia/cloud-native/k8s-driver-manager:v0.12.0",
            "nvcr.io/nvidia/cloud-native/k8s-mig-manager:v0.15.0",
            "nvcr.io/nvidia/cloud-native/nvidia-fs:2.29.4-rhel9.4",
            "nvcr.io/nvidia/cloud-native/nvidia-fs:2.29.4-ubuntu24.04",
            "nvcr.io/nvidia/driver:580.95.05-rhel9.4",
            "nvcr.io/nvidia/driver:580.95.05-ubuntu24.04",
            "nvcr.io/nvidia/gpu-operator:v26.7.0",
            "nvcr.io/nvidia/k8s-device-plugin:v0.20.0", // gfd (the device plugin itself is disabled)
            "nvcr.io/nvidia/k8s/container-toolkit:v1.20.0",
            "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.0-distroless",
        ])
        let sandbox = ImageExtractor.images(in: try objects(Self.policy.replacingOccurrences(of: "SANDBOX", with: "true")))
        let added = Set(sandbox.images).subtracting(list.images)
        #expect(added == ["nvcr.io/nvidia/kubevirt-gpu-device-plugin:v1.6.0", "nvcr.io/nvidia/cloud-native/k8s-driver-manager:v0.12.1"])
    }

    @Test func hostDriverDigestsPrecompiledAndDriverCRD() throws {
        let host = ImageExtractor.images(in: try objects("""
            kind: ClusterPolicy
            spec:
              driver: { enabled: false, repository: nvcr.io/nvidia, image: driver, version: "580", manager: { repository: r, image: m, version: v1 } }
              toolkit: { repository: nvcr.io/nvidia/k8s, image: container-toolkit, version: "sha256:\(String(repeating: "a", count: 64))" }
              validator: { image: "registry.example/validator:v1" }
              devicePlugin: { enabled: true }
            """))
        #expect(host.images == ["nvcr.io/nvidia/k8s/container-toolkit@sha256:\(String(repeating: "a", count: 64))", "registry.example/validator:v1"])
        #expect(host.notes == ["ClusterPolicy spec.devicePlugin: no image set; the operator uses its built-in default (not listed)"])

        let precompiled = ImageExtractor.images(in: try objects("""
            kind: ClusterPolicy
            spec: { driver: { usePrecompiled: true, repository: nvcr.io/nvidia, image: driver, version: "580" } }
            """))
        #expect(precompiled.images.isEmpty)
        #expect(precompiled.notes.count == 1 && precompiled.notes[0].contains("nvcr.io/nvidia/driver:580-KERNEL-OS"))

        let crd = ImageExtractor.images(in: try objects("""
            kind: ClusterPolicy
            spec: { driver: { useNvidiaDriverCRD: true, repository: nvcr.io/nvidia, image: driver, version: "1" } }
            ---
            kind: NVIDIADriver
            metadata: { name: default }
            spec:
              repository: nvcr.io/nvidia
              image: driver
              version: "580.95.05"
              manager: { repository: nvcr.io/nvidia/cloud-native, image: k8s-driver-manager, version: v0.12.0 }
              gdrcopy: { enabled: true, repository: nvcr.io/nvidia/cloud-native, image: gdrdrv, version: v2.6 }
            """))
        #expect(crd.images == ["nvcr.io/nvidia/cloud-native/gdrdrv:v2.6-ubuntu24.04", "nvcr.io/nvidia/cloud-native/k8s-driver-manager:v0.12.0",
                               "nvcr.io/nvidia/driver:580.95.05-ubuntu24.04"])
    }

    @Test func nicClusterPolicyComponentsAndOFEDDriverTags() throws {
        let list = ImageExtractor.images(in: try objects("""
            kind: NicClusterPolicy
            spec:
              ofedDriver:
                repository: nvcr.io/nvidia/mellanox
                image: doca-driver
                version: 25.04-0.6.1.0-2
                initContainer: { repository: ghcr.io/mellanox, image: network-operator-init-container, version: v0.0.3 }
              rdmaSharedDevicePlugin: { repository: ghcr.io/mellanox, image: k8s-rdma-shared-dev-plugin, version: v1.5.3, config: "{}" }
              nvIpam: { repository: nvcr.io/nvidia/mellanox, image: nvidia-k8s-ipam, version: network-operator-v26.4.1 }
              secondaryNetwork:
                multus: { repository: nvcr.io/nvidia/mellanox, image: multus-cni, version: v4 }
                ipoib: { repository: nvcr.io/nvidia/mellanox, image: ipoib-cni, version: v1 }
              nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} }
            """), nodes: NodePlatform(architectures: ["amd64", "arm64"]))
        #expect(list.images == [
            "ghcr.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3",
            "ghcr.io/mellanox/network-operator-init-container:v0.0.3",
            "nvcr.io/nvidia/mellanox/doca-driver:25.04-0.6.1.0-2-ubuntu24.04-amd64",
            "nvcr.io/nvidia/mellanox/doca-driver:25.04-0.6.1.0-2-ubuntu24.04-arm64",
            "nvcr.io/nvidia/mellanox/ipoib-cni:v1",
            "nvcr.io/nvidia/mellanox/multus-cni:v4",
            "nvcr.io/nvidia/mellanox/nvidia-k8s-ipam:network-operator-v26.4.1",
        ])
    }

    /// images.txt of every example profile, as `platform bundle` writes it (charts from
    /// ../shared/charts). Re-record with PLATFORM_RECORD=1 and review the diff.
    @Test(arguments: ["dev-time-slicing", "h100-mig", "dra-k8s-1.34", "rdma-training"])
    func goldenImageListOfExampleProfiles(name: String) throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let repo = tests.deletingLastPathComponent().deletingLastPathComponent()
        let path = repo.appendingPathComponent("Profiles/\(name).yaml").path
        let profile = try ProfileLoader.load(try String(contentsOfFile: path, encoding: .utf8), file: path).profile
        let render = try StageRenderer(charts: LocalChartProvider(mirror: Fixtures.shared + "/charts")).render(profile)
        let gates = render.stages.flatMap { $0.plan.smoke.map(\.image) } + [profile.spec.smoke.image]
        let list = ImageExtractor.images(in: render.objects.map(\.value), extra: gates)
        #expect(list.images == Array(Set(list.images)).sorted())
        #expect(list.images.contains(profile.spec.smoke.image))
        let golden = tests.appendingPathComponent("Fixtures/images/\(name).txt").path
        if ProcessInfo.processInfo.environment["PLATFORM_RECORD"] == "1" {
            try FileManager.default.createDirectory(atPath: (golden as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try list.text.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        let expected = try? String(contentsOfFile: golden, encoding: .utf8)
        #expect(expected != nil, "no golden \(golden); record with PLATFORM_RECORD=1")
        #expect(list.text == expected, "images of \(name) changed; if intended, re-record with PLATFORM_RECORD=1 and review the diff")
    }
}
