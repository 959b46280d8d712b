import Foundation

/// Where the configuration comes from: kubectl's flags and environment.
public struct ConfigurationOptions: Sendable {
    /// `--kubeconfig`: only this file is read, and it must exist.
    public var kubeconfigPath: String?
    /// `--context`
    public var context: String?
    /// `--namespace`
    public var namespace: String?
    public var environment: [String: String]
    /// Where `~/.kube/config` lives; nil means `$HOME`.
    public var homeDirectory: String?
    public var inClusterPaths: InClusterPaths

    public init(kubeconfigPath: String? = nil, context: String? = nil, namespace: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                homeDirectory: String? = nil, inClusterPaths: InClusterPaths = .standard) {
        self.kubeconfigPath = kubeconfigPath
        self.context = context
        self.namespace = namespace
        self.environment = environment
        self.homeDirectory = homeDirectory
        self.inClusterPaths = inClusterPaths
    }
}

/// The service-account files a pod sees; overridable for tests.
public struct InClusterPaths: Sendable {
    public var tokenFile: String
    public var certificateAuthorityFile: String
    public var namespaceFile: String

    public init(tokenFile: String, certificateAuthorityFile: String, namespaceFile: String) {
        self.tokenFile = tokenFile
        self.certificateAuthorityFile = certificateAuthorityFile
        self.namespaceFile = namespaceFile
    }

    public static let standard = InClusterPaths(
        tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
        certificateAuthorityFile: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
        namespaceFile: "/var/run/secrets/kubernetes.io/serviceaccount/namespace")
}

/// How requests authenticate (besides a TLS client certificate, which lives in `TLSOptions`).
public enum Credentials: Sendable, CustomStringConvertible {
    case none
    case bearerToken(String)
    /// Re-read when it changes (service-account tokens rotate); `fallback` is the
    /// kubeconfig's static `token`, used when the file cannot be read (as client-go does).
    case tokenFile(path: String, fallback: String?)
    case basic(username: String, password: String)
    case exec(Kubeconfig.ExecConfig, cluster: ExecClusterInfo)

    public var description: String {
        switch self {
        case .none: return "none"
        case .bearerToken: return "bearer token \(Redaction.placeholder)"
        case .tokenFile(let path, _): return "token file \(path)"
        case .basic(let username, _): return "basic auth user \(username), password \(Redaction.placeholder)"
        case .exec(let config, _): return "exec plugin \(config.command)"
        }
    }
}

/// The cluster as an exec plugin sees it in `KUBERNETES_EXEC_INFO` (`provideClusterInfo: true`).
public struct ExecClusterInfo: Sendable, Equatable {
    public var server: String
    public var certificateAuthorityData: Data?
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?
    public var proxyURL: String?
}

