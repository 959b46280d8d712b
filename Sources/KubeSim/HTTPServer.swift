import Foundation
import KubeModel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Serves a `KubeSim` over HTTP/1.1 on a TCP port: plain HTTP, or HTTPS when given a
/// `TLSIdentity` (ALPN offers only http/1.1, so clients never try HTTP/2).
public final class KubeSimServer: Sendable {
    public let sim: KubeSim
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    public let host: String
    public let port: Int
    /// The TLS identity served, or nil for plain HTTP.
    public let tls: TLSIdentity?

    /// Binds the listening socket; call `run()` to serve.
    public init(sim: KubeSim, host: String = "127.0.0.1", port: Int = 0, tls: TLSIdentity? = nil) async throws {
        self.sim = sim
        self.host = host
        self.tls = tls
        let sslContext: NIOSSLContext? = try tls.map { identity in
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(identity.certificateChainPEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)
            var config = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            config.applicationProtocols = ["http/1.1"]
            return try NIOSSLContext(configuration: config)
        }
        serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        self.port = serverChannel.channel.localAddress?.port ?? port
    }

    public var url: String { "\(tls == nil ? "http" : "https")://\(host):\(port)" }

    /// A kubeconfig for this server (trusting its CA when serving TLS).
    public var kubeconfig: String { KubeSim.kubeconfig(server: url, certificateAuthorityPEM: tls?.caPEM) }

    /// Accepts connections until `stop()` is called.
    ///
    /// Requests are served on `ServingExecutor` threads, not on the cooperative pool: a
    /// process (a test run, an in-process caller) that keeps the pool's few threads busy
    /// with synchronous work would otherwise leave clients waiting until they time out.
    public func run() async throws {
        try await withTaskExecutorPreference(ServingExecutor.shared) {
            try await self.accept()
        }
    }

    private func accept() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { [sim] in
                        try? await Self.serve(connection, sim: sim)
                    }
                }
            }
        }
    }

    /// Runs the server's tasks (and the default actors they call, such as `KubeSim`) on
    /// threads of their own: a concurrent Dispatch queue, which gets threads when it needs
    /// them instead of queueing behind the cooperative pool's.
    final class ServingExecutor: TaskExecutor {
        static let shared = ServingExecutor()
        private let queue = DispatchQueue(label: "kubesim.serving", attributes: .concurrent)

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let executor = asUnownedTaskExecutor()
            queue.async { job.runSynchronously(on: executor) }
        }
    }

    public func stop() async {
        try? await serverChannel.channel.close()
    }

    final class ConnectionState: Sendable {
        private let state = Mutex<(closed: Bool, cancel: (@Sendable () -> Void)?)>((false, nil))
        func close() {
            let cancel = state.withLock { s -> (@Sendable () -> Void)? in
                s.closed = true
                return s.cancel
            }
            cancel?()
        }
        func setCancel(_ c: (@Sendable () -> Void)?) {
            let closedNow = state.withLock { s -> Bool in
                s.cancel = c
                return s.closed
            }
            if closedNow { c?() }
        }
    }

    static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, sim: KubeSim) async throws {
        try await connection.executeThenClose { inbound, outbound in
            let (requests, requestSink) = AsyncStream<(KubeRequest, Bool)>.makeStream()
            let state = ConnectionState()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    var head: HTTPRequestHead?
                    var body: [UInt8] = []
                    do {
                        for try await part in inbound {
                            switch part {
                            case .head(let h):
                                head = h
                                body = []
                            case .body(let buffer):
                                body.append(contentsOf: buffer.readableBytesView)
                            case .end:
                                if let h = head {
                                    var headers: [String: String] = [:]
                                    for (name, value) in h.headers { headers[name.lowercased()] = value }
                                    let req = KubeRequest(method: h.method.rawValue, target: h.uri, headers: headers, body: body)
                                    requestSink.yield((req, h.isKeepAlive))
                                }
                                head = nil
                            }
                        }
                    } catch {}
                    requestSink.finish()
                    state.close()
                }
                for await (req, keepAlive) in requests {
                    let response = await sim.handle(req)
                    var headers = HTTPHeaders()
                    for (k, v) in response.headers { headers.add(name: k, value: v) }
                    headers.replaceOrAdd(name: "Audit-Id", value: UUID().uuidString.lowercased())
                    if case .bytes(let b) = response.body {
                        headers.replaceOrAdd(name: "Content-Length", value: String(b.count))
                    }
                    if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                    let status = HTTPResponseStatus(statusCode: response.status)
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
                    // Injected faults end the connection abruptly (no final chunk), as a
                    // dropped connection would.
                    if sim.faults?.shouldReset(req) == true {
                        if case .stream(_, let cancel) = response.body { cancel() }
                        throw InjectedReset()
                    }
                    switch response.body {
                    case .bytes(let b):
                        if !b.isEmpty && req.method != "HEAD" { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: b)))) }
                    case .stream(let chunks, let cancel):
                        state.setCancel(cancel)
                        var sent = 0
                        for await chunk in chunks {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: chunk))))
                            sent += 1
                            if let limit = sim.faults?.plan.watchDropAfter, sent >= limit {
                                sim.faults?.countWatchDrop()
                                cancel()
                                throw InjectedReset()
                            }
                        }
                        state.setCancel(nil)
                    }
                    try await outbound.write(.end(nil))
                    if !keepAlive { break }
                }
                group.cancelAll()
            }
        }
    }
}
