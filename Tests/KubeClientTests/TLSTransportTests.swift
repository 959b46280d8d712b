import Foundation
import Testing
import KubeModel
@testable import KubeClient

/// End-to-end over real TLS: libcurl against a Python HTTPS server, configured
/// through kubeconfig files written here. Every request has a short timeout, so
/// a failure cannot hang the suite.
@Suite(.serialized) final class TLSTransportTests {
    let directory: URL
    let pki: TestPKI
    let server: TLSTestServer

    init() async throws {
        directory = try temporaryDirectory("kubeclient-tls")
        pki = try await TestPKI.make(in: directory)
        server = try await TLSTestServer.start(pki: pki, tokens: ["good-token", "exec-token-1"])
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes a kubeconfig whose cert paths are relative to it and loads it like kubectl.
    func client(cluster: String, user: String, environment: [String: String] = [:],
                timeout: Duration = .seconds(5)) throws -> KubeClient {
        let file = directory.appendingPathComponent("kc-\(UUID().uuidString)/config")
        let text = """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
            \(cluster.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
            users:
            - name: test
              user:
            \(user.split(separator: "\n").map { "    \($0)" }.joined(separator: "\n"))
            contexts:
            - name: test
              context: {cluster: test, user: test}
            """
        try write(text, to: file)
        // The certificates are one level up from the kubeconfig: exercise relative resolution.
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let config = try ClientConfiguration.load(ConfigurationOptions(kubeconfigPath: file.path, environment: env))
        return KubeClient(configuration: config, retryPolicy: .none, requestTimeout: timeout,
                          discoveryCacheDirectory: .some(nil), environment: env, warn: { _ in })
    }

    var server127: String { "server: https://127.0.0.1:\(server.port)" }

    func whoami(_ client: KubeClient) async throws(KubeClientError) -> String {
        let response = try await client.executor.send("GET", "/whoami", kind: .idempotent)
        let value = try? JSON.decode(response.body)
        return value?.member("user")?.asString ?? "?"
    }

    @Test func untrustedCAFailsVerification() async throws {
        let c = try client(cluster: "\(server127)\ncertificate-authority: ../other-ca.crt", user: "token: good-token")
        do {
            _ = try await whoami(c)
            Issue.record("expected a verification failure")
        } catch {
            #expect(error.transportError?.kind == .tlsVerificationFailed, "\(error)")
            #expect("\(error)".contains("certificate"))
            #expect(!"\(error)".contains("good-token"))
        }
    }

    @Test func bearerTokenOverVerifiedTLS() async throws {
        let good = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: "token: good-token")
        #expect(try await whoami(good) == "token:good-token")
        let before = CurlTransport.statistics
        for _ in 0..<5 { #expect(try await whoami(good) == "token:good-token") }
        let after = CurlTransport.statistics
        // Tests in other suites may run transfers at the same time, so only an upper bound
        // on new connections holds: sequential requests on one keep-alive connection open none.
        #expect(after.transfers - before.transfers >= 5)
        #expect(after.connections - before.connections < after.transfers - before.transfers)
        let bad = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: "token: wrong-token")
        do {
            _ = try await whoami(bad)
            Issue.record("expected 401")
        } catch {
            #expect(error.apiError?.reason == .unauthorized)
            #expect(!"\(error)".contains("wrong-token"))
        }
    }

