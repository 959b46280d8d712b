import ArgumentParser
import Foundation

/// The root `platform` command. Each subcommand lives in its own file.
public struct PlatformCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "platform",
        abstract: "Turn a Kubernetes cluster into a GPU platform from one declarative profile.",
        version: PlatformVersion.string,
        subcommands: [
            ValidateCommand.self,
            TemplateCommand.self,
            SimCommand.self,
            PlanCommand.self,
            DiffCommand.self,
            ApplyCommand.self,
            SmokeCommand.self,
            StatusCommand.self,
            DestroyCommand.self,
            RenderCommand.self,
            ChartsCommand.self,
            BundleCommand.self,
        ]
    )

    public init() {}
}

public enum PlatformVersion {
    public static let string = "0.1.0-dev"
}

/// Entry point used by the thin `platform` executable; maps errors to exit codes
/// (0 success, 1 error, 2 "changes present" where a command opts in).
public enum PlatformMain {
    public static func run(_ arguments: [String]? = nil) async {
        do {
            // `--sim` may stand alone (kubectl-style optional value): give it the default spec.
            let arguments = (arguments ?? Array(CommandLine.arguments.dropFirst())).map { $0 == "--sim" ? "--sim=default" : $0 }
            var command = try PlatformCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let failure as CommandFailure {
            FileHandle.standardError.write(Data((failure.message.hasSuffix("\n") ? failure.message : failure.message + "\n").utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            PlatformCommand.exit(withError: error)
        }
    }
}

/// An error whose message is already formatted for the user (printed verbatim to stderr).
public struct CommandFailure: Error, Sendable {
    public var message: String
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }
}
