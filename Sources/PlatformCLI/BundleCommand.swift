import ArgumentParser
import ChartSources
import Foundation
import Profiles
import Stages

/// `platform bundle PROFILE --out FILE.tar.gz`: everything an air-gapped install needs.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Write an air-gapped bundle: charts, lock, profile, rendered tree, images.txt.",
        discussion: """
            Charts come from the cache (`platform charts pull`), local paths or --chart-mirror, checked against \
            platform.lock when there is one. The bundle's own platform.lock pins the archives it contains. \
            Reproducible: the same inputs give the same bytes. See docs/chart-sources.md.
            """)

    @Argument(help: "Path to the profile YAML.") var profile: String
    @Option(help: "The bundle to write (.tar.gz).") var out: String
    @Option(help: "Directory with NAME-VERSION/ or NAME-VERSION.tgz charts (default $PLATFORM_CHART_MIRROR).")
    var chartMirror: String?
    @Option(help: "Chart cache directory (default $XDG_CACHE_HOME/platform/charts).") var cacheDir: String?
    @Option(help: "plain | kustomize | argocd | flux (the rendered tree's layout).") var format: String = "plain"

    func run() async throws {
        guard let format = OutputFormat(rawValue: format) else {
            throw CommandFailure("error: --format must be one of: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let text = try ValidateCommand.read(profile)
        let loaded: Profile
        do { loaded = try ProfileLoader.load(text, file: profile).profile } catch { throw CommandFailure(error.description) }
        let provider: PinnedChartProvider
        do {
            provider = try PinnedChartProvider.forProfile(loaded, path: profile, mirror: LocalChartProvider.mirror(flag: chartMirror),
                                                          cache: ChartCache(root: cacheDir ?? ChartCache.defaultRoot()))
        } catch { throw CommandFailure("\(profile): error: \(error)") }
        let render: PlatformRender
        do { render = try StageRenderer(charts: provider).render(loaded) } catch { throw CommandFailure("\(profile): error: \(error)") }

        var charts: [String: BundleContents.PackagedChartFile] = [:]
        var pins: [LockFile.Entry] = []
        for (name, spec) in loaded.spec.charts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let request = ChartRequest(name: name.rawValue, version: spec.version, source: spec.source)
            do {
                let bytes = try provider.archive(for: request)
                charts[name.rawValue] = .init(version: spec.version, bytes: bytes)
                pins.append(LockFile.Entry(name: name.rawValue, source: spec.source.description, version: spec.version,
                                           digest: Digest.sha256(bytes), manifestDigest: provider.lock?.entries[name.rawValue]?.manifestDigest))
            } catch { throw CommandFailure("\(profile): error: \(error)") }
        }

        // The GitOps tree, written by the same writer as `render --out`, then read back.
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("platform-bundle-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let options = GitOpsOptions(format: format, repoPath: "rendered", repoURL: "https://git.example.com/platform.git",
                                    revision: "HEAD", fluxSource: "flux-system")
        do { _ = try GitOpsWriter().write(render, options: options, to: tmp) } catch { throw CommandFailure("\(profile): error: \(error)") }
        var rendered: [String: [UInt8]] = [:]
        if let e = FileManager.default.enumerator(atPath: tmp) {
            while let rel = e.nextObject() as? String {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: tmp + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
                   let data = FileManager.default.contents(atPath: tmp + "/" + rel) {
                    rendered[rel] = [UInt8](data)
                }
            }
        }
        let images = ImageList.images(in: render.objects.map(\.value))
        let contents = BundleContents(profile: Array(text.utf8), lock: LockFile(entries: pins), charts: charts,
                                      rendered: rendered, images: images)
        do { try BundleWriter.write(contents, to: out) } catch { throw CommandFailure("error: \(error)") }
        print("wrote \(out): \(charts.count) charts, \(rendered.count) rendered files, \(images.count) images")
    }
}
