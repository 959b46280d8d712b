import Crypto
import Foundation
import Stages
import Testing

/// Each example profile's full plain tree (plus the state file) against
/// Fixtures/trees/PROFILE. CRDs are stored as `.sha256` digests: they are upstream
/// bytes re-emitted and would triple the fixture size. Re-record with PLATFORM_RECORD=1.
@Suite(.enabled(if: Fixture.shared != nil, "needs the shared chart fixtures (SHARED_DIR)"))
struct GoldenTreeTests {
    static func stored(_ render: PlatformRender, format: OutputFormat) -> [String: String] {
        let options = GitOpsOptions(format: format, repoPath: "clusters/example")
        let files = GitOpsLayout.files(render, options: options)
        var out: [String: String] = [:]
        for (path, content) in files {
            if path.contains("customresourcedefinition_") {
                let digest = SHA256.hash(data: Data(content.utf8)).map { String(format: "%02x", $0) }.joined()
                out[path + ".sha256"] = digest + "\n"
            } else {
                out[path] = content
            }
        }
        out[GitOpsLayout.stateFile] = GitOpsLayout.state(render, options: options, paths: files.map(\.path))
        return out
    }

    static func readTree(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return out }
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + rel, isDirectory: &isDir), !isDir.boolValue,
               let data = FileManager.default.contents(atPath: dir + "/" + rel) {
                out[rel] = String(decoding: data, as: UTF8.self)
            }
        }
        return out
    }

    static func compare(_ actual: [String: String], golden dir: String) throws {
        if Fixture.recording {
            try? FileManager.default.removeItem(atPath: dir)
            for (path, content) in actual {
                let full = dir + "/" + path
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(content.utf8).write(to: URL(fileURLWithPath: full))
            }
        }
        let expected = readTree(dir)
        #expect(!expected.isEmpty, "no golden tree at \(dir); record with PLATFORM_RECORD=1")
        let missing = Set(expected.keys).subtracting(actual.keys).sorted()
        let extra = Set(actual.keys).subtracting(expected.keys).sorted()
        #expect(missing.isEmpty, "no longer rendered: \(missing)")
        #expect(extra.isEmpty, "newly rendered: \(extra)")
        for path in Set(expected.keys).intersection(actual.keys).sorted() where expected[path] != actual[path] {
            let a = (actual[path] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            let e = (expected[path] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(a, e)).firstIndex { $0.0 != $0.1 } ?? min(a.count, e.count)
            Issue.record("\(path) differs at line \(line + 1): got \(line < a.count ? String(a[line]) : "<end>"), want \(line < e.count ? String(e[line]) : "<end>")")
        }
    }

    @Test(arguments: Fixture.examples)
    func exampleProfileRendersTheGoldenTree(_ name: String) throws {
        let render = try Fixture.render(Fixture.profile(name))
        try Self.compare(Self.stored(render, format: .plain), golden: Fixture.fixtures + "/trees/" + name)
    }

    /// The format-specific files (kustomizations, Applications, Flux Kustomizations) for one profile.
    @Test(arguments: [OutputFormat.kustomize, .argocd, .flux])
    func formatFilesMatchTheGolden(_ format: OutputFormat) throws {
        let render = try Fixture.render(Fixture.profile("rdma-training"))
        let extra = Self.stored(render, format: format).filter { $0.key.hasSuffix("kustomization.yaml") || $0.key.hasPrefix("argocd/") || $0.key.hasPrefix("flux/") }
        try Self.compare(extra, golden: Fixture.fixtures + "/formats/" + format.rawValue)
    }

    @Test func renderIsDeterministic() throws {
        let profile = try Fixture.profile("rdma-training")
        let a = GitOpsLayout.stream(try Fixture.render(profile))
        let b = GitOpsLayout.stream(try Fixture.render(profile))
        #expect(a == b)
    }
}
