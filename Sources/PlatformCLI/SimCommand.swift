import ArgumentParser

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "The simulated Kubernetes cluster (KubeSim).")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    func run() async throws { throw CommandFailure("sim: not implemented yet") }
}
