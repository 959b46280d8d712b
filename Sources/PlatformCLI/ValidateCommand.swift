import ArgumentParser

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a profile: schema and lint rules.")
    @Argument(help: "Path to the profile YAML.") var profile: String
    func run() async throws { throw CommandFailure("validate: not implemented yet") }
}
