import ChartSources
import Foundation
import Profiles
import Stages

/// Bundle section: per example profile, the parts of `platform bundle` and `apply --bundle`
/// that are the bundle's own (charts packed from the mirror, rendering excluded):
/// image-list extraction over the rendered objects, writing the archive, and reading it back
/// with full verification (bundle.json sha256s, lock digests).
enum BundleBench {
    static func run(iterations: Int = 10) {
        guard let shared = HelmBench.sharedDirectory() else {
            print("bundle: shared/ not found (set SHARED_DIR); skipped")
            return
        }
        let root = FileManager.default.currentDirectoryPath
        let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Profiles")) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
        guard !profiles.isEmpty else {
            print("bundle: run from the repository root (Profiles/ not found); skipped")
            return
        }
        let charts = CachingChartProvider(LocalChartProvider(mirror: shared + "/charts"))
        print("bundle: per example profile, median of \(iterations) (release build recommended)")
        for file in profiles {
            let path = root + "/Profiles/" + file
            let label = file.padding(toLength: 24, withPad: " ", startingAt: 0)
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let profile = try ProfileLoader.load(text, file: path).profile
                let render = try StageRenderer(charts: charts).render(profile)
                var packed: [String: BundleContents.PackagedChartFile] = [:]
                var pins: [LockFile.Entry] = []
                for (name, spec) in profile.spec.charts {
                    let p = try ChartPackager.package(directory: "\(shared)/charts/\(name.rawValue)-\(spec.version)")
                    packed[name.rawValue] = .init(version: spec.version, bytes: p.bytes)
                    pins.append(.init(name: name.rawValue, source: spec.source.description, version: spec.version, digest: p.digest))
                }
                let files = GitOpsLayout.files(render, options: GitOpsOptions(format: .plain))
                let rendered = Dictionary(files.map { ($0.path, Array($0.content.utf8)) }, uniquingKeysWith: { $1 })
                let objects = render.objects.map(\.value)
                var images = ImageList(images: [])
                let extract = median(iterations) { images = ImageExtractor.images(in: objects) }
                let contents = BundleContents(profileName: profile.metadata.name, profile: Array(text.utf8), lock: LockFile(entries: pins),
                                              charts: packed, rendered: rendered, images: images.images)
                var bytes: [UInt8] = []
                let write = try median(iterations) { bytes = try BundleWriter.archive(contents, tool: "bench") }
                let read = try median(iterations) { _ = try BundleReader(bytes: bytes, location: "bench") }
                print("  " + label + String(format: " images %6.2f ms (%2d)  write %7.2f ms  read+verify %7.2f ms  %6.0f KB (%d files)",
                                            extract, images.images.count, write, read, Double(bytes.count) / 1024, rendered.count + packed.count + 4))
            } catch {
                print("  " + label + " fails: \(String(describing: error).prefix(100))")
            }
        }
    }

    static func median(_ n: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<n {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[n / 2]
    }
}
