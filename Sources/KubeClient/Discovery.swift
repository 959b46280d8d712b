import Foundation
import KubeModel
import KubeModel

/// One resource as discovery describes it.
public struct APIResourceInfo: Sendable, Equatable {
    public var resource: String
    public var kind: String
    public var namespaced: Bool
    public var singular: String
    public var verbs: [String]
    public var shortNames: [String]
    public var subresources: [String]
}

public struct APIGroupInfo: Sendable, Equatable {
    public var name: String
    /// Versions in the server's order of preference (first = preferred).
    public var versions: [String]
    public var resources: [String: [APIResourceInfo]]  // by version
}

/// What discovery learned about one server.
public struct DiscoveryDocument: Sendable, Equatable {
    public var groups: [APIGroupInfo]
    /// Which form the server answered: aggregated (apidiscovery.k8s.io/v2) or legacy per-group-version.
    public var aggregated: Bool
}

/// Group/version/kind → resource and scope.
public struct RESTMapping: Sendable, Equatable, Hashable {
    public var kind: GroupVersionKind
    public var resource: GroupVersionResource
    public var namespaced: Bool

    public init(kind: GroupVersionKind, resource: GroupVersionResource, namespaced: Bool) {
        self.kind = kind
        self.resource = resource
        self.namespaced = namespaced
    }

    /// The collection path, e.g. `/apis/apps/v1/namespaces/ns/deployments`.
    func collectionPath(namespace: String?) -> String {
        let root = resource.group.isEmpty ? "/api/\(resource.version)" : "/apis/\(resource.group)/\(resource.version)"
        if namespaced, let namespace, !namespace.isEmpty {
            return "\(root)/namespaces/\(RequestExecutor.escape(namespace))/\(resource.resource)"
        }
        return "\(root)/\(resource.resource)"
    }

    func objectPath(name: String, namespace: String?) -> String {
        collectionPath(namespace: namespace) + "/" + RequestExecutor.escape(name)
    }
}

