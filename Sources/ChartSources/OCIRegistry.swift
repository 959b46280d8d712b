import Foundation
import KubeClient

/// The OCI distribution API v2 as Helm uses it for charts: pull (manifest by tag, then the
/// chart layer by digest, both verified) and push (OCIPush.swift). Authentication answers
/// the registry's `WWW-Authenticate` challenge (RegistryAuth.swift).
public struct OCIRegistryClient: Sendable {
    /// The registry login, resolved only when a challenge asks for it.
    public let login: RegistryLogin
    /// `http` only with `--plain-http` (loopback test registries).
    public let scheme: String
    let http: ChartHTTP
    let authenticator: RegistryAuthenticator

    /// Manifests are small; distribution refuses ones over 4 MiB.
    static let maxManifestBytes = 4 << 20

    public init(registry: String = "", auth: RepositoryAuth = .none, transport: any HTTPTransport, plainHTTP: Bool = false) {
        self.init(registry: registry, login: .fixed(auth), transport: transport, plainHTTP: plainHTTP)
    }

    public init(registry: String = "", login: RegistryLogin, transport: any HTTPTransport, plainHTTP: Bool = false) {
        self.login = login
        self.scheme = plainHTTP ? "http" : "https"
        self.http = ChartHTTP(transport: transport)
        self.authenticator = RegistryAuthenticator(login: login, registry: registry, allowPlainHTTP: plainHTTP,
                                                   http: ChartHTTP(transport: transport))
    }

    func url(_ ref: OCIReference, _ path: String) throws(ChartFetchError) -> URL {
        guard let u = URL(string: "\(scheme)://\(ref.registry)/v2/\(ref.repository)/\(path)") else {
            throw ChartFetchError(.invalidReference, ref.description, "cannot form a registry URL")
        }
        return u
    }

    /// Pulls the chart at `ref`: the manifest must be an OCI image manifest with Helm's config
    /// type and a chart layer; the manifest must hash to the registry's `Docker-Content-Digest`,
    /// and the layer to its digest and size in the manifest.
    public func pull(_ ref: OCIReference) async throws(ChartFetchError) -> FetchedChart {
        let location = ref.description
        let manifestURL = try url(ref, "manifests/\(ref.tag)")
        var headers = HTTPHeaders()
        headers.add("Accept", HelmMediaType.manifest)
        let manifestResponse = try await send(HTTPRequest(method: "GET", url: manifestURL, headers: headers), ref: ref, push: false)
        try check(manifestResponse, ref: ref, what: .manifest)
        let body = [UInt8](manifestResponse.body)
        guard body.count <= Self.maxManifestBytes else {
            throw ChartFetchError(.invalidManifest, location, "the manifest is \(body.count) bytes; a chart manifest is a few hundred")
        }
        let manifestDigest = Digest.sha256(body)
        if let claimed = manifestResponse.headers["Docker-Content-Digest"], Digest.hex(of: claimed) != Digest.hex(of: manifestDigest) {
            throw ChartFetchError(.digestMismatch, location,
                                  "manifest digest mismatch: the registry says \(claimed), the manifest received hashes to \(manifestDigest); the registry's storage or something between is corrupting data; nothing was cached")
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
            throw ChartFetchError(.mediaType, location, "no chart layer of media type \(HelmMediaType.chartContent) (layers: \(found.isEmpty ? "none" : found)); push it with `platform charts push` or `helm push`")
        }
        guard let layerDigest = layer["digest"] as? String, Digest.hex(of: layerDigest) != nil else {
            throw ChartFetchError(.invalidManifest, location, "the chart layer has no sha256 digest")
        }
        let size = (layer["size"] as? NSNumber)?.intValue
        let blobResponse = try await send(HTTPRequest(method: "GET", url: try url(ref, "blobs/\(layerDigest)")), ref: ref, push: false)
        try check(blobResponse, ref: ref, what: .blob(layerDigest))
        let bytes = [UInt8](blobResponse.body)
        if let size, size != bytes.count {
            throw ChartFetchError(bytes.count < size ? .truncated : .digestMismatch, location,
                                  "chart layer \(layerDigest): the manifest says \(size) bytes, received \(bytes.count)\(bytes.count < size ? " (truncated)" : ""); nothing was cached")
        }
        let got = Digest.sha256(bytes)
        if Digest.hex(of: got) != Digest.hex(of: layerDigest) {
            throw ChartFetchError(.digestMismatch, location, "chart layer digest mismatch: the manifest says \(layerDigest), received \(got); nothing was cached")
        }
        try ChartArchiveCheck.verify(bytes, name: ref.name, version: ref.version, location: location)
        return FetchedChart(name: ref.name, version: ref.version, bytes: bytes, url: location, manifestDigest: manifestDigest)
    }

