import ChartSources
import Foundation
import Profiles
import Stages

/// Paths and shared state for the Stages tests.
enum Fixture {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures").path
    static let repoRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    /// `SHARED_DIR`, else `shared/` beside an ancestor of this file (the workspace layout).
    static let shared: String? = {
        if let env = ProcessInfo.processInfo.environment["SHARED_DIR"], !env.isEmpty { return env }
        var dir = testsDirectory
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/charts").path
            if FileManager.default.fileExists(atPath: candidate) { return dir.appendingPathComponent("shared").path }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }()

    static var recording: Bool { ProcessInfo.processInfo.environment["PLATFORM_RECORD"] == "1" }

    static let examples = ["dev-time-slicing", "h100-mig", "dra-k8s-1.34", "rdma-training"]

    /// One chart cache for the whole test run: loading gpu-operator dominates otherwise.
    static let charts: any ChartProvider = CachingChartProvider(LocalChartProvider(mirror: shared.map { $0 + "/charts" }))

    static func profile(_ name: String) throws -> Profile {
        let path = repoRoot.appendingPathComponent("Profiles/\(name).yaml").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try ProfileLoader.load(text, file: path).profile
    }

    static func templates() throws -> ManifestTemplates {
        try ManifestTemplates.load(directory: repoRoot.appendingPathComponent("Manifests").path)
    }

    static func render(_ profile: Profile) throws -> PlatformRender {
        try StageRenderer(charts: charts, templates: templates()).render(profile)
    }

    static func tree(_ profile: Profile, format: OutputFormat = .plain) throws -> [String: String] {
        let files = GitOpsLayout.files(try render(profile), options: GitOpsOptions(format: format, repoPath: "clusters/example"))
        return Dictionary(uniqueKeysWithValues: files.map { ($0.path, $0.content) })
    }

    /// Paths whose content differs, appear or disappear between two trees.
    static func changed(_ a: [String: String], _ b: [String: String]) -> Set<String> {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
    }
}
