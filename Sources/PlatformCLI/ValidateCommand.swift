import ArgumentParser
import Foundation
import Profiles

/// `platform validate PROFILE [--json]`: schema check and lint.
///
/// Exit 0 when there are no errors (warnings allowed), 1 otherwise. Human output:
/// findings on stderr, then the summary (stdout when clean, stderr when failing).
/// `--json`: the findings array on stdout (schema in docs/profiles.md), same exit codes.
/// A file that cannot be read is a one-line error on stderr (exit 1) in both modes.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check a profile: schema and lint rules.",
        discussion: "Exit status: 0 no errors (warnings allowed), 1 errors. See docs/profiles.md for every rule.")

    @Argument(help: "Path to the profile YAML.") var profile: String
    @Flag(help: "Print findings as a JSON array on stdout.") var json = false

    /// What one validation prints and returns; kept apart from `run` so tests check it exactly.
    struct Outcome: Equatable, Sendable {
        var stdout: String
        var stderr: String
        var exitCode: Int32
    }

    func run() async throws {
        let text = try Self.read(profile)
        let outcome = Self.outcome(text: text, file: profile, json: json)
        if !outcome.stderr.isEmpty { FileHandle.standardError.write(Data(outcome.stderr.utf8)) }
        if !outcome.stdout.isEmpty { FileHandle.standardOutput.write(Data(outcome.stdout.utf8)) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    static func outcome(text: String, file: String, json: Bool) -> Outcome {
        let result = ProfileLoader.validate(text, file: file)
        let exitCode: Int32 = result.hasErrors ? 1 : 0
        if json {
            return Outcome(stdout: FindingReport.json(result.findings), stderr: "", exitCode: exitCode)
        }
        let details = result.findings.map { $0.description + "\n" }.joined()
        let summary = FindingReport.summary(file: file, findings: result.findings) + "\n"
        if result.hasErrors {
            return Outcome(stdout: "", stderr: details + summary, exitCode: exitCode)
        }
        return Outcome(stdout: summary, stderr: details, exitCode: exitCode)
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