/// Discovery with an on-disk cache per server and a REST mapper on top.
public actor Discovery {
    static let aggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
        + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    let executor: RequestExecutor
    /// Directory for this server's cache (nil: memory only).
    public let cacheDirectory: URL?
    public let ttl: Duration
    private var document: DiscoveryDocument?
    private var loadedFromDisk = false
    /// How many times discovery went to the server (tests and the benchmark read it).
    public private(set) var fetches = 0

    init(executor: RequestExecutor, cacheDirectory: URL?, ttl: Duration) {
        self.executor = executor
        self.cacheDirectory = cacheDirectory
        self.ttl = ttl
    }

    /// `$XDG_CACHE_HOME/platform/discovery/<host_port>` (or `~/.cache/...`).
    public static func defaultCacheDirectory(server: URL, environment: [String: String]) -> URL? {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else if let home = environment["HOME"], !home.isEmpty {
            base = home + "/.cache"
        } else {
            return nil
        }
        var host = server.host ?? "unknown"
        if let port = server.port { host += "_\(port)" }
        host += server.path.replacingOccurrences(of: "/", with: "_")
        let safe = String(host.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
        return URL(fileURLWithPath: base).appendingPathComponent("platform/discovery/\(safe)")
    }

    var cacheFile: URL? { cacheDirectory?.appendingPathComponent("discovery.json") }

    /// Drops the memory and disk cache; call after creating CRDs.
    public func invalidate() {
        document = nil
        if let cacheFile { try? FileManager.default.removeItem(at: cacheFile) }
    }

    public func document(refresh: Bool = false) async throws(KubeClientError) -> DiscoveryDocument {
        if !refresh, let document { return document }
        if !refresh, let cached = readCache() {
            document = cached
            loadedFromDisk = true
            return cached
        }
        let fresh = try await fetch()
        document = fresh
        loadedFromDisk = false
        writeCache(fresh)
        return fresh
    }

    /// The REST mapping for a kind. An empty version means the group's preferred one.
    /// A miss refreshes discovery once (the CRD may be new) before failing.
    public func mapping(for gvk: GroupVersionKind) async throws(KubeClientError) -> RESTMapping {
        let doc = try await document()
        if let found = Self.find(gvk, in: doc) { return found }
        let fresh = try await document(refresh: true)
        if let found = Self.find(gvk, in: fresh) { return found }
        throw .unknownKind(gvk, serverVersion: nil)
    }

    static func find(_ gvk: GroupVersionKind, in doc: DiscoveryDocument) -> RESTMapping? {
        guard let group = doc.groups.first(where: { $0.name == gvk.group }) else { return nil }
        let versions = gvk.version.isEmpty ? group.versions : [gvk.version]
        for version in versions {
            guard let resources = group.resources[version] else { continue }
            if let r = resources.first(where: { $0.kind == gvk.kind && !$0.resource.contains("/") }) {
                return RESTMapping(kind: GroupVersionKind(group: gvk.group, version: version, kind: gvk.kind),
                                   resource: GroupVersionResource(group: gvk.group, version: version, resource: r.resource),
                                   namespaced: r.namespaced)
            }
        }
        return nil
    }

    // MARK: fetching

    private func fetch() async throws(KubeClientError) -> DiscoveryDocument {
        fetches += 1
        let headers: HTTPHeaders = ["Accept": Self.aggregatedAccept]
        let core = try await executor.send("GET", "/api", headers: headers, kind: .idempotent)
        let apis: HTTPResponse?
        do {
            apis = try await executor.send("GET", "/apis", headers: headers, kind: .idempotent)
        } catch {
            // A server with only the core group may not serve /apis.
            if error.apiError?.reason == .notFound { apis = nil } else { throw error }
        }
        let coreValue = try decode(core, "GET /api")
        let apisValue = try apis.map { response throws(KubeClientError) in try decode(response, "GET /apis") }
        if coreValue.member("kind")?.asString == "APIGroupDiscoveryList" {
            var groups = Self.parseAggregated(coreValue)
            if let apisValue, apisValue.member("kind")?.asString == "APIGroupDiscoveryList" {
                groups += Self.parseAggregated(apisValue)
                return DiscoveryDocument(groups: groups, aggregated: true)
            }
        }
        return try await fetchLegacy(core: coreValue, apis: apisValue)
    }

    private func decode(_ response: HTTPResponse, _ request: String) throws(KubeClientError) -> JSONValue {
        do {
            return try JSON.decode(response.body)
        } catch {
            throw .invalidResponse(request: request, message: error.description)
        }
    }

    static func parseAggregated(_ list: JSONValue) -> [APIGroupInfo] {
        var groups: [APIGroupInfo] = []
        for item in list.member("items")?.asArray ?? [] {
            let name = item.member("metadata")?.member("name")?.asString ?? ""
            var group = APIGroupInfo(name: name, versions: [], resources: [:])
            for version in item.member("versions")?.asArray ?? [] {
                guard let v = version.member("version")?.asString else { continue }
                // Stale versions (an aggregated API server that is down) are still listed, as kubectl does.
                group.versions.append(v)
                var resources: [APIResourceInfo] = []
                for r in version.member("resources")?.asArray ?? [] {
                    guard let resource = r.member("resource")?.asString else { continue }
                    let kind = r.member("responseKind")?.member("kind")?.asString ?? ""
                    resources.append(APIResourceInfo(
                        resource: resource, kind: kind,
                        namespaced: r.member("scope")?.asString == "Namespaced",
                        singular: r.member("singularResource")?.asString ?? "",
                        verbs: (r.member("verbs")?.asArray ?? []).compactMap(\.asString),
                        shortNames: (r.member("shortNames")?.asArray ?? []).compactMap(\.asString),
                        subresources: (r.member("subresources")?.asArray ?? []).compactMap { $0.member("subresource")?.asString }))
                }
                group.resources[v] = resources
            }
            groups.append(group)
        }
        return groups
    }

    private func fetchLegacy(core: JSONValue, apis: JSONValue?) async throws(KubeClientError) -> DiscoveryDocument {
        // /api -> APIVersions; /apis -> APIGroupList; then one request per group/version.
        var plan: [(group: String, versions: [String])] = []
        let coreVersions = (core.member("versions")?.asArray ?? []).compactMap(\.asString)
        plan.append(("", coreVersions.isEmpty ? ["v1"] : coreVersions))
        for g in apis?.member("groups")?.asArray ?? [] {
            guard let name = g.member("name")?.asString else { continue }
            var versions = (g.member("versions")?.asArray ?? []).compactMap { $0.member("version")?.asString }
            if let preferred = g.member("preferredVersion")?.member("version")?.asString,
               let i = versions.firstIndex(of: preferred) {
                versions.remove(at: i)
                versions.insert(preferred, at: 0)
            }
            plan.append((name, versions))
        }
        let executor = executor
        let results = await withTaskGroup(of: (String, String, Result<[APIResourceInfo], KubeClientError>).self) { tasks in
            for (group, versions) in plan {
                for version in versions {
                    tasks.addTask {
                        let path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
                        do {
                            let response = try await executor.send("GET", path, kind: .idempotent)
                            let value = try JSON.decode(response.body)
                            return (group, version, .success(Self.parseResourceList(value)))
                        } catch let error as KubeClientError {
                            return (group, version, .failure(error))
                        } catch {
                            return (group, version, .failure(.invalidResponse(request: "GET \(path)", message: "\(error)")))
                        }
                    }
                }
            }
            var collected: [String: Result<[APIResourceInfo], KubeClientError>] = [:]
            for await (group, version, result) in tasks { collected["\(group)/\(version)"] = result }
            return collected
        }
        var groups: [APIGroupInfo] = []
        for (group, versions) in plan {
            var info = APIGroupInfo(name: group, versions: [], resources: [:])
            for version in versions {
                switch results["\(group)/\(version)"] {
                case .success(let resources)?:
                    info.versions.append(version)
                    info.resources[version] = resources
                case .failure(let error)?:
                    // One broken aggregated API must not hide the rest (kubectl warns and goes on).
                    if group.isEmpty { throw error }
                case nil: break
                }
            }
            groups.append(info)
        }
        return DiscoveryDocument(groups: groups, aggregated: false)
    }

    static func parseResourceList(_ value: JSONValue) -> [APIResourceInfo] {
        var byName: [String: APIResourceInfo] = [:]
        var order: [String] = []
        for r in value.member("resources")?.asArray ?? [] {
            guard let name = r.member("name")?.asString else { continue }
            if let slash = name.firstIndex(of: "/") {
                let parent = String(name[..<slash])
                byName[parent]?.subresources.append(String(name[name.index(after: slash)...]))
                continue
            }
            order.append(name)
            byName[name] = APIResourceInfo(
                resource: name, kind: r.member("kind")?.asString ?? "",
                namespaced: r.member("namespaced")?.asBool ?? false,
                singular: r.member("singularName")?.asString ?? "",
                verbs: (r.member("verbs")?.asArray ?? []).compactMap(\.asString),
                shortNames: (r.member("shortNames")?.asArray ?? []).compactMap(\.asString),
                subresources: [])
        }
        return order.compactMap { byName[$0] }
    }

    // MARK: disk cache

    private func readCache() -> DiscoveryDocument? {
        guard let cacheFile, let data = FileManager.default.contents(atPath: cacheFile.path),
              let value = try? JSON.decode(data),
              let written = value.member("written")?.asInt else { return nil }
        let age = Date().timeIntervalSince1970 - Double(written)
        guard age >= 0, age < Double(ttl.components.seconds) else { return nil }
        guard value.member("server")?.asString == executor.server.absoluteString else { return nil }
        var groups: [APIGroupInfo] = []
        for g in value.member("groups")?.asArray ?? [] {
            var info = APIGroupInfo(name: g.member("name")?.asString ?? "",
                                    versions: (g.member("versions")?.asArray ?? []).compactMap(\.asString), resources: [:])
            for entry in g.member("resources")?.asMapping ?? JSONObject() {
                info.resources[entry.key] = (entry.value.asArray ?? []).map(Self.cachedResource)
            }
            groups.append(info)
        }
        return DiscoveryDocument(groups: groups, aggregated: value.member("aggregated")?.asBool ?? false)
    }

    static func cachedResource(_ r: JSONValue) -> APIResourceInfo {
        let strings: (String) -> [String] = { (r.member($0)?.asArray ?? []).compactMap(\.asString) }
        return APIResourceInfo(resource: r.member("resource")?.asString ?? "", kind: r.member("kind")?.asString ?? "",
                               namespaced: r.member("namespaced")?.asBool ?? false,
                               singular: r.member("singular")?.asString ?? "",
                               verbs: strings("verbs"), shortNames: strings("shortNames"),
                               subresources: strings("subresources"))
    }

    private func writeCache(_ doc: DiscoveryDocument) {
        guard let cacheDirectory, let cacheFile else { return }
        let strings: ([String]) -> JSONValue = { .array($0.map { .string($0) }) }
        let groups: [JSONValue] = doc.groups.map { g in
            var resources = JSONObject()
            for version in g.versions {
                resources[version] = .array((g.resources[version] ?? []).map { r in
                    .object(JSONObject([
                        ("resource", .string(r.resource)), ("kind", .string(r.kind)), ("namespaced", .bool(r.namespaced)),
                        ("singular", .string(r.singular)), ("verbs", strings(r.verbs)),
                        ("shortNames", strings(r.shortNames)), ("subresources", strings(r.subresources)),
                    ]))
                })
            }
            return .object(JSONObject([("name", .string(g.name)), ("versions", strings(g.versions)),
                                         ("resources", .object(resources))]))
        }
        let root = JSONValue.object(JSONObject([
            ("server", .string(executor.server.absoluteString)),
            ("written", .int(Int64(Date().timeIntervalSince1970))),
            ("aggregated", .bool(doc.aggregated)),
            ("groups", .array(groups)),
        ]))
        // Write to a temporary file and rename, so a concurrent reader never sees half a file.
        do {
            try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
            let temporary = cacheDirectory.appendingPathComponent(".discovery.\(UUID().uuidString).tmp")
            try JSON.encode(root).write(to: temporary)
            if rename(temporary.path, cacheFile.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
        } catch {
            // The cache is an optimisation; failing to write it must not fail the command.
        }
    }
}
