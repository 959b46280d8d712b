import Foundation

/// Turns `Credentials` into what each request carries, refreshing rotating ones.
actor Authenticator {
    struct Authorization: Sendable {
        var header: String?
        var identity: TLSClientIdentity?
        /// The token sent, so a 401 can invalidate exactly it.
        var token: String?
    }

    let credentials: Credentials
    let exec: ExecCredentialProvider?
    /// client-go re-reads token files at most once a minute; a 401 forces a re-read.
    let tokenFileRefresh: Duration
    private var fileToken: (token: String, readAt: ContinuousClock.Instant)?

    init(credentials: Credentials, tokenFileRefresh: Duration = .seconds(60),
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.credentials = credentials
        self.tokenFileRefresh = tokenFileRefresh
        if case .exec(let config, let cluster) = credentials {
            exec = ExecCredentialProvider(config: config, cluster: cluster, environment: environment)
        } else {
            exec = nil
        }
    }

    func authorization() async throws(KubeClientError) -> Authorization {
        switch credentials {
        case .none:
            return Authorization()
        case .bearerToken(let token):
            return Authorization(header: "Bearer \(token)", token: token)
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return Authorization(header: "Basic \(encoded)")
        case .tokenFile(let path, let fallback):
            if let cached = fileToken, ContinuousClock.now - cached.readAt < tokenFileRefresh {
                return Authorization(header: "Bearer \(cached.token)", token: cached.token)
            }
            if let data = FileManager.default.contents(atPath: path) {
                let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if !token.isEmpty {
                    fileToken = (token, ContinuousClock.now)
                    return Authorization(header: "Bearer \(token)", token: token)
                }
            }
            if let fallback, !fallback.isEmpty { return Authorization(header: "Bearer \(fallback)", token: fallback) }
            throw .configuration(ConfigurationError("cannot read the bearer token file (or it is empty)", file: path))
        case .exec:
            guard let exec else { return Authorization() }
            let credential: ExecCredential
            do {
                credential = try await exec.credential()
            } catch {
                throw .credentialPlugin(error)
            }
            return Authorization(header: credential.token.map { "Bearer \($0)" }, identity: credential.clientIdentity,
                                 token: credential.token)
        }
    }

    /// Whether a 401 is worth one more try with fresh credentials.
    var canRefresh: Bool {
        switch credentials {
        case .tokenFile, .exec: return true
        default: return false
        }
    }

    func unauthorized(token: String?) async {
        switch credentials {
        case .tokenFile: fileToken = nil
        case .exec: await exec?.invalidate(token: token)
        default: break
        }
    }
}
