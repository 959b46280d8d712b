import Foundation
import KubeModel
import KubeSim
import Testing
import KubeModel
@testable import KubeClient

/// KubeClient against the simulated API server (KubeSim behind its loopback HTTP
/// server, in-process), configured through the kubeconfig KubeSim writes.
@Suite(.serialized) final class SimEndToEndTests {
    let directory: URL
    let server: KubeSimServer
    let serving: Task<Void, Never>
    let client: KubeClient

    init() async throws {
        directory = try temporaryDirectory("kubeclient-sim")
        let sim = await KubeSim(options: KubeSimOptions(bookmarkInterval: .milliseconds(100)))
        server = try await KubeSimServer(sim: sim, port: 0)
        let s = server
        serving = Task { try? await s.run() }
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        try write(KubeSim.kubeconfig(server: server.url), to: kubeconfig)
        let config = try ClientConfiguration.load(ConfigurationOptions(kubeconfigPath: kubeconfig.path))
        client = KubeClient(configuration: config, requestTimeout: .seconds(10),
                            discoveryCacheDirectory: .some(directory.appendingPathComponent("discovery")), warn: { _ in })
    }

    deinit {
        let s = server
        Task { await s.stop() }
        serving.cancel()
        try? FileManager.default.removeItem(at: directory)
    }

    func object(_ json: String) throws -> KubeObject { KubeObject(try JSON.decode(json)) }

    static let configMap = GroupVersionKind(group: "", version: "v1", kind: "ConfigMap")

    @Test func versionDiscoveryAndMapping() async throws {
        let version = try await client.serverVersion()
        #expect(version.major == "1")
        let doc = try await client.discovery.document()
        #expect(doc.aggregated)
        let deployments = try await client.mapping(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(deployments.resource.resource == "deployments" && deployments.namespaced)
        let nodes = try await client.mapping(for: GroupVersionKind(group: "", version: "v1", kind: "Node"))
        #expect(!nodes.namespaced)
        await #expect(throws: KubeClientError.self) {
            try await self.client.mapping(for: GroupVersionKind(group: "nvidia.com", version: "v1", kind: "ClusterPolicy"))
        }
    }

    @Test func applyGetListDelete() async throws {
        let cm = try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"gpu-config","namespace":"default"},"data":{"replicas":"4"}}"#)
        // dryRun: nothing is stored.
        _ = try await client.apply(cm, dryRun: true)
        await #expect(throws: KubeClientError.self) { try await self.client.get(Self.configMap, name: "gpu-config", namespace: "default") }

        let applied = try await client.apply(cm)
        #expect(applied.name == "gpu-config" && applied.resourceVersion != nil)
        let fetched = try await client.get(Self.configMap, name: "gpu-config", namespace: "default")
        #expect(fetched.value.member("data")?.member("replicas")?.asString == "4")
        // Managed by our field manager.
        let managers = fetched.value.member("metadata")?.member("managedFields")?.asArray?.compactMap { $0.member("manager")?.asString }
        #expect(managers?.contains("platform") == true)

        for i in 0..<5 {
            _ = try await client.create(try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"page-\#(i)","labels":{"set":"paged"}}}"#))
        }
        let duplicate = try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"page-0"}}"#)
        do {
            _ = try await client.create(duplicate)
            Issue.record("expected AlreadyExists")
        } catch {
            #expect(error.apiError?.reason == .alreadyExists)
        }
        let list = try await client.list(Self.configMap, namespace: "default", labelSelector: "set=paged", pageSize: 2)
        #expect(list.items.compactMap(\.name).sorted() == (0..<5).map { "page-\($0)" })
        #expect(!list.resourceVersion.isEmpty)

        let deleted = try await client.delete(Self.configMap, name: "gpu-config", namespace: "default",
                                              propagationPolicy: .background)
        if case .deleting = deleted { Issue.record("a ConfigMap has no finalizers") }
        do {
            _ = try await client.get(Self.configMap, name: "gpu-config", namespace: "default")
            Issue.record("expected NotFound")
        } catch {
            #expect(error.apiError?.reason == .notFound)
        }
    }

    @Test func applyConflictNamesTheOtherManager() async throws {
        let mine = try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shared","namespace":"default"},"data":{"k":"mine"}}"#)
        _ = try await client.apply(mine)
        let other = KubeClient(configuration: client.configuration, requestTimeout: .seconds(10), fieldManager: "helm",
                               discoveryCacheDirectory: .some(nil), warn: { _ in })
        let theirs = try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shared","namespace":"default"},"data":{"k":"theirs"}}"#)
        do {
            _ = try await other.apply(theirs)
            Issue.record("expected a conflict")
        } catch {
            #expect(error.apiError?.reason == .conflict, "\(error)")
            #expect(error.apiError?.conflictingManagers == ["platform"], "\(error)")
        }
        let forced = try await other.apply(theirs, force: true)
        #expect(forced.value.member("data")?.member("k")?.asString == "theirs")
    }

    @Test func watchSeesChangesAndBookmarks() async throws {
        let gvk = Self.configMap
        let mapping = try await client.mapping(for: gvk)
        let events = client.watch(mapping, namespace: "watched", timeoutSeconds: 30)
        var seen: [String] = []
        var sawBookmark = false
        var created = false
        for try await event in events {
            switch event {
            case .relisted(let items, _):
                seen.append("relisted \(items.count)")
                if !created {
                    created = true
                    _ = try await client.apply(try object(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"watched"}}"#))
                    _ = try await client.apply(try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w","namespace":"watched"},"data":{"a":"1"}}"#))
                    _ = try await client.apply(try object(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w","namespace":"watched"},"data":{"a":"2"}}"#))
                    _ = try await client.delete(mapping, name: "w", namespace: "watched")
                }
            case .added(let o): seen.append("added \(o.name ?? "")")
            case .modified(let o): seen.append("modified \(o.name ?? "")")
            case .deleted(let o): seen.append("deleted \(o.name ?? "")")
            case .bookmark: sawBookmark = true
            }
            if seen.last == "deleted w" && sawBookmark { break }
            if seen.count > 20 { break }
        }
        #expect(seen == ["relisted 0", "added w", "modified w", "deleted w"])
        #expect(sawBookmark)
    }

    @Test func statusSubresourceAndLogs() async throws {
        _ = try await client.apply(try object(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"smoke","namespace":"default"},"spec":{"containers":[{"name":"cuda","image":"nvidia/cuda:13.0.0-base-ubuntu24.04"}]}}"#))
        let status = try await client.applyStatus(try object(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"smoke","namespace":"default"},"status":{"phase":"Succeeded"}}"#), force: true)
        #expect(status.value.member("status")?.member("phase")?.asString == "Succeeded")
        var lines: [String] = []
        for try await line in try await client.logs(pod: "smoke", namespace: "default", container: "cuda") { lines.append(line) }
        #expect(!lines.isEmpty)
    }
}
