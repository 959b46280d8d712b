import Foundation
import Testing
import YAML
@testable import Profiles

@Suite struct CoreScalarTests {
    @Test(arguments: [
        ("no", CoreScalar.string("no")), ("yes", .string("yes")), ("on", .string("on")),
        ("true", .bool(true)), ("False", .bool(false)), ("~", .null), ("", .null), ("null", .null),
        ("42", .int(42)), ("-7", .int(-7)), ("0x1F", .int(31)), ("0o17", .int(15)),
        ("1.30", .float(1.3)), ("1e3", .float(1000)), ("1.15.1", .string("1.15.1")), ("v26.7.0", .string("v26.7.0")),
        ("10m", .string("10m")),
    ])
    func plainScalars(text: String, expected: CoreScalar) {
        #expect(CoreScalar(text, style: .plain, tag: nil) == expected)
    }

    @Test func quotedScalarsAreStrings() {
        #expect(CoreScalar("true", style: .doubleQuoted, tag: nil) == .string("true"))
        #expect(CoreScalar("4", style: .singleQuoted, tag: nil) == .string("4"))
        #expect(CoreScalar("4", style: .plain, tag: "tag:yaml.org,2002:str") == .string("4"))
    }

    /// Raw chart values must type scalars exactly like the YAML module's core rules.
    @Test(arguments: ["no", "true", "TRUE", "~", "null", "12", "-3", "0x10", "0o7", "1.5", ".inf", "1.15.1", "abc"])
    func agreesWithYAMLModuleCoreRules(text: String) throws {
        let fromModule = try YAMLDecoder(rules: .core).decode("k: \(text)\n")
        let raw = validate("""
            apiVersion: platform.gpu/v1alpha1
            kind: Profile
            metadata: { name: x }
            spec:
              gpu:
                values:
                  k: \(text)
            """).profile?.spec.gpu.values.tree
        #expect(raw.map { YAMLValue.mapping($0) } == fromModule)
    }
}

@Suite struct FormatTests {
    @Test(arguments: [
        ("10m", "10m0s"), ("90s", "1m30s"), ("1h30m", "1h30m0s"), ("1.5s", "1.5s"), ("500ms", "500ms"),
        ("2h", "2h0m0s"), ("0", "0s"), ("1m0.25s", "1m0.25s"),
    ])
    func goDurations(text: String, canonical: String) throws {
        let d = try #require(GoDuration(parsing: text))
        #expect(d.description == canonical)
    }

    @Test(arguments: ["10 minutes", "10", "m", "1.2.3s", "", "5d", "-"])
    func badDurations(text: String) {
        #expect(GoDuration(parsing: text) == nil)
    }

