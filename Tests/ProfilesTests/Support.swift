import Foundation
@testable import Profiles

/// Paths into the source tree (not the test bundle), so re-recording writes
/// the files a developer reviews and commits.
enum Source {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let repoRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let examples = repoRoot.appendingPathComponent("Profiles")

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func yamlFiles(in directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

/// A minimal line diff for golden mismatches: lines only in expected (-) or actual (+).
func lineDiff(expected: String, actual: String) -> String {
    let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var out: [String] = []
    let n = max(e.count, a.count)
    for i in 0..<n {
        let el = i < e.count ? String(e[i]) : nil
        let al = i < a.count ? String(a[i]) : nil
        if el == al { out.append("  " + (el ?? "")); continue }
        if let el { out.append("- " + el) }
        if let al { out.append("+ " + al) }
    }
    return out.joined(separator: "\n")
}

func validate(_ text: String, file: String = "t.yaml") -> ProfileValidation {
    ProfileLoader.validate(text, file: file)
}
