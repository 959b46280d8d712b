import ArgumentParser
import Foundation
import Rollout

/// `platform status PROFILE`: per-stage health from the live cluster.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Per-stage health, chart versions, readiness, last gate result and drift.")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        let loaded = try RolloutCLI.load(profile, options: cluster)
        let connection = try await RolloutCLI.connect(cluster)
        let plan = try await RolloutCLI.plan(loaded, cluster: connection.cluster)
        let engine = RolloutEngine(cluster: connection.cluster, clock: connection.clock)
        let statuses: [RolloutEngine.StageStatus]
        do { statuses = try await engine.status(plan, specs: loaded.specs) } catch { throw CommandFailure("error: \(error)") }
        await connection.finish()
        var out = ""
        for s in statuses {
            let phase = s.record["phase"] ?? "never applied"
            let ready = s.readiness.allSatisfy { $0.state == .ready }
            out += "stage \(s.name): \(phase)"
            if let at = s.record["passedAt"] ?? s.record["appliedAt"] ?? s.record["failedAt"] { out += " at \(at)" }
            out += "\n"
            if !s.releases.isEmpty { out += "  charts: \(s.releases.joined(separator: ", "))\n" }
            out += "  readiness: \(s.readiness.isEmpty ? "no rules" : ready ? "ready" : "NOT ready")\n"
            for r in s.readiness where r.state != .ready { out += "    - \(r.message)\n" }
            out += "  last gate: \(s.record["gate"] ?? "never run")\n"
            if let error = s.record["error"] { out += "  last error: \(error.split(separator: "\n").first ?? "")\n" }
            out += "  drift: \(s.drift == 0 ? "none" : "\(s.drift) object(s) differ (platform plan shows them)")\n"
        }
        RolloutCLI.write(out)
    }
}
