import Foundation
import KubeModel
import KubeModel

/// A Kubernetes API client: typed errors, retries, discovery-backed REST mapping,
/// server-side apply, list/watch and logs, over any `HTTPTransport`.
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    public let discovery: Discovery
    /// The field manager for server-side apply.
    public let fieldManager: String
    let executor: RequestExecutor

    /// - Parameters:
    ///   - transport: nil builds a `CurlTransport` from the configuration's TLS settings.
    ///   - warn: receives warnings (insecure TLS) once; default prints to standard error.
    public init(configuration: ClientConfiguration, transport: (any HTTPTransport)? = nil,
                retryPolicy: RetryPolicy = .default, clock: any RetryClock = SystemRetryClock(),
                requestTimeout: Duration? = nil, fieldManager: String = "platform",
                discoveryCacheDirectory: URL?? = .none, discoveryTTL: Duration = .seconds(6 * 3600),
                environment: [String: String] = ProcessInfo.processInfo.environment,
                tokenFileRefresh: Duration = .seconds(60),
                warn: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.configuration = configuration
        self.fieldManager = fieldManager
        for warning in configuration.warnings { warn(warning) }
        let transport = transport ?? CurlTransport(tls: configuration.tls)
        executor = RequestExecutor(server: configuration.server, transport: transport,
                                   authenticator: Authenticator(credentials: configuration.credentials,
                                                                tokenFileRefresh: tokenFileRefresh, environment: environment),
                                   retryPolicy: retryPolicy, clock: clock, requestTimeout: requestTimeout)
        let cacheDirectory: URL?
        switch discoveryCacheDirectory {
        case .none: cacheDirectory = Discovery.defaultCacheDirectory(server: configuration.server, environment: environment)
        case .some(let explicit): cacheDirectory = explicit
        }
        discovery = Discovery(executor: executor, cacheDirectory: cacheDirectory, ttl: discoveryTTL)
    }

    // MARK: server

    public func serverVersion() async throws(KubeClientError) -> ServerVersion {
        let value = try decode(try await executor.send("GET", "/version", kind: .idempotent), "GET /version")
        return ServerVersion(major: value.member("major")?.asString ?? "", minor: value.member("minor")?.asString ?? "",
                             gitVersion: value.member("gitVersion")?.asString ?? "",
                             platform: value.member("platform")?.asString)
    }

    public func mapping(for gvk: GroupVersionKind) async throws(KubeClientError) -> RESTMapping {
        try await discovery.mapping(for: gvk)
    }

    // MARK: reads

    public func get(_ gvk: GroupVersionKind, name: String, namespace: String? = nil) async throws(KubeClientError) -> KubeObject {
        try await get(try await mapping(for: gvk), name: name, namespace: namespace)
    }

    public func get(_ mapping: RESTMapping, name: String, namespace: String? = nil,
                    subresource: String? = nil) async throws(KubeClientError) -> KubeObject {
        var path = mapping.objectPath(name: name, namespace: resolveNamespace(mapping, namespace))
        if let subresource { path += "/\(subresource)" }
        return try object(try await executor.send("GET", path, kind: .idempotent), "GET \(path)")
    }

    /// Every object, following `continue` tokens page by page. If a token expires
    /// mid-way (410), the list restarts without paging, as client-go's pager does.
    public func list(_ gvk: GroupVersionKind, namespace: String? = nil, labelSelector: String? = nil,
                     fieldSelector: String? = nil, pageSize: Int = 500) async throws(KubeClientError) -> ObjectList {
        try await list(try await mapping(for: gvk), namespace: namespace, labelSelector: labelSelector,
                       fieldSelector: fieldSelector, pageSize: pageSize)
    }

    /// `namespace: nil` lists a namespaced resource across all namespaces.
    public func list(_ mapping: RESTMapping, namespace: String? = nil, labelSelector: String? = nil,
                     fieldSelector: String? = nil, pageSize: Int = 500) async throws(KubeClientError) -> ObjectList {
        let path = mapping.collectionPath(namespace: mapping.namespaced ? namespace : nil)
        var baseQuery: [(String, String)] = []
        if let labelSelector { baseQuery.append(("labelSelector", labelSelector)) }
        if let fieldSelector { baseQuery.append(("fieldSelector", fieldSelector)) }
        var items: [KubeObject] = []
        var token: String?
        var resourceVersion = ""
        var paging = pageSize > 0
        while true {
            var query = baseQuery
            if paging { query.append(("limit", String(pageSize))) }
            if let token { query.append(("continue", token)) }
            let response: HTTPResponse
            do {
                response = try await executor.send("GET", path, query: query, kind: .idempotent)
            } catch {
                if token != nil, error.apiError?.reason == .gone {
                    items = []
                    token = nil
                    paging = false
                    continue
                }
                throw error
            }
            let value = try decode(response, "GET \(path)")
            for item in value.member("items")?.asArray ?? [] {
                var object = KubeObject(item)
                object.fillTypeIfMissing(mapping.kind)
                items.append(object)
            }
            resourceVersion = value.member("metadata")?.member("resourceVersion")?.asString ?? resourceVersion
            token = value.member("metadata")?.member("continue")?.asString.flatMap { $0.isEmpty ? nil : $0 }
            if token == nil { break }
        }
        return ObjectList(items: items, resourceVersion: resourceVersion)
    }

    // MARK: writes

    /// POST to the collection. Retried only when the server surely did not act.
    public func create(_ object: KubeObject, dryRun: Bool = false) async throws(KubeClientError) -> KubeObject {
        let (mapping, namespace) = try await target(of: object, requireName: false)
        let path = mapping.collectionPath(namespace: namespace)
        var query = [("fieldManager", fieldManager)]
        if dryRun { query.append(("dryRun", "All")) }
        let response = try await executor.send("POST", path, query: query, headers: ["Content-Type": "application/json"],
                                               body: object.json(), kind: .create)
        return try self.object(response, "POST \(path)")
    }

    /// Server-side apply (`PATCH application/apply-patch+yaml`, `fieldManager=platform`).
    /// `force` takes ownership of fields other managers hold; without it such fields
    /// fail with a conflict naming those managers.
    public func apply(_ object: KubeObject, force: Bool = false, dryRun: Bool = false,
                      subresource: String? = nil) async throws(KubeClientError) -> KubeObject {
        let (mapping, namespace) = try await target(of: object, requireName: true)
        return try await apply(object, mapping: mapping, namespace: namespace, force: force, dryRun: dryRun,
                               subresource: subresource)
    }

    /// Apply with a known mapping (skips discovery).
    public func apply(_ object: KubeObject, mapping: RESTMapping, namespace: String? = nil, force: Bool = false,
                      dryRun: Bool = false, subresource: String? = nil) async throws(KubeClientError) -> KubeObject {
        guard let name = object.name, !name.isEmpty else {
            throw .invalidArgument("cannot apply \(object): metadata.name is required")
        }
        var path = mapping.objectPath(name: name, namespace: resolveNamespace(mapping, namespace ?? object.namespace))
        if let subresource { path += "/\(subresource)" }
        var query = [("fieldManager", fieldManager)]
        if force { query.append(("force", "true")) }
        if dryRun { query.append(("dryRun", "All")) }
        // JSON is YAML, so the apply body can be the object's JSON.
        let response = try await executor.send("PATCH", path, query: query,
                                               headers: ["Content-Type": "application/apply-patch+yaml"],
                                               body: object.json(), kind: .apply)
        return try self.object(response, "PATCH \(path)")
    }

    /// Server-side apply of the status subresource.
    public func applyStatus(_ object: KubeObject, force: Bool = false, dryRun: Bool = false) async throws(KubeClientError) -> KubeObject {
        try await apply(object, force: force, dryRun: dryRun, subresource: "status")
    }

    /// PUT the status subresource (optimistic concurrency on metadata.resourceVersion).
    public func replaceStatus(_ object: KubeObject, dryRun: Bool = false) async throws(KubeClientError) -> KubeObject {
        let (mapping, namespace) = try await target(of: object, requireName: true)
        let path = mapping.objectPath(name: object.name ?? "", namespace: namespace) + "/status"
        var query = [("fieldManager", fieldManager)]
        if dryRun { query.append(("dryRun", "All")) }
        let response = try await executor.send("PUT", path, query: query, headers: ["Content-Type": "application/json"],
                                               body: object.json(), kind: .idempotent)
        return try self.object(response, "PUT \(path)")
    }

    public func delete(_ gvk: GroupVersionKind, name: String, namespace: String? = nil,
                       propagationPolicy: PropagationPolicy? = nil, preconditions: Preconditions? = nil,
                       gracePeriodSeconds: Int? = nil, dryRun: Bool = false) async throws(KubeClientError) -> DeleteResult {
        try await delete(try await mapping(for: gvk), name: name, namespace: namespace, propagationPolicy: propagationPolicy,
                         preconditions: preconditions, gracePeriodSeconds: gracePeriodSeconds, dryRun: dryRun)
    }

    public func delete(_ mapping: RESTMapping, name: String, namespace: String? = nil,
                       propagationPolicy: PropagationPolicy? = nil, preconditions: Preconditions? = nil,
                       gracePeriodSeconds: Int? = nil, dryRun: Bool = false) async throws(KubeClientError) -> DeleteResult {
        let path = mapping.objectPath(name: name, namespace: resolveNamespace(mapping, namespace))
        var options = JSONObject([("kind", .string("DeleteOptions")), ("apiVersion", .string("v1"))])
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if let preconditions {
            var p = JSONObject()
            if let uid = preconditions.uid { p["uid"] = .string(uid) }
            if let rv = preconditions.resourceVersion { p["resourceVersion"] = .string(rv) }
            options["preconditions"] = .object(p)
        }
        if dryRun { options["dryRun"] = .array([.string("All")]) }
        let response = try await executor.send("DELETE", path, query: dryRun ? [("dryRun", "All")] : [],
                                               headers: ["Content-Type": "application/json"],
                                               body: JSON.encode(.object(options)), kind: .idempotent)
        let value = try decode(response, "DELETE \(path)")
        if value.member("kind")?.asString == "Status" { return .deleted }
        return .deleting(KubeObject(value))
    }

    // MARK: logs

    /// A pod's log, line by line; with `follow` it continues until the container
    /// ends or the consumer stops iterating.
    public func logs(pod: String, namespace: String? = nil, container: String? = nil, follow: Bool = false,
                     tailLines: Int? = nil, sinceSeconds: Int? = nil, timestamps: Bool = false,
                     previous: Bool = false) async throws(KubeClientError) -> AsyncThrowingStream<String, any Error> {
        let ns = namespace ?? configuration.namespace
        let path = "/api/v1/namespaces/\(RequestExecutor.escape(ns))/pods/\(RequestExecutor.escape(pod))/log"
        var query: [(String, String)] = []
        if let container { query.append(("container", container)) }
        if follow { query.append(("follow", "true")) }
        if let tailLines { query.append(("tailLines", String(tailLines))) }
        if let sinceSeconds { query.append(("sinceSeconds", String(sinceSeconds))) }
        if timestamps { query.append(("timestamps", "true")) }
        if previous { query.append(("previous", "true")) }
        // A followed log may stay quiet for hours; a finished one must not stall.
        let response = try await executor.stream(path, query: query, headers: ["Accept": "*/*"],
                                                 idleTimeout: follow ? nil : executor.requestTimeout ?? .seconds(60))
        return Self.lines(of: response.body)
    }

    static func lines(of body: AsyncThrowingStream<Data, any Error>) -> AsyncThrowingStream<String, any Error> {
        let (stream, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        let task = Task {
            var splitter = LineSplitter()
            do {
                for try await chunk in body {
                    for line in splitter.push(chunk) { continuation.yield(String(decoding: line, as: UTF8.self)) }
                }
                if let rest = splitter.finish() { continuation.yield(String(decoding: rest, as: UTF8.self)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: helpers

    func resolveNamespace(_ mapping: RESTMapping, _ namespace: String?) -> String? {
        guard mapping.namespaced else { return nil }
        if let namespace, !namespace.isEmpty { return namespace }
        return configuration.namespace
    }

    private func target(of object: KubeObject, requireName: Bool) async throws(KubeClientError) -> (RESTMapping, String?) {
        guard let gvk = object.groupVersionKind else {
            throw .invalidArgument("cannot send \(object): apiVersion and kind are required")
        }
        if requireName, object.name?.isEmpty ?? true {
            throw .invalidArgument("cannot send \(object): metadata.name is required")
        }
        let mapping = try await mapping(for: gvk)
        return (mapping, resolveNamespace(mapping, object.namespace))
    }

    func decode(_ response: HTTPResponse, _ request: String) throws(KubeClientError) -> JSONValue {
        do {
            return try JSON.decode(response.body)
        } catch {
            throw .invalidResponse(request: request, message: error.description)
        }
    }

    func object(_ response: HTTPResponse, _ request: String) throws(KubeClientError) -> KubeObject {
        let value = try decode(response, request)
        guard case .object = value else { throw .invalidResponse(request: request, message: "expected a JSON object") }
        return KubeObject(value)
    }
}

/// Splits a byte stream on newlines (watch events and log lines).
struct LineSplitter {
    private var buffer = Data()

    mutating func push(_ chunk: Data) -> [Data] {
        buffer.append(chunk)
        var lines: [Data] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            var line = buffer[buffer.startIndex..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            lines.append(Data(line))
            buffer = Data(buffer[buffer.index(after: newline)...])
        }
        return lines
    }

    mutating func finish() -> Data? {
        defer { buffer = Data() }
        return buffer.isEmpty ? nil : buffer
    }
}
