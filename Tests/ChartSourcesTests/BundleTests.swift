import ChartSources
import Foundation
import Helm
import YAML
import Testing

@Suite struct BundleTests {
    @Test func writesReproduciblyAndServesChartsOffline() throws {
        let dir = TempDir()
        let packaged = try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "demo", version: "1.0.0"))
        let lock = LockFile(entries: [.init(name: "demo", source: "https://charts.example", version: "1.0.0", digest: packaged.digest)])
        let contents = BundleContents(profile: Array("kind: Profile\n".utf8), lock: lock,
                                      charts: ["demo": .init(version: "1.0.0", bytes: packaged.bytes)],
                                      rendered: ["10-gpu/deployment.yaml": Array("kind: Deployment\n".utf8)], images: ["nginx:1.27"])
        let a = try BundleWriter.archive(contents), b = try BundleWriter.archive(contents)
        #expect(a == b)
        let reader = try BundleReader(bytes: a)
        #expect(reader.lock == lock)
        #expect(reader.images == ["nginx:1.27"])
        #expect(reader.rendered["10-gpu/deployment.yaml"] == Array("kind: Deployment\n".utf8))
        let chart = try reader.chart(for: ChartRequest(name: "demo", version: "1.0.0", source: .repository("https://charts.example")))
        #expect(chart.name == "demo")
        #expect(throws: ChartSourceError.self) {
            try reader.chart(for: ChartRequest(name: "other", version: "1.0.0", source: .repository("https://charts.example")))
        }
    }

    @Test func listsImagesFromPodsAndOperatorPolicies() throws {
        let objects = try YAMLDecoder(rules: .core).decodeAll("""
            kind: Deployment
            spec: { template: { spec: { initContainers: [{ image: "busybox:1.36" }], containers: [{ image: "nginx:1.27" }] } } }
            ---
            kind: ClusterPolicy
            spec:
              driver: { repository: nvcr.io/nvidia, image: driver, version: "580.95.05" }
              toolkit: { repository: nvcr.io/nvidia/k8s, image: container-toolkit, version: "sha256:\(String(repeating: "a", count: 64))" }
            ---
            kind: NicClusterPolicy
            spec: { rdmaSharedDevicePlugin: { repository: ghcr.io/mellanox, image: k8s-rdma-shared-dev-plugin, version: v1.5.3 } }
            """)
        #expect(ImageList.images(in: objects) == [
            "busybox:1.36", "ghcr.io/mellanox/k8s-rdma-shared-dev-plugin:v1.5.3", "nginx:1.27",
            "nvcr.io/nvidia/driver:580.95.05", "nvcr.io/nvidia/k8s/container-toolkit@sha256:\(String(repeating: "a", count: 64))",
        ])
    }
}
