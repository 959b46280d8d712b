import Foundation
import KubeModel

/// An error the API server answers with a `Status` object, worded as kube-apiserver words it.
public struct APIError: Error, Sendable {
    public struct Cause: Sendable {
        public var reason: String
        public var message: String
        public var field: String
        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }
    public var code: Int
    public var reason: String
    public var message: String
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause]
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, name: String? = nil, group: String? = nil,
                kind: String? = nil, causes: [Cause] = [])
    {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
    }

    public var status: JSONValue {
        var details = JSONObject()
        if let name { details["name"] = .string(name) }
        if let group, !group.isEmpty { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty {
            details["causes"] = .array(causes.map { c in
                var o = JSONObject()
                o["reason"] = .string(c.reason)
                o["message"] = .string(c.message)
                if !c.field.isEmpty { o["field"] = .string(c.field) }
                return .object(o)
            })
        }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        var o: JSONObject = JSONObject([
            "kind": "Status", "apiVersion": "v1", "metadata": .object(JSONObject()), "status": "Failure",
            "message": .string(message), "reason": .string(reason),
        ])
        if !details.isEmpty { o["details"] = .object(details) }
        o["code"] = .int(Int64(code))
        return .object(o)
    }

    public var response: KubeResponse { .json(code, status) }

    // Constructors named after apimachinery's `errors.New*`.
    static func notFound(_ gr: GroupResource, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(gr) \"\(name)\" not found", name: name,
                 group: gr.group, kind: gr.resource)
    }
    static func alreadyExists(_ gr: GroupResource, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(gr) \"\(name)\" already exists", name: name,
                 group: gr.group, kind: gr.resource)
    }
    static func conflict(_ gr: GroupResource, _ name: String, _ why: String) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(gr) \"\(name)\": \(why)",
                 name: name, group: gr.group, kind: gr.resource)
    }
    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }
    static func invalid(_ gk: GroupKind, _ name: String, _ causes: [Cause]) -> APIError {
        let parts = causes.map { c in c.field.isEmpty ? c.message : "\(c.field): \(c.message)" }
        let joined = parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
        return APIError(code: 422, reason: "Invalid", message: "\(gk) \"\(name)\" is invalid: \(joined)", name: name,
                        group: gk.group, kind: gk.kind, causes: causes)
    }
    static func methodNotSupported(_ gr: GroupResource, _ action: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "\(action) is not supported on resources of kind \"\(gr)\"",
                 group: gr.group, kind: gr.resource)
    }
    static func forbidden(_ gr: GroupResource, _ name: String, _ why: String) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: "\(gr) \"\(name)\" is forbidden: \(why)", name: name,
                 group: gr.group, kind: gr.resource)
    }
    static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }
    static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
                 )
    }
    static let pathNotFound = APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
}

extension APIError.Cause {
    static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> APIError.Cause {
        .init(reason: "FieldValueInvalid", message: "Invalid value: \(goValue(value)): \(detail)", field: field)
    }
    static func required(_ field: String, _ detail: String = "") -> APIError.Cause {
        .init(reason: "FieldValueRequired", message: detail.isEmpty ? "Required value" : "Required value: \(detail)", field: field)
    }
    static func notSupported(_ field: String, _ value: JSONValue, _ allowed: [JSONValue]) -> APIError.Cause {
        .init(reason: "FieldValueNotSupported",
              message: "Unsupported value: \(goValue(value)): supported values: " + allowed.map(goValue).joined(separator: ", "),
              field: field)
    }
    static func forbidden(_ field: String, _ detail: String) -> APIError.Cause {
        .init(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
    }
    static func typeInvalid(_ field: String, _ value: JSONValue, _ detail: String) -> APIError.Cause {
        .init(reason: "FieldValueTypeInvalid", message: "Invalid value: \(goValue(value)): \(detail)", field: field)
    }

    /// Values as field.Error prints them: strings quoted, numbers bare, objects as JSON.
    static func goValue(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return JSONValue.string(s).encodedString()
        case .object, .array: return "\"" + v.encodedString().replacingOccurrences(of: "\"", with: "\\\"") + "\""
        default: return v.encodedString()
        }
    }
}

