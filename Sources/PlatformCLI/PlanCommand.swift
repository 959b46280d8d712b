import ArgumentParser
import ChartSources
import Foundation
import KubeClient
import KubeModel
import KubeSim
import Planning
import Profiles
import Rollout
import Stages
import YAML

/// Cluster selection shared by plan/diff/apply/smoke/status/destroy (kubectl's flags, or the simulator).
struct ClusterOptions: ParsableArguments {
    @Option(help: "Path to the kubeconfig file (default $KUBECONFIG, then ~/.kube/config).") var kubeconfig: String?
    @Option(help: "The kubeconfig context to use.") var context: String?
    @Option(help: ArgumentHelp("Run against the in-process simulated cluster; SPEC names nodes (bare --sim: \(ClusterOptions.defaultSim)).",
                               valueName: "SPEC")) var sim: String?
    @Option(help: "Keep the simulated cluster's state in FILE between commands (with --sim).") var simState: String?
    @Option(help: "Faults for the simulated cluster (as `platform sim serve --faults`: errors=0.2,image-pull=cuda,webhook-down=NAME@FROM-TO,...).")
    var simFaults: String?
    @Option(help: "Directory with NAME-VERSION/ or NAME-VERSION.tgz charts (default $PLATFORM_CHART_MIRROR, then ../shared/charts).")
    var chartMirror: String?
    @Option(help: "Chart cache directory (default $XDG_CACHE_HOME/platform/charts), as given to `platform charts pull`.")
    var cacheDir: String?

    static let defaultSim = "2xH100-80GB,1xcpu"
}

/// A connected cluster; `finish` saves simulator state.
struct Connection {
    var cluster: Cluster
    var clock: any RolloutClock
    var pollInterval: Duration
    var finish: () async -> Void
}

/// Profile → render → plan input, and the stage specs the rollout needs.
struct LoadedProfile {
    var profile: Profile
    var input: PlanInput
    var specs: [StageSpec]
    var queues: SmokeQueues
    /// pre/post-delete hooks per stage and release, from this same render (for destroy).
    var deleteHooks: [String: [ReleaseHooks]] = [:]
}

enum RolloutCLI {
    static func load(_ path: String, options: ClusterOptions) throws -> LoadedProfile {
        // A bundle in place of the profile (diff/smoke/status/destroy at an air-gapped site).
        if isBundle(path) { return try load(bundle: path) }
        let text = try ValidateCommand.read(path)
        let profile: Profile
        do { profile = try ProfileLoader.load(text, file: path).profile } catch { throw CommandFailure(error.description) }
        let base = (path as NSString).deletingLastPathComponent
        let baseDirectory = base.isEmpty ? FileManager.default.currentDirectoryPath : base
        var mirror = LocalChartProvider.mirror(flag: options.chartMirror)
        if mirror == nil {
            for candidate in ["../shared/charts", baseDirectory + "/../../shared/charts"] where FileManager.default.fileExists(atPath: candidate) {
                mirror = candidate
                break
            }
        }
        let provider = LocalChartProvider(mirror: mirror, baseDirectory: baseDirectory)
        // platform.lock beside the profile: refuse a stale lock and charts that differ from their pins.
        let pinned: PinnedChartProvider
        do { pinned = try PinnedChartProvider.forProfile(profile, path: path, mirror: mirror,
                                                         cache: ChartCache(root: options.cacheDir ?? ChartCache.defaultRoot())) } catch {
            throw CommandFailure("\(path): error: \(error)")
        }
        // A locked chart is identified by its pinned archive digest (as in a bundle's plan).
        return try load(profile, text: text, path: path, charts: pinned,
                        digest: { pinned.pinnedDigest(for: $0) ?? chartDigest(provider.candidates(for: $0)) })
    }

