import ArgumentParser
import ChartSources
import Foundation
import Profiles
import Stages
import YAML

/// `platform bundle PROFILE --out FILE.tar.gz`: everything an air-gapped install needs.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Write an air-gapped bundle: charts, lock, profile, rendered tree, images.txt.",
        discussion: """
            Charts come from the cache (`platform charts pull`), local paths or --chart-mirror, checked against \
            platform.lock beside the profile when there is one. The bundle carries its own platform.lock pinning the \
            archives it contains, and bundle.json with the sha256 of every file. Reproducible: the same inputs give \
            the same bytes. Install it with `platform apply --bundle FILE` (no chart source needed). See docs/charts.md.
            """)

    @Argument(help: "Path to the profile YAML.") var profile: String
    @Option(help: "The bundle to write (.tar.gz); written atomically.") var out: String
    @Option(help: "Directory with NAME-VERSION/ or NAME-VERSION.tgz charts (default $PLATFORM_CHART_MIRROR).")
    var chartMirror: String?
    @Option(help: "Chart cache directory (default $XDG_CACHE_HOME/platform/charts).") var cacheDir: String?
    @Option(help: ArgumentHelp("Node OS for operator-built driver tags (VERSION-OS); repeat for mixed clusters.", valueName: "OS"))
    var nodeOS: [String] = []
    @Option(help: ArgumentHelp("Node architecture for tags that carry one (Network Operator driver); repeatable.", valueName: "ARCH"))
    var nodeArch: [String] = []

    func run() async throws {
        let text = try ValidateCommand.read(profile)
        let loaded: Profile
        do { loaded = try ProfileLoader.load(text, file: profile).profile } catch { throw CommandFailure(error.description) }
        let provider: PinnedChartProvider
        do {
            provider = try PinnedChartProvider.forProfile(loaded, path: profile, mirror: LocalChartProvider.mirror(flag: chartMirror),
                                                          cache: ChartCache(root: cacheDir ?? ChartCache.defaultRoot()))
        } catch { throw CommandFailure("\(profile): error: \(error)") }
        let nodes = NodePlatform(operatingSystems: nodeOS.isEmpty ? NodePlatform().operatingSystems : nodeOS,
                                 architectures: nodeArch.isEmpty ? NodePlatform().architectures : nodeArch)
        let built: (contents: BundleContents, notes: [String])
        do { built = try Self.contents(loaded, text: text, charts: provider, nodes: nodes) } catch {
            throw CommandFailure("\(profile): error: \(error)")
        }
        let digest: String
        do { digest = try BundleWriter.write(built.contents, tool: "platform \(PlatformVersion.string)", to: out) } catch {
            throw CommandFailure("error: \(error)")
        }
        for note in built.notes { FileHandle.standardError.write(Data("warning: images.txt: \(note)\n".utf8)) }
        let c = built.contents
        print("wrote \(out): \(c.charts.count) chart(s), \(c.rendered.count) rendered files, \(c.images.count) images (\(digest))")
    }

    /// Everything a bundle holds, from a profile and where its charts come from. Pure apart
    /// from what the chart provider reads.
    static func contents(_ profile: Profile, text: String, charts provider: PinnedChartProvider,
                         nodes: NodePlatform) throws -> (contents: BundleContents, notes: [String]) {
        let render = try StageRenderer(charts: provider).render(profile)
        var charts: [String: BundleContents.PackagedChartFile] = [:]
        var pins: [LockFile.Entry] = []
        for (name, spec) in profile.spec.charts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            let request = ChartRequest(name: name.rawValue, version: spec.version, source: spec.source)
            let bytes = try provider.archive(for: request)
            charts[name.rawValue] = .init(version: spec.version, bytes: bytes)
            pins.append(LockFile.Entry(name: name.rawValue, source: spec.source.description, version: spec.version,
                                       digest: Digest.sha256(bytes), manifestDigest: provider.lock?.entries[name.rawValue]?.manifestDigest))
        }
        // The tree `platform render --out` writes into an empty directory (plain format), state file included.
        let options = GitOpsOptions(format: .plain, repoPath: BundleLayout.renderDirectory)
        let files = GitOpsLayout.files(render, options: options)
        var rendered = Dictionary(files.map { ($0.path, Array($0.content.utf8)) }, uniquingKeysWith: { $1 })
        rendered[GitOpsLayout.stateFile] = Array(GitOpsLayout.state(render, options: options, paths: files.map(\.path)).utf8)
        let gateImages = render.stages.flatMap { $0.plan.smoke.map(\.image) } + [profile.spec.smoke.image]
        let images = ImageExtractor.images(in: render.objects.map(\.value), extra: gateImages, nodes: nodes)
        let contents = BundleContents(profileName: profile.metadata.name, profile: Array(text.utf8), lock: LockFile(entries: pins),
                                      charts: charts, rendered: rendered, images: images.images)
        return (contents, images.notes)
    }
}
