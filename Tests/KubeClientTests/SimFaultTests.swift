import Foundation
import KubeModel
import KubeSim
import Testing
@testable import KubeClient

/// KubeClient against a KubeSim that injects API faults (deterministic seeds): retries
/// ride out 500/503/429 and connection resets; watches reconnect after dropped streams
/// and relist after 410 Gone.
@Suite(.serialized) struct SimFaultTests {
    struct Harness {
        let directory: URL
        let sim: KubeSim
        let server: KubeSimServer
        let serving: Task<Void, Never>
        let client: KubeClient

        init(_ faults: FaultPlan, historyLimit: Int = 20_000, retry: RetryPolicy) async throws {
            directory = try temporaryDirectory("kubeclient-faults")
            var options = KubeSimOptions(bookmarkInterval: .seconds(30), historyLimit: historyLimit)
            options.faults = faults
            sim = await KubeSim(options: options)
            server = try await KubeSimServer(sim: sim, port: 0)
            let s = server
            serving = Task { try? await s.run() }
            let kubeconfig = directory.appendingPathComponent("kubeconfig")
            try write(KubeSim.kubeconfig(server: server.url), to: kubeconfig)
            let config = try ClientConfiguration.load(ConfigurationOptions(kubeconfigPath: kubeconfig.path))
            client = KubeClient(configuration: config, retryPolicy: retry, requestTimeout: .seconds(10),
                                discoveryCacheDirectory: .some(directory.appendingPathComponent("discovery")), warn: { _ in })
        }

        func stop() async {
            await server.stop()
            serving.cancel()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static let fastRetry = RetryPolicy(maxAttempts: 8, maxElapsed: .seconds(20), initialDelay: .milliseconds(5),
                                       factor: 2, maxDelay: .milliseconds(50), jitter: 0.2)

    func configMap(_ name: String, _ value: String) throws -> KubeObject {
        KubeObject(try JSON.decode(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","namespace":"default"},"data":{"v":"\#(value)"}}"#))
    }

    @Test func retriesRideOutServerErrorsThrottlingAndResets() async throws {
        var plan = FaultPlan()
        plan.errorRate = 0.25
        plan.throttleRate = 0.1
        plan.retryAfterSeconds = 0
        plan.resetRate = 0.1
        plan.seed = 42
        let h = try await Harness(plan, retry: Self.fastRetry)
        let mapping = try await h.client.mapping(for: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"))
        for i in 0..<40 {
            _ = try await h.client.apply(try configMap("cm-\(i)", "\(i)"))
        }
        for i in 0..<40 {
            let got = try await h.client.get(mapping, name: "cm-\(i)", namespace: "default")
            #expect(got.value.member("data")?.member("v")?.asString == "\(i)")
        }
        let counts = h.sim.faults?.counts
        #expect((counts?.errors ?? 0) > 0)
        #expect((counts?.throttles ?? 0) > 0)
        #expect((counts?.resets ?? 0) > 0)
        await h.stop()
    }

    @Test func withoutRetriesTheFaultsSurfaceAsTypedErrors() async throws {
        var plan = FaultPlan()
        plan.errorRate = 1
        let h = try await Harness(plan, retry: .none)
        await #expect(throws: KubeClientError.self) {
            _ = try await h.client.apply(try configMap("never", "x"))
        }
        await h.stop()
    }

    @Test func watchReconnectsAfterDroppedStreamsAndRelistsAfterGone() async throws {
        var plan = FaultPlan()
        plan.watchDropAfter = 2
        let h = try await Harness(plan, historyLimit: 3, retry: Self.fastRetry)
        let mapping = try await h.client.mapping(for: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"))
        let events = h.client.watch(mapping, namespace: "default", timeoutSeconds: 30, maxReconnects: 50)
        var names = Set<String>()
        var relists = 0
        var wrote = false
        for try await event in events {
            switch event {
            case .relisted(let items, _):
                relists += 1
                for o in items { if let n = o.name { names.insert(n) } }
                if !wrote {
                    wrote = true
                    // More changes than the server keeps (3) and than a stream survives (2).
                    for i in 0..<8 { _ = try await h.client.apply(try configMap("w-\(i)", "\(i)")) }
                }
            case .added(let o), .modified(let o):
                if let n = o.name { names.insert(n) }
            case .deleted, .bookmark: break
            }
            if names.count == 8 { break }
        }
        #expect(names == Set((0..<8).map { "w-\($0)" }))
        #expect((h.sim.faults?.counts.watchDrops ?? 0) > 0)
        #expect(relists >= 1)
        await h.stop()
    }
}