/// Everything needed to talk to one API server: resolved from a kubeconfig
/// context or from the pod's service account.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public var server: URL
    public var tls: TLSOptions
    public var credentials: Credentials
    /// The default namespace: `--namespace`, else the context's, else the pod's, else "default".
    public var namespace: String
    public var contextName: String?
    public var clusterName: String?
    public var userName: String?
    /// Things the user should be told (insecure TLS) — printed by the client once.
    public var warnings: [String]

    public init(server: URL, tls: TLSOptions = TLSOptions(), credentials: Credentials = .none, namespace: String = "default",
                contextName: String? = nil, clusterName: String? = nil, userName: String? = nil, warnings: [String] = []) {
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.warnings = warnings
    }

    public var description: String {
        "ClientConfiguration(server: \(Redaction.url(server.absoluteString)), context: \(contextName ?? "<none>"), "
            + "namespace: \(namespace), credentials: \(credentials), tls: \(tls))"
    }

    // MARK: loading

    /// kubectl's loading rules: `--kubeconfig`, else every file in `KUBECONFIG` merged,
    /// else `~/.kube/config`; with nothing configured, the in-cluster service account.
    public static func load(_ options: ConfigurationOptions = ConfigurationOptions()) throws(KubeClientError) -> ClientConfiguration {
        let kubeconfig: Kubeconfig
        do {
            kubeconfig = try loadKubeconfig(options)
        } catch {
            throw .configuration(error)
        }
        if kubeconfig.isEmpty, options.context == nil,
           options.environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: options.environment, paths: options.inClusterPaths, namespace: options.namespace)
        }
        if kubeconfig.isEmpty {
            throw .configuration(ConfigurationError(
                "no configuration has been provided: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, "
                    + "or run inside a cluster (KUBERNETES_SERVICE_HOST)"))
        }
        do {
            return try resolve(kubeconfig, context: options.context, namespace: options.namespace)
        } catch {
            throw .configuration(error)
        }
    }

    /// Reads and merges the kubeconfig files the loading rules select.
    public static func loadKubeconfig(_ options: ConfigurationOptions) throws(ConfigurationError) -> Kubeconfig {
        let fm = FileManager.default
        var paths: [String] = []
        var mustExist = false
        if let explicit = options.kubeconfigPath, !explicit.isEmpty {
            paths = [explicit]
            mustExist = true
        } else if let list = options.environment["KUBECONFIG"], !list.isEmpty {
            for path in list.split(separator: ":", omittingEmptySubsequences: true).map(String.init)
            where !paths.contains(path) {
                paths.append(path)
            }
        } else {
            let home = options.homeDirectory ?? options.environment["HOME"] ?? NSHomeDirectory()
            paths = [home + "/.kube/config"]
        }
        var merged = Kubeconfig()
        for path in paths {
            guard fm.fileExists(atPath: path) else {
                if mustExist { throw ConfigurationError("the kubeconfig file does not exist (from --kubeconfig)", file: path) }
                continue  // KUBECONFIG entries that do not exist are skipped, as kubectl does
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("cannot read the kubeconfig: \(error.localizedDescription)", file: path)
            }
            let config = try Kubeconfig.parse(text, path: path)
            merged.merge(lowerPriority: config)
        }
        if merged.files.isEmpty { merged.files = [] }
        return merged
    }

    /// Resolves one context of a (merged) kubeconfig into a configuration.
    public static func resolve(_ kubeconfig: Kubeconfig, context requested: String? = nil,
                               namespace: String? = nil) throws(ConfigurationError) -> ClientConfiguration {
        let fileList = kubeconfig.files.joined(separator: ", ")
        guard let contextName = requested ?? kubeconfig.currentContext else {
            let known = kubeconfig.contexts.keys.sorted().joined(separator: ", ")
            throw ConfigurationError("no current-context is set in \(fileList); pass --context"
                + (known.isEmpty ? "" : " (contexts: \(known))"))
        }
        guard let context = kubeconfig.contexts[contextName] else {
            let known = kubeconfig.contexts.keys.sorted().joined(separator: ", ")
            throw ConfigurationError("context \"\(contextName)\" does not exist in \(fileList)"
                + (known.isEmpty ? "" : " (contexts: \(known))"))
        }
        guard let cluster = kubeconfig.clusters[context.cluster] else {
            throw ConfigurationError("cluster \"\(context.cluster)\" was not found for context \"\(contextName)\"", file: context.origin)
        }
        let user: Kubeconfig.User
        if context.user.isEmpty {
            user = Kubeconfig.User()
        } else if let found = kubeconfig.users[context.user] {
            user = found
        } else {
            throw ConfigurationError("user \"\(context.user)\" was not found for context \"\(contextName)\"", file: context.origin)
        }
        guard !cluster.server.isEmpty else {
            throw ConfigurationError("cluster \"\(context.cluster)\" has no server", file: cluster.origin)
        }
        let server = try serverURL(cluster.server, origin: cluster.origin)

        var warnings: [String] = []
        var tls = TLSOptions(insecureSkipVerify: cluster.insecureSkipTLSVerify,
                             serverName: cluster.tlsServerName, proxyURL: cluster.proxyURL)
        if cluster.insecureSkipTLSVerify {
            if cluster.certificateAuthority != nil || cluster.certificateAuthorityData != nil {
                throw ConfigurationError("cluster \"\(context.cluster)\": specifying a root certificates file with the insecure flag is not allowed",
                                         file: cluster.origin)
            }
            warnings.append("warning: TLS certificate verification is disabled for cluster \"\(context.cluster)\" "
                + "(insecure-skip-tls-verify); the connection and its credentials can be intercepted")
        }
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthority = data
        } else if let path = cluster.certificateAuthority {
            tls.certificateAuthority = try readFile(path, what: "certificate-authority", cluster.origin)
        }

        // Client certificate: data wins over file, as in client-go.
        var cert = user.clientCertificateData
        if cert == nil, let path = user.clientCertificate {
            cert = try readFile(path, what: "client-certificate", user.origin)
        }
        var key = user.clientKeyData
        if key == nil, let path = user.clientKey {
            key = try readFile(path, what: "client-key", user.origin)
        }
        switch (cert, key) {
        case (nil, nil): break
        case (.some, nil):
            throw ConfigurationError("user \"\(context.user)\": client-certificate is set but client-key is missing", file: user.origin)
        case (nil, .some):
            throw ConfigurationError("user \"\(context.user)\": client-key is set but client-certificate is missing", file: user.origin)
        case (let c?, let k?):
            tls.clientCertificate = c
            tls.clientKey = k
        }

        if let provider = user.authProviderName {
            throw ConfigurationError("user \"\(context.user)\": auth-provider \"\(provider)\" is not supported; "
                + "use an exec credential plugin (for example gke-gcloud-auth-plugin or kubelogin)", file: user.origin)
        }
        var methods: [String] = []
        if user.token != nil || user.tokenFile != nil { methods.append("token") }
        if user.username != nil || user.password != nil { methods.append("basicAuth") }
        if methods.count > 1 {
            throw ConfigurationError("more than one authentication method found for \"\(context.user)\"; found \(methods), only one is allowed",
                                     file: user.origin)
        }
        let credentials: Credentials
        if let tokenFile = user.tokenFile {
            credentials = .tokenFile(path: tokenFile, fallback: user.token)
        } else if let token = user.token, !token.isEmpty {
            credentials = .bearerToken(token)
        } else if user.username != nil || user.password != nil {
            credentials = .basic(username: user.username ?? "", password: user.password ?? "")
        } else if let exec = user.exec {
            credentials = .exec(exec, cluster: ExecClusterInfo(
                server: cluster.server, certificateAuthorityData: tls.certificateAuthority,
                insecureSkipTLSVerify: cluster.insecureSkipTLSVerify, tlsServerName: cluster.tlsServerName,
                proxyURL: cluster.proxyURL))
        } else {
            credentials = .none
        }
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClientConfiguration(server: server, tls: tls, credentials: credentials, namespace: ns,
                                   contextName: contextName, clusterName: context.cluster,
                                   userName: context.user.isEmpty ? nil : context.user, warnings: warnings)
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT`, token (re-read
    /// as it rotates) and CA at the standard paths.
    public static func inCluster(environment: [String: String] = ProcessInfo.processInfo.environment,
                                 paths: InClusterPaths = .standard,
                                 namespace: String? = nil) throws(KubeClientError) -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
              let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .configuration(ConfigurationError(
                "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined"))
        }
        guard FileManager.default.isReadableFile(atPath: paths.tokenFile) else {
            throw .configuration(ConfigurationError("unable to load in-cluster configuration: the service-account token is missing",
                                                    file: paths.tokenFile))
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw .configuration(ConfigurationError("unable to load in-cluster configuration: invalid host \(host) or port \(port)"))
        }
        var tls = TLSOptions()
        do {
            tls.certificateAuthority = try readFile(paths.certificateAuthorityFile, what: "service-account CA", nil)
        } catch {
            throw .configuration(error)
        }
        let podNamespace = (try? String(contentsOfFile: paths.namespaceFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let ns = namespace.flatMap { $0.isEmpty ? nil : $0 } ?? podNamespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return ClientConfiguration(server: server, tls: tls, credentials: .tokenFile(path: paths.tokenFile, fallback: nil),
                                   namespace: ns, contextName: nil, clusterName: "in-cluster")
    }

    static func serverURL(_ text: String, origin: String?) throws(ConfigurationError) -> URL {
        var value = text
        if !value.contains("://") { value = "https://" + value }
        while value.hasSuffix("/") { value.removeLast() }
        guard let url = URL(string: value), let scheme = url.scheme, scheme == "https" || scheme == "http", url.host != nil else {
            throw ConfigurationError("server \"\(Redaction.url(text))\" is not a valid https URL", file: origin)
        }
        return url
    }

    static func readFile(_ path: String, what: String, _ origin: String?) throws(ConfigurationError) -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(what) file \(path)" + (origin.map { " (named in \($0))" } ?? ""))
        }
        return data
    }
}
