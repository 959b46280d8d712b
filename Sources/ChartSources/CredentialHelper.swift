import Foundation
import KubeClient

/// What a Docker credential helper answered for one registry.
public struct HelperCredentials: Sendable, Equatable, CustomStringConvertible {
    public var username: String
    public var secret: String

    public init(username: String, secret: String) {
        self.username = username
        self.secret = secret
    }

    /// Docker's convention: the username `<token>` marks the secret as an identity token.
    public var auth: RepositoryAuth {
        username == "<token>" ? .bearer(token: secret) : .basic(username: username, password: secret)
    }

    public var description: String { "HelperCredentials(\(username), <redacted>)" }
}

/// Runs Docker credential helpers (`docker-credential-NAME get`), as `docker login` and Helm
/// do for `credsStore`/`credHelpers` in config.json. The seam for tests.
public protocol CredentialHelperRunning: Sendable {
    /// The helper's credentials for `serverURL`; nil when it has none for it.
    func credentials(helper: String, serverURL: String) throws(ChartFetchError) -> HelperCredentials?
}

/// The real helpers: executables `docker-credential-NAME` on `PATH`, speaking the
/// docker-credential-helpers protocol (server URL on stdin, JSON
/// `{"ServerURL","Username","Secret"}` on stdout; "credentials not found" = none).
public struct ProcessCredentialHelper: CredentialHelperRunning {
    public var environment: [String: String]
    /// A helper that asks for input (a locked keychain) must not hang a CI job.
    public var timeout: TimeInterval

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, timeout: TimeInterval = 60) {
        self.environment = environment
        self.timeout = timeout
    }

    public func credentials(helper: String, serverURL: String) throws(ChartFetchError) -> HelperCredentials? {
        let name = "docker-credential-" + helper
        // No PATH, no helper (no default directories), as Docker's exec.LookPath.
        guard !helper.isEmpty, !helper.contains("/"),
              let executable = ExecutableSearch.locate(name, path: environment["PATH"] ?? "") else {
            throw ChartFetchError(.unauthorized, serverURL,
                                  "the registry config names credential helper \(name), which is not on PATH; install it, or log in with `docker login` into a config without credsStore/credHelpers (--registry-config FILE)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["get"]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            throw ChartFetchError(.unauthorized, serverURL, "cannot run credential helper \(executable): \(error.localizedDescription)")
        }
        stdin.fileHandleForWriting.write(Data(serverURL.utf8))
        try? stdin.fileHandleForWriting.close()
        // Read while it runs (a full pipe would block the helper), then wait.
        let output = Output()
        let readers = DispatchGroup()
        for (pipe, keep) in [(stdout, true), (stderr, false)] {
            DispatchQueue.global().async(group: readers) {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                output.set(data, stdout: keep)
            }
        }
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw ChartFetchError(.unauthorized, serverURL, "credential helper \(name) did not answer within \(Int(timeout)) s (waiting for a keychain prompt?)")
        }
        readers.wait()
        let (out, err) = output.get()
        let text = String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 {
            // The protocol's "not found" answer (docker-credential-helpers' ErrCredentialsNotFound).
            if text.contains("credentials not found") { return nil }
            let why = [text, String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)]
                .first { !$0.isEmpty } ?? "no output"
            throw ChartFetchError(.unauthorized, serverURL, "credential helper \(name) failed (exit \(process.terminationStatus)): \(String(why.prefix(300)))")
        }
        guard let json = try? JSONSerialization.jsonObject(with: out) as? [String: Any] else {
            throw ChartFetchError(.unauthorized, serverURL, "credential helper \(name) did not answer with JSON {\"Username\", \"Secret\"}")
        }
        let username = json["Username"] as? String ?? ""
        let secret = json["Secret"] as? String ?? ""
        if username.isEmpty && secret.isEmpty { return nil }
        return HelperCredentials(username: username, secret: secret)
    }

    private final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var out = Data(), err = Data()
        func set(_ data: Data, stdout: Bool) { lock.withLock { if stdout { out = data } else { err = data } } }
        func get() -> (Data, Data) { lock.withLock { (out, err) } }
    }
}

/// A registry login resolved on first use: a credential helper runs only when the registry
/// actually asks for a login, so public registries work even where a config's helper is
/// missing (a laptop's `credsStore: desktop` copied into CI). The answer is kept for the
/// client's life.
public final class RegistryLogin: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<RepositoryAuth, ChartFetchError>?
    private let resolver: @Sendable () throws(ChartFetchError) -> RepositoryAuth

    public init(resolve: @escaping @Sendable () throws(ChartFetchError) -> RepositoryAuth) { resolver = resolve }

    public static func fixed(_ auth: RepositoryAuth) -> RegistryLogin {
        let login = RegistryLogin(resolve: { auth })
        login.result = .success(auth)
        return login
    }

    public func resolve() throws(ChartFetchError) -> RepositoryAuth {
        lock.lock()
        defer { lock.unlock() }
        if let result { return try result.get() }
        let computed: Result<RepositoryAuth, ChartFetchError>
        do throws(ChartFetchError) { computed = .success(try resolver()) } catch { computed = .failure(error) }
        result = computed
        return try computed.get()
    }

    /// The login if it can be had, else none (for wording error messages).
    var resolvedOrNone: RepositoryAuth { (try? resolve()) ?? .none }
}