    enum Target {
        case manifest, blob(String), upload, pushManifest
    }

    /// Maps a registry answer to an error that says what failed and what to do.
    func check(_ response: HTTPResponse, ref: OCIReference, what: Target) throws(ChartFetchError) {
        let location = ref.description
        let errors = RegistryErrors(response.body)
        let subject: String
        switch what {
        case .manifest: subject = "manifest \(ref.tag)"
        case .blob(let d): subject = "blob \(d)"
        case .upload: subject = "blob upload"
        case .pushManifest: subject = "push of manifest \(ref.tag)"
        }
        let action: String
        switch what {
        case .manifest, .blob: action = "pull"
        case .upload, .pushManifest: action = "push"
        }
        switch response.statusCode {
        case 200..<300:
            if let length = response.headers["Content-Length"].flatMap({ Int($0) }), response.body.count < length {
                throw ChartFetchError(.truncated, location, "\(subject): received \(response.body.count) of \(length) bytes (truncated); nothing was cached")
            }
        case 401:
            let (_, params) = Challenge.parse(response.headers["WWW-Authenticate"] ?? "")
            let auth = login.resolvedOrNone
            // A valid token without the action: the registry says insufficient_scope.
            if params["error"] == "insufficient_scope", auth != .none {
                throw ChartFetchError(.forbidden, location,
                                      "denied: the login for \(ref.registry) may not \(action) \(ref.repository) (insufficient_scope)\(errors.suffix); use a login with \(action) access (--registry-config)")
            }
            throw ChartFetchError(.unauthorized, location, auth == .none
                ? "401 Unauthorized\(errors.suffix): the registry wants a login for \(ref.registry); run `docker login \(ref.registry)` or `helm registry login \(ref.registry)`, or pass --registry-config FILE"
                : "401 Unauthorized\(errors.suffix): \(ref.registry) refused the login (wrong username or password?)")
        case 403:
            throw ChartFetchError(.forbidden, location, "403 Forbidden\(errors.suffix): the login for \(ref.registry) may not \(action) \(ref.repository)")
        case 404:
            switch what {
            case .manifest:
                let repoMissing = errors.codes.contains("NAME_UNKNOWN")
                throw ChartFetchError(.notFound, location, repoMissing
                    ? "404 Not Found: no repository \(ref.repository) in \(ref.registry)\(errors.suffix); check the oci:// path"
                    : "404 Not Found: version \(ref.version) (tag \(ref.tag)) is not in \(ref.registry)/\(ref.repository)\(errors.suffix); check spec.charts.\(ref.name).version and the oci:// path")
            default:
                throw ChartFetchError(.notFound, location, "404 Not Found: \(subject)\(errors.suffix)")
            }
        default:
            throw ChartFetchError(.httpStatus, location, "\(subject): HTTP \(response.statusCode)\(errors.suffix)")
        }
    }

    func scope(_ ref: OCIReference, push: Bool) -> String {
        "repository:\(ref.repository):" + (push ? "pull,push" : "pull")
    }

    /// Sends with the credential cached for the scope, answering one 401 challenge. The
    /// credential goes to the registry host only, never along a redirect (blob storage).
    func send(_ request: HTTPRequest, ref: OCIReference, push: Bool) async throws(ChartFetchError) -> HTTPResponse {
        let scope = scope(ref, push: push)
        let host = ChartHTTP.hostKey(request.url)
        let first = try await http.send(request, auth: authenticator.cached(scope: scope) ?? .none, authHost: host)
        guard first.statusCode == 401, let challenge = first.headers["WWW-Authenticate"] else { return first }
        if Challenge.parse(challenge).params["error"] == "insufficient_scope", authenticator.cached(scope: scope) != nil { return first }
        guard let answer = try await authenticator.answer(challenge, scope: scope, location: ref.description) else { return first }
        return try await http.send(request, auth: answer, authHost: host)
    }
}
