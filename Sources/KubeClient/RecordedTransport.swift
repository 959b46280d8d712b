import Foundation

/// The test double for `HTTPTransport`: answers from a script of recorded
/// responses (matched by method and path, in order) and records every request.
public final class RecordedTransport: HTTPTransport, @unchecked Sendable {
    public enum Answer: Sendable {
        case response(HTTPResponse)
        /// A streamed body delivered in these chunks, then the end of the stream.
        case stream(statusCode: Int, headers: HTTPHeaders, chunks: [Data])
        case failure(TransportError.Kind, message: String)
    }

    public struct Rule: Sendable {
        public var method: String?
        public var path: String
        public var answer: Answer
        /// Used once, then removed; a rule with `repeats` answers forever.
        public var repeats: Bool
    }

    private let lock = NSLock()
    private var rules: [Rule] = []
    private var _requests: [HTTPRequest] = []

    public init() {}

    public var requests: [HTTPRequest] { lock.withLock { _requests } }

    /// Adds an answer for `method path` (path without query).
    public func on(_ method: String?, _ path: String, repeats: Bool = false, _ answer: Answer) {
        lock.withLock { rules.append(Rule(method: method, path: path, answer: answer, repeats: repeats)) }
    }

    public func on(_ method: String?, _ path: String, status: Int, json: String, headers: HTTPHeaders = [:], repeats: Bool = false) {
        var h = headers
        h.set("Content-Type", "application/json")
        on(method, path, repeats: repeats, .response(HTTPResponse(statusCode: status, headers: h, body: Data(json.utf8))))
    }

    private func answer(for request: HTTPRequest) -> Answer {
        lock.withLock {
            _requests.append(request)
            guard let i = rules.firstIndex(where: { ($0.method == nil || $0.method == request.method) && $0.path == request.url.path }) else {
                return .response(HTTPResponse(statusCode: 404, body: Data(
                    #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"no recorded answer"}"#.utf8)))
            }
            let rule = rules[i]
            if !rule.repeats { rules.remove(at: i) }
            return rule.answer
        }
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        switch answer(for: request) {
        case .response(let r): return r
        case .stream(let status, let headers, let chunks):
            return HTTPResponse(statusCode: status, headers: headers, body: chunks.reduce(Data(), +))
        case .failure(let kind, let message):
            throw TransportError(kind: kind, request: request.description, message: message)
        }
    }

    public func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        switch answer(for: request) {
        case .response(let r):
            return HTTPStreamingResponse(statusCode: r.statusCode, headers: r.headers, body: AsyncThrowingStream {
                $0.yield(r.body)
                $0.finish()
            })
        case .stream(let status, let headers, let chunks):
            return HTTPStreamingResponse(statusCode: status, headers: headers, body: AsyncThrowingStream {
                for chunk in chunks { $0.yield(chunk) }
                $0.finish()
            })
        case .failure(let kind, let message):
            throw TransportError(kind: kind, request: request.description, message: message)
        }
    }
}
