import ArgumentParser
import Foundation
import Rollout

/// `platform destroy PROFILE [--yes] [--no-hooks]`: delete everything the profile's stages own, in reverse,
/// running the releases' delete hooks around each stage's deletion.
struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "destroy", abstract: "Delete everything the profile's stages own, last stage first.")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @OptionGroup var cluster: ClusterOptions
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .customLong("prune-crds"), help: "Also delete CustomResourceDefinitions (and so every object of their kinds).") var pruneCRDs = false
    @Flag(name: .customLong("no-hooks"), help: "Do not run the charts' pre-delete and post-delete hooks (as helm uninstall --no-hooks).") var noHooks = false

    func run() async throws {
        let loaded = try RolloutCLI.load(profile, options: cluster)
        if !yes {
            guard RolloutCLI.stdinIsTerminal else { throw CommandFailure("error: not a terminal: pass --yes to destroy without confirmation") }
            RolloutCLI.write("Destroy everything \(loaded.input.profileName) installed? Only 'yes' is accepted: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw CommandFailure("Destroy cancelled.") }
        }
        let connection = try await RolloutCLI.connect(cluster)
        var options = RolloutOptions()
        options.pruneCRDs = pruneCRDs
        options.noHooks = noHooks
        options.pollInterval = connection.pollInterval
        let engine = RolloutEngine(cluster: connection.cluster, clock: connection.clock, options: options,
                                   emit: ProgressPrinter(live: RolloutCLI.stderrIsTerminal).handle)
        do { try await engine.destroy(profile: loaded.input.profileName, stages: loaded.input.stages.map(\.name),
                                        deleteHooks: loaded.deleteHooks) } catch {
            await connection.finish()
            throw CommandFailure("error: \(error)")
        }
        await connection.finish()
        RolloutCLI.write("Destroy complete.\n")
    }
}
