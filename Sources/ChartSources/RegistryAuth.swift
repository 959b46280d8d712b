import Foundation
import KubeClient

/// Answers an OCI registry's `WWW-Authenticate` challenge: Basic with the login itself, or
/// Docker's token flow for Bearer (GET realm?service=&scope= with the basic login, or POST
/// an identity token as an OAuth2 refresh token), caching the result per scope.
struct RegistryAuthenticator: Sendable {
    let loginSource: RegistryLogin
    var registry: String
    /// The registry itself is plain HTTP (`--plain-http`): an http token realm is expected.
    var allowPlainHTTP = false
    let http: ChartHTTP
    let tokens = TokenStore()

    init(login: RegistryLogin, registry: String, allowPlainHTTP: Bool = false, http: ChartHTTP) {
        self.loginSource = login
        self.registry = registry
        self.allowPlainHTTP = allowPlainHTTP
        self.http = http
    }

    /// What to send for `scope`, if a challenge was answered already.
    func cached(scope: String) -> RepositoryAuth? { tokens.get(scope) }

    /// The credential that answers `challenge` for `scope`; nil when there is nothing to offer
    /// (no login for a Basic challenge, an unknown scheme).
    func answer(_ challenge: String, scope: String, location: String) async throws(ChartFetchError) -> RepositoryAuth? {
        let (scheme, params) = Challenge.parse(challenge)
        // Only now, with a challenge in hand, is the login (maybe a credential helper) needed.
        let login = try loginSource.resolve()
        if scheme == "basic" {
            guard case .basic = login else { return nil }
            tokens.set(scope, login)
            return login
        }
        guard scheme == "bearer", let realm = params["realm"], var c = URLComponents(string: realm),
              c.scheme == "https" || c.scheme == "http" else { return nil }
        // The login goes to the realm: never in clear text unless the registry itself is plain HTTP.
        if c.scheme == "http", !allowPlainHTTP, login != .none {
            throw ChartFetchError(.unauthorized, location,
                                  "the registry's token service \(ChartHTTP.redacted(c.url ?? URL(fileURLWithPath: "/"))) is plain http; refusing to send the login for \(registry) there (use --plain-http only for a plain-HTTP test registry)")
        }
        // Our scope, not the challenge's: a push's first request (HEAD) is challenged for
        // `pull` only, and the token must also cover the upload that follows.
        let wanted = scope
        var request: HTTPRequest
        if case .bearer(let identityToken) = login {
            guard let url = c.url else { return nil }
            var form = URLComponents()
            form.queryItems = [URLQueryItem(name: "grant_type", value: "refresh_token"),
                               URLQueryItem(name: "service", value: params["service"] ?? registry),
                               URLQueryItem(name: "scope", value: wanted),
                               URLQueryItem(name: "client_id", value: "platform"),
                               URLQueryItem(name: "refresh_token", value: identityToken)]
            request = HTTPRequest(method: "POST", url: url, body: Data((form.percentEncodedQuery ?? "").utf8))
            request.headers.set("Content-Type", "application/x-www-form-urlencoded")
        } else {
            var items = c.queryItems ?? []
            if let service = params["service"] { items.append(URLQueryItem(name: "service", value: service)) }
            items.append(URLQueryItem(name: "scope", value: wanted))
            c.queryItems = items
            guard let url = c.url else { return nil }
            request = HTTPRequest(method: "GET", url: url)
        }
        // The login goes to the token service only (its host), never along redirects elsewhere.
        let sendAuth: RepositoryAuth = { if case .basic = login { return login } else { return .none } }()
        let response = try await http.send(request, auth: sendAuth, authHost: ChartHTTP.hostKey(request.url))
        let realmText = ChartHTTP.redacted(request.url)
        switch response.statusCode {
        case 200..<300: break
        case 401:
            throw ChartFetchError(.unauthorized, location, login == .none
                ? "401 Unauthorized: the registry's token service (\(realmText)) wants a login for \(registry); run `docker login \(registry)` or `helm registry login \(registry)`, or pass --registry-config FILE"
                : "401 Unauthorized: the registry's token service (\(realmText)) refused the login for \(registry) "
                    + (sendAuth == .none ? "(identity token expired or revoked? log in again)" : "(wrong username or password?)"))
        case 403:
            throw ChartFetchError(.forbidden, location, "403 Forbidden: the registry's token service (\(realmText)) denied \(wanted) to this login")
        default:
            throw ChartFetchError(.httpStatus, location, "the registry's token service (\(realmText)) answered HTTP \(response.statusCode)")
        }
        guard let json = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let token = (json["token"] as? String) ?? (json["access_token"] as? String), !token.isEmpty else {
            throw ChartFetchError(.unauthorized, location, "the registry's token service (\(realmText)) answered without a token")
        }
        let auth = RepositoryAuth.bearer(token: token)
        tokens.set(scope, auth)
        return auth
    }
}

/// `WWW-Authenticate` challenges.
enum Challenge {
    /// `Bearer realm="…",service="…",scope="…"` → ("bearer", params).
    static func parse(_ header: String) -> (scheme: String, params: [String: String]) {
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

/// Credentials per scope, shared by one client's requests.
final class TokenStore: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: RepositoryAuth] = [:]
    func get(_ k: String) -> RepositoryAuth? { lock.withLock { values[k] } }
    func set(_ k: String, _ v: RepositoryAuth) { lock.withLock { values[k] = v } }
}

/// The distribution API's error body: `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}`.
struct RegistryErrors {
    var codes: [String] = []
    var messages: [String] = []

    init(_ body: Data) {
        guard let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let errors = json["errors"] as? [[String: Any]] else { return }
        for e in errors {
            if let c = e["code"] as? String { codes.append(c) }
            if let m = e["message"] as? String { messages.append(m) }
        }
    }

    /// ` (CODE: message)` for messages, or empty.
    var suffix: String {
        guard !codes.isEmpty else { return "" }
        return " (" + zip(codes, messages + Array(repeating: "", count: max(0, codes.count - messages.count)))
            .map { $1.isEmpty ? $0 : "\($0): \($1)" }.joined(separator: "; ") + ")"
    }
}
