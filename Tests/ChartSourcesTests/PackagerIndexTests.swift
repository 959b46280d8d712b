import ChartSources
import Foundation
import Helm
import Testing

@Suite struct PackagerTests {
    @Test func packsUnderNameHonouringHelmignoreReproducibly() throws {
        let dir = TempDir()
        let path = Fixtures.chart(in: dir, name: "demo", version: "1.2.3")
        let a = try ChartPackager.package(directory: path)
        let b = try ChartPackager.package(directory: path)
        #expect(a.bytes == b.bytes)
        #expect(a.fileName == "demo-1.2.3.tgz")
        let files = try ChartArchiveReader().files(in: a.bytes).map(\.name)
        #expect(files.first == "Chart.yaml")
        #expect(files.contains("templates/deploy.yaml"))
        #expect(!files.contains("notes.bak"))
        #expect(!files.contains { $0.hasPrefix("secret/") })
        let chart = try Chart.load(archive: a.bytes)
        #expect(chart.name == "demo" && chart.metadata.version == "1.2.3")
    }

    @Test func writesDestinationAndPacksUpstreamCharts() throws {
        let out = TempDir()
        let (chart, path) = try ChartPackager.package(directory: Fixtures.shared + "/charts/kueue-0.19.2", destination: out.path)
        #expect(path == out.path + "/kueue-0.19.2.tgz")
        #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == chart.bytes)
        #expect(try Chart.load(path: path).templates.count == (try Chart.load(path: Fixtures.shared + "/charts/kueue-0.19.2")).templates.count)
    }

    @Test func refusesADirectoryWithoutChartYAML() {
        let dir = TempDir()
        dir.file("x/values.yaml", "a: 1\n")
        #expect(throws: ChartFetchError.self) { try ChartPackager.package(directory: dir.path + "/x") }
    }
}

@Suite struct RepositoryIndexTests {
    @Test func buildsAndParsesIndex() throws {
        let dir = TempDir(), repo = TempDir()
        for v in ["1.0.0", "1.10.0", "1.2.0"] {
            try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "demo", version: v), destination: repo.path)
        }
        let index = try RepositoryIndex.build(directory: repo.path)
        #expect(index.entries["demo"]?.map(\.version) == ["1.10.0", "1.2.0", "1.0.0"])
        let parsed = try RepositoryIndex.parse(index.yaml(), location: "index.yaml")
        #expect(parsed == index)
        let e = try parsed.entry(name: "demo", version: "v1.2.0", location: "repo")
        #expect(e.urls == ["demo-1.2.0.tgz"])
        #expect(e.digest.count == 64)
    }

    @Test func missingVersionAndChartAreClear() throws {
        let index = try RepositoryIndex.parse("apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    urls: [a.tgz]\n", location: "i")
        let e1 = #expect(throws: ChartFetchError.self) { try index.entry(name: "demo", version: "2.0.0", location: "repo") }
        #expect(e1?.kind == .missingVersion)
        #expect(e1?.message.contains("no version 2.0.0") == true)
        let e2 = #expect(throws: ChartFetchError.self) { try index.entry(name: "other", version: "1.0.0", location: "repo") }
        #expect(e2?.message.contains("no chart named other") == true)
        #expect(throws: ChartFetchError.self) { try RepositoryIndex.parse("- not a mapping\n", location: "i") }
    }

    @Test func parsesALargeIndex() throws {
        // 20,000 entries (400 charts x 50 versions), as large public repositories have;
        // its parse time is in `platform-bench charts`, not asserted here.
        var text = "apiVersion: v1\nentries:\n"
        for c in 0..<400 {
            text += "  chart\(c):\n"
            for v in 0..<50 {
                text += "  - apiVersion: v2\n    name: chart\(c)\n    version: 1.\(v).0\n    digest: \(String(repeating: "a", count: 64))\n"
                text += "    annotations: {category: x}\n    maintainers: [{name: m}]\n"
                text += "    urls:\n    - https://example.com/charts/chart\(c)-1.\(v).0.tgz\n"
            }
        }
        let index = try RepositoryIndex.parse(text, location: "big")
        #expect(index.entries.count == 400)
        #expect(index.entries.values.reduce(0) { $0 + $1.count } == 20_000)
        #expect(try index.entry(name: "chart399", version: "1.49.0", location: "big").urls.first == "https://example.com/charts/chart399-1.49.0.tgz")
        let one = try RepositoryIndex.parse(text, location: "big", chart: "chart7")
        #expect(one.entries.keys.sorted() == ["chart7"] && one.entries["chart7"]?.count == 50)
    }

    @Test func eventReaderMatchesTheTreeDecoder() throws {
        let text = """
            apiVersion: v1
            entries:
              alpha:
              - annotations: { category: x, nested: [1, 2, {a: b}] }
                apiVersion: v2
                appVersion: "1.0"
                created: "2025-01-01T00:00:00Z"
                dependencies:
                - name: common
                  version: 2.x.x
                description: Alpha
                digest: \(String(repeating: "ab", count: 32))
                name: alpha
                urls:
                - alpha-2.0.0.tgz
                - https://mirror.example/alpha-2.0.0.tgz
                version: 2.0.0
              - name: alpha
                version: 1.0.0
                urls: [alpha-1.0.0.tgz]
                digest:
              beta:
              - {name: beta, version: "0.1.0", urls: ["b.tgz"], digest: null}
              empty: []
            generated: "2025-09-01T00:00:00Z"
            serverInfo: {contextPath: /x}

            """
        let fast = try RepositoryIndex.parse(text, location: "i")
        #expect(fast == (try RepositoryIndex.parseTree(text, location: "i")))
        #expect(fast.entries["alpha"]?.map(\.version) == ["2.0.0", "1.0.0"])
        #expect(fast.entries["alpha"]?.first?.urls.count == 2)
        #expect(fast.entries["beta"]?.first?.digest == "")
        #expect(fast.generated == "2025-09-01T00:00:00Z")
        // Only one chart's entries when asked.
        #expect(try RepositoryIndex.parse(text, location: "i", chart: "beta").entries.keys.sorted() == ["beta"])
    }

    @Test func eventReaderKeepsVersionTextAndFallsBackForAliases() throws {
        // Helm reads versions into strings: 1.10 stays "1.10", not the float 1.1.
        let plain = try RepositoryIndex.parse("entries:\n  a:\n  - {name: a, version: 1.10, urls: [a.tgz]}\n", location: "i")
        #expect(plain.entries["a"]?.first?.version == "1.10")
        let aliased = try RepositoryIndex.parse("entries:\n  a:\n  - &e {name: a, version: 1.0.0, urls: [a.tgz]}\n  b:\n  - *e\n", location: "i")
        #expect(aliased.entries["b"]?.first?.version == "1.0.0")
        let e = #expect(throws: ChartFetchError.self) { try RepositoryIndex.parse("entries: [\n", location: "i") }
        #expect(e?.kind == .invalidIndex)
        #expect(throws: ChartFetchError.self) { try RepositoryIndex.parse("entries: [1, 2]\n", location: "i") }
        #expect(try RepositoryIndex.parse("apiVersion: v1\nentries: null\n", location: "i").entries.isEmpty)
    }
}
