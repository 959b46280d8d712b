import KubeModel

/// One HTTP request to the simulated API server, independent of any socket, so the
/// server can be driven in-process (`KubeSim.handle`) or through `KubeSimServer`.
public struct KubeRequest: Sendable {
    public var method: String
    /// The path without the query string, e.g. `/api/v1/namespaces/default/configmaps`.
    public var path: String
    public var query: [String: [String]]
    /// Header names are lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [String: [String]] = [:], headers: [String: String] = [:],
                body: [UInt8] = [])
    {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        var lowered: [String: String] = [:]
        for (k, v) in headers { lowered[k.lowercased()] = v }
        self.headers = lowered
        self.body = body
    }

    /// Builds a request from a target such as `/api/v1/pods?limit=2&labelSelector=a%3Db`.
    public init(method: String, target: String, headers: [String: String] = [:], body: [UInt8] = []) {
        let (path, query) = KubeRequest.splitTarget(target)
        self.init(method: method, path: path, query: query, headers: headers, body: body)
    }

    public func queryValue(_ name: String) -> String? { query[name]?.last }
    public func queryBool(_ name: String) -> Bool {
        guard let v = queryValue(name) else { return false }
        return v == "true" || v == "1" || v.isEmpty
    }

    static func splitTarget(_ target: String) -> (String, [String: [String]]) {
        guard let q = target.firstIndex(of: "?") else { return (percentDecode(target), [:]) }
        let path = String(target[..<q])
        var query: [String: [String]] = [:]
        for part in target[target.index(after: q)...].split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = percentDecode(String(kv[0]))
            let v = kv.count > 1 ? percentDecode(String(kv[1])) : ""
            query[k, default: []].append(v)
        }
        return (percentDecode(path), query)
    }

    static func percentDecode(_ s: String) -> String {
        guard s.contains("%") || s.contains("+") else { return s }
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "+") { out.append(0x20); continue }
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
                continue
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The answer to a `KubeRequest`: a complete body or a stream of chunks (watch).
public struct KubeResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Chunks of a streamed response; `cancel` stops the producer (client went away).
        case stream(AsyncStream<[UInt8]>, cancel: @Sendable () -> Void)
    }
    public var status: Int
    public var headers: [(String, String)]
    public var body: Body

    public init(status: Int, headers: [(String, String)] = [], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> KubeResponse {
        KubeResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: .bytes(value.encoded()))
    }
    public static func jsonBytes(_ status: Int, _ bytes: [UInt8], contentType: String = "application/json") -> KubeResponse {
        KubeResponse(status: status, headers: [("Content-Type", contentType)], body: .bytes(bytes))
    }
    public static func text(_ status: Int, _ text: String) -> KubeResponse {
        KubeResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    /// The whole body for non-streamed responses (tests).
    public var bodyBytes: [UInt8] {
        if case .bytes(let b) = body { return b }
        return []
    }
    public var bodyJSON: JSONValue? { try? JSONValue.parse(bodyBytes) }
    public var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }
}
