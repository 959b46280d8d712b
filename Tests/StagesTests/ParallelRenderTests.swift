import Foundation
@testable import Stages
import Testing

/// The parallel render and writer paths: results in input order, the written tree equal
/// to the layout byte for byte, write failures named.
struct ParallelRenderTests {
    @Test func parallelMapKeepsInputOrder() {
        // Uneven work so iterations finish out of order.
        let items = Array(0..<200)
        let out = Parallel.map(items) { i -> Int in
            var x = i
            for _ in 0..<((200 - i) * 50) { x = (x &* 31 &+ 7) % 1_000_003 }
            return i * 2 + (x < 0 ? 1 : 0)
        }
        #expect(out == items.map { $0 * 2 })
        #expect(Parallel.map([Int]()) { $0 }.isEmpty)
        #expect(Parallel.map([5]) { $0 + 1 } == [6])
    }

    @Test(.enabled(if: Fixture.shared != nil)) func writtenTreeEqualsLayoutAndRenderIsStable() throws {
        let dir = try WriterTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let profile = try Fixture.profile("rdma-training")
        let render = try Fixture.render(profile)
        let options = GitOpsOptions(format: .flux)
        let files = GitOpsLayout.files(render, options: options)
        let summary = try GitOpsWriter().write(render, files: files, options: options, to: dir)
        #expect(summary.written == files.map(\.path))
        for (path, content) in files {
            #expect(FileManager.default.contents(atPath: dir + "/" + path) == Data(content.utf8), "\(path)")
        }
        // A second (parallel) render gives the same bytes and the stream the same objects.
        #expect(GitOpsLayout.files(try Fixture.render(profile), options: options).map(\.content) == files.map(\.content))
        #expect(GitOpsLayout.stream(render).components(separatedBy: "---\n# Source: ").count == render.objects.count + 1)
    }

    @Test(.enabled(if: Fixture.shared != nil)) func writeFailureNamesTheFile() throws {
        let dir = try WriterTests.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let render = try Fixture.render(Fixture.profile("dev-time-slicing"))
        _ = try GitOpsWriter().write(render, options: GitOpsOptions(), to: dir)
        // A file this writer owns (listed in the state file) replaced by a directory cannot be rewritten.
        let path = GitOpsLayout.files(render, options: GitOpsOptions())[0].path
        try FileManager.default.removeItem(atPath: dir + "/" + path)
        try FileManager.default.createDirectory(atPath: dir + "/" + path, withIntermediateDirectories: true)
        let error = #expect(throws: StageRenderError.self) {
            try GitOpsWriter().write(render, options: GitOpsOptions(), to: dir)
        }
        #expect(error?.description.contains("cannot create \(dir)/\(path): Is a directory") == true, "\(String(describing: error))")
    }
}
