import ChartSources
import Foundation
import KubeClient
import Profiles

/// Chart sources section (docs/charts.md): `index.yaml` parse time for a generated
/// 20,000-entry repository index, and a profile's charts pulled from a loopback Helm
/// repository with an empty cache (miss: download, verify, store) and again with a lock
/// (hit: no network), plus the render-side load of the pinned charts from the cache.
enum ChartsBench {
    static func run(iterations: Int = 5) async {
        indexParse(iterations: iterations)
        await cache(iterations: iterations)
    }

    /// Index text shaped like a large public repository: `charts` charts × `versions` versions.
    static func generatedIndex(charts: Int, versions: Int) -> String {
        var text = "apiVersion: v1\nentries:\n"
        text.reserveCapacity(charts * versions * 520)
        let digest = String(repeating: "0123456789abcdef", count: 4)
        for c in 0..<charts {
            text += "  chart-\(c):\n"
            for v in 0..<versions {
                text += """
                  - annotations:
                      category: Infrastructure
                    apiVersion: v2
                    appVersion: \(v / 10).\(v % 10).0
                    created: "2025-0\(1 + v % 9)-1\(v % 10)T12:34:56.789012345Z"
                    dependencies:
                    - name: common
                      repository: oci://registry.example.com/charts
                      version: 2.x.x
                    description: Chart number \(c), a fairly long description like the ones repositories carry.
                    digest: \(digest)
                    home: https://example.com/chart-\(c)
                    keywords: [gpu, platform, example]
                    maintainers:
                    - name: Someone
                      url: https://example.com
                    name: chart-\(c)
                    urls:
                    - https://charts.example.com/chart-\(c)-1.\(v).0.tgz
                    version: 1.\(v).0

                """
            }
        }
        text += "generated: \"2025-09-01T00:00:00Z\"\n"
        return text
    }

    static func indexParse(iterations: Int) {
        let charts = 400, versions = 50
        let text = generatedIndex(charts: charts, versions: versions)
        var times: [Double] = []
        var entries = 0
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            do {
                let index = try RepositoryIndex.parse(text, location: "generated")
                entries = index.entries.values.reduce(0) { $0 + $1.count }
                _ = try index.entry(name: "chart-399", version: "1.49.0", location: "generated")
            } catch {
                print("charts: index parse failed: \(error)")
                return
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        // The general tree decoder, once, for comparison.
        let treeStart = DispatchTime.now().uptimeNanoseconds
        _ = try? RepositoryIndex.parseTree(text, location: "generated")
        let tree = Double(DispatchTime.now().uptimeNanoseconds - treeStart) / 1e6
        let mb = Double(text.utf8.count) / 1_048_576
        print(String(format: "charts: index.yaml parse, %d entries (%.1f MB): median %.0f ms, min %.0f ms (%.0f entries/s); tree decoder %.0f ms",
                     entries, mb, times[times.count / 2], times[0], Double(entries) / (times[times.count / 2] / 1000), tree))
    }

    static func cache(iterations: Int) async {
        guard let shared = HelmBench.sharedDirectory() else {
            print("charts: shared/ not found (set SHARED_DIR); cache timings skipped")
            return
        }
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("platform-bench-charts-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: work) }
        let repo = work + "/repo"
        let chartNames = ["gpu-operator-v26.7.0", "kueue-0.19.2", "volcano-1.15.1"]
        do {
            try fm.createDirectory(atPath: repo, withIntermediateDirectories: true)
            for name in chartNames {
                // The GPU Operator's source tree says v1.0.0-devel; published archives carry the
                // release version, so stage a copy with the version the mirror directory names.
                let staged = work + "/src/" + name
                try fm.createDirectory(atPath: work + "/src", withIntermediateDirectories: true)
                try fm.copyItem(atPath: shared + "/charts/" + name, toPath: staged)
                let chartYAML = staged + "/Chart.yaml"
                let version = String(name.split(separator: "-").last ?? "")
                let text = try String(contentsOfFile: chartYAML, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix("version:") ? "version: \(version)" : String($0) }.joined(separator: "\n")
                try fm.removeItem(atPath: chartYAML)
                try Data(text.utf8).write(to: URL(fileURLWithPath: chartYAML))
                try ChartPackager.package(directory: staged, destination: repo)
            }
            let index = try RepositoryIndex.build(directory: repo)
            try Data(index.yaml().utf8).write(to: URL(fileURLWithPath: repo + "/index.yaml"))
        } catch {
            print("charts: cannot build the bench repository: \(error)")
            return
        }
        // python3's http.server on loopback (what the tests use too).
        let server = Process()
        let out = Pipe()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", "-c", """
            import http.server, signal, socketserver, sys, functools
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())
            class H(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *a): pass
            s = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(H, directory=sys.argv[1]))
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """, repo]
        server.standardOutput = out
        server.standardError = FileHandle.nullDevice
        do { try server.run() } catch {
            print("charts: python3 not available; cache timings skipped")
            return
        }
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = String(decoding: line, as: UTF8.self).split(separator: "\n").first.flatMap({ Int($0) }) else {
            print("charts: the bench repository did not start; cache timings skipped")
            return
        }
        let url = "http://127.0.0.1:\(port)"
        let profile = Profile(metadata: .init(name: "bench"), spec: ProfileSpec(charts: [
            .gpuOperator: ChartSpec(source: .repository(url), version: "v26.7.0"),
            .kueue: ChartSpec(source: .repository(url), version: "0.19.2"),
            .volcano: ChartSpec(source: .repository(url), version: "1.15.1"),
        ]))
        let transport = CurlTransport(defaultTimeout: .seconds(60))
        var miss: [Double] = [], hit: [Double] = [], load: [Double] = []
        var totalBytes = 0
        for i in 0..<iterations {
            let cache = ChartCache(root: work + "/cache-\(i)")
            let fetcher = ChartFetcher(cache: cache, transport: transport)
            do {
                var start = DispatchTime.now().uptimeNanoseconds
                let lock = LockFile(entries: try await fetcher.pull(profile))
                miss.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                start = DispatchTime.now().uptimeNanoseconds
                _ = try await fetcher.pull(profile, lock: lock)
                hit.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                let provider = PinnedChartProvider(cache: cache, lock: lock, local: LocalChartProvider(mirror: nil))
                start = DispatchTime.now().uptimeNanoseconds
                totalBytes = 0
                for (name, spec) in profile.spec.charts {
                    let request = ChartRequest(name: name.rawValue, version: spec.version, source: spec.source)
                    totalBytes += try provider.archive(for: request).count
                    _ = try provider.chart(for: request)
                }
                load.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            } catch {
                print("charts: cache bench failed: \(error)")
                return
            }
        }
        miss.sort(); hit.sort(); load.sort()
        print(String(format: "charts: profile with 3 repository charts (%.0f KB of archives) over loopback HTTP:", Double(totalBytes) / 1024))
        print(String(format: "  charts pull, empty cache (miss: index + download + verify + store)  median %8.2f ms", miss[miss.count / 2]))
        print(String(format: "  charts pull with platform.lock, cached (hit: no network)           median %8.2f ms", hit[hit.count / 2]))
        print(String(format: "  render-side load of the pinned charts from the cache (verify+load) median %8.2f ms", load[load.count / 2]))
    }
}
