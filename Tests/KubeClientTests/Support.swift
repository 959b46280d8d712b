import Foundation
import KubeModel
@testable import KubeClient

/// A fresh temporary directory per test, removed by the caller's `defer`.
func temporaryDirectory(_ label: String = "kubeclient") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to url: URL, mode: Int? = nil) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path) }
}

/// A clock that never waits: sleeping advances it and records the delay.
final class FakeClock: RetryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Duration = .zero
    private var _sleeps: [Duration] = []
    let start = ContinuousClock.now
    var now: ContinuousClock.Instant { lock.withLock { start + offset } }
    var sleeps: [Duration] { lock.withLock { _sleeps } }
    func sleep(for duration: Duration) async throws {
        lock.withLock {
            _sleeps.append(duration)
            offset += duration
        }
    }
}

func statusJSON(code: Int, reason: String, message: String, details: String = "{}") -> String {
    #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","details":\#(details),"code":\#(code)}"#
}

func testClient(_ transport: RecordedTransport, retry: RetryPolicy = .default, clock: FakeClock = FakeClock(),
                credentials: Credentials = .bearerToken("s3cr3t-token"), namespace: String = "default") -> KubeClient {
    let config = ClientConfiguration(server: URL(string: "https://k8s.example:6443")!, credentials: credentials,
                                     namespace: namespace)
    return KubeClient(configuration: config, transport: transport, retryPolicy: retry, clock: clock,
                      discoveryCacheDirectory: .some(nil), warn: { _ in })
}

let deploymentsMapping = RESTMapping(kind: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
                                     resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"),
                                     namespaced: true)
let configMapsMapping = RESTMapping(kind: GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
                                    resource: GroupVersionResource(group: "", version: "v1", resource: "configmaps"),
                                    namespaced: true)
