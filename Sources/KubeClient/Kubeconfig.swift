import Foundation
import YAML

/// A kubeconfig (one file, or several merged by kubectl's rules). Every entry
/// remembers the file it came from; relative paths are already resolved against it.
/// `description` (here and in the nested types) never shows tokens, passwords or keys.
public struct Kubeconfig: Sendable, CustomStringConvertible {
    public struct Cluster: Sendable, Equatable {
        public var server: String
        /// Path to a PEM CA bundle (absolute after loading).
        public var certificateAuthority: String?
        public var certificateAuthorityData: Data?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
        public var proxyURL: String?
        public var origin: String?

        public init(server: String, certificateAuthority: String? = nil, certificateAuthorityData: Data? = nil,
                    insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil,
                    origin: String? = nil) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
            self.proxyURL = proxyURL
            self.origin = origin
        }
    }

    public struct ExecConfig: Sendable, Equatable {
        public enum InteractiveMode: String, Sendable {
            case never = "Never", ifAvailable = "IfAvailable", always = "Always"
        }
        public var command: String
        public var args: [String]
        public var env: [EnvVar]
        public var apiVersion: String
        public var installHint: String?
        public var provideClusterInfo: Bool
        public var interactiveMode: InteractiveMode

        public struct EnvVar: Sendable, Equatable {
            public var name: String
            public var value: String
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        public init(command: String, args: [String] = [], env: [EnvVar] = [],
                    apiVersion: String = "client.authentication.k8s.io/v1", installHint: String? = nil,
                    provideClusterInfo: Bool = false, interactiveMode: InteractiveMode = .never) {
            self.command = command
            self.args = args
            self.env = env
            self.apiVersion = apiVersion
            self.installHint = installHint
            self.provideClusterInfo = provideClusterInfo
            self.interactiveMode = interactiveMode
        }
    }

    public struct User: Sendable, Equatable, CustomStringConvertible {
        public var clientCertificate: String?
        public var clientCertificateData: Data?
        public var clientKey: String?
        public var clientKeyData: Data?
        public var token: String?
        public var tokenFile: String?
        public var username: String?
        public var password: String?
        public var exec: ExecConfig?
        /// `auth-provider` (gcp, azure, oidc) is recognised only to report it as unsupported.
        public var authProviderName: String?
        public var origin: String?

        public init() {}

        public var description: String {
            var parts: [String] = []
            if let clientCertificate { parts.append("client-certificate: \(clientCertificate)") }
            if clientCertificateData != nil { parts.append("client-certificate-data: <\(clientCertificateData?.count ?? 0) bytes>") }
            if let clientKey { parts.append("client-key: \(clientKey)") }
            if clientKeyData != nil { parts.append("client-key-data: \(Redaction.placeholder)") }
            if token != nil { parts.append("token: \(Redaction.placeholder)") }
            if let tokenFile { parts.append("tokenFile: \(tokenFile)") }
            if let username { parts.append("username: \(username)") }
            if password != nil { parts.append("password: \(Redaction.placeholder)") }
            if let exec { parts.append("exec: \(exec.command)") }
            if let authProviderName { parts.append("auth-provider: \(authProviderName)") }
            return "User(\(parts.joined(separator: ", ")))"
        }
    }

    public struct Context: Sendable, Equatable {
        public var cluster: String
        public var user: String
        public var namespace: String?
        public var origin: String?

        public init(cluster: String, user: String, namespace: String? = nil, origin: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
            self.origin = origin
        }
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?
    /// The files that were read, in precedence order.
    public var files: [String] = []

    public init() {}

    public var isEmpty: Bool { clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil }

    public var description: String {
        let userText = users.keys.sorted().map { "\($0): \(users[$0]?.description ?? "")" }.joined(separator: "; ")
        return "Kubeconfig(files: \(files), current-context: \(currentContext ?? "<none>"), "
            + "contexts: \(contexts.keys.sorted()), clusters: \(clusters.keys.sorted()), users: [\(userText)])"
    }

    /// kubectl's merge: the first file to set a map key (cluster, user, context name) wins
    /// and later files never change that entry; `current-context` comes from the first
    /// file that sets it.
    public mutating func merge(lowerPriority other: Kubeconfig) {
        for (name, value) in other.clusters where clusters[name] == nil { clusters[name] = value }
        for (name, value) in other.users where users[name] == nil { users[name] = value }
        for (name, value) in other.contexts where contexts[name] == nil { contexts[name] = value }
        if currentContext == nil || currentContext?.isEmpty == true { currentContext = other.currentContext }
        files += other.files
    }
}

// MARK: - Parsing

extension Kubeconfig {
    /// Parses one kubeconfig file's text. Relative paths are resolved against `path`'s directory.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> Kubeconfig {
        let documents: [Document]
        do {
            documents = try Parser().parseStream(text, file: path)
        } catch {
            throw ConfigurationError("not a valid kubeconfig: \(error)", file: path)
        }
        var config = Kubeconfig()
        config.files = [path]
        guard let root = documents.first?.root else { return config }
        guard root.mappingPairs != nil else {
            throw ConfigurationError("a kubeconfig must be a mapping, found a \(root.kindName)", file: path, mark: root.mark)
        }
        let base = (path as NSString).deletingLastPathComponent
        let reader = NodeReader(file: path)

        for item in try reader.list(root["clusters"]) {
            let name = try reader.requiredString(item["name"], field: "name", in: item)
            guard let body = item["cluster"], body.mappingPairs != nil else {
                throw ConfigurationError("cluster \"\(name)\" has no \"cluster\" mapping", file: path, mark: item.mark)
            }
            config.clusters[name] = Cluster(
                server: try reader.string(body["server"]) ?? "",
                certificateAuthority: try reader.string(body["certificate-authority"]).map { resolve($0, base) },
                certificateAuthorityData: try reader.base64(body["certificate-authority-data"], field: "certificate-authority-data"),
                insecureSkipTLSVerify: try reader.bool(body["insecure-skip-tls-verify"]) ?? false,
                tlsServerName: try reader.string(body["tls-server-name"]),
                proxyURL: try reader.string(body["proxy-url"]),
                origin: path)
        }
        for item in try reader.list(root["users"]) {
            let name = try reader.requiredString(item["name"], field: "name", in: item)
            var user = User()
            user.origin = path
            if let body = item["user"], body.mappingPairs != nil {
                user.clientCertificate = try reader.string(body["client-certificate"]).map { resolve($0, base) }
                user.clientCertificateData = try reader.base64(body["client-certificate-data"], field: "client-certificate-data")
                user.clientKey = try reader.string(body["client-key"]).map { resolve($0, base) }
                user.clientKeyData = try reader.base64(body["client-key-data"], field: "client-key-data")
                user.token = try reader.string(body["token"])
                user.tokenFile = try reader.string(body["tokenFile"]).map { resolve($0, base) }
                user.username = try reader.string(body["username"])
                user.password = try reader.string(body["password"])
                if let provider = body["auth-provider"], provider.mappingPairs != nil {
                    user.authProviderName = try reader.string(provider["name"]) ?? "unknown"
                }
                if let exec = body["exec"], exec.mappingPairs != nil {
                    user.exec = try parseExec(exec, reader: reader, base: base, userName: name)
                }
            }
            config.users[name] = user
        }
        for item in try reader.list(root["contexts"]) {
            let name = try reader.requiredString(item["name"], field: "name", in: item)
            let body = item["context"]
            config.contexts[name] = Context(
                cluster: try reader.string(body?["cluster"]) ?? "",
                user: try reader.string(body?["user"]) ?? "",
                namespace: try reader.string(body?["namespace"]),
                origin: path)
        }
        config.currentContext = try reader.string(root["current-context"]).flatMap { $0.isEmpty ? nil : $0 }
        return config
    }

    private static func parseExec(_ node: Node, reader: NodeReader, base: String, userName: String) throws(ConfigurationError) -> ExecConfig {
        let command = try reader.string(node["command"]) ?? ""
        guard !command.isEmpty else {
            throw ConfigurationError("user \"\(userName)\": exec.command must be set", file: reader.file, mark: node.mark)
        }
        let apiVersion = try reader.string(node["apiVersion"]) ?? ""
        guard ExecCredentialProvider.supportedVersions.contains(apiVersion) else {
            throw ConfigurationError(
                "user \"\(userName)\": exec.apiVersion \"\(apiVersion)\" is not supported; use "
                    + ExecCredentialProvider.supportedVersions.map { "\"\($0)\"" }.joined(separator: " or "),
                file: reader.file, mark: node["apiVersion"]?.mark ?? node.mark)
        }
        var mode: ExecConfig.InteractiveMode
        if let text = try reader.string(node["interactiveMode"]), !text.isEmpty {
            guard let parsed = ExecConfig.InteractiveMode(rawValue: text) else {
                throw ConfigurationError("user \"\(userName)\": exec.interactiveMode \"\(text)\" is invalid; use Never, IfAvailable or Always",
                                         file: reader.file, mark: node["interactiveMode"]?.mark)
            }
            mode = parsed
        } else if apiVersion == "client.authentication.k8s.io/v1" {
            // v1 requires the field (client-go validation); v1beta1 defaults it.
            throw ConfigurationError("user \"\(userName)\": exec.interactiveMode must be specified with \(apiVersion)",
                                     file: reader.file, mark: node.mark)
        } else {
            mode = .ifAvailable
        }
        var env: [ExecConfig.EnvVar] = []
        for item in try reader.list(node["env"]) {
            env.append(.init(name: try reader.requiredString(item["name"], field: "name", in: item),
                             value: try reader.string(item["value"]) ?? ""))
        }
        var args: [String] = []
        if let list = node["args"], case .sequence(let items) = list.content {
            for arg in items { args.append(try reader.string(arg) ?? "") }
        }
        // Only a command with a path separator is file-relative; a bare name is looked up on PATH.
        let resolvedCommand = command.contains("/") ? resolve(command, base) : command
        return ExecConfig(command: resolvedCommand, args: args, env: env, apiVersion: apiVersion,
                          installHint: try reader.string(node["installHint"]),
                          provideClusterInfo: try reader.bool(node["provideClusterInfo"]) ?? false,
                          interactiveMode: mode)
    }

    static func resolve(_ path: String, _ base: String) -> String {
        if path.isEmpty || path.hasPrefix("/") { return path }
        if path.hasPrefix("~/") { return NSString(string: path).expandingTildeInPath }
        let absoluteBase = base.hasPrefix("/") ? base : FileManager.default.currentDirectoryPath + "/" + base
        return URL(fileURLWithPath: absoluteBase).appendingPathComponent(path).standardizedFileURL.path
    }
}

