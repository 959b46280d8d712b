import ChartSources
import Foundation
import KubeSchema
import Profiles
import Stages

/// Schemas section (docs/stages.md "Validation"): first use of the embedded schemas (inflate,
/// parse, compile one version), then the cost of validating each example profile's rendered
/// built-in objects, apart from rendering. `platform-bench schemas` runs only this.
enum KubeSchemaBench {
    static func run(iterations: Int = 10) {
        func ms(_ body: () throws -> Void) rethrows -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
        var load: [Double] = [], compile: [Double] = []
        for _ in 0..<iterations {
            let fresh = KubernetesSchemas()
            load.append(ms { _ = try? fresh.versionsServing(apiVersion: "v1", kind: "Pod") })
            compile.append(ms { _ = try? fresh.version("1.34") })
        }
        print("schemas: first use: inflate+parse \(String(format: "%.2f", median(load))) ms, "
              + "compile one version \(String(format: "%.2f", median(compile))) ms (median of \(iterations))")

        guard let shared = HelmBench.sharedDirectory() else { return print("schemas: shared/ not found; profile part skipped") }
        let root = FileManager.default.currentDirectoryPath
        let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Profiles")) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
        let charts = CachingChartProvider(LocalChartProvider(mirror: shared + "/charts"))
        for file in profiles {
            let path = root + "/Profiles/" + file
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let profile = try? ProfileLoader.load(text, file: path).profile,
                  let render = try? StageRenderer(charts: charts).render(profile) else {
                print("  \(file): render failed; skipped")
                continue
            }
            let v = profile.spec.kubernetes.minVersion
            let version = v.map { KubernetesSchemas.schemaVersion(major: $0.major, minor: $0.minor) } ?? "1.36"
            guard let schemas = try? KubernetesSchemas.shared.version(version) else { continue }
            var checked = 0
            var times: [Double] = []
            for _ in 0..<iterations {
                checked = 0
                times.append(ms {
                    for o in render.objects {
                        if let problems = schemas.validate(o.value, apiVersion: o.apiVersion, kind: o.kind) {
                            checked += 1
                            precondition(problems.isEmpty, "\(o.reference): \(problems)")
                        }
                    }
                })
            }
            let label = file.padding(toLength: 24, withPad: " ", startingAt: 0)
            print("  " + label + String(format: " validate %3d built-in objects against %@: median %6.2f ms", checked, version, median(times)))
        }
    }
}