    /// A bundle written by `platform bundle`: profile, lock and charts come from it alone
    /// (verified against bundle.json and its lock), nothing from the chart sources.
    static func load(bundle path: String) throws -> LoadedProfile {
        let reader: BundleReader
        do { reader = try BundleReader(path: path) } catch {
            throw CommandFailure("error: \(error)\nThe bundle was refused; nothing was changed.")
        }
        let file = path + ":" + BundleLayout.profile
        let profile: Profile
        do { profile = try ProfileLoader.load(reader.profileText, file: file).profile } catch { throw CommandFailure(error.description) }
        do { try reader.verify(profile) } catch { throw CommandFailure("error: \(error)\nThe bundle was refused; nothing was changed.") }
        let current = "platform \(PlatformVersion.string)"
        if reader.manifest.tool != current {
            FileHandle.standardError.write(Data("warning: \(path) was written by \(reader.manifest.tool), this is \(current)\n".utf8))
        }
        return try load(profile, text: reader.profileText, path: file, charts: reader,
                        digest: { reader.lock.entries[$0.name]?.digest ?? "unknown" },
                        inspect: { render in
                            // Apply re-renders from the bundled charts; say so when that is not the reviewed render/ tree.
                            let options = GitOpsOptions(format: .plain, repoPath: BundleLayout.renderDirectory)
                            let files = GitOpsLayout.files(render, options: options)
                            var tree = Dictionary(files.map { ($0.path, Array($0.content.utf8)) }, uniquingKeysWith: { $1 })
                            tree[GitOpsLayout.stateFile] = Array(GitOpsLayout.state(render, options: options, paths: files.map(\.path)).utf8)
                            let bundled = reader.rendered
                            let differing = Set(tree.keys).union(bundled.keys).filter { tree[$0] != bundled[$0] }.sorted()
                            if !differing.isEmpty {
                                FileHandle.standardError.write(Data(("warning: this platform version renders \(differing.count) file(s) differently from the bundle's render/ tree (first: \(differing[0])); "
                                    + "applying what it renders now\n").utf8))
                            }
                        })
    }

    /// Whether `path` is a gzipped file (a bundle) rather than a profile: saved plans record either.
    static func isBundle(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        return (try? h.read(upToCount: 2)) == Data([0x1F, 0x8B])
    }

    static func load(_ profile: Profile, text: String, path: String, charts: any ChartProvider,
                     digest: (ChartRequest) -> String, inspect: (PlatformRender) -> Void = { _ in }) throws -> LoadedProfile {
        let render: PlatformRender
        do { render = try StageRenderer(charts: charts).render(profile) } catch { throw CommandFailure("\(path): error: \(error)") }
        inspect(render)
        var digests: [String: String] = [:]
        for stage in render.stages {
            for release in stage.plan.releases {
                let request = ChartRequest(name: release.chart.rawValue, version: release.version, source: release.source)
                digests[release.chart.rawValue] = release.version + "@" + digest(request)
            }
        }
        let stages = StageInput.stages(render)
        let specs = StageInput.specs(render, profile: profile)
        let queues = StageInput.queues(profile)
        let input = PlanInput(profileName: profile.metadata.name, profileDigest: Normalizer.digest(bytes: Array(text.utf8)),
                              chartDigests: digests, stages: stages)
        return LoadedProfile(profile: profile, input: input, specs: specs, queues: queues, deleteHooks: StageInput.deleteHooks(render))
    }

    static func chartDigest(_ candidates: [String]) -> String {
        let fm = FileManager.default
        for path in candidates {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { continue }
            if !isDir.boolValue, let data = fm.contents(atPath: path) { return Normalizer.digest(bytes: [UInt8](data)) }
            // A directory: Chart.yaml and values.yaml identify the release well enough.
            var bytes: [UInt8] = []
            for file in ["Chart.yaml", "values.yaml"] { bytes += fm.contents(atPath: path + "/" + file).map { [UInt8]($0) } ?? [] }
            return Normalizer.digest(bytes: bytes)
        }
        return "unknown"
    }