    @Test func clientCertificateAuthentication() async throws {
        let files = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt",
                               user: "client-certificate: ../client.crt\nclient-key: ../client.key")
        #expect(try await whoami(files) == "cert:platform-admin")
        let cert = try Data(contentsOf: pki.clientCert).base64EncodedString()
        let key = try Data(contentsOf: pki.clientKey).base64EncodedString()
        let ca = try Data(contentsOf: pki.caCert).base64EncodedString()
        let data = try client(cluster: "\(server127)\ncertificate-authority-data: \(ca)",
                              user: "client-certificate-data: \(cert)\nclient-key-data: \(key)")
        #expect(try await whoami(data) == "cert:platform-admin")
    }

    @Test func tlsServerNameAndInsecureSkipVerify() async throws {
        let named = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt\ntls-server-name: kubernetes.test",
                               user: "token: good-token")
        #expect(try await whoami(named) == "token:good-token")
        let wrong = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt\ntls-server-name: wrong.test",
                               user: "token: good-token")
        await #expect(throws: KubeClientError.self) { try await self.whoami(wrong) }
        let insecure = try client(cluster: "\(server127)\ninsecure-skip-tls-verify: true", user: "token: good-token")
        #expect(insecure.configuration.warnings.count == 1)
        #expect(try await whoami(insecure) == "token:good-token")
    }

    @Test func misbehavingServersFailClearlyWithinTheTimeout() async throws {
        let c = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: "token: good-token",
                           timeout: .seconds(2))
        for path in ["/garbage", "/close"] {
            do {
                _ = try await c.executor.send("GET", path, kind: .other)
                Issue.record("\(path) should fail")
            } catch {
                #expect(error.transportError?.kind == .badResponse, "\(path): \(error)")
            }
        }
        do {
            _ = try await c.executor.send("GET", "/stall", kind: .other)
            Issue.record("/stall should time out")
        } catch {
            #expect(error.transportError?.kind == .timedOut, "\(error)")
        }
        do {
            _ = try await c.executor.stream("/stall", query: [], timeout: .seconds(1))
            Issue.record("/stall stream should time out")
        } catch {
            #expect(error.transportError?.kind == .timedOut, "\(error)")
        }
        // A stream whose body goes silent fails after its idle timeout.
        let silent = try await c.executor.stream("/stall-body", query: [], idleTimeout: .seconds(1))
        var received: [String] = []
        do {
            for try await line in KubeClient.lines(of: silent.body) { received.append(line) }
            Issue.record("a silent stream should time out")
        } catch {
            #expect((error as? TransportError)?.kind == .timedOut, "\(error)")
        }
        #expect(received == ["hello"])
        // Nothing is wedged: the next request works.
        #expect(try await whoami(c) == "token:good-token")
    }

    @Test func streamsCanBeAbandonedAndTasksCancelled() async throws {
        let c = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: "token: good-token")
        let response = try await c.executor.stream("/stream", query: [])
        var lines: [String] = []
        for try await line in KubeClient.lines(of: response.body) {
            lines.append(line)
            if lines.count == 3 { break }
        }
        #expect(lines == [#"{"n": 0}"#, #"{"n": 1}"#, #"{"n": 2}"#])

        let slow = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: "token: good-token",
                              timeout: .seconds(60))
        let task = Task { () async -> Result<HTTPResponse, KubeClientError> in
            do throws(KubeClientError) {
                return .success(try await slow.executor.send("GET", "/stall", kind: .other))
            } catch {
                return .failure(error)
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        switch await task.value {
        case .success: Issue.record("expected cancellation")
        case .failure(let error): #expect(error.transportError?.kind == .cancelled, "\(error)")
        }
    }

    @Test func execPluginProvidesCachedToken() async throws {
        let plugin = directory.appendingPathComponent("bin/token-plugin")
        let log = directory.appendingPathComponent("plugin-runs-\(UUID().uuidString)")
        try write("""
            #!/bin/sh
            echo "plugin: issuing a token" >&2
            echo run >> "\(log.path)"
            printf '%s\\n' "$KUBERNETES_EXEC_INFO" > "\(log.path).info"
            printf '%s' "$EXTRA" > "\(log.path).extra"
            cat <<JSON
            {"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
             "status":{"token":"exec-token-1","expirationTimestamp":"2999-01-01T00:00:00Z"}}
            JSON
            """, to: plugin, mode: 0o755)
        let c = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ../bin/token-plugin
              interactiveMode: Never
              provideClusterInfo: true
              env: [{name: EXTRA, value: from-kubeconfig}]
            """)
        #expect(try await whoami(c) == "token:exec-token-1")
        #expect(try await whoami(c) == "token:exec-token-1")
        let runs = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").count
        #expect(runs == 1, "the credential is cached until it expires")
        let info = try JSON.decode(try Data(contentsOf: URL(fileURLWithPath: log.path + ".info")))
        #expect(info.member("kind")?.asString == "ExecCredential")
        #expect(info.member("spec")?.member("interactive") == .bool(false))
        #expect(info.member("spec")?.member("cluster")?.member("server")?.asString == "https://127.0.0.1:\(server.port)")
        #expect(try String(contentsOf: URL(fileURLWithPath: log.path + ".extra"), encoding: .utf8) == "from-kubeconfig")
    }

    @Test func execPluginErrors() async throws {
        let missing = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: """
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: platform-test-plugin-that-is-not-installed
              installHint: Install it with 'apt install the-plugin'.
            """)
        do {
            _ = try await whoami(missing)
            Issue.record("expected a missing plugin")
        } catch {
            let text = "\(error)"
            #expect(text.contains("platform-test-plugin-that-is-not-installed not found"))
            #expect(text.contains("Install it with 'apt install the-plugin'."))
        }
        let wrongVersion = directory.appendingPathComponent("bin/wrong-version")
        try write("""
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"SECRET-IN-OUTPUT"}}'
            """, to: wrongVersion, mode: 0o755)
        let c = try client(cluster: "\(server127)\ncertificate-authority: ../ca.crt", user: """
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ../bin/wrong-version
              interactiveMode: IfAvailable
            """)
        do {
            _ = try await whoami(c)
            Issue.record("expected a version mismatch")
        } catch {
            #expect("\(error)".contains("plugin returned version client.authentication.k8s.io/v1beta1"))
            #expect(!"\(error)".contains("SECRET-IN-OUTPUT"))
        }
    }
}
