import Foundation
import Testing
@testable import Helm

/// Runs every golden case (real Helm v4.3.0 output in shared/golden) through the same
/// `TemplateInvocation` that `platform template` uses.
///
/// Ratchet: `Fixtures/golden-passing.txt` lists cases known to pass. A listed case that
/// fails is a regression and fails the test; unlisted failures are only reported. Add a
/// case to the file once it passes; never remove one to make the test green.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var name: String
    var directory: String
    var chart: String
    var release: String
    var namespace: String
    var kubeVersion: String
    var apiVersions: [String]
    var includeCRDs: Bool
    var skipTests: Bool
    var noHooks: Bool
    var valuesFile: String?
    var expectError: Bool

    var testDescription: String { name }

    func invocation(archive: Bool) -> TemplateInvocation {
        var t = TemplateInvocation()
        t.positional = [release, chart]
        t.namespace = namespace
        t.kubeVersion = kubeVersion
        t.apiVersions = apiVersions
        t.includeCRDs = includeCRDs
        t.skipTests = skipTests
        t.noHooks = noHooks
        if let valuesFile { t.valueFiles = [directory + "/" + valuesFile] }
        if archive {
            t.loadChart = { path in
                let files = try Chart.files(inDirectory: path)
                let name = URL(fileURLWithPath: path).lastPathComponent
                return try Chart.load(archive: ChartArchiveWriter.pack(files: files, topDirectory: name))
            }
        }
        return t
    }

    /// nil when the case passes, otherwise a short reason.
    func run(archive: Bool) -> String? {
        let want: String
        let got: String
        do {
            let out = try invocation(archive: archive).run()
            if expectError { return "expected an error, got output" }
            got = out
            want = (try? String(contentsOfFile: directory + "/expected.yaml", encoding: .utf8)) ?? ""
        } catch let e as HelmError {
            guard expectError else { return "error: " + (e.message.split(separator: "\n").first.map(String.init) ?? "") }
            got = "Error: " + e.message + "\n"
            want = (try? String(contentsOfFile: directory + "/expected-error.txt", encoding: .utf8)) ?? ""
        } catch {
            return "unexpected error: \(error)"
        }
        if got == want { return nil }
        return "differs at " + Self.firstDifference(got, want)
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<end>"
            let y = i < lb.count ? String(lb[i]) : "<end>"
            if x != y { return "line \(i + 1): got \(x.prefix(120).debugDescription) want \(y.prefix(120).debugDescription)" }
        }
        return "?"
    }
}

enum Golden {
    /// `SHARED_DIR`, or `shared/` beside an ancestor of this file (CI clones the repo next to it).
    static let sharedDirectory: String? = {
        if let env = ProcessInfo.processInfo.environment["SHARED_DIR"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/golden").path
            if FileManager.default.fileExists(atPath: candidate) { return dir.appendingPathComponent("shared").path }
            dir.deleteLastPathComponent()
        }
        return nil
    }()

    static let cases: [GoldenCase] = {
        guard let shared = sharedDirectory else { return [] }
        var out: [GoldenCase] = []
        for group in ["charts", "functions"] {
            let root = shared + "/golden/" + group
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
            for name in names {
                let dir = root + "/" + name
                guard let data = FileManager.default.contents(atPath: dir + "/case.json"),
                      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { continue }
                out.append(GoldenCase(
                    name: group + "/" + name, directory: dir,
                    chart: shared + "/" + (json["chart"] as? String ?? ""),
                    release: json["release"] as? String ?? "release-name",
                    namespace: json["namespace"] as? String ?? "default",
                    kubeVersion: json["kubeVersion"] as? String ?? "v1.34.0",
                    apiVersions: json["apiVersions"] as? [String] ?? [],
                    includeCRDs: json["includeCrds"] as? Bool ?? false,
                    skipTests: json["skipTests"] as? Bool ?? false,
                    noHooks: json["noHooks"] as? Bool ?? false,
                    valuesFile: json["values"] as? String,
                    expectError: (json["expect"] as? String) == "error"))
            }
        }
        return out
    }()

    static let passingList: Set<String> = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/golden-passing.txt").path
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
    }()

    static func check(archive: Bool) {
        let mode = archive ? "archive" : "directory"
        var regressions: [String] = []
        var pending: [String] = []
        var passed = 0
        for c in cases {
            if let why = c.run(archive: archive) {
                if passingList.contains(c.name) { regressions.append("\(c.name): \(why)") } else { pending.append("\(c.name): \(why)") }
            } else {
                passed += 1
                if !passingList.contains(c.name) { pending.append("\(c.name): PASSES now, add it to golden-passing.txt") }
            }
        }
        print("golden (\(mode)): \(passed)/\(cases.count) pass")
        for p in pending { print("  not yet: \(p)") }
        for r in regressions { Issue.record("golden regression (\(mode)): \(r)") }
    }
}

@Test func goldenSharedFolderFound() {
    #expect(Golden.sharedDirectory != nil, "set SHARED_DIR or place shared/ beside the repository")
    #expect(Golden.cases.count > 50)
}

@Test func goldenCasesFromDirectories() { Golden.check(archive: false) }

@Test func goldenCasesFromArchives() { Golden.check(archive: true) }

@Test func goldenPassingListNamesRealCases() {
    let known = Set(Golden.cases.map(\.name))
    for name in Golden.passingList where !known.contains(name) {
        Issue.record("golden-passing.txt lists unknown case \(name)")
    }
}
