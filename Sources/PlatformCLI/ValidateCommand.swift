import ArgumentParser
import Foundation
import Profiles

/// `platform validate PROFILE [--json]`: schema check and lint.
///
/// Exit 0 when there are no errors (warnings allowed), 1 otherwise. Human output:
/// findings on stderr, then the summary (stdout when clean, stderr when failing).
/// `--json`: the findings array on stdout (schema in docs/profiles.md), same exit codes.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a profile: schema and lint rules.")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @Flag(help: "Print findings as a JSON array on stdout.") var json = false

    func run() async throws {
        let text = try Self.read(profile)
        let result = ProfileLoader.validate(text, file: profile)
        if json {
            FileHandle.standardOutput.write(Data(FindingReport.json(result.findings).utf8))
            if result.hasErrors { throw ExitCode(1) }
            return
        }
        let summary = FindingReport.summary(file: profile, findings: result.findings)
        let details = result.findings.map { $0.description + "\n" }.joined()
        if result.hasErrors {
            throw CommandFailure(details + summary)
        }
        if !details.isEmpty { FileHandle.standardError.write(Data(details.utf8)) }
        print(summary)
    }

    /// Reads the profile, turning file-system failures into one-line errors.
    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CommandFailure("\(path): error: no such file")
        }
        if isDirectory.boolValue { throw CommandFailure("\(path): error: is a directory, not a profile file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("\(path): error: cannot read the file (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure("\(path): error: the file is not UTF-8 text")
        }
        return text
    }
}
