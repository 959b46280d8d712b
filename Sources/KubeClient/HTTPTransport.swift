import Foundation

/// Case-insensitive HTTP headers, keeping order and repeats.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)] = []

    public init() {}
    public init(dictionaryLiteral elements: (String, String)...) {
        for (n, v) in elements { add(n, v) }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name, value)) }

    /// Replaces every field called `name`.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        fields.append((name, value))
    }

    public subscript(name: String) -> String? {
        fields.last(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame })?.value
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.elementsEqual(b.fields) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// One HTTP request. `url` is absolute. Credentials travel in `headers`
/// (never printed: `description` shows only method and path).
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public var method: String
    public var url: URL
    public var headers: HTTPHeaders
    public var body: Data?
    /// The whole exchange must finish within this (for streams: the response head must
    /// arrive within it); nil means the transport default.
    public var timeout: Duration?
    /// Streams only: fail when the body stays silent this long; nil means no limit
    /// (a followed log of a quiet container).
    public var idleTimeout: Duration?
    /// A TLS client certificate for this request only (an exec plugin may return one);
    /// it replaces the transport's.
    public var clientIdentity: TLSClientIdentity?

    public init(method: String, url: URL, headers: HTTPHeaders = [:], body: Data? = nil, timeout: Duration? = nil,
                idleTimeout: Duration? = nil, clientIdentity: TLSClientIdentity? = nil) {
        self.idleTimeout = idleTimeout
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.clientIdentity = clientIdentity
    }

    /// "METHOD /path" — safe to print: no host credentials, no query (which may hold continue tokens).
    public var description: String { "\(method) \(url.path)" }
}

public struct HTTPResponse: Sendable {
    public var statusCode: Int
    public var headers: HTTPHeaders
    public var body: Data
    /// The negotiated protocol ("HTTP/1.1", "HTTP/2"), when the transport knows it.
    public var httpVersion: String?

    public init(statusCode: Int, headers: HTTPHeaders = [:], body: Data = Data(), httpVersion: String? = nil) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.httpVersion = httpVersion
    }
}

/// A response whose body arrives over time (watch, logs). Stopping the iteration
/// (or cancelling the task iterating) aborts the transfer.
public struct HTTPStreamingResponse: Sendable {
    public var statusCode: Int
    public var headers: HTTPHeaders
    public var body: AsyncThrowingStream<Data, any Error>

    public init(statusCode: Int, headers: HTTPHeaders, body: AsyncThrowingStream<Data, any Error>) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }
}

/// The seam between the client and the network: libcurl in production
/// (`CurlTransport`), recorded answers in tests (`RecordedTransport`).
/// Errors are always `TransportError` (the stream's body too).
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse
    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse
}

/// A PEM certificate and key; `description` never shows the key.
public struct TLSClientIdentity: Sendable, Equatable, CustomStringConvertible {
    public var certificate: Data
    public var key: Data
    public init(certificate: Data, key: Data) {
        self.certificate = certificate
        self.key = key
    }
    public var description: String { "TLSClientIdentity(certificate: \(certificate.count) bytes, key: <redacted>)" }
}
