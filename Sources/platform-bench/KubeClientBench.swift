import Foundation
import KubeClient
import KubeModel
import KubeSim
import KubeModel

/// KubeClient section: requests per second for get and server-side apply over the
/// libcurl transport against KubeSim's loopback HTTP server, in the same process
/// (so the simulator's CPU time is in the numbers too).
enum KubeClientBench {
    static func run(requests: Int = 2000, concurrency: Int = 8) async {
        do {
            let sim = await KubeSim(options: KubeSimOptions())
            let server = try await KubeSimServer(sim: sim, port: 0)
            let serving = Task { try? await server.run() }
            defer { serving.cancel() }
            let config = ClientConfiguration(server: URL(string: server.url)!)
            let client = KubeClient(configuration: config, discoveryCacheDirectory: .some(nil), warn: { _ in })
            let mapping = try await client.mapping(for: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"))
            @Sendable func configMap(_ i: Int, _ generation: Int) -> KubeObject {
                KubeObject(.object(JSONObject([
                    ("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                    ("metadata", .object(JSONObject([("name", .string("bench-\(i % 100)")), ("namespace", .string("default"))]))),
                    ("data", .object(JSONObject([("generation", .string(String(generation))), ("payload", .string(String(repeating: "x", count: 200)))]))),
                ])))
            }
            for i in 0..<100 { _ = try await client.apply(configMap(i, 0), mapping: mapping) }

            print("kubeclient: \(requests) requests each against KubeSim over loopback HTTP/1.1 (libcurl, in-process simulator)")
            for (label, parallel) in [("sequential", 1), ("\(concurrency) concurrent", concurrency)] {
                let get = try await measure(requests: requests, parallel: parallel) { i in
                    _ = try await client.get(mapping, name: "bench-\(i % 100)", namespace: "default")
                }
                let apply = try await measure(requests: requests, parallel: parallel) { i in
                    _ = try await client.apply(configMap(i, i), mapping: mapping)
                }
                print(String(format: "kubeclient: %@  get %.0f req/s   apply %.0f req/s", label, get, apply))
            }
            let stats = CurlTransport.statistics
            print("kubeclient: libcurl opened \(stats.connections) connections for \(stats.transfers) requests")
            await server.stop()
        } catch {
            print("kubeclient: failed: \(error)")
        }
    }

    static func measure(requests: Int, parallel: Int,
                        _ body: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<parallel {
                group.addTask {
                    var i = worker
                    while i < requests {
                        try await body(i)
                        i += parallel
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(requests) / seconds
    }
}
