import CLibCurl
import Foundation

/// TLS and proxy settings for one API server, from the kubeconfig cluster and user.
/// PEM bytes are held in memory; `description` never shows key material.
public struct TLSOptions: Sendable, Equatable, CustomStringConvertible {
    /// PEM bundle of trusted CAs; nil means the system roots.
    public var certificateAuthority: Data?
    /// PEM client certificate and key for mutual TLS.
    public var clientCertificate: Data?
    public var clientKey: Data?
    public var insecureSkipVerify: Bool
    /// Name to verify the server certificate against (and send as SNI) instead of the URL's host.
    public var serverName: String?
    /// `http://`, `https://` or `socks5://` proxy for every request.
    public var proxyURL: String?

    public init(certificateAuthority: Data? = nil, clientCertificate: Data? = nil, clientKey: Data? = nil,
                insecureSkipVerify: Bool = false, serverName: String? = nil, proxyURL: String? = nil) {
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.proxyURL = proxyURL
    }

    public var description: String {
        var parts: [String] = []
        parts.append(certificateAuthority == nil ? "ca: system" : "ca: \(certificateAuthority?.count ?? 0) bytes")
        if clientCertificate != nil { parts.append("client-certificate: set") }
        if clientKey != nil { parts.append("client-key: <redacted>") }
        if insecureSkipVerify { parts.append("insecure-skip-tls-verify") }
        if let serverName { parts.append("tls-server-name: \(serverName)") }
        if let proxyURL { parts.append("proxy-url: \(Redaction.url(proxyURL))") }
        return "TLSOptions(\(parts.joined(separator: ", ")))"
    }
}

/// `HTTPTransport` over libcurl. All transfers of all transports run on one
/// dedicated thread driving a curl multi handle (never on Swift's cooperative
/// pool); connections, TLS sessions and DNS answers are shared through a curl
/// share handle, so requests to the same server reuse connections (HTTP/2
/// multiplexed where the server offers it).
public final class CurlTransport: HTTPTransport {
    public let tls: TLSOptions
    public let defaultTimeout: Duration
    public let connectTimeout: Duration
    public let userAgent: String

