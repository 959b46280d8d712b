import Foundation
import KubeModel
import YAML
import KubeModel

/// Every failure KubeClient reports. Each case carries where it happened and why,
/// and its `description` is fit to show a person. None of them ever contains a
/// token, key, password or credential output.
public enum KubeClientError: Error, Sendable, CustomStringConvertible {
    /// A kubeconfig or in-cluster configuration problem.
    case configuration(ConfigurationError)
    /// The request never produced an HTTP response (DNS, connect, TLS, timeout, cancelled).
    case transport(TransportError)
    /// The API server answered with an error status.
    case api(APIError)
    /// An `exec` credential plugin failed.
    case credentialPlugin(CredentialPluginError)
    /// The server's answer could not be understood.
    case invalidResponse(request: String, message: String)
    /// A kind the server does not know (or discovery has not seen yet).
    case unknownKind(GroupVersionKind, serverVersion: String?)
    /// The caller passed something that cannot be sent (for example an object without a name).
    case invalidArgument(String)
    /// Retries were exhausted; `last` is the final failure.
    indirect case retriesExhausted(attempts: Int, last: KubeClientError)

    public var description: String {
        switch self {
        case .configuration(let e): return e.description
        case .transport(let e): return e.description
        case .api(let e): return e.description
        case .credentialPlugin(let e): return e.description
        case .invalidResponse(let request, let message): return "\(request): invalid response from the server: \(message)"
        case .unknownKind(let gvk, _):
            let version = gvk.group.isEmpty ? gvk.version : "\(gvk.group)/\(gvk.version)"
            return "no matches for kind \"\(gvk.kind)\" in version \"\(version)\"; "
                + "is the CustomResourceDefinition installed (discovery is refreshed once automatically)?"
        case .invalidArgument(let message): return message
        case .retriesExhausted(let attempts, let last): return "\(last) (gave up after \(attempts) attempts)"
        }
    }

    /// The API error inside, looking through `retriesExhausted`.
    public var apiError: APIError? {
        switch self {
        case .api(let e): return e
        case .retriesExhausted(_, let last): return last.apiError
        default: return nil
        }
    }

    public var transportError: TransportError? {
        switch self {
        case .transport(let e): return e
        case .retriesExhausted(_, let last): return last.transportError
        default: return nil
        }
    }
}

/// A configuration problem, naming the file (and line when known) that caused it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var file: String?
    public var mark: Mark?

    public init(_ message: String, file: String? = nil, mark: Mark? = nil) {
        self.message = message
        self.file = file
        self.mark = mark
    }

    public var description: String {
        switch (file, mark) {
        case (let f?, let m?): return "\(f):\(m.line):\(m.column): \(message)"
        case (let f?, nil): return "\(f): \(message)"
        default: return message
        }
    }
}

/// No HTTP response: why, and for which request (method and URL without query secrets).
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case couldNotResolveHost
        case couldNotConnect
        case tlsVerificationFailed
        case tls
        case timedOut
        case cancelled
        /// The connection closed or the server sent something that is not HTTP.
        case badResponse
        case other
    }

    public var kind: Kind
    public var request: String
    public var message: String
    /// libcurl's code, when the error came from libcurl.
    public var curlCode: Int?

    public init(kind: Kind, request: String, message: String, curlCode: Int? = nil) {
        self.kind = kind
        self.request = request
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String {
        let what: String
        switch kind {
        case .couldNotResolveHost: what = "could not resolve host"
        case .couldNotConnect: what = "could not connect"
        case .tlsVerificationFailed: what = "TLS certificate verification failed"
        case .tls: what = "TLS handshake failed"
        case .timedOut: what = "timed out"
        case .cancelled: what = "cancelled"
        case .badResponse: what = "bad or incomplete response"
        case .other: what = "request failed"
        }
        var text = "\(request): \(what): \(message)"
        if kind == .tlsVerificationFailed {
            text += " (check certificate-authority in the kubeconfig)"
        }
        return text
    }

    /// True when the request certainly did not reach the server, so even a
    /// non-idempotent request may be retried.
    public var requestNotSent: Bool {
        kind == .couldNotResolveHost || kind == .couldNotConnect
    }
}

/// A credential plugin (`users[].user.exec`) failure.
public struct CredentialPluginError: Error, Sendable, CustomStringConvertible {
    public var command: String
    public var message: String
    public var installHint: String?

    public init(command: String, message: String, installHint: String? = nil) {
        self.command = command
        self.message = message
        self.installHint = installHint
    }

    public var description: String {
        var text = "exec credential plugin \"\(command)\": \(message)"
        if let installHint, !installHint.isEmpty { text += "\n\n\(installHint)" }
        return text
    }
}
