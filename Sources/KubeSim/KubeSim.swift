import Foundation
import KubeModel

/// Options for a simulated cluster.
public struct KubeSimOptions: Sendable {
    public var nodes: [NodeSpec]
    public var clock: any SimClock
    /// How often watches that allow bookmarks get one.
    public var bookmarkInterval: Duration
    /// How many change events are kept for watches that resume from a resourceVersion.
    public var historyLimit: Int
    /// The address put into discovery's serverAddressByClientCIDRs.
    public var serverAddress: String
    /// Text a pod's log returns; nil uses the built-in line per container.
    public var podLog: (@Sendable (_ namespace: String, _ pod: String, _ container: String) -> String)?
    /// API faults to inject (see `FaultPlan`); nil or empty for none.
    public var faults: FaultPlan?
    /// The version `/version` and the nodes report, e.g. "1.34.1" (also gates DRA v1).
    public var kubernetesVersion: String = "1.34.1"
    /// The simulated world (controllers, scheduler, GPU stack); nil keeps the bare API server.
    public var world: WorldOptions?

    public init(nodes: [NodeSpec] = [], clock: any SimClock = SystemClock(), bookmarkInterval: Duration = .seconds(1),
                historyLimit: Int = 20_000, serverAddress: String = "127.0.0.1:6443",
                podLog: (@Sendable (String, String, String) -> String)? = nil)
    {
        self.nodes = nodes
        self.clock = clock
        self.bookmarkInterval = bookmarkInterval
        self.historyLimit = historyLimit
        self.serverAddress = serverAddress
        self.podLog = podLog
    }
}

/// A change to a stored object, as watches and reaction hooks see it.
public struct ChangeEvent: Sendable {
    public enum Kind: String, Sendable { case added = "ADDED", modified = "MODIFIED", deleted = "DELETED" }
    public var kind: Kind
    public var resource: GroupResource
    public var object: JSONValue
    public var oldObject: JSONValue?
    public var resourceVersion: Int64
}

struct StoredObject: Sendable {
    var object: JSONValue
    var json: [UInt8]
}

