import ChartSources
import Foundation
import Profiles
import Stages

/// Stages section: each example profile end to end — load profile, load charts from the
/// mirror, compile, render every release and Manifests/, validate, lay out the GitOps
/// files (YAML emitted). "cold" loads charts each time (what one `platform render` does);
/// "warm" reuses loaded charts (long-running callers).
enum StagesBench {
    static func run(iterations: Int = 10) {
        guard let shared = HelmBench.sharedDirectory() else {
            print("stages: shared/ not found (set SHARED_DIR); skipped")
            return
        }
        let root = FileManager.default.currentDirectoryPath
        let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Profiles")) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
        guard !profiles.isEmpty else {
            print("stages: run from the repository root (Profiles/ not found); skipped")
            return
        }
        let mirror = LocalChartProvider(mirror: shared + "/charts")
        let warmCharts = CachingChartProvider(mirror)
        print("stages: render each example profile \(iterations)x end to end (release build recommended)")
        for file in profiles {
            let path = root + "/Profiles/" + file
            func once(_ charts: any ChartProvider) throws -> Int {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let profile = try ProfileLoader.load(text, file: path).profile
                let render = try StageRenderer(charts: charts).render(profile)
                return GitOpsLayout.files(render, options: GitOpsOptions(format: .kustomize)).reduce(0) { $0 + $1.content.utf8.count }
            }
            var cold: [Double] = [], warm: [Double] = []
            var bytes = 0
            var failure: String?
            for _ in 0..<iterations {
                for (provider, isCold) in [(mirror as any ChartProvider, true), (warmCharts, false)] {
                    let start = DispatchTime.now().uptimeNanoseconds
                    do { bytes = try once(provider) } catch { failure = String(describing: error).split(separator: "\n").first.map(String.init) }
                    let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                    if isCold { cold.append(ms) } else { warm.append(ms) }
                }
            }
            cold.sort()
            warm.sort()
            let label = file.padding(toLength: 24, withPad: " ", startingAt: 0)
            print("  " + label + String(format: " cold median %8.2f ms  warm median %8.2f ms  %6.0f KB out",
                                        cold[cold.count / 2], warm[warm.count / 2], Double(bytes) / 1024)
                  + (failure.map { " (fails: \($0.prefix(80)))" } ?? ""))
        }
    }
}
