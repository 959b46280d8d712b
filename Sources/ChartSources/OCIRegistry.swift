import Foundation
import KubeClient

/// Media types Helm uses for charts in OCI registries.
public enum HelmMediaType {
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    public static let config = "application/vnd.cncf.helm.config.v1+json"
    public static let chartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    /// Charts pushed by Helm before 3.8 used this layer type; Helm still reads it.
    public static let legacyChartContent = "application/tar+gzip"
    public static let provenance = "application/vnd.cncf.helm.chart.provenance.v1.prov"
}

/// `oci://REGISTRY/PATH/NAME` plus a version (the tag; `+` becomes `_` as Helm does).
public struct OCIReference: Sendable, Equatable, CustomStringConvertible {
    public var registry: String
    public var repository: String
    public var tag: String

    public var name: String { repository.split(separator: "/").last.map(String.init) ?? repository }
    public var description: String { "oci://\(registry)/\(repository):\(tag)" }

    public init(_ source: String, version: String) throws(ChartFetchError) {
        guard source.hasPrefix("oci://") else { throw ChartFetchError(.invalidReference, source, "not an oci:// reference") }
        let rest = source.dropFirst("oci://".count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else {
            throw ChartFetchError(.invalidReference, source, "must be oci://REGISTRY/PATH/NAME")
        }
        registry = String(rest[..<slash])
        var repo = String(rest[rest.index(after: slash)...])
        while repo.hasSuffix("/") { repo.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !repo.isEmpty, repo.allSatisfy({ allowed.contains($0) }), !repo.contains(":") else {
            throw ChartFetchError(.invalidReference, source, "repository path must be lower-case letters, digits, . _ - and /, without a tag (the version is the tag)")
        }
        repository = repo
        guard !version.isEmpty else { throw ChartFetchError(.missingVersion, source, "an OCI chart needs a version") }
        tag = version.replacingOccurrences(of: "+", with: "_")
    }
}

/// Registry logins from Docker's `config.json` (`auths.HOST.auth` = base64 user:password,
/// or `username`/`password`, or `identitytoken`). Credential helpers are not run.
public struct DockerConfig: Sendable, Equatable {
    public var auths: [String: RepositoryAuth]

    public init(auths: [String: RepositoryAuth] = [:]) { self.auths = auths }

    /// `--registry-config`, else `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    public static func load(path: String) throws(ChartFetchError) -> DockerConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return DockerConfig() }
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ChartFetchError(.io, path, "not a JSON registry config")
        }
        var out = DockerConfig()
        for (host, value) in (top["auths"] as? [String: Any]) ?? [:] {
            guard let entry = value as? [String: Any] else { continue }
            let key = host.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
                .split(separator: "/").first.map(String.init) ?? host
            if let token = entry["identitytoken"] as? String, !token.isEmpty {
                out.auths[key] = .bearer(token: token)
            } else if let auth = entry["auth"] as? String, let decoded = Data(base64Encoded: auth),
                      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
                out.auths[key] = .basic(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
            } else if let u = entry["username"] as? String, let p = entry["password"] as? String {
                out.auths[key] = .basic(username: u, password: p)
            }
        }
        return out
    }

    public func auth(for registry: String) -> RepositoryAuth {
        auths[registry] ?? (registry == "docker.io" ? auths["index.docker.io"] : nil) ?? .none
    }
}

/// The OCI distribution API v2 as Helm uses it for charts: pull (manifest by tag, then
/// the chart layer by digest, both verified) and push. Authentication answers the
/// registry's `WWW-Authenticate` challenge: Basic with the credentials, or Docker's token
/// flow (GET realm?service=&scope= with the credentials, then `Bearer TOKEN`).
public final class OCIRegistryClient: Sendable {
    public let auth: RepositoryAuth
    /// `http` only for loopback test registries.
    public let scheme: String
    let http: ChartHTTP
    private let tokens = TokenStore()

    public init(auth: RepositoryAuth = .none, transport: any HTTPTransport, plainHTTP: Bool = false) {
        self.auth = auth
        self.scheme = plainHTTP ? "http" : "https"
        self.http = ChartHTTP(transport: transport)
    }

    func url(_ ref: OCIReference, _ path: String) -> URL? {
        URL(string: "\(scheme)://\(ref.registry)/v2/\(ref.repository)/\(path)")
    }

