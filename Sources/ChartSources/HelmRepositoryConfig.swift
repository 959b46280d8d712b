import Foundation
import KubeClient
import YAML

/// Helm's `repositories.yaml` (what `helm repo add` writes): per-repository logins and TLS
/// settings, looked up by the profile's source URL. It lets one command use different
/// credentials for two private repositories, which the per-command flags cannot.
public struct HelmRepositoryConfig: Sendable, Equatable {
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        public var name: String
        public var url: String
        public var username: String?
        public var password: String?
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public var insecureSkipTLSVerify: Bool
        /// `pass_credentials_all`: send the login to archive URLs on other hosts too.
        public var passCredentialsAll: Bool

        public init(name: String, url: String, username: String? = nil, password: String? = nil, caFile: String? = nil,
                    certFile: String? = nil, keyFile: String? = nil, insecureSkipTLSVerify: Bool = false, passCredentialsAll: Bool = false) {
            self.name = name
            self.url = url
            self.username = username
            self.password = password
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.passCredentialsAll = passCredentialsAll
        }

        public var auth: RepositoryAuth {
            guard let username, !username.isEmpty else { return .none }
            return .basic(username: username, password: password ?? "")
        }

        /// Whether TLS differs from the command's defaults (a transport of its own is needed).
        public var hasTLSSettings: Bool { caFile != nil || certFile != nil || keyFile != nil || insecureSkipTLSVerify }

        public var description: String { "\(name) (\(url), login \(auth))" }
    }

    public var entries: [Entry]
    /// The file read, for messages.
    public var path: String?

    public init(entries: [Entry] = [], path: String? = nil) {
        self.entries = entries
        self.path = path
    }

    /// `$HELM_REPOSITORY_CONFIG`, else `$XDG_CONFIG_HOME/helm/repositories.yaml`, else
    /// `~/.config/helm/repositories.yaml` (Helm's locations on Linux).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["HELM_REPOSITORY_CONFIG"], !path.isEmpty { return path }
        return DockerConfig.helmConfigHome(environment: environment) + "/repositories.yaml"
    }

    /// `--repository-config FILE` when given (a missing file is an error), else the default
    /// file if it exists.
    public static func load(flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ChartFetchError) -> HelmRepositoryConfig {
        if let flag {
            guard FileManager.default.fileExists(atPath: flag) else { throw ChartFetchError(.io, flag, "--repository-config: no such file") }
            return try load(path: flag)
        }
        let path = defaultPath(environment: environment)
        return FileManager.default.fileExists(atPath: path) ? try load(path: path) : HelmRepositoryConfig()
    }

    public static func load(path: String) throws(ChartFetchError) -> HelmRepositoryConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw ChartFetchError(.io, path, "cannot read") }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    public static func parse(_ text: String, path: String) throws(ChartFetchError) -> HelmRepositoryConfig {
        // Nodes, not decoded values: a password such as 0123 or `yes` is text, not a number or bool.
        let root: Node?
        do { root = try Parser().parseSingle(text, file: path) } catch {
            throw ChartFetchError(.io, path, "not a Helm repositories.yaml: \(error)")
        }
        // Relative certificate paths are relative to the file (Helm stores absolute ones).
        let dir = (path as NSString).deletingLastPathComponent
        let resolve = { (p: String?) -> String? in
            guard let p, !p.isEmpty else { return nil }
            return p.hasPrefix("/") || dir.isEmpty ? p : dir + "/" + p
        }
        var entries: [Entry] = []
        for (i, item) in (root?["repositories"]?.sequenceItems ?? []).enumerated() {
            guard let url = item["url"]?.scalarValue, !url.isEmpty else {
                throw ChartFetchError(.io, path, "repositories[\(i)] has no url")
            }
            entries.append(Entry(name: item["name"]?.scalarValue ?? url, url: url, username: item["username"]?.scalarValue,
                                 password: item["password"]?.scalarValue, caFile: resolve(item["caFile"]?.scalarValue),
                                 certFile: resolve(item["certFile"]?.scalarValue), keyFile: resolve(item["keyFile"]?.scalarValue),
                                 insecureSkipTLSVerify: item["insecure_skip_tls_verify"]?.scalarValue == "true",
                                 passCredentialsAll: item["pass_credentials_all"]?.scalarValue == "true"))
        }
        return HelmRepositoryConfig(entries: entries, path: path)
    }

    /// The entry for a source URL (trailing slashes ignored, as Helm compares them).
    public func entry(for url: String) -> Entry? {
        let key = Self.normalize(url)
        return entries.first { Self.normalize($0.url) == key }
    }

    static func normalize(_ url: String) -> String {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return u
    }
}