/// The simulated Kubernetes API server: storage, the REST verbs, discovery, OpenAPI and
/// watches. Drive it in-process with `handle(_:)` or put it behind `KubeSimServer`.
public actor KubeSim {
    let options: KubeSimOptions
    /// The fault injector when `options.faults` asks for faults.
    public nonisolated let faults: FaultInjector?
    var registry = ResourceRegistry()
    var store: [GroupResource: [ObjectKey: StoredObject]] = [:]
    var resourceVersion: Int64 = 1
    var history: [ChangeEvent] = []
    var historyStart = 0
    var watchers: [Int: Watcher] = [:]
    var nextWatcherID = 0
    /// owner uid → dependents, for garbage collection.
    var dependents: [String: Set<ObjectRef>] = [:]
    var reactions: [@Sendable (ChangeEvent) async -> Void] = []
    var dirty = false
    var world = WorldState()

    struct ObjectRef: Hashable, Sendable {
        var resource: GroupResource
        var key: ObjectKey
    }

    public init(options: KubeSimOptions = KubeSimOptions()) async {
        self.options = options
        self.faults = options.faults.flatMap { $0.isEmpty ? nil : FaultInjector(plan: $0) }
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? createInternal(GroupResource(group: "", resource: "namespaces"),
                                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        _ = try? createInternal(GroupResource(group: "", resource: "services"), [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": ["clusterIP": "10.96.0.1", "type": "ClusterIP",
                     "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]]],
        ])
        // Load the built-in schemas now rather than inside the first write (BuiltinSchema.swift).
        BuiltinSchema.prepare(kubernetesVersion: options.kubernetesVersion)
        for node in NodeSpec.nodeObjects(options.nodes, now: Timestamps.rfc3339(options.clock.now()),
                                         version: options.kubernetesVersion)
        {
            _ = try? createInternal(GroupResource(group: "", resource: "nodes"), node)
        }
        if var w = options.world {
            if let extra = options.faults?.world {
                w.faults.nodeNotReady += extra.nodeNotReady
                w.faults.imagePull += extra.imagePull
                w.faults.webhookDown += extra.webhookDown
                w.faults.stuckRollouts += extra.stuckRollouts
            }
            startWorld(w)
        }
    }

    /// Registers a hook called after every committed change (the seam for controllers
    /// such as the GPU world simulation).
    public func addReaction(_ reaction: @escaping @Sendable (ChangeEvent) async -> Void) {
        reactions.append(reaction)
    }

    /// The current resourceVersion of the whole store.
    public var currentResourceVersion: Int64 { resourceVersion }

    // MARK: - Request entry point

    public func handle(_ request: KubeRequest) async -> KubeResponse {
        if let faults {
            if faults.plan.latency > .zero { try? await Task.sleep(for: faults.plan.latency) }
            if let injected = faults.response(for: request) { return injected }
        }
        do {
            return try await route(request)
        } catch {
            return error.response
        }
    }

    func route(_ req: KubeRequest) async throws(APIError) -> KubeResponse {
        var segments = req.path.split(separator: "/").map(String.init)
        switch segments.first {
        case nil:
            return .json(200, ["paths": .array((["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3",
                                                "/readyz", "/version"] + registry.groupVersions.filter { !$0.group.isEmpty }
                    .map { "/apis/\($0.group)/\($0.version)" }).map { .string($0) })])
        case "version"?:
            return .json(200, versionInfo)
        case "healthz"?, "readyz"?, "livez"?:
            return .text(200, "ok")
        case "openapi"?:
            return try openAPI(Array(segments.dropFirst()), req)
        case "api"?:
            segments.removeFirst()
            if segments.isEmpty { return discoveryCore(req) }
            let version = segments.removeFirst()
            guard version == "v1" else { throw APIError.pathNotFound }
            if segments.isEmpty { return try resourceList(GroupVersion(group: "", version: version)) }
            return try await resourceRequest(GroupVersion(group: "", version: version), segments, req)
        case "apis"?:
            segments.removeFirst()
            if segments.isEmpty { return discoveryGroups(req) }
            let group = segments.removeFirst()
            if segments.isEmpty { return try discoveryGroup(group) }
            let version = segments.removeFirst()
            if segments.isEmpty { return try resourceList(GroupVersion(group: group, version: version)) }
            return try await resourceRequest(GroupVersion(group: group, version: version), segments, req)
        default:
            throw APIError.pathNotFound
        }
    }

    var versionInfo: JSONValue {
        let parts = options.kubernetesVersion.split(separator: ".").map(String.init)
        let major = parts.first ?? "1", minor = parts.count > 1 ? parts[1] : "34", patch = parts.count > 2 ? parts[2] : "0"
        let prevMinor = String(max(0, (Int(minor) ?? 34) - 1))
        return [
            "major": .string(major), "minor": .string(minor), "emulationMajor": .string(major), "emulationMinor": .string(minor),
            "minCompatibilityMajor": .string(major), "minCompatibilityMinor": .string(prevMinor),
            "gitVersion": .string("v\(major).\(minor).\(patch)"), "gitCommit": "kubesim", "gitTreeState": "clean",
            "buildDate": "2025-09-09T00:00:00Z", "goVersion": "go1.24.6", "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    // MARK: - Resource routing

    struct Target {
        var info: ResourceInfo
        var namespace: String?
        var name: String?
        var subresource: String?
        var gr: GroupResource { info.groupResource }
    }

    func resourceRequest(_ gv: GroupVersion, _ segs: [String], _ req: KubeRequest) async throws(APIError) -> KubeResponse {
        var namespace: String?
        var rest = segs[...]
        if rest.first == "namespaces", rest.count >= 3, !(gv.group.isEmpty && rest.count == 3 && ["status", "finalize"].contains(rest[rest.startIndex + 2])) {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let plural = rest.popFirst(), let info = registry.lookup(group: gv.group, version: gv.version, plural: plural) else {
            throw APIError.pathNotFound
        }
        let name = rest.popFirst()
        let sub = rest.popFirst()
        if !rest.isEmpty { throw APIError.pathNotFound }
        if namespace != nil && !info.namespaced { throw APIError.pathNotFound }
        if let sub {
            let allowed = (sub == "status" && info.hasStatus) || (sub == "scale" && info.hasScale) || (sub == "log" && info.hasLog)
                || (sub == "finalize" && info.plural == "namespaces")
            if !allowed { throw APIError.pathNotFound }
        }
        let t = Target(info: info, namespace: namespace, name: name, subresource: sub)
        if info.namespaced && namespace == nil && name != nil { throw APIError.pathNotFound }
        if req.method != "GET" && req.method != "HEAD" { try checkWebhooks(t, req) }

        switch req.method {
        case "GET", "HEAD":
            if name == nil {
                if req.queryBool("watch") { return try watch(t, req) }
                return try list(t, req)
            }
            if sub == "log" { return try podLog(t, req) }
            if sub == "scale" { return try getScale(t) }
            return try get(t, req)
        case "POST":
            guard name == nil else { throw APIError.methodNotSupported(info.groupResource, "create") }
            return try create(t, req)
        case "PUT":
            guard name != nil else { throw APIError.methodNotSupported(info.groupResource, "update") }
            if sub == "scale" { return try updateScale(t, req, patch: nil) }
            return try update(t, req)
        case "PATCH":
            guard name != nil else { throw APIError.methodNotSupported(info.groupResource, "patch") }
            if sub == "scale" { return try updateScale(t, req, patch: req) }
            return try patch(t, req)
        case "DELETE":
            if name == nil { return try deleteCollection(t, req) }
            return try delete(t, req)
        default:
            throw APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
        }
    }

    // MARK: - Storage primitives

    func stored(_ gr: GroupResource, _ key: ObjectKey) -> StoredObject? { store[gr]?[key] }

    func namespaceKey(_ info: ResourceInfo, _ ns: String?) -> String { info.namespaced ? (ns ?? "") : "" }

    /// Writes an object (metadata already final except resourceVersion) and notifies watchers.
    @discardableResult
    func commit(_ gr: GroupResource, _ object: JSONValue, old: JSONValue?) -> JSONValue {
        resourceVersion += 1
        var obj = object
        obj.set(path: ["metadata", "resourceVersion"], to: .string(String(resourceVersion)))
        let u = Unstructured(obj)
        let key = u.key
        store[gr, default: [:]][key] = StoredObject(object: obj, json: obj.encoded())
        updateOwnerIndex(gr, key, old: old, new: obj)
        record(ChangeEvent(kind: old == nil ? .added : .modified, resource: gr, object: obj, oldObject: old,
                           resourceVersion: resourceVersion))
        return obj
    }

    func remove(_ gr: GroupResource, _ key: ObjectKey) -> JSONValue? {
        guard let s = store[gr]?.removeValue(forKey: key) else { return nil }
        resourceVersion += 1
        var obj = s.object
        obj.set(path: ["metadata", "resourceVersion"], to: .string(String(resourceVersion)))
        updateOwnerIndex(gr, key, old: s.object, new: nil)
        record(ChangeEvent(kind: .deleted, resource: gr, object: obj, oldObject: s.object, resourceVersion: resourceVersion))
        return obj
    }

    func updateOwnerIndex(_ gr: GroupResource, _ key: ObjectKey, old: JSONValue?, new: JSONValue?) {
        let ref = ObjectRef(resource: gr, key: key)
        func owners(_ v: JSONValue?) -> [String] {
            v?["metadata"]?["ownerReferences"]?.arrayValue?.compactMap { $0["uid"]?.stringValue } ?? []
        }
        for uid in owners(old) { dependents[uid]?.remove(ref) }
        for uid in owners(new) { dependents[uid, default: []].insert(ref) }
    }

    func record(_ event: ChangeEvent) {
        dirty = true
        history.append(event)
        if history.count - historyStart > options.historyLimit {
            historyStart += 1
            if historyStart > 4096 {
                history.removeFirst(historyStart)
                historyStart = 0
            }
        }
        dispatch(event)
        for r in reactions {
            Task { await r(event) }
        }
    }

    var now: String { Timestamps.rfc3339(options.clock.now()) }
}

extension Error {
    var response: KubeResponse {
        if let e = self as? APIError { return e.response }
        return APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(self)").response
    }
}
