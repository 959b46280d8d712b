import ArgumentParser
import Foundation
import KubeModel
import Planning
import Rollout
import Synchronization

/// Prints rollout events on stderr: on a terminal, waiting messages share one live line
/// (rewritten in place with the elapsed time); in CI every event is a plain line.
final class ProgressPrinter: Sendable {
    let live: Bool
    let start = ContinuousClock.now
    let lineOpen = Mutex(false)
    init(live: Bool) { self.live = live }

    var elapsed: String {
        let d = ContinuousClock.now - start
        return String(format: "%5.1fs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    func handle(_ event: RolloutEvent) {
        let line: String
        switch event {
        case .stageStarted(let stage): line = "==> stage \(stage)"
        case .step(let stage, let message): line = "  [\(stage)] \(message)"
        case .object(let stage, let action, let ref): line = "  [\(stage)] \(action == .prune ? "deleted" : action == .create ? "created" : "updated") \(ref)"
        case .waiting(let stage, let message):
            if live {
                let text = "  [\(stage)] waiting: \(message)"
                write("\r\u{1B}[K[\(elapsed)] " + String(text.prefix(150)))
                lineOpen.withLock { $0 = true }
                return
            }
            line = "  [\(stage)] waiting: \(message)"
        case .gate(let stage, let name, let passed, let detail):
            line = "  [\(stage)] gate \(name): \(passed ? "PASSED" : "FAILED") \(passed ? detail : "\n" + detail)"
        case .warning(let stage, let message): line = "  [\(stage ?? "-")] warning: \(message)"
        case .stageFinished(let stage, let outcome, let seconds):
            line = "<== stage \(stage): \(outcome.rawValue) (\(String(format: "%.1f", seconds))s)"
        }
        let reopen = lineOpen.withLock { open in
            defer { open = false }
            return open
        }
        write((reopen ? "\r\u{1B}[K" : "") + "[\(elapsed)] " + line + "\n")
    }

    func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    static func table(_ outcomes: [(stage: String, outcome: StageOutcome, seconds: Double)]) -> String {
        var out = "\nSTAGE        RESULT      TIME\n"
        for o in outcomes {
            out += o.stage.padding(toLength: 13, withPad: " ", startingAt: 0) + o.outcome.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%.1fs", o.seconds) + "\n"
        }
        return out
    }
}

/// Options shared by apply and smoke.
struct RolloutFlags: ParsableArguments {
    @Flag(help: "Keep a failed smoke pod for inspection.") var keepFailed = false
    @Option(help: "Seconds between readiness polls.") var pollSeconds: Double?

    func options(_ queues: SmokeQueues, connection: Connection) -> RolloutOptions {
        var o = RolloutOptions()
        o.keepFailed = keepFailed
        o.smokeQueues = queues
        o.pollInterval = pollSeconds.map { .milliseconds(Int64($0 * 1000)) } ?? connection.pollInterval
        return o
    }
}

/// `platform apply PROFILE|PLAN.json`: stage by stage with gates.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply a profile (or a saved plan) stage by stage, each behind its readiness and smoke gates.")

    @Argument(help: "A profile YAML, or a plan saved with `platform plan --out` (PLAN.json); omit with --bundle.") var target: String?
    @Option(help: "With PLAN.json: the profile it was made from (default: the path the plan records; its digest must match).") var profile: String?
    @Option(help: "Install from a bundle written by `platform bundle`: its profile, lock and charts, no chart source is read (with PLAN.json: the bundle the plan was made from).")
    var bundle: String?
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var flags: RolloutFlags
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @Option(help: "Start at this stage (earlier stages are left as they are).") var fromStage: String?
    @Option(help: "Apply only this stage.") var onlyStage: String?
    @Flag(help: "Take ownership of fields other field managers hold.") var forceConflicts = false
    @Flag(name: .customLong("prune-crds"), help: "Also prune CustomResourceDefinitions this platform no longer renders.") var pruneCRDs = false
    @Flag(help: "Skip smoke gates (readiness is still checked).") var skipGates = false

