@testable import ChartSources
import Foundation
import KubeClient
import Testing

/// Docker credential helpers (`credsStore`, `credHelpers`): which helper a registry gets,
/// the helper protocol spoken to a real executable, and that helpers run only when a
/// registry asks for a login.
@Suite struct CredentialHelperTests {
    /// Records what it was asked; answers from a table.
    final class FakeHelpers: CredentialHelperRunning, @unchecked Sendable {
        let lock = NSLock()
        var calls: [String] = []
        let answers: [String: HelperCredentials]
        init(_ answers: [String: HelperCredentials] = [:]) { self.answers = answers }
        func credentials(helper: String, serverURL: String) throws(ChartFetchError) -> HelperCredentials? {
            lock.withLock { calls.append("\(helper) \(serverURL)") }
            if helper == "missing" { throw ChartFetchError(.unauthorized, serverURL, "docker-credential-missing is not on PATH") }
            return answers["\(helper) \(serverURL)"]
        }
        var recorded: [String] { lock.withLock { calls } }
    }

    @Test func configNamesHelpersPerRegistryAndAStoreForTheRest() throws {
        let dir = TempDir()
        let b64 = Data("file:pw".utf8).base64EncodedString()
        dir.file("config.json", #"{"credsStore":"desktop","credHelpers":{"https://ecr.example/":"ecr-login"},"auths":{"plain.example":{"auth":"\#(b64)"}}}"#)
        var config = try DockerConfig.load(path: dir.path + "/config.json")
        #expect(config.credentialStore == "desktop" && config.credentialHelpers == ["ecr.example": "ecr-login"])
        let fake = FakeHelpers(["ecr-login ecr.example": HelperCredentials(username: "AWS", secret: "s3cret"),
                                "desktop https://index.docker.io/v1/": HelperCredentials(username: "<token>", secret: "idt")])
        config.helperRunner = fake
        #expect(try config.auth(for: "ecr.example") == .basic(username: "AWS", password: "s3cret"))
        // Docker Hub is keyed by its v1 URL; `<token>` marks an identity token.
        #expect(try config.auth(for: "docker.io") == .bearer(token: "idt"))
        // The store has nothing for this host: the file's login is used.
        #expect(try config.auth(for: "plain.example") == .basic(username: "file", password: "pw"))
        #expect(try config.auth(for: "other.example") == .none)
        #expect(fake.recorded == ["ecr-login ecr.example", "desktop https://index.docker.io/v1/", "desktop plain.example", "desktop other.example"])
        #expect(!HelperCredentials(username: "AWS", secret: "s3cret").description.contains("s3cret"))
    }

    @Test func helmsConfigFillsInHelpers() throws {
        let dir = TempDir()
        dir.file("docker/config.json", #"{"credHelpers":{"a.example":"one"}}"#)
        dir.file("helm/config.json", #"{"credHelpers":{"a.example":"two","b.example":"three"},"credsStore":"pass"}"#)
        let env = ["DOCKER_CONFIG": dir.path + "/docker", "HELM_REGISTRY_CONFIG": dir.path + "/helm/config.json", "HOME": dir.path]
        let config = try DockerConfig.load(flag: nil, environment: env)
        #expect(config.credentialHelpers == ["a.example": "one", "b.example": "three"])
        #expect(config.credentialStore == "pass")
    }

    /// A helper script on PATH, speaking the protocol: stdin = server URL.
    static func helperScript(in dir: TempDir) -> [String: String] {
        dir.file("bin/docker-credential-test", """
            #!/bin/sh
            [ "$1" = get ] || exit 9
            read -r server
            case "$server" in
              r.example) printf '{"ServerURL":"r.example","Username":"robot","Secret":"pa ss\\\\"word"}\\n' ;;
              tok.example) printf '{"ServerURL":"tok.example","Username":"<token>","Secret":"refresh"}' ;;
              broken.example) echo "keychain is locked" >&2; exit 3 ;;
              slow.example) sleep 5 ;;
              *) echo "credentials not found in native keychain"; exit 1 ;;
            esac
            """)
        chmod(dir.path + "/bin/docker-credential-test", 0o755)
        return ["PATH": dir.path + "/bin:/usr/bin:/bin"]
    }

    @Test func processHelperSpeaksTheProtocol() throws {
        let dir = TempDir()
        let helper = ProcessCredentialHelper(environment: Self.helperScript(in: dir), timeout: 2)
        #expect(try helper.credentials(helper: "test", serverURL: "r.example") == HelperCredentials(username: "robot", secret: #"pa ss"word"#))
        #expect(try helper.credentials(helper: "test", serverURL: "tok.example")?.auth == .bearer(token: "refresh"))
        #expect(try helper.credentials(helper: "test", serverURL: "unknown.example") == nil)
        let failed = #expect(throws: ChartFetchError.self) { try helper.credentials(helper: "test", serverURL: "broken.example") }
        #expect(failed?.message.contains("docker-credential-test failed (exit 3): keychain is locked") == true)
        let slow = #expect(throws: ChartFetchError.self) { try helper.credentials(helper: "test", serverURL: "slow.example") }
        #expect(slow?.message.contains("did not answer within 2 s") == true)
        let missing = #expect(throws: ChartFetchError.self) { try helper.credentials(helper: "desktop", serverURL: "r.example") }
        #expect(missing?.message.contains("docker-credential-desktop, which is not on PATH") == true)
        #expect(throws: ChartFetchError.self) { try helper.credentials(helper: "../x", serverURL: "r.example") }
    }

    /// A public registry never challenges: a config whose helper is missing still pulls.
    /// One that challenges gets the helper's login, asked once per client.
    @Test func helpersRunOnlyWhenTheRegistryAsks() async throws {
        let chartDir = TempDir()
        let (packaged, manifest) = try DemoChart.packagedWithManifest(in: chartDir)
        let ref = try OCIReference("oci://reg.example/x/demo", version: "1.0.0")

        let open = RecordedTransport()
        open.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 200, body: manifest)))
        open.on("GET", "/v2/x/demo/blobs/\(packaged.digest)", .response(HTTPResponse(statusCode: 200, body: Data(packaged.bytes))))
        let broken = FakeHelpers()
        let anonymous = DockerConfig(credentialStore: "missing", helperRunner: broken)
        let fetched = try await OCIRegistryClient(registry: "reg.example", login: anonymous.login(for: "reg.example"), transport: open).pull(ref)
        #expect(fetched.bytes == packaged.bytes && broken.recorded.isEmpty)

        let guarded = RecordedTransport()
        var challenge = HTTPHeaders()
        challenge.add("WWW-Authenticate", #"Basic realm="reg""#)
        guarded.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 401, headers: challenge)))
        guarded.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 200, body: manifest)))
        guarded.on("GET", "/v2/x/demo/blobs/\(packaged.digest)", .response(HTTPResponse(statusCode: 200, body: Data(packaged.bytes))))
        let helpers = FakeHelpers(["ecr reg.example": HelperCredentials(username: "AWS", secret: "pw")])
        let login = DockerConfig(credentialHelpers: ["reg.example": "ecr"], helperRunner: helpers).login(for: "reg.example")
        _ = try await OCIRegistryClient(registry: "reg.example", login: login, transport: guarded).pull(ref)
        #expect(helpers.recorded == ["ecr reg.example"])
        #expect(guarded.requests[1].headers["Authorization"] == "Basic " + Data("AWS:pw".utf8).base64EncodedString())

        // The challenge comes and the helper is missing: that is the error, naming the helper.
        let again = RecordedTransport()
        again.on("GET", "/v2/x/demo/manifests/1.0.0", .response(HTTPResponse(statusCode: 401, headers: challenge)))
        let e = await #expect(throws: ChartFetchError.self) {
            try await OCIRegistryClient(registry: "reg.example", login: anonymous.login(for: "reg.example"), transport: again).pull(ref)
        }
        #expect(e?.message.contains("docker-credential-missing") == true)
    }
}
