import Foundation
@testable import KubeClient

/// A Python `ssl` + `http.server` HTTPS server in a subprocess, with test
/// certificates made by the `openssl` CLI. Paths:
///   /whoami      200 with who authenticated (client-certificate CN or bearer token), else 401 Status
///   /garbage     bytes that are not HTTP, then close
///   /close       closes without answering
///   /stall       never answers (until the server is stopped)
///   /stall-body  sends the head and one line, then nothing
///   /stream      chunked lines forever, one every 50 ms
let pythonServer = #"""
import http.server, json, os, socketserver, ssl, sys, threading, time

# Never outlive the test run: exit when the parent (swift test) is gone or after 10 minutes,
# even if the suite never reached stop() (a leaked suite instance must not leave a server).
def _watchdog(parent=os.getppid(), deadline=time.monotonic() + 600):
    while os.getppid() == parent and time.monotonic() < deadline:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=_watchdog, daemon=True).start()

cert, key, ca, tokens = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4].split(","))

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def send_json(self, code, value):
        body = json.dumps(value).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path.startswith("/whoami"):
            peer = self.connection.getpeercert()
            cn = None
            if peer:
                for rdn in peer.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
            auth = self.headers.get("Authorization", "")
            token = auth[7:] if auth.startswith("Bearer ") else None
            if cn:
                self.send_json(200, {"user": "cert:" + cn})
            elif token in tokens:
                self.send_json(200, {"user": "token:" + token})
            else:
                self.send_json(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                     "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
        elif self.path.startswith("/garbage"):
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\nthis is not http\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
        elif self.path.startswith("/close"):
            self.close_connection = True
        elif self.path.startswith("/stall-body"):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"6\r\nhello\n\r\n")
            self.wfile.flush()
            time.sleep(60)
        elif self.path.startswith("/stall"):
            time.sleep(60)
        elif self.path.startswith("/stream"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            i = 0
            try:
                while True:
                    line = (json.dumps({"n": i}) + "\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                    i += 1
                    time.sleep(0.05)
            except Exception:
                pass
            self.close_connection = True
        else:
            self.send_json(404, {"kind": "Status", "code": 404, "reason": "NotFound", "message": "no such path"})

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_OPTIONAL
ctx.set_alpn_protocols(["http/1.1"])
server = Server(("127.0.0.1", 0), Handler)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#

/// Runs a command to completion on a GCD thread (not the cooperative pool).
func runTool(_ executable: String, _ arguments: [String], in directory: URL) async throws -> Int32 {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

/// Test PKI: a CA, a server certificate for localhost/127.0.0.1/kubernetes.test,
/// a client certificate (CN platform-admin), and an unrelated CA.
struct TestPKI {
    let directory: URL
    var caCert: URL { directory.appendingPathComponent("ca.crt") }
    var otherCACert: URL { directory.appendingPathComponent("other-ca.crt") }
    var serverCert: URL { directory.appendingPathComponent("server.crt") }
    var serverKey: URL { directory.appendingPathComponent("server.key") }
    var clientCert: URL { directory.appendingPathComponent("client.crt") }
    var clientKey: URL { directory.appendingPathComponent("client.key") }

    static func make(in directory: URL) async throws -> TestPKI {
        let script = """
            set -e
            key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$1" 2>/dev/null; }
            key ca.key; key other-ca.key; key server.key; key client.key
            openssl req -x509 -new -key ca.key -out ca.crt -days 2 -subj /CN=test-ca
            openssl req -x509 -new -key other-ca.key -out other-ca.crt -days 2 -subj /CN=other-ca
            openssl req -new -key server.key -out server.csr -subj /CN=localhost
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:kubernetes.test\\nextendedKeyUsage=serverAuth\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
            openssl req -new -key client.key -out client.csr -subj "/O=system:masters/CN=platform-admin"
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 -extfile client.ext 2>/dev/null
            """
        try write(script, to: directory.appendingPathComponent("pki.sh"))
        let status = try await runTool("/bin/sh", ["pki.sh"], in: directory)
        guard status == 0 else { throw KubeClientError.invalidArgument("openssl failed with status \(status)") }
        return TestPKI(directory: directory)
    }
}

/// The running Python server; `stop()` kills it.
final class TLSTestServer: @unchecked Sendable {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) {
        self.process = process
        self.port = port
    }

    static func start(pki: TestPKI, tokens: [String]) async throws -> TLSTestServer {
        let script = pki.directory.appendingPathComponent("server.py")
        try write(pythonServer, to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, pki.serverCert.path, pki.serverKey.path, pki.caCert.path,
                             tokens.joined(separator: ",")]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read the port line off the cooperative pool; give up after 20 s.
        let line: String = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var bytes = Data()
                let handle = stdout.fileHandleForReading
                while !bytes.contains(0x0A) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes.append(chunk)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw KubeClientError.invalidArgument("test server did not start: \(line)")
        }
        return TLSTestServer(process: process, port: port)
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
