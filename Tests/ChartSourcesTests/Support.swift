import ChartSources
import Foundation
import Helm
import KubeClient

/// A temporary directory removed when the test drops it.
final class TempDir: @unchecked Sendable {
    let path: String
    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("chartsrc-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ rel: String, _ text: String) {
        let p = path + "/" + rel
        try? FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
    }
}

enum Fixtures {
    /// `SHARED_DIR` (or `PLATFORM_SHARED`), else `shared/` beside the repository (CI's layout).
    static let shared: String = {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["SHARED_DIR"] ?? env["PLATFORM_SHARED"], !dir.isEmpty { return dir }
        // Tests/ChartSourcesTests/Support.swift → repo root → ../shared
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent("../shared").standardized.path
    }()

    /// A tiny chart directory `name` at `version` under `dir`.
    static func chart(in dir: TempDir, name: String, version: String, extra: String = "") -> String {
        dir.file("\(name)/Chart.yaml", "apiVersion: v2\nname: \(name)\nversion: \(version)\nappVersion: \"1.0\"\ndescription: test chart\n")
        dir.file("\(name)/values.yaml", "image: nginx:1.27\n\(extra)")
        dir.file("\(name)/templates/deploy.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: {{ .Release.Name }} }
            spec:
              template:
                spec:
                  containers: [{ name: c, image: {{ .Values.image }} }]

            """)
        dir.file("\(name)/.helmignore", "*.bak\nsecret/\n")
        dir.file("\(name)/notes.bak", "ignored")
        dir.file("\(name)/secret/key.txt", "ignored")
        return dir.path + "/" + name
    }
}

/// A child process that prints its port on the first stdout line; terminated on deinit.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stdout = Pipe()
    /// Held open while the server should live: a server that watches stdin exits when the
    /// test process dies, so no test leaves a server behind.
    private let stdin = Pipe()

    init(executable: String, arguments: [String], environment: [String: String]? = nil, portFromFirstLine: Bool = true, fixedPort: Int? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        if portFromFirstLine {
            // Read the first line (bounded: the script prints it right after binding).
            var line = Data()
            let handle = stdout.fileHandleForReading
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            guard let text = String(data: line, encoding: .utf8)?.split(separator: "\n").first, let p = Int(text) else {
                kill(process.processIdentifier, SIGKILL)
                throw ChartFetchError(.io, executable, "server did not report a port")
            }
            port = p
        } else {
            port = fixedPort ?? 0
        }
    }

    deinit {
        // SIGKILL, not terminate(): children inherit the test runner's signal mask, in which
        // SIGTERM is blocked, so a SIGTERM'd server lives on and waitUntilExit never returns.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A loopback HTTP server for a chart repository directory (Python's http.server), with
/// optional basic/bearer auth and misbehaviour for error tests.
final class RepoServer: @unchecked Sendable {
    let server: ServerProcess
    let tls: TestCertificates?
    var url: String { (tls == nil ? "http" : "https") + "://127.0.0.1:\(server.port)" }

    static let script = #"""
import base64, http.server, os, signal, socketserver, sys, threading
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())
# Exit when the test process goes away (stdin closes).
threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
root, user, password, token = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *a, **k): super().__init__(*a, directory=root, **k)
    def log_message(self, *a): pass
    def authorized(self):
        if not user and not token: return True
        h = self.headers.get("Authorization", "")
        if token and h == "Bearer " + token: return True
        if user and h == "Basic " + base64.b64encode((user + ":" + password).encode()).decode(): return True
        return False
    def do_GET(self):
        if self.path.startswith("/forbidden/"):
            self.send_response(403); self.send_header("Content-Length", "0"); self.end_headers(); return
        if not self.authorized():
            self.send_response(401); self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0"); self.end_headers(); return
        if self.path.startswith("/redirect/"):
            self.send_response(302); self.send_header("Location", "/" + self.path[len("/redirect/"):])
            self.send_header("Content-Length", "0"); self.end_headers(); return
        if self.path.startswith("/truncated/"):
            data = open(os.path.join(root, self.path[len("/truncated/"):]), "rb").read()
            self.send_response(200); self.send_header("Content-Length", str(len(data)))
            self.end_headers(); self.wfile.write(data[: len(data) // 2]); self.wfile.flush()
            self.close_connection = True; return
        return super().do_GET()
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
if len(sys.argv) > 6 and sys.argv[5]:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[5], sys.argv[6])
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()
"""#

    init(root: String, username: String = "", password: String = "", token: String = "", tls: TestCertificates? = nil) throws {
        self.tls = tls
        server = try ServerProcess(executable: "/usr/bin/env", arguments: ["python3", "-c", Self.script, root, username, password, token,
                                                                           tls?.serverCertificate ?? "", tls?.serverKey ?? ""])
    }
}

/// A throwaway CA and a server certificate for 127.0.0.1 signed by it (openssl CLI), plus
/// an unrelated CA for "wrong CA" cases.
final class TestCertificates: @unchecked Sendable {
    let dir = TempDir()
    var ca: String { dir.path + "/ca.pem" }
    var otherCA: String { dir.path + "/other-ca.pem" }
    var serverCertificate: String { dir.path + "/server.pem" }
    var serverKey: String { dir.path + "/server-key.pem" }

    init() throws {
        let d = dir.path
        dir.file("ext.cnf", "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        for args in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/ca-key.pem", "-out", d + "/ca.pem",
             "-days", "2", "-subj", "/CN=platform test CA"],
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/other-key.pem", "-out", d + "/other-ca.pem",
             "-days", "2", "-subj", "/CN=unrelated CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", d + "/server-key.pem", "-out", d + "/server.csr",
             "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", d + "/server.csr", "-CA", d + "/ca.pem", "-CAkey", d + "/ca-key.pem", "-CAcreateserial",
             "-out", d + "/server.pem", "-days", "2", "-extfile", d + "/ext.cnf"],
        ] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw ChartFetchError(.io, "openssl", "openssl \(args[0]) failed") }
        }
    }
}

/// A transport that fails every request: proves a code path does not touch the network.
struct OfflineTransport: HTTPTransport {
    func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        throw TransportError(kind: .couldNotConnect, request: request.description, message: "offline (test)")
    }
    func stream(_ request: HTTPRequest) async throws(TransportError) -> HTTPStreamingResponse {
        throw TransportError(kind: .couldNotConnect, request: request.description, message: "offline (test)")
    }
}
