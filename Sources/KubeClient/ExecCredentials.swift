import Foundation
import KubeModel
#if canImport(Glibc)
import Glibc
#endif

/// What an exec plugin returned. `description` shows no secret.
public struct ExecCredential: Sendable, CustomStringConvertible {
    public var token: String?
    public var clientIdentity: TLSClientIdentity?
    public var expiration: Date?

    public var description: String {
        "ExecCredential(token: \(token == nil ? "none" : Redaction.placeholder), "
            + "client-certificate: \(clientIdentity == nil ? "none" : "set"), expires: \(expiration.map { "\($0)" } ?? "never"))"
    }
}

/// Runs a kubeconfig `exec` credential plugin (client.authentication.k8s.io v1 / v1beta1)
/// and caches its answer until `expirationTimestamp` (or until the server answers 401).
/// One run at a time: concurrent callers share it.
public actor ExecCredentialProvider {
    public static let supportedVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    let config: Kubeconfig.ExecConfig
    let cluster: ExecClusterInfo
    let environment: [String: String]
    let stdinIsTerminal: Bool
    private var cached: ExecCredential?
    private var inFlight: Task<Result<ExecCredential, CredentialPluginError>, Never>?
    /// How many times the plugin ran (tests check the cache with it).
    public private(set) var runs = 0

    public init(config: Kubeconfig.ExecConfig, cluster: ExecClusterInfo,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                stdinIsTerminal: Bool = isatty(0) != 0) {
        self.config = config
        self.cluster = cluster
        self.environment = environment
        self.stdinIsTerminal = stdinIsTerminal
    }

    public func credential(now: Date = Date()) async throws(CredentialPluginError) -> ExecCredential {
        if let cached, cached.expiration.map({ $0 > now }) ?? true { return cached }
        if inFlight == nil {
            let config = config, cluster = cluster, environment = environment, tty = stdinIsTerminal
            runs += 1
            inFlight = Task.detached { await Self.run(config: config, cluster: cluster, environment: environment, stdinIsTerminal: tty) }
        }
        let result = await inFlight?.value ?? .failure(CredentialPluginError(command: config.command, message: "internal error"))
        inFlight = nil
        let credential = try result.get()
        cached = credential
        return credential
    }

    /// The server rejected `token`: forget it so the next request runs the plugin again.
    public func invalidate(token: String?) {
        if cached?.token == token { cached = nil }
    }

    // MARK: running the plugin

    static func run(config: Kubeconfig.ExecConfig, cluster: ExecClusterInfo, environment: [String: String],
                    stdinIsTerminal: Bool) async -> Result<ExecCredential, CredentialPluginError> {
        let interactive: Bool
        switch config.interactiveMode {
        case .never: interactive = false
        case .ifAvailable: interactive = stdinIsTerminal
        case .always:
            guard stdinIsTerminal else {
                return .failure(CredentialPluginError(command: config.command,
                    message: "the plugin requires interactive mode (interactiveMode: Always) but standard input is not a terminal"))
            }
            interactive = true
        }
        guard let executable = ExecutableSearch.locate(config.command, path: environment["PATH"]) else {
            return .failure(CredentialPluginError(command: config.command, message: """
                executable \(config.command) not found

                It looks like you are trying to use a client-go credential plugin that is not installed.

                To learn more about this feature, consult the documentation available at:
                      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
                """, installHint: config.installHint))
        }
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = execInfo(config: config, cluster: cluster, interactive: interactive)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = config.args
        process.environment = env
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError  // plugin prompts and errors reach the user
        process.standardInput = interactive ? FileHandle.standardInput : FileHandle.nullDevice

        // Reading and waiting block, so they run on a GCD thread, not the cooperative pool.
        let outcome: Result<(Data, Int32), CredentialPluginError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: .failure(CredentialPluginError(
                        command: config.command, message: "cannot start \(executable): \(error.localizedDescription)",
                        installHint: config.installHint)))
                    return
                }
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: .success((data, process.terminationStatus)))
            }
        }
        let data: Data, status: Int32
        switch outcome {
        case .failure(let e): return .failure(e)
        case .success(let pair): (data, status) = pair
        }
        guard status == 0 else {
            return .failure(CredentialPluginError(command: config.command,
                message: "the plugin exited with status \(status) (its standard error is shown above)"))
        }
        return parse(data, config: config)
    }

    static func parse(_ data: Data, config: Kubeconfig.ExecConfig) -> Result<ExecCredential, CredentialPluginError> {
        // Never quote the output: it holds the credential.
        guard let value = try? JSON.decode(data) else {
            return .failure(CredentialPluginError(command: config.command,
                message: "the plugin's output is not a JSON ExecCredential (\(data.count) bytes)"))
        }
        let version = value.member("apiVersion")?.asString ?? ""
        guard version == config.apiVersion else {
            return .failure(CredentialPluginError(command: config.command,
                message: "exec plugin is configured to use API version \(config.apiVersion), plugin returned version \(version)"))
        }
        guard value.member("kind")?.asString == "ExecCredential" else {
            return .failure(CredentialPluginError(command: config.command, message: "the plugin's output is not kind ExecCredential"))
        }
        let status = value.member("status")
        var credential = ExecCredential()
        credential.token = status?.member("token")?.asString.flatMap { $0.isEmpty ? nil : $0 }
        let cert = status?.member("clientCertificateData")?.asString
        let key = status?.member("clientKeyData")?.asString
        switch (cert, key) {
        case (let c?, let k?) where !c.isEmpty && !k.isEmpty:
            credential.clientIdentity = TLSClientIdentity(certificate: Data(c.utf8), key: Data(k.utf8))
        case (nil, nil): break
        default:
            return .failure(CredentialPluginError(command: config.command,
                message: "the plugin returned only one of clientCertificateData and clientKeyData"))
        }
        guard credential.token != nil || credential.clientIdentity != nil else {
            return .failure(CredentialPluginError(command: config.command,
                message: "exec plugin didn't return a token or cert/key pair"))
        }
        if let text = status?.member("expirationTimestamp")?.asString {
            guard let date = parseTimestamp(text) else {
                return .failure(CredentialPluginError(command: config.command,
                    message: "expirationTimestamp \"\(text)\" is not an RFC 3339 time"))
            }
            credential.expiration = date
        }
        return .success(credential)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ISO8601DateFormatter().date(from: text) ?? withFraction.date(from: text)
    }

    static func execInfo(config: Kubeconfig.ExecConfig, cluster: ExecClusterInfo, interactive: Bool) -> String {
        var spec = JSONObject()
        if config.provideClusterInfo {
            var c = JSONObject()
            c["server"] = .string(cluster.server)
            if let name = cluster.tlsServerName { c["tls-server-name"] = .string(name) }
            if cluster.insecureSkipTLSVerify { c["insecure-skip-tls-verify"] = .bool(true) }
            if let ca = cluster.certificateAuthorityData { c["certificate-authority-data"] = .string(ca.base64EncodedString()) }
            if let proxy = cluster.proxyURL { c["proxy-url"] = .string(proxy) }
            spec["cluster"] = .object(c)
        }
        spec["interactive"] = .bool(interactive)
        var root = JSONObject()
        root["kind"] = .string("ExecCredential")
        root["apiVersion"] = .string(config.apiVersion)
        root["spec"] = .object(spec)
        return JSON.encodeString(.object(root))
    }

}

/// Finding a plugin executable as a shell would (kubeconfig exec plugins, Docker credential helpers).
public enum ExecutableSearch {
    /// `command` itself when it holds a `/`, else the first executable `DIR/command` of `path`
    /// (colon-separated; nil means `/usr/local/bin:/usr/bin:/bin`).
    public static func locate(_ command: String, path: String?) -> String? {
        let fm = FileManager.default
        if command.contains("/") { return fm.isExecutableFile(atPath: command) ? command : nil }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if fm.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
