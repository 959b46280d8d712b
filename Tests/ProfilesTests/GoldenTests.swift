import Foundation
import Testing
@testable import Profiles

/// Every `Fixtures/broken/NAME.yaml` must produce exactly `NAME.expected` (the full
/// human report). Set PLATFORM_RECORD=1 to rewrite the expectations, then review the diff.
@Suite struct BrokenProfileGoldens {
    static let directory = Source.fixtures.appendingPathComponent("broken")
    static let cases: [String] = (try? Source.yamlFiles(in: directory).map {
        $0.deletingPathExtension().lastPathComponent
    }) ?? []

    @Test func thereAreAtLeastThirtyCases() {
        #expect(Self.cases.count >= 30)
    }

    @Test(arguments: cases) func brokenProfile(name: String) throws {
        let yaml = Self.directory.appendingPathComponent(name + ".yaml")
        let expectedURL = Self.directory.appendingPathComponent(name + ".expected")
        let result = ProfileLoader.validate(try Source.read(yaml), file: "broken/\(name).yaml")
        let actual = FindingReport.human(file: "broken/\(name).yaml", findings: result.findings)
        if ProcessInfo.processInfo.environment["PLATFORM_RECORD"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            return
        }
        let expected = try Source.read(expectedURL)
        #expect(actual == expected, "\(name): report differs (- expected, + actual):\n\(lineDiff(expected: expected, actual: actual))")
        // A broken fixture must be broken: at least one finding.
        #expect(!result.findings.isEmpty, "\(name) produced no findings")
    }
}

/// The example profiles shipped to users validate with no errors, and only the
/// warnings their comments explain.
@Suite struct ExampleProfiles {
    static let expectedWarnings: [String: [FindingCode]] = [
        "dev-time-slicing.yaml": [],
        "h100-mig.yaml": [.kueueWithoutVolcano],
        "dra-k8s-1.34.yaml": [],
        "rdma-training.yaml": [],
    ]

    @Test func allFourExist() throws {
        let names = try Source.yamlFiles(in: Source.examples).map(\.lastPathComponent)
        #expect(Set(names).isSuperset(of: Self.expectedWarnings.keys))
    }

    @Test(arguments: expectedWarnings.keys.sorted()) func validatesClean(name: String) throws {
        let text = try Source.read(Source.examples.appendingPathComponent(name))
        let result = ProfileLoader.validate(text, file: "Profiles/\(name)")
        #expect(result.profile != nil)
        #expect(result.findings.map(\.code) == Self.expectedWarnings[name],
                "\(FindingReport.human(file: "Profiles/\(name)", findings: result.findings))")
    }
}