    public init(tls: TLSOptions = TLSOptions(), defaultTimeout: Duration = .seconds(60),
                connectTimeout: Duration = .seconds(10), userAgent: String = "platform/kubeclient") {
        self.tls = tls
        self.defaultTimeout = defaultTimeout
        self.connectTimeout = connectTimeout
        self.userAgent = userAgent
    }

    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        let transfer = CurlTransfer(request: request, streaming: false)
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>) in
                transfer.bufferedContinuation = continuation
                if let error = configure(transfer) {
                    transfer.bufferedContinuation = nil
                    continuation.resume(returning: .failure(error))
                    return
                }
                CurlEngine.shared.start(transfer)
            }
        } onCancel: {
            transfer.cancel()
        }
        return try result.get()
    }

    public func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        let transfer = CurlTransfer(request: request, streaming: true)
        let (body, bodyContinuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        transfer.bodyContinuation = bodyContinuation
        transfer.bodyStream = body
        bodyContinuation.onTermination = { @Sendable [weak transfer] _ in transfer?.cancel() }
        let result: Result<HTTPStreamingResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<HTTPStreamingResponse, TransportError>, Never>) in
                transfer.headContinuation = continuation
                if let error = configure(transfer) {
                    transfer.headContinuation = nil
                    continuation.resume(returning: .failure(error))
                    return
                }
                CurlEngine.shared.start(transfer)
            }
        } onCancel: {
            transfer.cancel()
        }
        return try result.get()
    }

    /// Process-wide libcurl counters: transfers completed and new connections opened
    /// (the difference is connection reuse).
    public static var statistics: (transfers: Int, connections: Int) { CurlEngine.shared.statistics }

    /// Sets every option on the transfer's easy handle; returns an error for a request curl cannot take.
    private func configure(_ transfer: CurlTransfer) -> TransportError? {
        let request = transfer.request
        guard let easy = transfer.easy else {
            return TransportError(kind: .other, request: request.description, message: "curl_easy_init failed")
        }
        var url = request.url
        var headers = request.headers
        var failed: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, failed == CURLE_OK { failed = code } }

        // tls-server-name: connect to the URL's host but verify (and send SNI for) another name.
        if let serverName = tls.serverName, !serverName.isEmpty, let host = url.host,
           var components = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            let port = url.port ?? (url.scheme == "http" ? 80 : 443)
            components.host = serverName
            if let rewritten = components.url {
                url = rewritten
                let connectHost = host.contains(":") ? "[\(host)]" : host
                transfer.appendConnectTo("\(serverName):\(port):\(connectHost):\(port)")
                if headers["Host"] == nil {
                    headers.set("Host", request.url.port.map { "\(connectHost):\($0)" } ?? connectHost)
                }
            }
        }

        check(platform_curl_setopt_string(easy, CURLOPT_URL, url.absoluteString))
        check(platform_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(platform_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
        check(platform_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        check(platform_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        check(platform_curl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        check(platform_curl_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))
        check(platform_curl_setopt_string(easy, CURLOPT_USERAGENT, userAgent))
        check(platform_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout)))
        let timeout = request.timeout ?? defaultTimeout
        if transfer.streaming {
            // The head must arrive within `timeout` (checked by the engine); afterwards only
            // a body silent for `idleTimeout` (under 1 byte/s) is cut off.
            transfer.headDeadline = ContinuousClock.now + timeout
            if let idle = request.idleTimeout {
                check(platform_curl_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, 1))
                check(platform_curl_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, Self.milliseconds(idle) / 1000)))
            }
        } else {
            check(platform_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Self.milliseconds(timeout))))
        }

        // TLS: verification stays on unless the kubeconfig said otherwise.
        if tls.insecureSkipVerify {
            check(platform_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0))
            check(platform_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0))
        } else {
            check(platform_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1))
            check(platform_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2))
            if let ca = tls.certificateAuthority {
                // Only the kubeconfig's CA is trusted, as in client-go (RootCAs = that pool).
                check(transfer.setBlob(CURLOPT_CAINFO_BLOB, ca))
                check(platform_curl_setopt_string(easy, CURLOPT_CAPATH, nil))
            }
        }
        if let cert = request.clientIdentity?.certificate ?? tls.clientCertificate,
           let key = request.clientIdentity?.key ?? tls.clientKey {
            check(platform_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"))
            check(transfer.setBlob(CURLOPT_SSLCERT_BLOB, cert))
            check(platform_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"))
            check(transfer.setBlob(CURLOPT_SSLKEY_BLOB, key))
        }
        if let proxy = tls.proxyURL, !proxy.isEmpty {
            check(platform_curl_setopt_string(easy, CURLOPT_PROXY, proxy))
        }

        // Method and body.
        switch request.method {
        case "GET":
            check(platform_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "HEAD":
            check(platform_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        default:
            check(platform_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let body = request.body {
            check(platform_curl_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            check(body.withUnsafeBytes { raw -> CURLcode in
                // COPYPOSTFIELDS copies, so the Data may go away; an empty body needs a valid pointer.
                if let base = raw.baseAddress, raw.count > 0 {
                    return platform_curl_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                }
                return platform_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            })
        }
        headers.add("Expect", "")  // no 100-continue round trip
        for field in headers {
            transfer.appendHeader("\(field.name): \(field.value)")
        }
        check(platform_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headerList))
        if let connectTo = transfer.connectToList {
            check(platform_curl_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo))
        }
        if failed != CURLE_OK {
            return TransportError(kind: .other, request: request.description,
                                  message: "libcurl rejected an option: \(String(cString: curl_easy_strerror(failed)))",
                                  curlCode: Int(failed.rawValue))
        }
        return nil
    }

    static func milliseconds(_ d: Duration) -> Int {
        let (s, atto) = d.components
        return Int(s) * 1000 + Int(atto / 1_000_000_000_000_000)
    }
}

/// One request in flight. Mutable state is touched only on the engine thread,
/// except `cancelled`, which is guarded by `lock`.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    let streaming: Bool
    /// Cleaned up on the engine thread when the transfer ends (it shares the engine's
    /// share handle, which has no locks), or in deinit if it never started.
    var easy: UnsafeMutableRawPointer?
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    // Response state (engine thread).
    var statusCode = 0
    var httpVersion: String?
    var headers = HTTPHeaders()
    var body = Data()
    var headDelivered = false
    var headDeadline: ContinuousClock.Instant?
    var finished = false

    var bufferedContinuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>?
    var headContinuation: CheckedContinuation<Result<HTTPStreamingResponse, TransportError>, Never>?
    var bodyContinuation: AsyncThrowingStream<Data, any Error>.Continuation?
    var bodyStream: AsyncThrowingStream<Data, any Error>?

    private let lock = NSLock()
    private var _cancelled = false
    var isCancelled: Bool { lock.withLock { _cancelled } }

    init(request: HTTPRequest, streaming: Bool) {
        self.request = request
        self.streaming = streaming
        self.easy = curl_easy_init()
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        if let easy {
            _ = platform_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        }
    }

    deinit {
        if let easy { curl_easy_cleanup(easy) }
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        errorBuffer.deallocate()
    }

    func appendHeader(_ line: String) { headerList = curl_slist_append(headerList, line) }
    func appendConnectTo(_ line: String) { connectToList = curl_slist_append(connectToList, line) }

    func setBlob(_ option: CURLoption, _ data: Data) -> CURLcode {
        guard let easy else { return CURLE_FAILED_INIT }
        return data.withUnsafeBytes { raw -> CURLcode in
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: raw.baseAddress), len: raw.count,
                                 flags: UInt32(CURL_BLOB_COPY))
            return platform_curl_setopt_blob(easy, option, &blob)
        }
    }

    func cancel() {
        let first = lock.withLock { () -> Bool in
            defer { _cancelled = true }
            return !_cancelled
        }
        if first { CurlEngine.shared.wake() }
    }

    // MARK: engine-thread callbacks

    func receivedHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new header block (after 1xx or a proxy): start over.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            statusCode = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            httpVersion = parts.first.map(String.init)
            headers = HTTPHeaders()
        } else if trimmed.isEmpty {
            if statusCode >= 200, streaming { deliverHead() }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon])
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name, value)
        }
    }

    func receivedBody(_ data: Data) {
        if streaming {
            if !headDelivered { deliverHead() }
            bodyContinuation?.yield(data)
        } else {
            body.append(data)
        }
    }

    func deliverHead() {
        guard !headDelivered, let stream = bodyStream else { return }
        headDelivered = true
        headDeadline = nil
        let response = HTTPStreamingResponse(statusCode: statusCode, headers: headers, body: stream)
        headContinuation?.resume(returning: .success(response))
        headContinuation = nil
    }

    /// Called once when curl is done with the transfer (or it was cancelled/timed out by the engine).
    func complete(_ code: CURLcode, engineKind: TransportError.Kind? = nil) {
        guard !finished else { return }
        finished = true
        var error: TransportError?
        if let engineKind {
            let message = engineKind == .timedOut ? "no response within the timeout" : "request cancelled"
            error = TransportError(kind: engineKind, request: request.description, message: message)
        } else if code != CURLE_OK {
            error = Self.transportError(code, detail: String(cString: errorBuffer), request: request.description,
                                        cancelled: isCancelled)
        }
        if streaming {
            if !headDelivered {
                if let error {
                    headContinuation?.resume(returning: .failure(error))
                    headContinuation = nil
                    bodyContinuation?.finish()
                    return
                }
                deliverHead()
            }
            if let error, !isCancelled { bodyContinuation?.finish(throwing: error) } else { bodyContinuation?.finish() }
            bodyContinuation = nil
        } else {
            if let error {
                bufferedContinuation?.resume(returning: .failure(error))
            } else {
                var code = 0
                if let easy { _ = platform_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code) }
                if code == 0 { code = statusCode }
                bufferedContinuation?.resume(returning: .success(
                    HTTPResponse(statusCode: code, headers: headers, body: body, httpVersion: httpVersion)))
            }
            bufferedContinuation = nil
        }
    }

    static func transportError(_ code: CURLcode, detail: String, request: String, cancelled: Bool) -> TransportError {
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .couldNotResolveHost
        case CURLE_COULDNT_CONNECT: kind = .couldNotConnect
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_PEER_FAILED_VERIFICATION: kind = .tlsVerificationFailed
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE: kind = .tls
        case CURLE_ABORTED_BY_CALLBACK: kind = cancelled ? .cancelled : .other
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_WEIRD_SERVER_REPLY,
             CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_BAD_CONTENT_ENCODING, CURLE_SEND_ERROR,
             CURLE_UNSUPPORTED_PROTOCOL:  // "Received HTTP/0.9 when not allowed": not HTTP at all
            kind = .badResponse
        default: kind = .other
        }
        let base = String(cString: curl_easy_strerror(code))
        let message = detail.isEmpty || detail == base ? base : "\(base): \(detail)"
        return TransportError(kind: kind, request: request, message: message, curlCode: Int(code.rawValue))
    }
}

