import Foundation
import KubeModel

/// The server's `Status` object (metav1.Status), decoded.
public struct APIStatus: Sendable, Equatable {
    public struct Cause: Sendable, Equatable {
        public var reason: String?
        public var message: String?
        public var field: String?
    }

    public var code: Int
    public var reason: String?
    public var message: String?
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause]
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String? = nil, message: String? = nil, name: String? = nil, group: String? = nil,
                kind: String? = nil, causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Decodes a `Status` object; nil when `value` is not one.
    public init?(_ value: JSONValue) {
        guard value.member("kind")?.asString == "Status" else { return nil }
        code = Int(value.member("code")?.asInt ?? 0)
        reason = value.member("reason")?.asString
        message = value.member("message")?.asString
        let details = value.member("details")
        name = details?.member("name")?.asString
        group = details?.member("group")?.asString
        kind = details?.member("kind")?.asString
        retryAfterSeconds = details?.member("retryAfterSeconds")?.asInt.map { Int($0) }
        causes = (details?.member("causes")?.asArray ?? []).map {
            Cause(reason: $0.member("reason")?.asString, message: $0.member("message")?.asString,
                  field: $0.member("field")?.asString)
        }
    }
}

/// An error answer from the API server, classified as client-go's `errors.Is*` helpers do.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, alreadyExists, conflict, gone
        case invalid, tooManyRequests, timeout, internalError, serviceUnavailable
        case methodNotAllowed, unsupportedMediaType, requestEntityTooLarge, other
    }

    public var reason: Reason
    public var status: APIStatus
    /// "METHOD path" of the failed request.
    public var request: String
    /// The `Retry-After` header (seconds), when the server sent one.
    public var retryAfter: Int?

    public init(reason: Reason, status: APIStatus, request: String, retryAfter: Int? = nil) {
        self.reason = reason
        self.status = status
        self.request = request
        self.retryAfter = retryAfter
    }

    /// Builds the error from an HTTP answer: the body's `Status` when there is one,
    /// otherwise the HTTP code alone (a proxy's HTML page, an empty body).
    public static func from(statusCode: Int, body: Data, headers: HTTPHeaders, request: String) -> APIError {
        var status: APIStatus
        if let value = try? JSON.decode(body), let decoded = APIStatus(value) {
            status = decoded
            if status.code == 0 { status.code = statusCode }
        } else {
            let text = String(decoding: body.prefix(512), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            status = APIStatus(code: statusCode, message: text.isEmpty ? nil : text)
        }
        let retryAfter = headers["Retry-After"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return APIError(reason: classify(status: status, httpCode: statusCode), status: status,
                        request: request, retryAfter: retryAfter ?? status.retryAfterSeconds)
    }

    static func classify(status: APIStatus, httpCode: Int) -> Reason {
        switch status.reason {
        case "NotFound": return .notFound
        case "AlreadyExists": return .alreadyExists
        case "Conflict": return .conflict
        case "Forbidden": return .forbidden
        case "Unauthorized": return .unauthorized
        case "Invalid": return .invalid
        case "TooManyRequests": return .tooManyRequests
        case "Timeout", "ServerTimeout": return .timeout
        case "Gone", "Expired": return .gone
        case "BadRequest": return .badRequest
        case "MethodNotAllowed": return .methodNotAllowed
        case "UnsupportedMediaType": return .unsupportedMediaType
        case "RequestEntityTooLarge": return .requestEntityTooLarge
        case "InternalError": return .internalError
        case "ServiceUnavailable": return .serviceUnavailable
        default: break
        }
        switch httpCode {
        case 400: return .badRequest
        case 401: return .unauthorized
        case 403: return .forbidden
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 409: return .conflict
        case 410: return .gone
        case 413: return .requestEntityTooLarge
        case 415: return .unsupportedMediaType
        case 422: return .invalid
        case 429: return .tooManyRequests
        case 500: return .internalError
        case 503: return .serviceUnavailable
        case 504: return .timeout
        default: return .other
        }
    }

    /// For a server-side apply conflict: the field managers that own the conflicting fields,
    /// taken from causes such as `conflict with "kubectl-client-side-apply" using apps/v1`.
    public var conflictingManagers: [String] {
        var managers: [String] = []
        for cause in status.causes {
            guard let message = cause.message, let start = message.range(of: "conflict with \"") else { continue }
            let rest = message[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { continue }
            let manager = String(rest[..<end])
            if !managers.contains(manager) { managers.append(manager) }
        }
        return managers
    }

    /// The fields that conflicted (SSA) or were invalid.
    public var causeFields: [String] { status.causes.compactMap(\.field) }

    public var description: String {
        var object = ""
        if let name = status.name {
            let kind = status.kind ?? "object"
            let group = status.group.map { $0.isEmpty ? "" : ".\($0)" } ?? ""
            object = " \(kind)\(group) \"\(name)\""
        }
        let message = status.message ?? "HTTP \(status.code)"
        var text: String
        switch reason {
        case .notFound: text = "\(request): not found\(object): \(message)"
        case .alreadyExists: text = "\(request): already exists\(object): \(message)"
        case .conflict:
            let managers = conflictingManagers
            if managers.isEmpty {
                text = "\(request): conflict\(object): \(message)"
            } else {
                let fields = causeFields.joined(separator: ", ")
                text = "\(request): apply conflict\(object): fields [\(fields)] are owned by "
                    + managers.map { "\"\($0)\"" }.joined(separator: ", ")
                    + "; re-run with force to take ownership, or remove those fields from the manifest"
            }
        case .forbidden: text = "\(request): forbidden\(object): \(message)"
        case .unauthorized: text = "\(request): unauthorized: \(message) (check the credentials of the kubeconfig user)"
        case .invalid:
            text = "\(request): invalid\(object): \(message)"
            let details = status.causes.map { cause in
                "  - \(cause.field ?? "?"): \(cause.message ?? cause.reason ?? "invalid")"
            }
            if !details.isEmpty, !message.contains(status.causes.first?.message ?? "\u{0}") {
                text += "\n" + details.joined(separator: "\n")
            }
        case .tooManyRequests:
            text = "\(request): too many requests: \(message)"
            if let retryAfter { text += " (retry after \(retryAfter)s)" }
        case .timeout: text = "\(request): server timeout: \(message)"
        case .gone: text = "\(request): gone (resource version too old): \(message)"
        default: text = "\(request): HTTP \(status.code)\(status.reason.map { " \($0)" } ?? ""): \(message)"
        }
        return text
    }
}
