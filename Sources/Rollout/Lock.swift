import Foundation
import KubeClient
import KubeModel
import Planning
import Synchronization

/// A coordination.k8s.io Lease in kube-system that keeps two applies of one profile apart.
/// A lease past `renewTime + leaseDurationSeconds` is stale and taken over.
public final class LeaseLock: Sendable {
    let cluster: Cluster
    let clock: any RolloutClock
    let name: String
    let holder: String
    let seconds: Int
    /// When we last wrote the lease (so waits know when to renew).
    let renewed = Mutex(Date.distantPast)

    public init(cluster: Cluster, clock: any RolloutClock, name: String, holder: String, seconds: Int) {
        self.cluster = cluster
        self.clock = clock
        self.name = name
        self.holder = holder
        self.seconds = seconds
    }

    public func lastRenewed() -> Date { renewed.withLock { $0 } }

    var ref: ObjectRef { ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: ApplySet.parentNamespace, name: name) }

    static func microTime(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
    static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        return ISO8601DateFormatter().date(from: s)
    }

    func body(resourceVersion: String?) -> JSONValue {
        renewed.withLock { $0 = clock.now() }
        return bodyValue(resourceVersion: resourceVersion)
    }

    func bodyValue(resourceVersion: String?) -> JSONValue {
        var meta: JSONObject = ["name": .string(name), "namespace": .string(ApplySet.parentNamespace)]
        if let resourceVersion { meta["resourceVersion"] = .string(resourceVersion) }
        return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": .object(meta),
                "spec": ["holderIdentity": .string(holder), "leaseDurationSeconds": .int(Int64(seconds)),
                         "renewTime": .string(Self.microTime(clock.now()))]]
    }

    public func acquire() async throws(RolloutError) {
        if let live = try await cluster.get(ref) {
            let owner = live[path: ["spec", "holderIdentity"]]?.stringValue ?? ""
            let renewed = live[path: ["spec", "renewTime"]]?.stringValue.flatMap(Self.parse) ?? .distantPast
            let duration = Double(live[path: ["spec", "leaseDurationSeconds"]]?.intValue ?? Int64(seconds))
            if owner != holder, !owner.isEmpty, clock.now() < renewed.addingTimeInterval(duration), !Self.holderIsDead(owner) {
                throw RolloutError(object: ref.description,
                                   message: "another apply holds the lock (holder \(owner), renewed \(Self.microTime(renewed)))",
                                   remedy: "wait for it to finish; a lock not renewed for \(Int(duration))s is taken over")
            }
            // Apply with resourceVersion set is a precondition: two takers of a stale lock cannot both win.
            do { _ = try await cluster.apply(body(resourceVersion: live[path: ["metadata", "resourceVersion"]]?.stringValue), force: true) } catch {
                throw RolloutError(object: ref.description, message: "lost the race for the lock: \(error)")
            }
            return
        }
        do { _ = try await cluster.client.create(KubeObject(body(resourceVersion: nil))) } catch {
            throw RolloutError(object: ref.description, message: "could not take the lock: \(error)",
                               remedy: error.apiError?.reason == .alreadyExists ? "another apply started at the same moment; retry" : nil)
        }
    }

    /// A holder `host:pid` on this host whose process is gone (an interrupted apply) holds nothing.
    static func holderIsDead(_ owner: String, host: String = ProcessInfo.processInfo.hostName) -> Bool {
        guard let colon = owner.lastIndex(of: ":"), String(owner[..<colon]) == host,
              let pid = Int32(owner[owner.index(after: colon)...]), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    public func renew() async throws(RolloutError) {
        guard let live = try await cluster.get(ref) else { return try await acquire() }
        do { _ = try await cluster.apply(body(resourceVersion: live[path: ["metadata", "resourceVersion"]]?.stringValue), force: true) } catch {
            throw RolloutError(object: ref.description, message: "could not renew the lock: \(error)")
        }
    }

    public func release() async {
        guard let live = try? await cluster.get(ref), live[path: ["spec", "holderIdentity"]]?.stringValue == holder else { return }
        try? await cluster.delete(ref, propagation: nil)
    }
}

/// The per-stage record kept in the ApplySet parent ConfigMap's data: phase, digest of the
/// applied objects, gate result, times. `apply` resumes from it; `status` prints it.
public struct StageRecord: Sendable {
    let cluster: Cluster
    let parent: ApplySetParent
    var ref: ObjectRef { ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: parent.namespace, name: parent.name) }

    public init(cluster: Cluster, parent: ApplySetParent) {
        self.cluster = cluster
        self.parent = parent
    }

    public func read() async throws(RolloutError) -> [String: String] {
        guard let cm = try await cluster.get(ref), let data = cm["data"]?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for m in data { out[m.key] = m.value.stringValue }
        return out
    }

    public func write(members: [ObjectRef], _ record: [String: String]) async throws(RolloutError) {
        // The KEP's contains-group-kinds only grows while an apply runs, so an interrupted
        // prune can still find everything; it shrinks to the rendered set once applied.
        var kinds = members
        if let cm = try await cluster.get(ref), record["phase"] == "applying" || record["phase"] == "failed",
           let listed = cm[path: ["metadata", "annotations", ApplySet.groupKindsAnnotation]]?.stringValue {
            kinds += ApplySet.parseGroupKinds(listed).map { ObjectRef(apiVersion: $0.group.isEmpty ? "v1" : "\($0.group)/v1", kind: $0.kind, name: "x") }
        }
        let object = ApplySet.parentObject(parent, members: kinds, record: record)
        do { _ = try await cluster.apply(object, force: true) } catch {
            throw RolloutError(object: ref.description, message: "could not write the stage record: \(error)")
        }
    }
}
