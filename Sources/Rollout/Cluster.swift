import Foundation
import KubeClient
import KubeModel
import KubeSim
import Planning
import Synchronization

/// Time for waits and leases; tests pass `SimulatedClock` so nothing really sleeps.
public protocol RolloutClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

public struct WallClock: RolloutClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// Sleeping advances virtual time at once (and the simulator's clock, when given).
public final class SimulatedClock: RolloutClock {
    let current: Mutex<Date>
    let sim: ManualClock?
    let advance: (@Sendable (Double) async -> Void)?
    /// - Parameters:
    ///   - sim: the simulator's clock, moved along with ours.
    ///   - advance: called after each sleep (runs the simulated world's controllers).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600), following sim: ManualClock? = nil,
                advance: (@Sendable (Double) async -> Void)? = nil) {
        current = Mutex(sim?.now() ?? start)
        self.sim = sim
        self.advance = advance
    }
    public func now() -> Date { current.withLock { $0 } }
    public func sleep(for duration: Duration) async throws {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        current.withLock { $0 += seconds }
        sim?.advance(by: seconds)
        if let advance { await advance(seconds) }
        await Task.yield()
    }
}

/// Every failure of a rollout: the stage, the object and what to do.
public struct RolloutError: Error, Sendable, CustomStringConvertible {
    public var stage: String?
    public var object: String?
    public var message: String
    public var remedy: String?
    public init(stage: String? = nil, object: String? = nil, message: String, remedy: String? = nil) {
        self.stage = stage
        self.object = object
        self.message = message
        self.remedy = remedy
    }
    public var description: String {
        var parts: [String] = []
        if let stage { parts.append("stage \(stage)") }
        if let object { parts.append(object) }
        var text = (parts.isEmpty ? "" : parts.joined(separator: ": ") + ": ") + message
        if let remedy { text += "\n  remedy: \(remedy)" }
        return text
    }
}

/// The cluster as the rollout sees it: KubeClient over libcurl (a real cluster) or over
/// `SimTransport` (the in-process simulator). One code path for both.
public struct Cluster: Sendable {
    public let client: KubeClient
    public let sim: KubeSim?

    public init(client: KubeClient, sim: KubeSim? = nil) {
        self.client = client
        self.sim = sim
    }

    /// An in-process simulator with the given nodes (`2xH100-80GB,1xcpu`).
    public static func simulated(_ sim: KubeSim, clock: any RetryClock = InstantRetryClock()) -> Cluster {
        let config = ClientConfiguration(server: SimTransport.serverURL)
        let client = KubeClient(configuration: config, transport: SimTransport(sim: sim), clock: clock,
                                discoveryCacheDirectory: .some(nil))
        return Cluster(client: client, sim: sim)
    }

    static func gvk(_ ref: ObjectRef) -> GroupVersionKind {
        GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind) ?? GroupVersionKind(group: "", version: "v1", kind: ref.kind)
    }

    /// False when discovery does not know the kind (CRD absent).
    public func serves(_ ref: ObjectRef) async throws(RolloutError) -> Bool {
        do {
            _ = try await client.mapping(for: Self.gvk(ref))
            return true
        } catch {
            if case .unknownKind = error { return false }
            throw RolloutError(object: ref.description, message: "discovery: \(error)")
        }
    }

    /// Every served `apiVersion/kind`, from discovery (`refresh` re-reads it from the server).
    public func servedKinds(refresh: Bool) async throws(RolloutError) -> Set<String> {
        let document: DiscoveryDocument
        do { document = try await client.discovery.document(refresh: refresh) } catch {
            throw RolloutError(message: "discovery: \(error)")
        }
        var out = Set<String>()
        for group in document.groups {
            for (version, resources) in group.resources {
                let apiVersion = group.name.isEmpty ? version : "\(group.name)/\(version)"
                for r in resources { out.insert(apiVersion + "/" + r.kind) }
            }
        }
        return out
    }

    /// nil when absent (or its kind is not served).
    public func get(_ ref: ObjectRef) async throws(RolloutError) -> JSONValue? {
        do {
            return try await client.get(Self.gvk(ref), name: ref.name, namespace: ref.namespace.isEmpty ? nil : ref.namespace).value
        } catch {
            if case .unknownKind = error { return nil }
            if error.apiError?.reason == .notFound { return nil }
            throw RolloutError(object: ref.description, message: "get: \(error)")
        }
    }

    public func list(apiVersion: String, kind: String, namespace: String? = nil, labelSelector: String? = nil) async throws(RolloutError) -> [JSONValue] {
        let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind) ?? GroupVersionKind(group: "", version: "v1", kind: kind)
        do {
            return try await client.list(gvk, namespace: namespace, labelSelector: labelSelector).items.map(\.value)
        } catch {
            if case .unknownKind = error { return [] }
            if error.apiError?.reason == .notFound { return [] }
            throw RolloutError(object: "\(kind) list", message: "\(error)")
        }
    }

    /// Lists a group-kind at its preferred version (prune sees objects whatever version made them).
    public func list(_ gk: GroupKind, labelSelector: String) async throws(RolloutError) -> [JSONValue] {
        let document: DiscoveryDocument
        do { document = try await client.discovery.document() } catch {
            throw RolloutError(message: "discovery: \(error)")
        }
        guard let version = document.preferredVersion(of: gk) else { return [] }
        return try await list(apiVersion: GroupVersion(group: gk.group, version: version).apiVersion, kind: gk.kind,
                              labelSelector: labelSelector)
    }

    public func apply(_ object: JSONValue, force: Bool = false, dryRun: Bool = false) async throws(KubeClientError) -> JSONValue {
        try await client.apply(KubeObject(object), force: force, dryRun: dryRun).value
    }

    public func delete(_ ref: ObjectRef, propagation: PropagationPolicy? = .background) async throws(RolloutError) {
        do {
            _ = try await client.delete(Self.gvk(ref), name: ref.name, namespace: ref.namespace.isEmpty ? nil : ref.namespace,
                                        propagationPolicy: propagation)
        } catch {
            if case .unknownKind = error { return }
            if error.apiError?.reason == .notFound { return }
            throw RolloutError(object: ref.description, message: "delete: \(error)")
        }
    }

    public func logs(pod: String, namespace: String) async -> String {
        do {
            var text = ""
            for try await line in try await client.logs(pod: pod, namespace: namespace) { text += line + "\n" }
            return text
        } catch {
            return "(logs unavailable: \(error))"
        }
    }

    public func invalidateDiscovery() async { await client.discovery.invalidate() }
}

extension DiscoveryDocument {
    /// The first served version of a group-kind (discovery lists preferred first).
    func preferredVersion(of gk: GroupKind) -> String? {
        for group in groups where group.name == gk.group {
            for version in group.versions where (group.resources[version] ?? []).contains(where: { $0.kind == gk.kind }) {
                return version
            }
        }
        return nil
    }
}

/// Client retries against the in-process simulator: no real waiting (the rollout's own
/// clock does the waiting, and moves the simulated world while it does).
public struct InstantRetryClock: RetryClock {
    public init() {}
    public var now: ContinuousClock.Instant { ContinuousClock.now }
    public func sleep(for duration: Duration) async throws { await Task.yield() }
}
