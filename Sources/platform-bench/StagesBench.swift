import ChartSources
import Foundation
import Profiles
import Stages

/// Stages section: each example profile end to end, the path `platform render --out` takes:
/// read + load the profile (and platform.lock), load charts (cache or mirror), compile, render every release and
/// Manifests/, validate, serialize the kustomize tree (YAML emitted), write it into a fresh
/// directory. Prints the median end-to-end time and the median of each phase; chart, template
/// and parse times are summed over the render's parallel jobs (so they can exceed "render",
/// its wall time). "warm" reuses loaded charts (long-running callers); "cli" runs the release
/// binary as a process (start-up included) when `.build/release/platform` exists.
enum StagesBench {
    /// User + system CPU time of the process so far (all threads).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    static func run(iterations: Int = 10, only filter: String? = nil) {
        guard let shared = HelmBench.sharedDirectory() else {
            print("stages: shared/ not found (set SHARED_DIR); skipped")
            return
        }
        let root = FileManager.default.currentDirectoryPath
        let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Profiles")) ?? [])
            .filter { $0.hasSuffix(".yaml") && (filter.map($0.contains) ?? true) }.sorted()
        guard !profiles.isEmpty else {
            print("stages: run from the repository root (Profiles/ not found); skipped")
            return
        }
        let mirror = LocalChartProvider(mirror: shared + "/charts")
        let warmCharts = CachingChartProvider(mirror)
        let binary = root + "/.build/release/platform"
        let hasBinary = FileManager.default.isExecutableFile(atPath: binary)
        // Trees go under .build/, not /tmp: on the shared build machine /tmp's ext4 block group is
        // full of recently deleted inodes, and ext4 without a journal scans past each of them on
        // every file create (0.5 ms per file there, 0.04 ms here; docs/stages.md "Performance").
        // PLATFORM_BENCH_OUT_DIR (e.g. /dev/shm) separates the file system's cost from ours.
        let outBase = ProcessInfo.processInfo.environment["PLATFORM_BENCH_OUT_DIR"] ?? root + "/.build"
        let scratch = outBase + "/platform-bench-stages-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        print("stages: render each example profile \(iterations)x end to end (release build recommended); medians in ms")
        print("  profile                     e2e    cpu |  profile   charts templates    parse assemble validate | render serialize    write |   warm    cli |    out")
        for file in profiles {
            let path = root + "/Profiles/" + file
            var phases: [String: [Double]] = [:]
            var bytes = 0
            var failure: String?
            func record(_ key: String, _ seconds: Double) { phases[key, default: []].append(seconds * 1000) }
            func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
            for i in 0..<iterations {
                let out = scratch + "/\(i)"
                do {
                    // Cold: what one `platform render PROFILE --out DIR --format kustomize` does.
                    let cpuStart = cpuSeconds()
                    let start = ContinuousClock.now
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    let profile = try ProfileLoader.load(text, file: path).profile
                    // The CLI's provider: platform.lock pins from the chart cache, else local paths/mirror.
                    let charts = try PinnedChartProvider.forProfile(profile, path: path, mirror: shared + "/charts")
                    let loaded = ContinuousClock.now
                    var timings = RenderTimings()
                    let render = try StageRenderer(charts: charts).render(profile, timings: &timings)
                    let rendered = ContinuousClock.now
                    let options = GitOpsOptions(format: .kustomize)
                    let files = GitOpsLayout.files(render, options: options)
                    let serialized = ContinuousClock.now
                    _ = try GitOpsWriter().write(render, files: files, options: options, to: out)
                    let written = ContinuousClock.now
                    record("e2e", seconds(start.duration(to: written)))
                    record("profile", seconds(start.duration(to: loaded)))
                    record("charts", seconds(timings.charts))
                    record("templates", seconds(timings.templates))
                    record("parse", seconds(timings.parse))
                    record("assemble", seconds(timings.assemble))
                    record("validate", seconds(timings.validate))
                    record("render", seconds(loaded.duration(to: rendered)))
                    record("serialize", seconds(rendered.duration(to: serialized)))
                    record("write", seconds(serialized.duration(to: written)))
                    record("cpu", cpuSeconds() - cpuStart)
                    bytes = files.reduce(0) { $0 + $1.content.utf8.count }

                    let warmStart = ContinuousClock.now
                    let warmRender = try StageRenderer(charts: warmCharts).render(profile)
                    _ = GitOpsLayout.files(warmRender, options: options)
                    record("warm", seconds(warmStart.duration(to: .now)))
                } catch {
                    failure = String(describing: error).split(separator: "\n").first.map(String.init)
                }
                if hasBinary {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: binary)
                    process.arguments = ["render", path, "--out", out + "-cli", "--format", "kustomize", "--quiet",
                                         "--chart-mirror", shared + "/charts"]
                    let start = ContinuousClock.now
                    do {
                        try process.run()
                        process.waitUntilExit()
                        if process.terminationStatus != 0 { failure = "platform render exited \(process.terminationStatus)" }
                    } catch { failure = "cannot run \(binary): \(error)" }
                    record("cli", seconds(start.duration(to: .now)))
                }
            }
            // Removed only now: ext4 scans past recently deleted inodes when creating files, so
            // deleting each tree before the next write would slow the writes measured.
            try? FileManager.default.removeItem(atPath: scratch)
            func median(_ key: String, _ width: Int) -> String {
                guard var v = phases[key], !v.isEmpty else { return String(repeating: " ", count: width - 1) + "-" }
                v.sort()
                return String(format: "%\(width).1f", v[v.count / 2])
            }
            let label = file.padding(toLength: 24, withPad: " ", startingAt: 0)
            var line = "  \(label)" + median("e2e", 6) + median("cpu", 7) + " | " + median("profile", 8) + median("charts", 9) + median("templates", 10)
            line += median("parse", 9) + median("assemble", 9) + median("validate", 9) + " | " + median("render", 6)
            line += median("serialize", 10) + median("write", 9) + " | " + median("warm", 6) + median("cli", 7) + " | "
            line += String(format: "%4.0f KB", Double(bytes) / 1024) + (failure.map { " (fails: \($0.prefix(80)))" } ?? "")
            print(line)
        }
    }
}
