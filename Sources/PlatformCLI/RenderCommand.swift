import ArgumentParser
import ChartSources
import Foundation
import Profiles
import Stages

/// `platform render PROFILE --out DIR | --stdout`: the GitOps tree of a profile.
///
/// Exit 0 on success, 1 on any error (profile invalid, chart missing, render or schema
/// failure). Nothing is written unless every object rendered and validated.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Render a profile's stages as a GitOps tree (one file per object).",
        discussion: """
            Writes 00-namespaces, 10-gpu, 20-network, 30-sharing, 40-scheduling under DIR (enabled stages only), \
            byte-for-byte deterministic. Files a previous render wrote and this one does not are removed (DIR/.platform-render \
            lists them); nothing else in DIR is touched. Charts come from the chart cache (`platform charts pull`), \
            local profile paths or --chart-mirror (default $\(LocalChartProvider.mirrorEnvironmentVariable)); with a \
            platform.lock beside the profile every chart must match its pinned digest. No network. See docs/stages.md, \
            docs/charts.md.
            """)

    @Argument(help: "Path to the profile YAML.") var profile: String
    @Option(help: "Output directory.") var out: String?
    @Flag(help: "Print one multi-document YAML stream instead of writing files.") var stdout = false
    @Option(help: "plain | kustomize | argocd | flux.") var format: String = "plain"
    @Option(help: "Directory with NAME-VERSION/ or NAME-VERSION.tgz charts (default $PLATFORM_CHART_MIRROR).")
    var chartMirror: String?
    @Option(help: "Chart cache directory (default $XDG_CACHE_HOME/platform/charts), as given to `platform charts pull`.")
    var cacheDir: String?
    @Option(help: "Render Manifests/ templates from this directory instead of the built-in copy.") var manifests: String?
    @Option(help: "Path of the output inside the Git repository (argocd/flux). Default: --out when relative, else its last component.")
    var repoPath: String?
    @Option(help: "Git repository URL for Argo CD Applications.") var repoURL = "https://git.example.com/platform.git"
    @Option(help: "Git revision for Argo CD Applications.") var revision = "HEAD"
    @Option(help: "Flux GitRepository name in flux-system.") var fluxSource = "flux-system"
    @Flag(help: "Print nothing on success.") var quiet = false

    /// An absolute --out says nothing about the repository layout; its last component is the best guess.
    static func defaultRepoPath(_ out: String) -> String {
        out.hasPrefix("/") ? (out as NSString).lastPathComponent : out
    }

    func run() async throws {
        guard let format = OutputFormat(rawValue: format) else {
            throw CommandFailure("error: --format must be one of: " + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if stdout == (out != nil) { throw CommandFailure("error: give exactly one of --out DIR and --stdout") }
        let text = try ValidateCommand.read(profile)
        let loaded: (profile: Profile, warnings: [Finding])
        do { loaded = try ProfileLoader.load(text, file: profile) } catch {
            throw CommandFailure(error.description)
        }
        // Pinned charts from the cache, checked against platform.lock (a mismatch is refused), else local/mirror.
        let provider: PinnedChartProvider
        do { provider = try PinnedChartProvider.forProfile(loaded.profile, path: profile, mirror: LocalChartProvider.mirror(flag: chartMirror),
                                                                      cache: ChartCache(root: cacheDir ?? ChartCache.defaultRoot())) } catch {
            throw CommandFailure("\(profile): error: \(error)")
        }
        let templates: ManifestTemplates
        do { templates = try manifests.map { dir throws(StageRenderError) in try ManifestTemplates.load(directory: dir) } ?? .embedded } catch {
            throw CommandFailure("error: \(error)")
        }
        let render: PlatformRender
        do { render = try StageRenderer(charts: provider, templates: templates).render(loaded.profile) } catch {
            throw CommandFailure("\(profile): error: \(error)")
        }
        if stdout {
            FileHandle.standardOutput.write(Data(GitOpsLayout.stream(render).utf8))
            return
        }
        guard let out else { return }
        let options = GitOpsOptions(format: format, repoPath: repoPath ?? Self.defaultRepoPath(out), repoURL: repoURL, revision: revision,
                                    fluxSource: fluxSource)
        let summary: WriteSummary
        do { summary = try GitOpsWriter().write(render, options: options, to: out) } catch {
            throw CommandFailure("\(profile): error: \(error)")
        }
        if !quiet {
            let stages = render.stages.map { "\($0.plan.id.directory) (\($0.objects.count))" }.joined(separator: ", ")
            var line = "rendered \(render.objects.count) objects into \(out): \(stages); "
            line += "\(summary.written.count) written, \(summary.unchanged.count) unchanged, \(summary.removed.count) removed\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }
}
