import Foundation
import Testing
@testable import KubeClient

@Suite struct KubeconfigTests {
    let first = """
        apiVersion: v1
        kind: Config
        current-context: alpha
        clusters:
        - name: shared
          cluster:
            server: https://first.example:6443
            certificate-authority: certs/ca.pem
        - name: only-first
          cluster: {server: https://only-first.example}
        users:
        - name: admin
          user:
            client-certificate: certs/admin.crt
            client-key: /abs/admin.key
            token: first-token
        contexts:
        - name: alpha
          context: {cluster: shared, user: admin, namespace: team-a}
        """
    let second = """
        apiVersion: v1
        kind: Config
        current-context: beta
        clusters:
        - name: shared
          cluster: {server: https://second.example:6443}
        - name: only-second
          cluster: {server: https://only-second.example, insecure-skip-tls-verify: true}
        users:
        - name: admin
          user: {token: second-token}
        - name: bob
          user: {username: bob, password: hunter2}
        contexts:
        - name: alpha
          context: {cluster: only-second, user: bob}
        - name: beta
          context: {cluster: only-second, user: bob}
        """

    @Test func kubeconfigEnvironmentMergesFirstFileWins() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a/config"), b = dir.appendingPathComponent("b/config")
        try write(first, to: a)
        try write(second, to: b)
        let missing = dir.appendingPathComponent("missing").path
        let options = ConfigurationOptions(environment: ["KUBECONFIG": "\(a.path):\(missing)::\(b.path):\(a.path)"])
        let merged = try ClientConfiguration.loadKubeconfig(options)
        #expect(merged.files == [a.path, b.path])
        #expect(merged.currentContext == "alpha")
        #expect(merged.clusters["shared"]?.server == "https://first.example:6443")
        #expect(merged.clusters["only-second"]?.insecureSkipTLSVerify == true)
        #expect(merged.users["admin"]?.token == "first-token")
        #expect(merged.users["bob"]?.username == "bob")
        #expect(merged.contexts["alpha"]?.cluster == "shared")
        // Relative paths resolve against the file that holds them.
        #expect(merged.clusters["shared"]?.certificateAuthority == dir.appendingPathComponent("a/certs/ca.pem").path)
        #expect(merged.users["admin"]?.clientCertificate == dir.appendingPathComponent("a/certs/admin.crt").path)
        #expect(merged.users["admin"]?.clientKey == "/abs/admin.key")
    }

    @Test func currentContextComesFromFirstFileThatSetsIt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        try write("apiVersion: v1\nkind: Config\nclusters: []\n", to: a)
        try write(second, to: b)
        let merged = try ClientConfiguration.loadKubeconfig(ConfigurationOptions(environment: ["KUBECONFIG": "\(a.path):\(b.path)"]))
        #expect(merged.currentContext == "beta")
    }

    @Test func explicitPathWinsAndMustExist() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let b = dir.appendingPathComponent("b")
        try write(second, to: b)
        let env = ["KUBECONFIG": dir.appendingPathComponent("nope").path]
        let merged = try ClientConfiguration.loadKubeconfig(ConfigurationOptions(kubeconfigPath: b.path, environment: env))
        #expect(merged.currentContext == "beta")
        #expect(throws: ConfigurationError.self) {
            try ClientConfiguration.loadKubeconfig(ConfigurationOptions(kubeconfigPath: dir.appendingPathComponent("nope").path))
        }
    }

    @Test func homeConfigIsTheDefault() throws {
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        try write(second, to: home.appendingPathComponent(".kube/config"))
        let config = try ClientConfiguration.load(ConfigurationOptions(environment: ["HOME": home.path]))
        #expect(config.contextName == "beta")
        #expect(config.server.absoluteString == "https://only-second.example")
        #expect(config.namespace == "default")
        #expect(config.tls.insecureSkipVerify)
        #expect(config.warnings.count == 1)
        #expect(config.warnings.first?.contains("insecure-skip-tls-verify") == true)
        if case .basic(let user, _) = config.credentials { #expect(user == "bob") } else { Issue.record("expected basic auth") }
    }

    @Test func contextAndNamespaceOverrides() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("config")
        try write(first, to: a)
        try write("CA", to: dir.appendingPathComponent("certs/ca.pem"))
        try write("CERT", to: dir.appendingPathComponent("certs/admin.crt"))
        // client-key is absolute and missing: a clear error names it.
        #expect {
            try ClientConfiguration.load(ConfigurationOptions(kubeconfigPath: a.path))
        } throws: { error in
            "\(error)".contains("/abs/admin.key")
        }
        let kubeconfig = try Kubeconfig.parse(first.replacingOccurrences(of: "/abs/admin.key", with: "certs/admin.crt"), path: a.path)
        let resolved = try ClientConfiguration.resolve(kubeconfig, context: nil, namespace: nil)
        #expect(resolved.namespace == "team-a")
        #expect(resolved.tls.certificateAuthority == Data("CA".utf8))
        #expect(resolved.tls.clientCertificate == Data("CERT".utf8))
        let overridden = try ClientConfiguration.resolve(kubeconfig, context: "alpha", namespace: "other")
        #expect(overridden.namespace == "other")
        #expect {
            try ClientConfiguration.resolve(kubeconfig, context: "gamma")
        } throws: { error in
            "\(error)".contains("context \"gamma\" does not exist") && "\(error)".contains("alpha")
        }
    }

    @Test func dataFieldsDecodeAndBadBase64NamesTheLine() throws {
        let text = """
            clusters:
            - name: c
              cluster:
                server: https://x
                certificate-authority-data: \(Data("PEM-CA".utf8).base64EncodedString())
            users:
            - name: u
              user:
                client-key-data: "not base64!!"
            """
        #expect {
            try Kubeconfig.parse(text, path: "/tmp/kc")
        } throws: { error in
            let text = "\(error)"
            return text.contains("/tmp/kc:9:") && text.contains("client-key-data") && !text.contains("not base64")
        }
        let ok = try Kubeconfig.parse(String(text[..<text.range(of: "users:")!.lowerBound]), path: "/tmp/kc")
        #expect(ok.clusters["c"]?.certificateAuthorityData == Data("PEM-CA".utf8))
    }

    @Test func execConfigurationRules() throws {
        let v1Missing = """
            users:
            - name: u
              user:
                exec: {apiVersion: client.authentication.k8s.io/v1, command: plugin}
            """
        #expect(throws: ConfigurationError.self) { try Kubeconfig.parse(v1Missing, path: "/x/kc") }
        let beta = """
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: ./bin/plugin
                  args: [get-token, --fast]
                  env: [{name: A, value: b}]
                  installHint: brew install plugin
            """
        let config = try Kubeconfig.parse(beta, path: "/x/kc")
        let exec = try #require(config.users["u"]?.exec)
        #expect(exec.interactiveMode == .ifAvailable)
        #expect(exec.command == "/x/bin/plugin")
        #expect(exec.args == ["get-token", "--fast"])
        #expect(exec.env == [.init(name: "A", value: "b")])
        let bare = try Kubeconfig.parse(beta.replacingOccurrences(of: "./bin/plugin", with: "plugin"), path: "/x/kc")
        #expect(bare.users["u"]?.exec?.command == "plugin")
        let wrongVersion = beta.replacingOccurrences(of: "v1beta1", with: "v1alpha1")
        #expect(throws: ConfigurationError.self) { try Kubeconfig.parse(wrongVersion, path: "/x/kc") }
    }

    @Test func conflictingAuthAndInsecureWithCAAreRejected() throws {
        let twoMethods = """
            current-context: c
            clusters: [{name: c, cluster: {server: https://x}}]
            users: [{name: u, user: {token: t, username: a, password: b}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            """
        #expect {
            try ClientConfiguration.resolve(try Kubeconfig.parse(twoMethods, path: "/k"))
        } throws: { "\($0)".contains("more than one authentication method") }
        let insecureCA = """
            current-context: c
            clusters: [{name: c, cluster: {server: https://x, insecure-skip-tls-verify: true, certificate-authority-data: QUJD}}]
            contexts: [{name: c, context: {cluster: c}}]
            """
        #expect {
            try ClientConfiguration.resolve(try Kubeconfig.parse(insecureCA, path: "/k"))
        } throws: { "\($0)".contains("insecure") }
        let noServer = "current-context: c\nclusters: [{name: c, cluster: {}}]\ncontexts: [{name: c, context: {cluster: c}}]\n"
        #expect {
            try ClientConfiguration.resolve(try Kubeconfig.parse(noServer, path: "/k"))
        } throws: { "\($0)".contains("has no server") }
    }

    @Test func inClusterConfiguration() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = InClusterPaths(tokenFile: dir.appendingPathComponent("token").path,
                                   certificateAuthorityFile: dir.appendingPathComponent("ca.crt").path,
                                   namespaceFile: dir.appendingPathComponent("namespace").path)
        try write("sa-token\n", to: URL(fileURLWithPath: paths.tokenFile))
        try write("CA", to: URL(fileURLWithPath: paths.certificateAuthorityFile))
        try write("gpu-system\n", to: URL(fileURLWithPath: paths.namespaceFile))
        let env = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443", "HOME": dir.path]
        // No kubeconfig anywhere: the loading rules fall back to the service account.
        let config = try ClientConfiguration.load(ConfigurationOptions(environment: env, inClusterPaths: paths))
        #expect(config.server.absoluteString == "https://[fd00::1]:443")
        #expect(config.namespace == "gpu-system")
        #expect(config.tls.certificateAuthority == Data("CA".utf8))
        if case .tokenFile(let path, _) = config.credentials { #expect(path == paths.tokenFile) } else { Issue.record("token file") }
        #expect {
            try ClientConfiguration.inCluster(environment: [:], paths: paths)
        } throws: { "\($0)".contains("KUBERNETES_SERVICE_HOST") }
        #expect {
            try ClientConfiguration.load(ConfigurationOptions(environment: ["HOME": dir.path]))
        } throws: { "\($0)".contains("no configuration has been provided") }
    }

    @Test func descriptionsNeverShowSecrets() throws {
        let text = """
            current-context: c
            clusters: [{name: c, cluster: {server: "https://x", proxy-url: "http://proxyuser:proxypass@proxy:3128"}}]
            users:
            - name: u
              user: {token: TOKEN-SECRET-1, client-certificate-data: Q0VSVA==, client-key-data: S0VZLVNFQ1JFVC0y}
            - name: p
              user: {username: alice, password: PASSWORD-SECRET-3}
            contexts: [{name: c, context: {cluster: c, user: u}}, {name: p, context: {cluster: c, user: p}}]
            """
        let kubeconfig = try Kubeconfig.parse(text, path: "/k")
        let a = try ClientConfiguration.resolve(kubeconfig)
        let b = try ClientConfiguration.resolve(kubeconfig, context: "p")
        let exec = ExecCredential(token: "EXEC-SECRET-4",
                                  clientIdentity: TLSClientIdentity(certificate: Data("C".utf8), key: Data("EXEC-KEY-5".utf8)))
        let everything = [
            "\(kubeconfig)", String(describing: kubeconfig.users["u"]), "\(a)", "\(b)", "\(a.tls)", "\(a.credentials)",
            "\(b.credentials)", "\(exec)", String(reflecting: a.credentials),
        ].joined(separator: "\n")
        for secret in ["TOKEN-SECRET-1", "KEY-SECRET-2", "PASSWORD-SECRET-3", "EXEC-SECRET-4", "EXEC-KEY-5", "proxypass"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
        #expect(everything.contains("<redacted>"))
        // Authorization headers never appear in a request's description.
        let request = HTTPRequest(method: "GET", url: URL(string: "https://x/api?continue=abc")!,
                                  headers: ["Authorization": "Bearer TOKEN-SECRET-1"])
        #expect("\(request)" == "GET /api")
    }
}