    func run() async throws {
        if target == nil, bundle == nil { throw CommandFailure("error: give a PROFILE, a PLAN.json or --bundle FILE") }
        let target = target ?? bundle ?? ""
        let isSavedPlan = target.hasSuffix(".json")
        if bundle != nil, !isSavedPlan, target != bundle {
            throw CommandFailure("error: give either a PROFILE or --bundle FILE, not both")
        }
        var saved: Plan?
        if isSavedPlan {
            guard let data = FileManager.default.contents(atPath: target) else { throw CommandFailure("error: cannot read \(target)") }
            do { saved = try PlanCodec.decode(try JSONValue.parse([UInt8](data))) } catch { throw CommandFailure("error: \(target): \(error)") }
        }
        let recorded = saved.map(\.profilePath).flatMap { $0.isEmpty ? nil : $0 }
        guard let profilePath = isSavedPlan ? (bundle ?? profile ?? recorded) : target else {
            throw CommandFailure("error: \(target) does not name its profile: pass --profile PROFILE (gates and timeouts come from it; its digest must match the plan)")
        }
        // A bundle (given, or recorded by `plan --bundle --out`) supplies profile and charts.
        let fromBundle = bundle != nil || RolloutCLI.isBundle(profilePath)
        let loaded = fromBundle ? try RolloutCLI.load(bundle: profilePath) : try RolloutCLI.load(profilePath, options: cluster)
        let connection = try await RolloutCLI.connect(cluster)
        let plan: Plan
        var options = flags.options(loaded.queues, connection: connection)
        options.forceConflicts = forceConflicts
        options.fromStage = fromStage
        options.onlyStage = onlyStage
        options.pruneCRDs = pruneCRDs
        options.runGates = !skipGates
        let printer = ProgressPrinter(live: RolloutCLI.stderrIsTerminal)
        let checker = RolloutEngine(cluster: connection.cluster, clock: connection.clock, options: options, emit: printer.handle)
        for name in [fromStage, onlyStage].compactMap({ $0 }) where !loaded.input.stages.contains(where: { $0.name == name }) {
            throw CommandFailure("error: no stage \(name) in \(profilePath); stages: \(loaded.input.stages.map(\.name).joined(separator: ", "))")
        }
        if let saved {
            plan = saved
            if plan.profileDigest != loaded.input.profileDigest {
                throw CommandFailure("error: \(target) was made from another version of \(profilePath) (profile digest differs); run platform plan again")
            }
            let drifted: [String]
            do { drifted = try await checker.drift(plan) } catch { throw CommandFailure("error: \(error)") }
            if !drifted.isEmpty {
                await connection.finish()
                throw CommandFailure("error: the cluster changed since \(target) was made; refusing to apply. Drifted objects:\n"
                                     + drifted.map { "  " + $0 }.joined(separator: "\n") + "\nRun platform plan again.")
            }
        } else {
            plan = try await RolloutCLI.plan(loaded, cluster: connection.cluster)
        }
        RolloutCLI.write(PlanPrinter(color: RolloutCLI.stdoutIsTerminal).human(plan))
        if plan.hasChanges, !yes {
            guard RolloutCLI.stdinIsTerminal else {
                throw CommandFailure("error: not a terminal: pass --yes to apply without confirmation")
            }
            RolloutCLI.write("Apply these changes? Only 'yes' is accepted: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw CommandFailure("Apply cancelled.") }
        }
        // Namespaces that may still hold workloads are deleted only on an explicit answer.
        let namespacePrunes = plan.stages.flatMap(\.changes).filter { $0.action == .prune && $0.ref.kind == "Namespace" }.map(\.ref.name)
        if !namespacePrunes.isEmpty, RolloutCLI.stdinIsTerminal {
            RolloutCLI.write("The plan prunes namespace(s) \(namespacePrunes.joined(separator: ", ")). Delete them even if they still hold objects? Only 'yes' is accepted: ")
            options.pruneNonEmptyNamespaces = readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
        }
        let engine = RolloutEngine(cluster: connection.cluster, clock: connection.clock, options: options, emit: printer.handle)
        do {
            let result = try await engine.apply(plan, specs: loaded.specs)
            await connection.finish()
            RolloutCLI.write(ProgressPrinter.table(result.outcomes))
            let rerun = result.outcomes.filter { $0.outcome == .passed }.map(\.stage)
            if plan.hasChanges {
                RolloutCLI.write("Apply complete: \(plan.summary.dropFirst(6))\n")
            } else if rerun.isEmpty {
                RolloutCLI.write("No changes. All stages are up to date.\n")
            } else {
                RolloutCLI.write("No object changes; resumed stage(s) \(rerun.joined(separator: ", ")) passed their gates.\n")
            }
        } catch {
            await connection.finish()
            throw CommandFailure("error: \(error)\nApply stopped; fix the cause and run apply again (it resumes: finished stages are skipped).")
        }
    }
}