    /// Pulls the chart at `ref`, checking the manifest and layer digests and media types.
    public func pull(_ ref: OCIReference) async throws(ChartFetchError) -> FetchedChart {
        let location = ref.description
        guard let manifestURL = url(ref, "manifests/\(ref.tag)") else {
            throw ChartFetchError(.invalidReference, location, "cannot form a registry URL")
        }
        var headers = HTTPHeaders()
        headers.add("Accept", HelmMediaType.manifest)
        let manifestResponse = try await send(HTTPRequest(method: "GET", url: manifestURL, headers: headers), ref: ref, push: false)
        try ChartHTTP.check(manifestResponse, url: manifestURL, what: "manifest \(ref.tag)", auth: auth)
        let body = [UInt8](manifestResponse.body)
        let manifestDigest = Digest.sha256(body)
        if let claimed = manifestResponse.headers["Docker-Content-Digest"], Digest.hex(of: claimed) != Digest.hex(of: manifestDigest) {
            throw ChartFetchError(.digestMismatch, location, "manifest digest mismatch: registry says \(claimed), received \(manifestDigest)")
        }
        let contentType = manifestResponse.headers["Content-Type"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let manifest = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw ChartFetchError(.invalidManifest, location, "the manifest is not JSON")
        }
        let mediaType = (manifest["mediaType"] as? String) ?? contentType ?? ""
        guard mediaType == HelmMediaType.manifest else {
            throw ChartFetchError(.mediaType, location, "manifest media type is \(mediaType.isEmpty ? "missing" : mediaType), want \(HelmMediaType.manifest) (is this a Helm chart?)")
        }
        let config = manifest["config"] as? [String: Any]
        guard let configType = config?["mediaType"] as? String, configType == HelmMediaType.config else {
            throw ChartFetchError(.mediaType, location, "config media type is \((config?["mediaType"] as? String) ?? "missing"), want \(HelmMediaType.config): this artifact is not a Helm chart")
        }
        let layers = (manifest["layers"] as? [[String: Any]]) ?? []
        guard let layer = layers.first(where: { ($0["mediaType"] as? String) == HelmMediaType.chartContent })
                ?? layers.first(where: { ($0["mediaType"] as? String) == HelmMediaType.legacyChartContent }) else {
            let found = layers.compactMap { $0["mediaType"] as? String }.joined(separator: ", ")
            throw ChartFetchError(.mediaType, location, "no chart layer of type \(HelmMediaType.chartContent) (layers: \(found.isEmpty ? "none" : found))")
        }
        guard let layerDigest = layer["digest"] as? String, Digest.hex(of: layerDigest) != nil,
              let blobURL = url(ref, "blobs/\(layerDigest)") else {
            throw ChartFetchError(.invalidManifest, location, "the chart layer has no sha256 digest")
        }
        let blobResponse = try await send(HTTPRequest(method: "GET", url: blobURL), ref: ref, push: false)
        try ChartHTTP.check(blobResponse, url: blobURL, what: "chart layer", auth: auth)
        let bytes = [UInt8](blobResponse.body)
        if let size = (layer["size"] as? NSNumber)?.intValue, size != bytes.count {
            throw ChartFetchError(bytes.count < size ? .truncated : .digestMismatch, location,
                                  "chart layer: manifest says \(size) bytes, received \(bytes.count)")
        }
        if Digest.hex(of: Digest.sha256(bytes)) != Digest.hex(of: layerDigest) {
            throw ChartFetchError(.digestMismatch, location, "chart layer digest mismatch: manifest says \(layerDigest), received \(Digest.sha256(bytes))")
        }
        try ChartArchiveCheck.verify(bytes, name: ref.name, version: ref.tag.replacingOccurrences(of: "_", with: "+"), location: location)
        return FetchedChart(name: ref.name, version: ref.tag, bytes: bytes, url: location, manifestDigest: manifestDigest)
    }

