import ArgumentParser
import Foundation
import Planning

/// `platform diff PROFILE`: unified diffs like `kubectl diff`; exit 0 same, 1 different, >1 error.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show the diff between the live cluster and the profile (exit 0 same, 1 different, >1 error).")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        do {
            let loaded = try RolloutCLI.load(profile, options: cluster)
            let connection = try await RolloutCLI.connect(cluster)
            let plan = try await RolloutCLI.plan(loaded, cluster: connection.cluster)
            await connection.finish()
            RolloutCLI.write(PlanPrinter(color: RolloutCLI.stdoutIsTerminal).diff(plan))
            if plan.hasChanges { throw ExitCode(1) }
        } catch let failure as CommandFailure {
            // kubectl diff: 1 means "differs", so errors must be > 1.
            throw CommandFailure(failure.message, exitCode: 2)
        }
    }
}