    static func connect(_ options: ClusterOptions) async throws -> Connection {
        if let spec = options.sim {
            let nodes: [NodeSpec]
            do { nodes = try NodeSpec.parse(spec.isEmpty || spec == "default" ? ClusterOptions.defaultSim : spec) } catch {
                throw CommandFailure("error: --sim: \(error)")
            }
            // A new simulated cluster starts at the current whole second (plausible timestamps, and
            // no sub-second phase for second-precision times to depend on); a saved one continues
            // the state's own timeline (SimWorld.start), never the wall clock.
            let manual = ManualClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
            var simOptions = KubeSimOptions(nodes: nodes, clock: manual)
            do { simOptions.faults = try options.simFaults.map { try FaultPlan.parse($0) } } catch {
                throw CommandFailure("error: --sim-faults: \(error)")
            }
            let saved = options.simState.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
            let sim: KubeSim, clock: SimulatedClock
            do { (sim, clock) = try await SimWorld.start(simOptions, clock: manual, state: saved) } catch {
                throw CommandFailure("error: --sim-state: \(error)")
            }
            // Simulated time: waiting costs nothing, and the simulated world moves on as we wait.
            let statePath = options.simState
            return Connection(cluster: .simulated(sim), clock: clock, pollInterval: .seconds(2), finish: {
                if let statePath { try? await sim.save(to: statePath) }
            })
        }
        let config: ClientConfiguration
        do { config = try ClientConfiguration.load(ConfigurationOptions(kubeconfigPath: options.kubeconfig, context: options.context)) } catch {
            throw CommandFailure("error: \(error)")
        }
        return Connection(cluster: Cluster(client: KubeClient(configuration: config)), clock: WallClock(), pollInterval: .seconds(2),
                          finish: {})
    }

    /// Renders, observes and plans.
    static func plan(_ loaded: LoadedProfile, cluster: Cluster) async throws -> Plan {
        let prepared: [PreparedStage]
        do { prepared = try Planner.prepare(loaded.input) } catch { throw CommandFailure("error: \(error)") }
        let observed: ObservedState
        do { observed = try await Observer(cluster: cluster).observe(prepared) } catch { throw CommandFailure("error: \(error)") }
        return Planner.plan(loaded.input, prepared: prepared, observed: observed)
    }

    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) != 0 }

    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func save(_ plan: Plan, to path: String) throws {
        let text = PlanCodec.encode(plan, includeObjects: true).encodedString() + "\n"
        // The saved plan holds Secret values (to apply them): owner-only.
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("error: cannot write \(path)")
        }
    }
}

/// `platform plan PROFILE`: what apply would change, per stage and object.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what apply would change, per stage and object.",
        discussion: "Exit 0 on success (with --detailed-exitcode: 0 no changes, 2 changes, 1 error). See docs/rollout.md for the --json schema.")

    @Argument(help: "Path to the profile YAML (omit with --bundle).") var profile: String?
    @Option(help: "Plan from a bundle written by `platform bundle` (its profile, lock and charts; no chart source is read).")
    var bundle: String?
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Save the plan (with the objects to apply) to FILE for `platform apply FILE`.") var out: String?
    @Flag(help: "Print the plan as JSON (stable schema, docs/rollout.md).") var json = false
    @Flag(help: "Print the plan as Markdown (for pull-request comments).") var markdown = false
    @Flag(help: "Exit 2 when there are changes, 0 when none, 1 on error.") var detailedExitcode = false
    @Flag(help: "List unchanged objects too.") var verbose = false

    func run() async throws {
        let loaded: LoadedProfile
        let source: String
        switch (profile, bundle) {
        case (let profile?, nil):
            loaded = try RolloutCLI.load(profile, options: cluster)
            source = profile
        case (nil, let bundle?):
            loaded = try RolloutCLI.load(bundle: bundle)
            source = bundle
        default:
            throw CommandFailure("error: give either a PROFILE or --bundle FILE")
        }
        let connection = try await RolloutCLI.connect(cluster)
        let start = ContinuousClock.now
        var plan = try await RolloutCLI.plan(loaded, cluster: connection.cluster)
        // A saved plan records where its profile is: the profile file or the bundle.
        plan.profilePath = source
        let elapsed = ContinuousClock.now - start
        await connection.finish()
        if let out { try RolloutCLI.save(plan, to: out) }
        if json {
            RolloutCLI.write(PlanCodec.encode(plan, includeObjects: false).encodedString() + "\n")
        } else if markdown {
            RolloutCLI.write(PlanPrinter().markdown(plan))
        } else {
            RolloutCLI.write(PlanPrinter(color: RolloutCLI.stdoutIsTerminal, verbose: verbose).human(plan))
            if let out { RolloutCLI.write("Saved the plan to \(out); apply it with: platform apply \(out)\n") }
            _ = elapsed
        }
        if detailedExitcode, plan.hasChanges { throw ExitCode(2) }
    }
}
