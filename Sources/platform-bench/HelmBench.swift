import Foundation
import Helm
import YAML

/// Helm section: renders each pinned chart N times (load + values + dependencies + schema
/// + templates + sorting), printing the median per chart and the process's peak RSS.
enum HelmBench {
    static func run(iterations: Int = 20) {
        guard let shared = sharedDirectory() else {
            print("helm: shared/ not found (set SHARED_DIR); skipped")
            return
        }
        let chartsDir = shared + "/charts"
        let charts = ((try? FileManager.default.contentsOfDirectory(atPath: chartsDir)) ?? []).sorted()
        print("helm: render each chart \(iterations)x (release build recommended)")
        for name in charts {
            let path = chartsDir + "/" + name
            var options = RenderOptions(releaseName: "bench", namespace: "bench-ns")
            options.capabilities.kubeVersion = Capabilities.KubeVersion(parsing: "v1.34.0")!
            // Values of a golden case that renders this chart successfully (some defaults refuse).
            var values = YAMLMapping()
            if let text = goldenValues(shared: shared, chart: "charts/" + name),
               case .mapping(let m)? = try? YAMLDecoder(rules: .kubernetes).decode(text) {
                values = m
            }
            var times: [Double] = []
            var failure: String?
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                do {
                    let chart = try Chart.load(path: path)
                    let result = try Renderer.render(chart: chart, values: values, options: options)
                    _ = result.helmTemplateOutput(options: options)
                } catch {
                    failure = String(describing: error).split(separator: "\n").first.map(String.init)
                }
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            times.sort()
            let median = times[times.count / 2]
            let note = failure.map { " (fails: \($0.prefix(80)))" } ?? ""
            let label = name.padding(toLength: 32, withPad: " ", startingAt: 0)
            let templates = templateCount(path)
            print("  " + label + String(format: " median %8.2f ms  min %8.2f ms  %4d templates  %7.0f templates/s",
                                        median, times[0], templates, Double(templates) / (median / 1000)) + note)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print(String(format: "helm: peak RSS %.1f MB", Double(usage.ru_maxrss) / 1024))
    }

    /// Template files a render executes (partials included: they are parsed and their
    /// defines run; NOTES.txt excluded), over the chart and its subcharts.
    static func templateCount(_ chartPath: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: chartPath) else { return 0 }
        var n = 0
        for case let file as String in walker where file.contains("templates/") && !file.hasSuffix("NOTES.txt") {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: chartPath + "/" + file, isDirectory: &isDir), !isDir.boolValue { n += 1 }
        }
        return n
    }

    /// The values file of the first `ok` golden case with values for `chart`.
    static func goldenValues(shared: String, chart: String) -> String? {
        let root = shared + "/golden/charts"
        for c in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            let dir = root + "/" + c
            guard let data = FileManager.default.contents(atPath: dir + "/case.json"),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  json["chart"] as? String == chart, json["expect"] as? String == "ok",
                  let file = json["values"] as? String else { continue }
            return try? String(contentsOfFile: dir + "/" + file, encoding: .utf8)
        }
        return nil
    }

    static func sharedDirectory() -> String? {
        if let env = ProcessInfo.processInfo.environment["SHARED_DIR"], !env.isEmpty { return env }
        var dir = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/charts").path
            if FileManager.default.fileExists(atPath: candidate) { return dir.appendingPathComponent("shared").path }
            dir.deleteLastPathComponent()
        }
        return nil
    }
}