    /// Pushes a packaged chart as Helm does (config blob, chart layer, OCI manifest tagged
    /// with the version). Returns the manifest digest.
    @discardableResult
    public func push(_ chart: PackagedChart, to ref: OCIReference) async throws(ChartFetchError) -> String {
        var configObject: [String: Any] = ["name": chart.name, "version": chart.version]
        if !chart.metadata.apiVersion.isEmpty { configObject["apiVersion"] = chart.metadata.apiVersion }
        if !chart.metadata.appVersion.isEmpty { configObject["appVersion"] = chart.metadata.appVersion }
        if !chart.metadata.description.isEmpty { configObject["description"] = chart.metadata.description }
        let config = [UInt8]((try? JSONSerialization.data(withJSONObject: configObject, options: [.sortedKeys])) ?? Data("{}".utf8))
        let configDigest = try await uploadBlob(config, ref: ref)
        let layerDigest = try await uploadBlob(chart.bytes, ref: ref)
        let manifestObject: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": HelmMediaType.manifest,
            "config": ["mediaType": HelmMediaType.config, "digest": configDigest, "size": config.count],
            "layers": [["mediaType": HelmMediaType.chartContent, "digest": layerDigest, "size": chart.bytes.count]],
            "annotations": ["org.opencontainers.image.title": chart.name, "org.opencontainers.image.version": chart.version],
        ]
        let manifest = (try? JSONSerialization.data(withJSONObject: manifestObject, options: [.sortedKeys])) ?? Data()
        guard let manifestURL = url(ref, "manifests/\(ref.tag)") else {
            throw ChartFetchError(.invalidReference, ref.description, "cannot form a registry URL")
        }
        var headers = HTTPHeaders()
        headers.add("Content-Type", HelmMediaType.manifest)
        let response = try await send(HTTPRequest(method: "PUT", url: manifestURL, headers: headers, body: manifest), ref: ref, push: true)
        try ChartHTTP.check(response, url: manifestURL, what: "push manifest", auth: auth)
        return Digest.sha256(manifest)
    }

    func uploadBlob(_ bytes: [UInt8], ref: OCIReference) async throws(ChartFetchError) -> String {
        let digest = Digest.sha256(bytes)
        guard let start = url(ref, "blobs/uploads/") else { throw ChartFetchError(.invalidReference, ref.description, "bad URL") }
        let started = try await send(HTTPRequest(method: "POST", url: start, body: Data()), ref: ref, push: true)
        try ChartHTTP.check(started, url: start, what: "start blob upload", auth: auth)
        guard let location = started.headers["Location"], let uploadURL = URL(string: location, relativeTo: start)?.absoluteURL,
              var c = URLComponents(url: uploadURL, resolvingAgainstBaseURL: true) else {
            throw ChartFetchError(.invalidManifest, ref.description, "registry gave no upload Location")
        }
        c.queryItems = (c.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest)]
        // `+` in a query means space to some servers; the digest has none, but the upload state may.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let put = c.url else { throw ChartFetchError(.invalidManifest, ref.description, "bad upload Location") }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/octet-stream")
        let done = try await send(HTTPRequest(method: "PUT", url: put, headers: headers, body: Data(bytes)), ref: ref, push: true)
        try ChartHTTP.check(done, url: put, what: "upload blob", auth: auth)
        return digest
    }

    /// Sends with a cached token, answering one 401 challenge.
    func send(_ request: HTTPRequest, ref: OCIReference, push: Bool) async throws(ChartFetchError) -> HTTPResponse {
        let scope = "repository:\(ref.repository):" + (push ? "pull,push" : "pull")
        var r = request
        if let token = tokens.get(scope) { r.headers.set("Authorization", token) }
        let first = try await http.send(r)
        guard first.statusCode == 401, let challenge = first.headers["WWW-Authenticate"] else { return first }
        guard let header = try await authorization(for: challenge, scope: scope, location: ref.description) else { return first }
        tokens.set(scope, header)
        var retry = request
        retry.headers.set("Authorization", header)
        return try await http.send(retry)
    }

    /// The Authorization header that answers `challenge`, or nil when we have nothing to offer.
    func authorization(for challenge: String, scope: String, location: String) async throws(ChartFetchError) -> String? {
        let (scheme, params) = Self.parseChallenge(challenge)
        if scheme == "basic" {
            guard case .basic = auth else { return auth.header }
            return auth.header
        }
        guard scheme == "bearer", let realm = params["realm"], var c = URLComponents(string: realm) else { return nil }
        var items = c.queryItems ?? []
        if let service = params["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        items.append(URLQueryItem(name: "scope", value: params["scope"] ?? scope))
        c.queryItems = items
        guard let tokenURL = c.url else { return nil }
        var request = HTTPRequest(method: "GET", url: tokenURL)
        // An identity token is a refresh token in Docker's flow; basic credentials go as they are.
        if case .basic = auth, let h = auth.header { request.headers.set("Authorization", h) }
        let response = try await http.send(request)
        try ChartHTTP.check(response, url: tokenURL, what: "registry token (\(location))", auth: auth)
        guard let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = (json["token"] as? String) ?? (json["access_token"] as? String), !token.isEmpty else {
            throw ChartFetchError(.unauthorized, ChartHTTP.redacted(tokenURL), "the token service answered without a token")
        }
        return "Bearer " + token
    }

    /// `Bearer realm="…",service="…",scope="…"` → ("bearer", params).
    static func parseChallenge(_ header: String) -> (String, [String: String]) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        let space = trimmed.firstIndex(of: " ") ?? trimmed.endIndex
        let scheme = trimmed[..<space].lowercased()
        var params: [String: String] = [:]
        var rest = Substring(trimmed[space...])
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let eq = rest.firstIndex(of: "=") else { break }
            let key = rest[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let ch = rest.first, ch != "\"" {
                    if ch == "\\", rest.count > 1 { rest = rest.dropFirst() }
                    value.append(rest.first ?? ch)
                    rest = rest.dropFirst()
                }
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            params[key] = value
        }
        return (scheme, params)
    }
}

/// Authorization headers per scope, shared by a client's requests.
final class TokenStore: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: String] = [:]
    func get(_ k: String) -> String? { lock.withLock { values[k] } }
    func set(_ k: String, _ v: String) { lock.withLock { values[k] = v } }
}
