import ArgumentParser
import ChartSources
import Foundation
import Helm
import KubeClient
import Profiles

/// `platform charts package|index|pull|lock|push`: fetch, cache and pin charts by digest.
struct ChartsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charts", abstract: "Package, index, fetch, cache and pin charts by digest.",
        discussion: "Charts are cached by digest under $XDG_CACHE_HOME/platform/charts; platform.lock beside the profile pins them. See README (Charts) and docs/charts.md.",
        subcommands: [Package.self, Index.self, Pull.self, Lock.self, Push.self])

    struct Package: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pack chart directories into NAME-VERSION.tgz as `helm package` does (reproducibly).")
        @Argument(help: "Chart directories.") var directories: [String]
        @Option(name: [.short, .long], help: "Where to write the archives.") var destination = "."

        func run() async throws {
            for dir in directories {
                do {
                    let (chart, path) = try ChartPackager.package(directory: dir, destination: destination)
                    print("Successfully packaged chart and saved it to: \(path) (\(chart.digest))")
                } catch { throw CommandFailure("error: \(error)") }
            }
        }
    }

    struct Index: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write DIR/index.yaml for the chart archives in DIR (as `helm repo index`).")
        @Argument(help: "Directory of NAME-VERSION.tgz archives.") var directory: String
        @Option(help: "URL prefix for the archives (default: relative URLs).") var url: String?

        func run() async throws {
            do {
                let index = try RepositoryIndex.build(directory: directory, baseURL: url)
                let path = (directory as NSString).appendingPathComponent("index.yaml")
                try index.write(to: path)
                print("wrote \(path) (\(index.entries.values.reduce(0) { $0 + $1.count }) charts)")
            } catch { throw CommandFailure("error: \(error)") }
        }
    }

    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every chart of a profile into the cache (verified against platform.lock when present).")
        @Argument(help: "Path to the profile YAML.") var profile: String
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let (loaded, fetcher) = try remote.setup(profile)
            let lockPath = LockFile.path(besideProfile: profile)
            do {
                let lock = try LockFile.load(besideProfile: profile)
                try lock?.verify(loaded, location: lockPath)
                for e in try await fetcher.pull(loaded, lock: lock) {
                    print("\(e.name) \(e.version) \(e.digest) (\(e.source))")
                }
                print("cached in \(fetcher.cache.root)")
            } catch { throw CommandFailure("\(profile): error: \(error)") }
        }
    }

    struct Lock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch every chart of a profile and write platform.lock beside it (source, version, sha256).")
        @Argument(help: "Path to the profile YAML.") var profile: String
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            let (loaded, fetcher) = try remote.setup(profile)
            let path = LockFile.path(besideProfile: profile)
            do {
                let lock = try await fetcher.lock(loaded)
                try lock.write(to: path)
                for name in lock.entries.keys.sorted() {
                    if let e = lock.entries[name] { print("\(e.name) \(e.version) \(e.digest)") }
                }
                print("wrote \(path)")
            } catch { throw CommandFailure("\(profile): error: \(error)") }
        }
    }

    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push a chart (directory or .tgz) to an OCI registry as oci://REGISTRY/PATH/NAME:VERSION.")
        @Argument(help: "Chart directory or NAME-VERSION.tgz.") var chart: String
        @Argument(help: "oci://REGISTRY/PATH (the chart name is appended).") var remoteRef: String
        @OptionGroup var remote: RemoteOptions

        func run() async throws {
            do {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: chart, isDirectory: &isDir)
                let packaged: PackagedChart
                if isDir.boolValue {
                    packaged = try ChartPackager.package(directory: chart)
                } else {
                    guard let data = FileManager.default.contents(atPath: chart) else { throw ChartFetchError(.io, chart, "cannot read") }
                    let c = try Helm.Chart.load(archive: [UInt8](data))
                    packaged = PackagedChart(name: c.name, version: c.metadata.version, bytes: [UInt8](data), metadata: c.metadata)
                }
                let base = remoteRef.hasSuffix("/") ? String(remoteRef.dropLast()) : remoteRef
                let ref = try OCIReference(base + "/" + packaged.name, version: packaged.version)
                let transport = try remote.transport()
                let config = try DockerConfig.load(flag: remote.registryConfig)
                let digest = try await OCIRegistryClient(registry: ref.registry, login: remote.auth.map { .fixed($0) } ?? config.login(for: ref.registry), transport: transport,
                                                         plainHTTP: remote.plainHTTP).push(packaged, to: ref)
                print("Pushed: \(ref)\nDigest: \(digest)")
            } catch { throw CommandFailure("error: \(error)") }
        }
    }
}

