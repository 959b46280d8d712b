import Foundation

/// Registry logins from Docker's `config.json` (`auths.HOST.auth` = base64 user:password,
/// or `username`/`password`, or `identitytoken`), the file `docker login` and
/// `helm registry login` write. Credential helpers (`credsStore`) are not run.
public struct DockerConfig: Sendable, Equatable {
    public var auths: [String: RepositoryAuth]

    public init(auths: [String: RepositoryAuth] = [:]) { self.auths = auths }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    /// Helm's own registry config: `$HELM_REGISTRY_CONFIG`, else `~/.config/helm/registry/config.json`.
    public static func helmPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["HELM_REGISTRY_CONFIG"], !path.isEmpty { return path }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/helm/registry/config.json"
    }

    /// `--registry-config` alone when given (a missing file is an error); otherwise Docker's
    /// file, with Helm's filling in registries Docker's does not name (both may be absent).
    public static func load(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ChartFetchError) -> DockerConfig {
        if let flag {
            guard FileManager.default.fileExists(atPath: flag) else {
                throw ChartFetchError(.io, flag, "--registry-config: no such file")
            }
            return try load(path: flag)
        }
        var config = try load(path: defaultPath(environment: environment))
        for (host, auth) in try load(path: helmPath(environment: environment)).auths where config.auths[host] == nil {
            config.auths[host] = auth
        }
        return config
    }

    /// The logins in `path`; an absent file has none.
    public static func load(path: String) throws(ChartFetchError) -> DockerConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return DockerConfig() }
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ChartFetchError(.io, path, "not a JSON registry config (expected {\"auths\": {HOST: {\"auth\": BASE64}}})")
        }
        var out = DockerConfig()
        for (host, value) in (top["auths"] as? [String: Any]) ?? [:] {
            guard let entry = value as? [String: Any] else { continue }
            let key = host.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
                .split(separator: "/").first.map(String.init) ?? host
            if let token = entry["identitytoken"] as? String, !token.isEmpty {
                out.auths[key] = .bearer(token: token)
            } else if let auth = entry["auth"] as? String, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth), let text = String(data: decoded, encoding: .utf8),
                      let colon = text.firstIndex(of: ":") else {
                    throw ChartFetchError(.io, path, "auths.\(host).auth is not base64 of USER:PASSWORD")
                }
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
