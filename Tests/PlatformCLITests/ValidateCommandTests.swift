import Foundation
import Testing
@testable import PlatformCLI

/// `platform validate`: streams, exit codes and the JSON form.
@Suite struct ValidateCommandTests {
    static let clean = """
        apiVersion: platform.gpu/v1alpha1
        kind: Profile
        metadata: { name: ok }
        spec:
          charts:
            gpu-operator: { source: https://helm.ngc.nvidia.com/nvidia, version: v26.7.0 }
        """

    @Test func cleanProfilePrintsTheSummaryOnStdout() {
        let o = ValidateCommand.outcome(text: Self.clean, file: "p.yaml", json: false)
        #expect(o == .init(stdout: "p.yaml: 0 errors, 0 warnings\n", stderr: "", exitCode: 0))
    }

    @Test func warningsGoToStderrAndExitZero() {
        let o = ValidateCommand.outcome(text: Self.clean + "\n  gpu: { nfd: false }\n", file: "p.yaml", json: false)
        #expect(o.exitCode == 0)
        #expect(o.stdout == "p.yaml: 0 errors, 1 warning\n")
        #expect(o.stderr.hasPrefix("p.yaml:7:15: warning: PL121 spec.gpu.nfd: "))
        #expect(o.stderr.contains("\n  fix: "))
    }

    @Test func errorsGoToStderrAndExitOne() {
        let o = ValidateCommand.outcome(text: Self.clean + "\n  sharing: { model: timeslice }\n", file: "p.yaml", json: false)
        #expect(o == .init(stdout: "", stderr: """
            p.yaml:7:21: error: spec.sharing.model: "timeslice" is not one of none, time-slicing, mig, dra (did you mean "time-slicing"?)
            p.yaml: 1 error, 0 warnings

            """, exitCode: 1))
    }

    @Test func jsonIsOnStdoutWithTheSameExitCodes() throws {
        let bad = ValidateCommand.outcome(text: "kind: [", file: "p.yaml", json: true)
        #expect(bad.exitCode == 1 && bad.stderr.isEmpty)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [[String: Any]])
        #expect(parsed.count == 1)
        #expect(parsed[0]["code"] as? String == "PL000")
        #expect(Set(parsed[0].keys) == ["file", "line", "column", "severity", "code", "path", "message", "fix"])
        #expect(ValidateCommand.outcome(text: Self.clean, file: "p.yaml", json: true) == .init(stdout: "[]\n", stderr: "", exitCode: 0))
    }

    @Test func unreadableFilesAreOneLineErrors() {
        #expect(throws: CommandFailure.self) { try ValidateCommand.read("/nonexistent/profile.yaml") }
        #expect(throws: CommandFailure.self) { try ValidateCommand.read(NSTemporaryDirectory()) }
    }

    @Test func argumentsParse() throws {
        let command = try ValidateCommand.parse(["Profiles/x.yaml", "--json"])
        #expect(command.profile == "Profiles/x.yaml" && command.json)
    }
}
