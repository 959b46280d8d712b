import ArgumentParser
import Foundation
import Rollout

/// `platform smoke PROFILE [--stage S]`: run only the gates.
struct SmokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "smoke", abstract: "Run the stages' smoke gates against the cluster.")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var flags: RolloutFlags
    @Option(help: "Only this stage's gates.") var stage: String?

    func run() async throws {
        let loaded = try RolloutCLI.load(profile, options: cluster)
        let connection = try await RolloutCLI.connect(cluster)
        let printer = ProgressPrinter(live: RolloutCLI.stderrIsTerminal)
        let options = flags.options(loaded.queues, connection: connection)
        let runner = SmokeRunner(cluster: connection.cluster, clock: connection.clock, options: options, emit: printer.handle)
        let specs = loaded.specs.filter { stage == nil || $0.name == stage }
        if let stage, specs.isEmpty { throw CommandFailure("error: no stage \(stage) in \(profile)") }
        var passed = 0
        do {
            for spec in specs {
                for gate in spec.smoke {
                    try await runner.run(gate, stage: spec.name, timeout: spec.timeout)
                    passed += 1
                }
            }
        } catch {
            await connection.finish()
            throw CommandFailure("error: \(error)")
        }
        await connection.finish()
        RolloutCLI.write("\(passed) gate(s) passed.\n")
    }
}
