import ChartSources
import Foundation

/// A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution) over TLS
/// with token auth, started by Tests/e2e/oci_registry.py (which also runs the token server
/// and writes the test CA). Users are `NAME:PASSWORD:ACTIONS`.
final class OCITestRegistry: @unchecked Sendable {
    static let binary = ["/usr/bin/docker-registry", "/usr/bin/registry"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { binary != nil }
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The test venv's Python (scripts/setup --tests puts `cryptography` there), else python3.
    static var python: [String] {
        let env = ProcessInfo.processInfo.environment
        if let p = env["PLATFORM_TEST_PYTHON"], !p.isEmpty { return [p] }
        let venv = env["PLATFORM_TEST_VENV"].map { $0.hasPrefix("/") ? $0 : repositoryRoot + "/" + $0 } ?? repositoryRoot + "/.venv-test"
        if FileManager.default.isExecutableFile(atPath: venv + "/bin/python") { return [venv + "/bin/python"] }
        return ["/usr/bin/env", "python3"]
    }

    let process = Process()
    /// Held open while the registry should live: the harness exits when it closes.
    private let stdin = Pipe()
    /// `127.0.0.1:PORT`.
    let host: String
    /// PEM of the test CA that signed the registry's and the token server's certificates.
    let caFile: String
    /// The registry's filesystem storage (tests corrupt blobs here).
    let storage: String
    /// Per user, the token server's refresh token (Docker's `identitytoken`).
    let identityTokens: [String: String]

    init(users: [String]) throws {
        let python = Self.python
        process.executableURL = URL(fileURLWithPath: python[0])
        process.arguments = Array(python.dropFirst()) + [Self.repositoryRoot + "/Tests/e2e/oci_registry.py"] + users.flatMap { ["--user", $0] }
        let out = Pipe(), err = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var line = Data()
        let handle = out.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let json = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
        guard let host = json?["host"] as? String, let ca = json?["ca"] as? String, let storage = json?["storage"] as? String else {
            process.terminate()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ChartFetchError(.io, "Tests/e2e/oci_registry.py",
                                  "the test registry did not start (\(python.joined(separator: " ")); scripts/setup --tests installs its Python deps): \(String(decoding: line, as: UTF8.self)) \(stderr.suffix(2000))")
        }
        self.host = host
        self.caFile = ca
        self.storage = storage
        self.identityTokens = json?["identity_tokens"] as? [String: String] ?? [:]
    }

    deinit {
        // SIGTERM lets the harness stop the registry and remove its files; the harness
        // unblocks SIGTERM (test threads spawn children with it blocked). Bounded, then SIGKILL.
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func blobPath(_ digest: String) -> String {
        let hex = Digest.hex(of: digest) ?? ""
        return "\(storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    /// The manifest digest a tag points at, read from storage.
    func tagDigest(repository: String, tag: String) throws -> String {
        let link = "\(storage)/docker/registry/v2/repositories/\(repository)/_manifests/tags/\(tag)/current/link"
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: link)), as: UTF8.self)
    }
}

/// The `demo` 1.0.0 test chart, packed, with an OCI image manifest naming it as a Helm
/// chart layer (config `{}`), as a registry would serve it.
enum DemoChart {
    static func packagedWithManifest(in dir: TempDir) throws -> (PackagedChart, Data) {
        let packaged = try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "demo", version: "1.0.0"))
        let config = Data("{}".utf8)
        let manifest = try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": HelmMediaType.manifest,
            "config": ["mediaType": HelmMediaType.config, "digest": Digest.sha256(config), "size": config.count],
            "layers": [["mediaType": HelmMediaType.chartContent, "digest": packaged.digest, "size": packaged.bytes.count]],
        ] as [String: Any])
        return (packaged, manifest)
    }
}