/// Flags shared by the commands that talk to repositories and registries.
struct RemoteOptions: ParsableArguments {
    @Option(help: "Username for classic repositories and `charts push` (password from --password or $PLATFORM_REPO_PASSWORD).") var username: String?
    @Option(help: "Password for --username (prefer $PLATFORM_REPO_PASSWORD: flags show in process lists).") var password: String?
    @Option(help: "Bearer token for classic repositories (or $PLATFORM_REPO_TOKEN).") var token: String?
    @Option(help: "Registry logins (Docker config.json format; default $DOCKER_CONFIG/config.json or ~/.docker/config.json, then Helm's registry config).")
    var registryConfig: String?
    @Option(help: "Helm repositories.yaml with per-repository logins and TLS (default $HELM_REPOSITORY_CONFIG, else ~/.config/helm/repositories.yaml when present).")
    var repositoryConfig: String?
    @Option(help: "PEM file of CA certificates to trust for repositories and registries.") var caFile: String?
    @Flag(help: "Do not verify TLS certificates (digests are still verified).") var insecureSkipTlsVerify = false
    @Flag(help: "Talk to OCI registries over plain HTTP (loopback test registries only).") var plainHTTP = false
    @Option(help: "Chart cache directory (default $XDG_CACHE_HOME/platform/charts).") var cacheDir: String?

    var auth: RepositoryAuth? {
        let env = ProcessInfo.processInfo.environment
        if let token = token ?? env["PLATFORM_REPO_TOKEN"], !token.isEmpty { return .bearer(token: token) }
        if let username { return .basic(username: username, password: password ?? env["PLATFORM_REPO_PASSWORD"] ?? "") }
        return nil
    }

    func transport() throws -> any HTTPTransport {
        if insecureSkipTlsVerify { FileHandle.standardError.write(Data((ChartTLS.insecureWarning + "\n").utf8)) }
        if plainHTTP {
            FileHandle.standardError.write(Data("warning: --plain-http: OCI registry traffic, credentials included, is not encrypted\n".utf8))
        }
        do { return try ChartTLS(caFile: caFile, insecureSkipVerify: insecureSkipTlsVerify).transport() } catch {
            throw CommandFailure("error: \(error)")
        }
    }

    func setup(_ profilePath: String) throws -> (Profile, ChartFetcher) {
        let text = try ValidateCommand.read(profilePath)
        let profile: Profile
        do { profile = try ProfileLoader.load(text, file: profilePath).profile } catch { throw CommandFailure(error.description) }
        let config: DockerConfig
        do { config = try DockerConfig.load(flag: registryConfig) } catch {
            throw CommandFailure("error: \(error)")
        }
        let repositories: HelmRepositoryConfig
        do { repositories = try HelmRepositoryConfig.load(flag: repositoryConfig) } catch {
            throw CommandFailure("error: \(error)")
        }
        let base = (profilePath as NSString).deletingLastPathComponent
        let (caFile, insecure) = (caFile, insecureSkipTlsVerify)
        let fetcher = ChartFetcher(cache: ChartCache(root: cacheDir ?? ChartCache.defaultRoot()), transport: try transport(),
                                   repositoryAuth: auth ?? .none, registryConfig: config, plainHTTPRegistries: plainHTTP,
                                   baseDirectory: base.isEmpty ? FileManager.default.currentDirectoryPath : base,
                                   repositoryConfig: repositories,
                                   entryTransport: { entry throws(ChartFetchError) in
                                       if entry.insecureSkipTLSVerify && !insecure {
                                           FileHandle.standardError.write(Data("warning: \(repositories.path ?? "repositories.yaml"): \(entry.name) sets insecure_skip_tls_verify: its TLS certificate is not checked; digests still are\n".utf8))
                                       }
                                       return try ChartTLS(caFile: entry.caFile ?? caFile, insecureSkipVerify: insecure || entry.insecureSkipTLSVerify,
                                                           certFile: entry.certFile, keyFile: entry.keyFile).transport()
                                   })
        return (profile, fetcher)
    }
}
