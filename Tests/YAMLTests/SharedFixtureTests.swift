import Foundation
import Testing
@testable import YAML

/// The real inputs: every values file, Chart.yaml and CRD of the pinned charts in
/// `../shared` must decode under both rule sets. (Cross-checked once against PyYAML with
/// yaml.v2's extra booleans: all 92 files agree; see docs/yaml.md.)
private let sharedDirectory: String? = {
    if let dir = ProcessInfo.processInfo.environment["SHARED_DIR"] { return dir }
    var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    for _ in 0..<5 {
        url = url.deletingLastPathComponent()
        let candidate = url.appendingPathComponent("shared/charts").path
        if FileManager.default.fileExists(atPath: candidate) { return url.appendingPathComponent("shared").path }
    }
    return nil
}()

private func fixtureFiles() -> [String] {
    guard let root = sharedDirectory else { return [] }
    var files: [String] = []
    for sub in ["charts", "crds"] {
        let base = root + "/" + sub
        guard let walker = FileManager.default.enumerator(atPath: base) else { continue }
        for case let rel as String in walker where rel.hasSuffix(".yaml") && !rel.contains("templates/") {
            files.append(base + "/" + rel)
        }
    }
    return files.sorted()
}

@Suite(.enabled(if: sharedDirectory != nil, "needs ../shared or SHARED_DIR"))
struct SharedFixtureTests {
    @Test func everyChartAndCRDFileDecodes() throws {
        let files = fixtureFiles()
        #expect(files.count >= 90)
        for path in files {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            for rules in [ResolutionRules.kubernetes, .core] {
                do {
                    let docs = try YAMLDecoder(rules: rules).decodeAll(text, file: path)
                    #expect(!docs.isEmpty, "\(path)")
                } catch {
                    Issue.record("\(rules): \(error)")
                }
            }
        }
    }

    @Test func gpuOperatorValuesAndChart() throws {
        let dir = try #require(sharedDirectory) + "/charts/gpu-operator-v26.7.0"
        let values = try YAMLDecoder().decode(try String(contentsOfFile: dir + "/values.yaml", encoding: .utf8))
        guard case .mapping(let top) = values, case .mapping(let driver)? = top["driver"] else {
            Issue.record("values.yaml is not a mapping with driver")
            return
        }
        #expect(driver["enabled"] == .bool(true))
        let chart = try #require(try Parser().parseSingle(try String(contentsOfFile: dir + "/Chart.yaml", encoding: .utf8)))
        #expect(try YAMLDecoder().kubernetesString(of: try #require(chart["version"])) == "v1.0.0-devel")
        #expect(try YAMLDecoder().kubernetesString(of: try #require(chart["kubeVersion"])) == ">= 1.16.0-0")
    }
}
