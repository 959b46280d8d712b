import Foundation
import KubeClient

/// Credentials for a chart repository or registry. `description` never shows secrets.
public enum RepositoryAuth: Sendable, Equatable, CustomStringConvertible {
    case none
    case basic(username: String, password: String)
    case bearer(token: String)

    public var description: String {
        switch self {
        case .none: return "none"
        case .basic(let u, _): return "basic(\(u), <redacted>)"
        case .bearer: return "bearer(<redacted>)"
        }
    }

    var header: String? {
        switch self {
        case .none: return nil
        case .basic(let u, let p): return "Basic " + Data("\(u):\(p)".utf8).base64EncodedString()
        case .bearer(let t): return "Bearer " + t
        }
    }
}

/// TLS settings for chart downloads.
public struct ChartTLS: Sendable, Equatable {
    /// PEM file of CAs to trust instead of the system roots.
    public var caFile: String?
    /// Skip server certificate verification (callers print a warning).
    public var insecureSkipVerify: Bool

    /// PEM client certificate and key (mutual TLS), as `helm repo add --cert-file/--key-file`.
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, insecureSkipVerify: Bool = false, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
        self.certFile = certFile
        self.keyFile = keyFile
    }

    public static let insecureWarning = "warning: --insecure-skip-tls-verify: chart servers' TLS certificates are not checked; digests still are"

    /// A libcurl transport with these settings.
    public func transport() throws(ChartFetchError) -> any HTTPTransport {
        func read(_ path: String?, _ what: String) throws(ChartFetchError) -> Data? {
            guard let path else { return nil }
            guard let d = FileManager.default.contents(atPath: path) else { throw ChartFetchError(.io, path, "cannot read the \(what)") }
            return d
        }
        if (certFile == nil) != (keyFile == nil) {
            throw ChartFetchError(.io, certFile ?? keyFile ?? "", "a client certificate needs both a certificate and a key file")
        }
        return CurlTransport(tls: TLSOptions(certificateAuthority: try read(caFile, "CA file"), clientCertificate: try read(certFile, "client certificate"),
                                             clientKey: try read(keyFile, "client key"), insecureSkipVerify: insecureSkipVerify),
                             defaultTimeout: .seconds(300), userAgent: "platform/charts")
    }
}

/// GETs over an `HTTPTransport`, following redirects (which the transport never does)
/// and mapping failures to `ChartFetchError`s.
struct ChartHTTP: Sendable {
    var transport: any HTTPTransport

    /// Sends `request`, following up to 10 redirects. `auth` goes only to `authHost`
    /// (host:port): credentials never follow a redirect to another server.
    func send(_ request: HTTPRequest, auth: RepositoryAuth = .none, authHost: String? = nil) async throws(ChartFetchError) -> HTTPResponse {
        var current = request
        for _ in 0..<10 {
            var r = current
            if let header = auth.header, Self.hostKey(r.url) == (authHost ?? Self.hostKey(request.url)) {
                r.headers.set("Authorization", header)
            }
            let response: HTTPResponse
            do { response = try await transport.send(r) } catch {
                throw Self.failure(error, url: r.url)
            }
            if [301, 302, 303, 307, 308].contains(response.statusCode), let location = response.headers["Location"],
               let next = URL(string: location, relativeTo: r.url)?.absoluteURL {
                current.url = next
                if response.statusCode == 303 { current.method = "GET"; current.body = nil }
                continue
            }
            return response
        }
        throw ChartFetchError(.httpStatus, Self.redacted(request.url), "too many redirects")
    }

    /// GET `url` and require a 2xx; the body must be as long as Content-Length says.
    func get(_ url: URL, headers: HTTPHeaders = [:], auth: RepositoryAuth = .none, what: String) async throws(ChartFetchError) -> HTTPResponse {
        let response = try await send(HTTPRequest(method: "GET", url: url, headers: headers), auth: auth)
        try Self.check(response, url: url, what: what, auth: auth)
        return response
    }

    static func check(_ response: HTTPResponse, url: URL, what: String, auth: RepositoryAuth) throws(ChartFetchError) {
        let location = redacted(url)
        switch response.statusCode {
        case 200..<300:
            if let length = response.headers["Content-Length"].flatMap({ Int($0) }), response.body.count < length {
                throw ChartFetchError(.truncated, location, "\(what): received \(response.body.count) of \(length) bytes (truncated)")
            }
        case 401:
            throw ChartFetchError(.unauthorized, location, auth == .none
                ? "\(what): 401 Unauthorized: the server needs credentials (--username/--password, --token or --registry-config)"
                : "\(what): 401 Unauthorized: the server refused the credentials given")
        case 403:
            throw ChartFetchError(.forbidden, location, "\(what): 403 Forbidden: the server refused access; use credentials that may read it")
        case 404:
            throw ChartFetchError(.notFound, location, "\(what): 404 Not Found; check the URL (repository URL in the profile, or the index's urls)")
        default:
            throw ChartFetchError(.httpStatus, location, "\(what): HTTP \(response.statusCode)")
        }
    }

    /// A transport failure as a `ChartFetchError` that says what to do.
    static func failure(_ error: TransportError, url: URL) -> ChartFetchError {
        let location = redacted(url)
        // CURLE_PARTIAL_FILE (18): the connection closed before Content-Length bytes came.
        if error.curlCode == 18 {
            return ChartFetchError(.truncated, location, "download ended early (truncated): \(error.message); nothing was cached, try again")
        }
        switch error.kind {
        case .tlsVerificationFailed:
            return ChartFetchError(.tls, location, "TLS certificate verification failed: \(error.message); pass --ca-file PEM with the CA that signed the server's certificate (--insecure-skip-tls-verify only for testing)")
        case .tls:
            return ChartFetchError(.tls, location, "TLS handshake failed: \(error.message); check --ca-file and the server's TLS setup")
        default:
            return ChartFetchError(.transport, location, "request failed: \(error.description)")
        }
    }

    static func hostKey(_ url: URL) -> String {
        "\(url.host ?? ""):\(url.port ?? (url.scheme == "http" ? 80 : 443))"
    }

    /// The URL without user info or query (which may carry tokens), for messages.
    static func redacted(_ url: URL) -> String {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.path }
        c.user = nil
        c.password = nil
        c.query = nil
        return c.string ?? url.path
    }
}