/// Reads typed scalars out of YAML nodes, failing with file:line:col.
struct NodeReader {
    let file: String

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s, let style) = node.content, style == .plain else { return false }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    func list(_ node: Node?) throws(ConfigurationError) -> [Node] {
        guard let node, !isNull(node) else { return [] }
        guard case .sequence(let items) = node.content else {
            throw ConfigurationError("expected a list, found a \(node.kindName)", file: file, mark: node.mark)
        }
        return items
    }

    func string(_ node: Node?) throws(ConfigurationError) -> String? {
        guard let node, !isNull(node) else { return nil }
        guard case .scalar(let s, _) = node.content else {
            throw ConfigurationError("expected a string, found a \(node.kindName)", file: file, mark: node.mark)
        }
        return s
    }

    func requiredString(_ node: Node?, field: String, in parent: Node) throws(ConfigurationError) -> String {
        guard let value = try string(node), !value.isEmpty else {
            throw ConfigurationError("\"\(field)\" is required", file: file, mark: parent.mark)
        }
        return value
    }

    func bool(_ node: Node?) throws(ConfigurationError) -> Bool? {
        guard let text = try string(node) else { return nil }
        switch text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            throw ConfigurationError("expected true or false, found \"\(text)\"", file: file, mark: node?.mark)
        }
    }

    func base64(_ node: Node?, field: String) throws(ConfigurationError) -> Data? {
        guard let text = try string(node), !text.isEmpty else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            // Never echo the value: it may be a key.
            throw ConfigurationError("\(field) is not valid base64", file: file, mark: node?.mark)
        }
        return data
    }
}
