import Foundation

/// Registry logins from Docker's `config.json` (`auths.HOST.auth` = base64 user:password,
/// or `username`/`password`, or `identitytoken`), the file `docker login` and
/// `helm registry login` write, and the credential helpers it names (`credHelpers.HOST`,
/// else `credsStore`), which take precedence over `auths` as in Docker.
public struct DockerConfig: Sendable, Equatable {
    public var auths: [String: RepositoryAuth]
    /// `credHelpers`: registry host → helper name (`docker-credential-NAME`).
    public var credentialHelpers: [String: String]
    /// `credsStore`: the helper for every registry without its own entry.
    public var credentialStore: String?
    public var helperRunner: any CredentialHelperRunning

    public init(auths: [String: RepositoryAuth] = [:], credentialHelpers: [String: String] = [:], credentialStore: String? = nil,
                helperRunner: any CredentialHelperRunning = ProcessCredentialHelper()) {
        self.auths = auths
        self.credentialHelpers = credentialHelpers
        self.credentialStore = credentialStore
        self.helperRunner = helperRunner
    }

    public static func == (a: DockerConfig, b: DockerConfig) -> Bool {
        a.auths == b.auths && a.credentialHelpers == b.credentialHelpers && a.credentialStore == b.credentialStore
    }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["DOCKER_CONFIG"], !dir.isEmpty { return dir + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    /// Helm's own registry config: `$HELM_REGISTRY_CONFIG`, else `~/.config/helm/registry/config.json`.
    public static func helmPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["HELM_REGISTRY_CONFIG"], !path.isEmpty { return path }
        return helmConfigHome(environment: environment) + "/registry/config.json"
    }

    /// Helm's configuration directory on Linux: `$XDG_CONFIG_HOME/helm` (absolute values
    /// only), else `~/.config/helm`.
    static func helmConfigHome(environment: [String: String]) -> String {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/helm"
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
        let helm = try load(path: helmPath(environment: environment))
        for (host, auth) in helm.auths where config.auths[host] == nil {
            config.auths[host] = auth
        }
        for (host, helper) in helm.credentialHelpers where config.credentialHelpers[host] == nil {
            config.credentialHelpers[host] = helper
        }
        config.credentialStore = config.credentialStore ?? helm.credentialStore
        return config
    }

    /// The logins in `path`; an absent file has none.
    public static func load(path: String) throws(ChartFetchError) -> DockerConfig {
        guard let data = FileManager.default.contents(atPath: path) else { return DockerConfig() }
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ChartFetchError(.io, path, "not a JSON registry config (expected {\"auths\": {HOST: {\"auth\": BASE64}}})")
        }
        var out = DockerConfig()
        if let store = top["credsStore"] as? String, !store.isEmpty { out.credentialStore = store }
        for (host, helper) in (top["credHelpers"] as? [String: Any]) ?? [:] {
            if let helper = helper as? String, !helper.isEmpty { out.credentialHelpers[hostKey(host)] = helper }
        }
        for (host, value) in (top["auths"] as? [String: Any]) ?? [:] {
            guard let entry = value as? [String: Any] else { continue }
            let key = hostKey(host)
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

    /// `https://r.example:5000/v1/` → `r.example:5000`, as config files may spell keys.
    static func hostKey(_ key: String) -> String {
        key.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
            .split(separator: "/").first.map(String.init) ?? key
    }

    /// The login for `registry`, resolved when first needed: a credential helper runs only
    /// once the registry asks for a login.
    public func login(for registry: String) -> RegistryLogin {
        let hub = registry == "docker.io" || registry == "index.docker.io" || registry == "registry-1.docker.io"
        let file = auths[registry] ?? (hub ? auths["index.docker.io"] ?? auths["docker.io"] : nil) ?? .none
        guard let helper = credentialHelpers[registry] ?? (hub ? credentialHelpers["index.docker.io"] : nil) ?? credentialStore else {
            return .fixed(file)
        }
        // Docker keys Docker Hub's credentials by its v1 URL, every other registry by host.
        let serverURL = hub ? "https://index.docker.io/v1/" : registry
        let runner = helperRunner
        return RegistryLogin(resolve: { () throws(ChartFetchError) -> RepositoryAuth in
            try runner.credentials(helper: helper, serverURL: serverURL)?.auth ?? file
        })
    }

    /// The login for `registry` now (running its credential helper, if any).
    public func auth(for registry: String) throws(ChartFetchError) -> RepositoryAuth {
        try login(for: registry).resolve()
    }
}
