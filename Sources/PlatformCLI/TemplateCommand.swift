import ArgumentParser

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Render a Helm chart exactly as `helm template` does.")
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
    func run() async throws { throw CommandFailure("template: not implemented yet") }
}