/// The one thread that runs every libcurl transfer.
final class CurlEngine: @unchecked Sendable {
    static let shared = CurlEngine()

    private let multi: UnsafeMutableRawPointer
    private let share: UnsafeMutableRawPointer?
    private let lock = NSLock()
    private var pending: [CurlTransfer] = []
    // Engine thread only.
    private var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    private init() {
        curl_global_init(3)  // CURL_GLOBAL_ALL
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed") }
        self.multi = multi
        _ = platform_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        share = curl_share_init()
        if let share {
            // Only the engine thread touches handles, so the share needs no lock callbacks.
            _ = platform_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
            _ = platform_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
            _ = platform_curl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_CONNECT.rawValue))
        }
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "platform.curl"
        thread.stackSize = 1 << 20
        thread.start()
    }

    func start(_ transfer: CurlTransfer) {
        lock.withLock { pending.append(transfer) }
        wake()
    }

    func wake() { curl_multi_wakeup(multi) }

    private func run() {
        while true {
            let newTransfers = lock.withLock { () -> [CurlTransfer] in
                defer { pending.removeAll() }
                return pending
            }
            for transfer in newTransfers { add(transfer) }

            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            while true {
                var queued: Int32 = 0
                guard let message = curl_multi_info_read(multi, &queued) else { break }
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                finish(easy, code: code)
            }

            // Cancelled transfers and stream heads past their deadline are ended here, so
            // neither depends on curl calling the progress callback.
            let now = ContinuousClock.now
            for (easy, transfer) in active {
                if transfer.isCancelled {
                    finish(easy, code: CURLE_ABORTED_BY_CALLBACK, engineKind: .cancelled)
                } else if let deadline = transfer.headDeadline, now >= deadline {
                    finish(easy, code: CURLE_OPERATION_TIMEDOUT, engineKind: .timedOut)
                }
            }
            curl_multi_poll(multi, nil, 0, active.isEmpty ? 1000 : 100, nil)
        }
    }

    private func add(_ transfer: CurlTransfer) {
        guard let easy = transfer.easy else { return }
        if transfer.isCancelled {
            transfer.complete(CURLE_ABORTED_BY_CALLBACK, engineKind: .cancelled)
            return
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        if let share { _ = platform_curl_setopt_pointer(easy, CURLOPT_SHARE, share) }
        _ = platform_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = platform_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        _ = platform_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, context)
        _ = platform_curl_setopt_pointer(easy, CURLOPT_PRIVATE, context)
        _ = platform_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0)
        _ = platform_curl_setopt_write_function(easy) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            transfer.receivedBody(Data(bytes: ptr, count: size * count))
            return size * count
        }
        _ = platform_curl_setopt_header_function(easy) { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * count), as: UTF8.self)
            transfer.receivedHeaderLine(line)
            return size * count
        }
        _ = platform_curl_setopt_xferinfo_function(easy) { userdata, _, _, _, _ in
            guard let userdata else { return 0 }
            // Non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
            return Unmanaged<CurlTransfer>.fromOpaque(userdata).takeUnretainedValue().isCancelled ? 1 : 0
        }
        active[easy] = transfer
        curl_multi_add_handle(multi, easy)
    }

    private var counters = (transfers: 0, connections: 0)
    var statistics: (transfers: Int, connections: Int) { lock.withLock { counters } }

    private func finish(_ easy: UnsafeMutableRawPointer, code: CURLcode, engineKind: TransportError.Kind? = nil) {
        guard let transfer = active.removeValue(forKey: easy) else { return }
        var connects = 0
        _ = platform_curl_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        lock.withLock {
            counters.transfers += 1
            counters.connections += connects
        }
        curl_multi_remove_handle(multi, easy)
        transfer.complete(code, engineKind: engineKind)
        curl_easy_cleanup(easy)
        transfer.easy = nil
    }
}