    @Test func kubernetesVersions() throws {
        #expect(KubernetesVersion(parsing: "1.34") == KubernetesVersion(major: 1, minor: 34))
        #expect(KubernetesVersion(parsing: "v1.34.2")?.patch == 2)
        let old = try #require(KubernetesVersion(parsing: "1.9"))
        let new = try #require(KubernetesVersion(parsing: "1.34"))
        #expect(old < new)  // numeric, not lexical
        for bad in ["1", "1.3O", "one.two", "1.34.", "01.34", "0.1", "1.34.1.1"] {
            #expect(KubernetesVersion(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func chartVersionPinning() {
        for pinned in ["v26.7.0", "26.4.1", "0.19.2", "1.0.0-rc.1", "1.2.3+build.5"] {
            #expect(ChartVersion.unpinnedReason(pinned) == nil, "\(pinned)")
        }
        for unpinned in ["", "latest", "*", "^1.2", "~1.2.3", ">=1.0.0", "1.x", "1.2", "1.2.3 - 1.4.0", "1.2 || 1.3", "banana"] {
            #expect(ChartVersion.unpinnedReason(unpinned) != nil, "\(unpinned)")
        }
    }

    @Test func imagePinning() {
        #expect(ImageReference.unpinnedReason("nvcr.io/nvidia/cuda:13.0.0-base-ubuntu24.04") == nil)
        #expect(ImageReference.unpinnedReason("localhost:5000/cuda@sha256:abc") == nil)
        #expect(ImageReference.unpinnedReason("localhost:5000/cuda") != nil)  // port is not a tag
        #expect(ImageReference.unpinnedReason("cuda:latest") != nil)
        #expect(ImageReference.unpinnedReason("cuda") != nil)
    }

    @Test func quantities() {
        for ok in ["64", "500m", "64Gi", "1.5", "1e3", "0"] { #expect(Quantity(parsing: ok) != nil, "\(ok)") }
        for bad in ["sixty", "64GB", "", "1..2", "Gi"] { #expect(Quantity(parsing: bad) == nil, "\(bad)") }
        #expect(Quantity("64").integerValue == 64)
        #expect(Quantity("64Gi").integerValue == nil)
    }

    @Test func kubernetesNames() {
        #expect(KubernetesName.labelProblem("team-a") == nil)
        #expect(KubernetesName.labelProblem("Team-A") != nil)
        #expect(KubernetesName.labelProblem(String(repeating: "a", count: 64)) != nil)
        #expect(KubernetesName.subdomainProblem("gpu.nvidia.com") == nil)
        #expect(KubernetesName.qualifiedNameProblem("nvidia.com/gpu.product") == nil)
        #expect(KubernetesName.qualifiedNameProblem("nvidia.com/mig-1g.10gb") == nil)
        #expect(KubernetesName.qualifiedNameProblem("a/b/c") != nil)
    }
}

@Suite struct SuggestionTests {
    @Test func closeTyposAreSuggested() {
        #expect(Suggestion.closest(to: "drvier", in: ["driver", "toolkit"]) == "driver")
        #expect(Suggestion.closest(to: "timeslice", in: ["none", "time-slicing", "mig", "dra"]) == "time-slicing")
        #expect(Suggestion.closest(to: "tennants", in: ["tenants", "smoke"]) == "tenants")
    }

    @Test func farWordsAreNot() {
        #expect(Suggestion.closest(to: "kernel-module", in: ["host", "container"]) == nil)
        #expect(Suggestion.closest(to: "colour", in: ["enabled", "namespace", "driver"]) == nil)
    }
}

@Suite struct DecodingTests {
    static let minimal = """
        apiVersion: platform.gpu/v1alpha1
        kind: Profile
        metadata: { name: minimal }
        spec:
          charts:
            gpu-operator: { source: https://helm.ngc.nvidia.com/nvidia, version: v26.7.0 }
        """

    @Test func defaultsAreApplied() throws {
        let result = validate(Self.minimal)
        #expect(result.findings.isEmpty, "\(result.findings)")
        let spec = try #require(result.profile).spec
        #expect(spec.gpu == GPUSpec())
        #expect(spec.gpu.driver == .container && spec.gpu.nfd && spec.gpu.toolkit)
        #expect(spec.network.enabled == false)
        #expect(spec.sharing.model == .none)
        #expect(spec.scheduling.enabled && !spec.scheduling.volcano.enabled && !spec.scheduling.kueue.enabled)
        #expect(spec.smoke.timeout == .minutes(10))
        #expect(spec.smoke.image == SmokeSpec.defaultImage)
        #expect(spec.enabledStages == [.gpu, .scheduling])
        #expect(spec.charts[.gpuOperator]?.source == .repository("https://helm.ngc.nvidia.com/nvidia"))
    }

    @Test func tenantResourceDefaultsToWhatTheModelAdvertises() throws {
        let dra = try #require(validate(Self.minimal + """

              kubernetes: { minVersion: "1.34" }
              sharing: { model: dra }
              tenants: [{ namespace: a, gpus: 1 }]
            """).profile)
        #expect(dra.spec.tenants[0].resource == "gpu.nvidia.com.deviceclass.resource.k8s.io/devices")
        #expect(dra.spec.sharing.dra == DRA())  // the block is filled with defaults

        let renamed = try #require(validate(Self.minimal + """

              sharing: { model: time-slicing, timeSlicing: { replicas: 2, renameByDefault: true } }
              tenants: [{ namespace: a, gpus: 1 }]
            """).profile)
        #expect(renamed.spec.tenants[0].resource == "nvidia.com/gpu.shared")
    }

    @Test func examplesRoundTripThroughJSON() throws {
        for url in try Source.yamlFiles(in: Source.examples) {
            let profile = try #require(validate(try Source.read(url), file: url.lastPathComponent).profile)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(profile)
            let back = try JSONDecoder().decode(Profile.self, from: data)
            // Raw values keep their content; mapping order is not guaranteed through JSON.
            #expect(try encoder.encode(back) == data, "\(url.lastPathComponent)")
        }
    }

    @Test func jsonUsesReadableForms() throws {
        let text = Self.minimal + "\n  smoke: { timeout: 90s, stageTimeouts: { gpu: 1m } }\n  kubernetes: { minVersion: v1.33 }\n"
        let profile = try #require(validate(text).profile)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(profile.spec.smoke), as: UTF8.self)
        #expect(json == #"{"image":"nvcr.io\/nvidia\/cuda:13.0.0-base-ubuntu24.04","stageTimeouts":{"gpu":"1m0s"},"timeout":"1m30s"}"#)
        let k = String(decoding: try encoder.encode(profile.spec.kubernetes), as: UTF8.self)
        #expect(k == #"{"minVersion":"1.33"}"#)
        let charts = String(decoding: try encoder.encode(profile.spec.charts), as: UTF8.self)
        #expect(charts == #"{"gpu-operator":{"source":"https:\/\/helm.ngc.nvidia.com\/nvidia","version":"v26.7.0"}}"#)
    }

    @Test func loadThrowsWithTheFullReport() {
        #expect(throws: ProfileError.self) { try ProfileLoader.load("kind: Profile\n", file: "p.yaml") }
        do {
            _ = try ProfileLoader.load("kind: Profile\n", file: "p.yaml")
        } catch {
            #expect(error.description.hasSuffix("p.yaml: 3 errors, 0 warnings\n"))
        }
    }

    /// Whatever the input, decoding returns findings instead of crashing.
    @Test(arguments: [
        "", "---", "- 1", "[", "{", ": :", "apiVersion: [", "spec: !!binary abc", "? [a, b]\n: c",
        "apiVersion: platform.gpu/v1alpha1\nkind: Profile\nmetadata: 3\nspec: 4",
        "spec:\n  tenants: [1, [2], {namespace: [x]}]\n  charts: [a]\n  sharing: {model: [x]}",
        "spec:\n  scheduling:\n    kueue:\n      clusterQueues: [{quotas: [{nominal: {}}]}]",
        "a: &x [*x]", "\u{FEFF}kind: Profile", "\t", "spec: {gpu: {values: {? [k] : v}}}",
    ])
    func hostileInputNeverCrashes(text: String) {
        let result = validate(text)
        #expect(result.profile == nil)
        #expect(!result.findings.isEmpty)
    }
}

@Suite struct ReportTests {
    @Test func jsonReportHasTheDocumentedShape() {
        let f = Finding(file: "p \"x\".yaml", mark: Mark(line: 3, column: 5), severity: .warning,
                        code: .unpinnedImage, path: "spec.smoke.image", message: "a\tb", fix: "pin it")
        let g = Finding(file: "p.yaml", mark: Mark(line: 1, column: 1), severity: .error,
                        code: .missingField, path: "", message: "m")
        #expect(FindingReport.json([f, g]) == """
            [
              {"file": "p \\"x\\".yaml", "line": 3, "column": 5, "severity": "warning", "code": "PL109", "path": "spec.smoke.image", "message": "a\\tb", "fix": "pin it"},
              {"file": "p.yaml", "line": 1, "column": 1, "severity": "error", "code": "PL003", "path": "", "message": "m", "fix": null}
            ]

            """)
        #expect(FindingReport.json([]) == "[]\n")
        let parsed = try? JSONSerialization.jsonObject(with: Data(FindingReport.json([f, g]).utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
    }

    @Test func humanFormatsDifferForSchemaAndLint() {
        let schema = Finding(file: "p.yaml", mark: Mark(line: 12, column: 9), severity: .error, code: .notAllowed,
                             path: "spec.sharing.model", message: "bad")
        let lint = Finding(file: "p.yaml", mark: Mark(line: 3, column: 5), severity: .warning, code: .nfdTwice,
                           path: "spec.network.nfd", message: "twice", fix: "one")
        #expect(schema.description == "p.yaml:12:9: error: spec.sharing.model: bad")
        #expect(lint.description == "p.yaml:3:5: warning: PL107 spec.network.nfd: twice\n  fix: one")
        #expect(FindingReport.summary(file: "p.yaml", findings: [schema, lint]) == "p.yaml: 1 error, 1 warning")
    }

    @Test func codesAreUniqueAndPartitioned() {
        let raw = FindingCode.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        #expect(FindingCode.allCases.filter(\.isLint).allSatisfy { $0.rawValue.hasPrefix("PL1") })
        #expect(FindingCode.allCases.filter { !$0.isLint }.allSatisfy { $0.rawValue.hasPrefix("PL0") })
    }

    @Test func everyLintCodeHasAGolden() throws {
        let dir = Source.fixtures.appendingPathComponent("broken")
        var seen = Set<String>()
        for url in try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        where url.pathExtension == "expected" {
            let text = try Source.read(url)
            for code in FindingCode.allCases where text.contains(" \(code.rawValue) ") { seen.insert(code.rawValue) }
        }
        let lint = FindingCode.allCases.filter(\.isLint).map(\.rawValue)
        #expect(lint.filter { !seen.contains($0) } == [])
    }
}

/// Damaged versions of the examples (a line removed, the text cut short) must give
/// findings or a profile, never a crash, and findings must stay sorted and in the file.
@Suite struct DamagedExampleTests {
    @Test func everyLineRemovedAndEveryCut() throws {
        for url in try Source.yamlFiles(in: Source.examples) {
            let text = try Source.read(url)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var variants: [String] = []
            for i in lines.indices {
                var copy = lines
                copy.remove(at: i)
                variants.append(copy.joined(separator: "\n"))
            }
            let scalars = Array(text.unicodeScalars)
            for cut in stride(from: 0, to: scalars.count, by: 23) {
                var s = String.UnicodeScalarView()
                s.append(contentsOf: scalars[..<cut])
                variants.append(String(s))
            }
            for v in variants {
                let result = validate(v, file: "x.yaml")
                let lineCount = v.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect(result.findings == result.findings.sortedByPosition())
                #expect(result.findings.allSatisfy { $0.line >= 1 && $0.line <= max(lineCount, 1) && $0.column >= 1 },
                        "\(lineCount) lines: \(result.findings.filter { $0.line > lineCount }.map(\.description))")
                #expect(result.profile != nil || result.hasErrors)
            }
        }
    }
}
