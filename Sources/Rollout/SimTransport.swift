import Foundation
import KubeClient
import KubeSim

/// Routes KubeClient's requests to an in-process `KubeSim`: `--sim` and the tests use the
/// same client code as a real cluster, with no socket in between.
public struct SimTransport: HTTPTransport {
    public let sim: KubeSim
    public init(sim: KubeSim) { self.sim = sim }

    public static let serverURL = URL(string: "http://kubesim.invalid")!

    func request(_ r: HTTPRequest) -> KubeRequest {
        var target = r.url.path.isEmpty ? "/" : r.url.path
        if let q = r.url.query, !q.isEmpty { target += "?" + q }
        var headers: [String: String] = [:]
        for (name, value) in r.headers { headers[name] = value }
        return KubeRequest(method: r.method, target: target, headers: headers, body: r.body.map { [UInt8]($0) } ?? [])
    }

    static func headers(_ pairs: [(String, String)]) -> HTTPHeaders {
        var h = HTTPHeaders()
        for (n, v) in pairs { h.add(n, v) }
        return h
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let response = await sim.handle(self.request(request))
        switch response.body {
        case .bytes(let b):
            return HTTPResponse(statusCode: response.status, headers: Self.headers(response.headers), body: Data(b), httpVersion: "HTTP/1.1")
        case .stream(let chunks, let cancel):
            // A buffered request that got a stream (should not happen): collect it.
            var data = Data()
            for await c in chunks { data.append(contentsOf: c) }
            cancel()
            return HTTPResponse(statusCode: response.status, headers: Self.headers(response.headers), body: data)
        }
    }

    public func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        let response = await sim.handle(self.request(request))
        let body: AsyncThrowingStream<Data, any Error>
        switch response.body {
        case .bytes(let b):
            body = AsyncThrowingStream { c in
                c.yield(Data(b))
                c.finish()
            }
        case .stream(let chunks, let cancel):
            body = AsyncThrowingStream { c in
                let task = Task {
                    for await chunk in chunks { c.yield(Data(chunk)) }
                    c.finish()
                }
                c.onTermination = { _ in
                    task.cancel()
                    cancel()
                }
            }
        }
        return HTTPStreamingResponse(statusCode: response.status, headers: Self.headers(response.headers), body: body)
    }
}
