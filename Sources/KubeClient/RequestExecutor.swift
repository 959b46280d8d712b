import Foundation

/// Builds URLs, adds credentials, runs requests with retries and turns error
/// answers into `APIError`. Shared by the client and discovery.
struct RequestExecutor: Sendable {
    let server: URL
    let transport: any HTTPTransport
    let authenticator: Authenticator
    let retryPolicy: RetryPolicy
    let clock: any RetryClock
    let requestTimeout: Duration?

    /// `path` starts with "/" and is appended to the server URL (which may carry a prefix).
    func url(_ path: String, query: [(String, String)] = []) -> URL {
        var text = server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        return URL(string: text) ?? server
    }

    /// Strict percent-encoding: `+` must not survive (servers read it as a space)
    /// and continue tokens are base64.
    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// One request with retries; throws for every non-2xx answer.
    func send(_ method: String, _ path: String, query: [(String, String)] = [], headers: HTTPHeaders = [:],
              body: Data? = nil, kind: RequestKind, timeout: Duration? = nil) async throws(KubeClientError) -> HTTPResponse {
        try await retryPolicy.run(kind: kind, clock: clock) { () async throws(KubeClientError) -> HTTPResponse in
            try await sendOnce(method, path, query: query, headers: headers, body: body, timeout: timeout)
        }
    }

    private func sendOnce(_ method: String, _ path: String, query: [(String, String)], headers: HTTPHeaders,
                          body: Data?, timeout: Duration?) async throws(KubeClientError) -> HTTPResponse {
        var refreshed = false
        while true {
            let request = try await authorizedRequest(method, path, query: query, headers: headers, body: body, timeout: timeout)
            let response: HTTPResponse
            do {
                response = try await transport.send(request.request)
            } catch {
                throw .transport(error)
            }
            if (200..<300).contains(response.statusCode) { return response }
            if response.statusCode == 401, !refreshed, await authenticator.canRefresh {
                // Rotated token or expired plugin credential: fetch fresh ones once.
                await authenticator.unauthorized(token: request.token)
                refreshed = true
                continue
            }
            throw .api(APIError.from(statusCode: response.statusCode, body: response.body, headers: response.headers,
                                     request: request.request.description))
        }
    }

    /// Opens a streaming request (watch, logs); retries only until the head arrives.
    func stream(_ path: String, query: [(String, String)], headers: HTTPHeaders = [:],
                timeout: Duration? = nil, idleTimeout: Duration? = nil) async throws(KubeClientError) -> HTTPStreamingResponse {
        try await retryPolicy.run(kind: .idempotent, clock: clock) { () async throws(KubeClientError) -> HTTPStreamingResponse in
            var refreshed = false
            while true {
                var request = try await authorizedRequest("GET", path, query: query, headers: headers, body: nil, timeout: timeout)
                request.request.idleTimeout = idleTimeout
                let response: HTTPStreamingResponse
                do throws(TransportError) {
                    response = try await transport.stream(request.request)
                } catch {
                    throw .transport(error)
                }
                if (200..<300).contains(response.statusCode) { return response }
                // Error answers are small: read them whole to decode the Status.
                var body = Data()
                do {
                    for try await chunk in response.body {
                        body.append(chunk)
                        if body.count > 1 << 20 { break }
                    }
                } catch {}
                if response.statusCode == 401, !refreshed, await authenticator.canRefresh {
                    await authenticator.unauthorized(token: request.token)
                    refreshed = true
                    continue
                }
                throw .api(APIError.from(statusCode: response.statusCode, body: body, headers: response.headers,
                                         request: request.request.description))
            }
        }
    }

    private func authorizedRequest(_ method: String, _ path: String, query: [(String, String)], headers: HTTPHeaders,
                                   body: Data?, timeout: Duration?) async throws(KubeClientError) -> (request: HTTPRequest, token: String?) {
        var request = HTTPRequest(method: method, url: url(path, query: query), headers: headers, body: body,
                                  timeout: timeout ?? requestTimeout)
        if request.headers["Accept"] == nil { request.headers.set("Accept", "application/json") }
        let auth = try await authenticator.authorization()
        if let header = auth.header { request.headers.set("Authorization", header) }
        request.clientIdentity = auth.identity
        return (request, auth.token)
    }
}
