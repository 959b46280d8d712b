@testable import ChartSources
import Foundation
import Helm
import Profiles
import Testing
import YAML

/// A small bundle with one real (packaged) chart.
private struct Sample {
    let dir = TempDir()
    let packaged: PackagedChart
    let contents: BundleContents

    init() throws {
        packaged = try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "gpu-operator", version: "1.0.0"))
        let lock = LockFile(entries: [.init(name: "gpu-operator", source: "https://charts.example", version: "1.0.0", digest: packaged.digest)])
        contents = BundleContents(profileName: "p", profile: Array(Self.profile.utf8), lock: lock,
                                  charts: ["gpu-operator": .init(version: "1.0.0", bytes: packaged.bytes)],
                                  rendered: ["10-gpu/28-deployment_x.yaml": Array("kind: Deployment\n".utf8), ".platform-render": Array("{}\n".utf8)],
                                  images: ["nginx:1.27", "registry.k8s.io/pause:3.10"])
    }

    static let profile = """
        apiVersion: platform.gpu/v1alpha1
        kind: Profile
        metadata: { name: p }
        spec:
          charts:
            gpu-operator: { source: https://charts.example, version: 1.0.0 }

        """

    func archive() throws -> [UInt8] { try BundleWriter.archive(contents, tool: "platform test") }

    /// The bundle's entries with `change` applied, re-packed (bundle.json kept unless changed too).
    func repacked(_ change: (inout [(String, [UInt8])]) -> Void) throws -> [UInt8] {
        let files = try BundleArchive.entries(try archive(), location: "t")
        var entries = files.keys.sorted().map { ($0, files[$0] ?? []) }
        change(&entries)
        return try TarWriter.write(entries: entries, location: "t").get()
    }
}

private func refusal(_ bytes: [UInt8], limits: BundleLimits = BundleLimits()) -> BundleError? {
    do {
        _ = try BundleReader(bytes: bytes, location: "b.tar.gz", limits: limits)
        return nil
    } catch { return error }
}

@Suite struct BundleTests {
    @Test func writesReproduciblyWithManifestFirstAndFixedMetadata() throws {
        let s = try Sample()
        let a = try s.archive(), b = try s.archive()
        #expect(a == b)
        let entries = try BundleArchive.entries(a, location: "b")
        let manifest = try BundleManifest.decode(entries[BundleLayout.manifest] ?? [], location: "b")
        #expect(manifest.tool == "platform test" && manifest.profile == "p" && manifest.format == 1)
        #expect(Set(manifest.files.keys) == Set(entries.keys).subtracting([BundleLayout.manifest]))
        #expect(Set(entries.keys) == ["bundle.json", "profile.yaml", "platform.lock", "images.txt", "charts/gpu-operator-1.0.0.tgz",
                                     "render/10-gpu/28-deployment_x.yaml", "render/.platform-render"])
        #expect(manifest.files["charts/gpu-operator-1.0.0.tgz"] == s.packaged.digest)
        #expect(entries["images.txt"] == Array("nginx:1.27\nregistry.k8s.io/pause:3.10\n".utf8))
        // A different input gives different bytes (the writer does not ignore content).
        var other = s.contents
        other.images.append("busybox:1.36")
        #expect(try BundleWriter.archive(other, tool: "platform test") != a)
    }

    @Test func writesAtomically() throws {
        let s = try Sample()
        let path = s.dir.path + "/out/b.tar.gz"
        let digest = try BundleWriter.write(s.contents, tool: "platform test", to: path)
        #expect(digest == Digest.sha256(try s.archive()))
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.dir.path + "/out") == ["b.tar.gz"])
    }

    @Test func readsBackAndServesChartsOffline() throws {
        let s = try Sample()
        let reader = try BundleReader(bytes: try s.archive(), location: "b.tar.gz")
        #expect(reader.lock == s.contents.lock)
        #expect(reader.profileText == Sample.profile)
        #expect(reader.images == ["nginx:1.27", "registry.k8s.io/pause:3.10"])
        #expect(reader.rendered["10-gpu/28-deployment_x.yaml"] == Array("kind: Deployment\n".utf8))
        #expect(reader.archive(name: "gpu-operator") == s.packaged.bytes)
        let profile = try ProfileLoader.load(Sample.profile, file: "b.tar.gz:profile.yaml").profile
        try reader.verify(profile)
        let request = ChartRequest(name: "gpu-operator", version: "1.0.0", source: .repository("https://charts.example"))
        #expect(try reader.chart(for: request).name == "gpu-operator")
        for wrong in [ChartRequest(name: "other", version: "1.0.0", source: .repository("https://charts.example")),
                      ChartRequest(name: "gpu-operator", version: "2.0.0", source: .repository("https://charts.example")),
                      ChartRequest(name: "gpu-operator", version: "1.0.0", source: .repository("https://elsewhere.example"))] {
            #expect(throws: ChartSourceError.self) { try reader.chart(for: wrong) }
        }
    }

    @Test func refusesALockThatDoesNotMatchTheProfile() throws {
        let s = try Sample()
        let reader = try BundleReader(bytes: try s.archive(), location: "b.tar.gz")
        let changed = try ProfileLoader.load(Sample.profile.replacingOccurrences(of: "1.0.0", with: "1.0.1"), file: "x").profile
        let e = #expect(throws: BundleError.self) { try reader.verify(changed) }
        #expect(e?.kind == .lockMismatch && e?.message.contains("profile version 1.0.1, locked 1.0.0") == true)
        let renamed = try ProfileLoader.load(Sample.profile.replacingOccurrences(of: "name: p }", with: "name: q }"), file: "x").profile
        #expect(throws: BundleError.self) { try reader.verify(renamed) }
    }

    @Test func refusesChangedMissingAndExtraEntries() throws {
        let s = try Sample()
        // Chart bytes changed, bundle.json left alone.
        let changed = try s.repacked { e in
            if let i = e.firstIndex(where: { $0.0.hasPrefix("charts/") }) { e[i].1[e[i].1.count - 5] ^= 0xFF }
        }
        let c = refusal(changed)
        #expect(c?.kind == .digestMismatch && c?.location == "b.tar.gz:charts/gpu-operator-1.0.0.tgz")
        #expect(c?.message.contains("bundle.json records") == true)
        let missing = refusal(try s.repacked { e in e.removeAll { $0.0 == "images.txt" } })
        #expect(missing?.kind == .contentMismatch && missing?.location == "b.tar.gz:images.txt")
        let extra = refusal(try s.repacked { e in e.append(("render/evil.yaml", Array("kind: Pod\n".utf8))) })
        #expect(extra?.kind == .contentMismatch && extra?.location == "b.tar.gz:render/evil.yaml")
        let noManifest = refusal(try s.repacked { e in e.removeAll { $0.0 == "bundle.json" } })
        #expect(noManifest?.kind == .notABundle)
    }

    @Test func refusesAChartThatDiffersFromTheLockEvenWithAMatchingManifest() throws {
        let s = try Sample()
        let other = try ChartPackager.package(directory: Fixtures.chart(in: s.dir, name: "gpu-operator", version: "1.0.0", extra: "x: 1\n"))
        var contents = s.contents
        contents.charts["gpu-operator"] = .init(version: "1.0.0", bytes: other.bytes) // the lock still pins the original
        let e = refusal(try BundleWriter.archive(contents, tool: "t"))
        #expect(e?.kind == .digestMismatch && e?.message.contains("platform.lock pins \(s.packaged.digest)") == true)
        // A pinned chart that is absent, and an unpinned one that is present.
        contents = s.contents
        contents.charts = [:]
        #expect(refusal(try BundleWriter.archive(contents, tool: "t"))?.kind == .lockMismatch)
        contents = s.contents
        contents.charts["stray"] = .init(version: "0.1.0", bytes: other.bytes)
        #expect(refusal(try BundleWriter.archive(contents, tool: "t"))?.location == "b.tar.gz:charts/stray-0.1.0.tgz")
    }

    @Test(arguments: [
        ("..", "evil"), ("", "etc/passwd"), ("a/../..", "x"), ("a", "./b"), ("a", "b\\..\\c"),
    ])
    func refusesUnsafePaths(top: String, name: String) throws {
        let bytes = try ChartArchiveWriter.pack(files: [ChartFile(name: name, data: [1])], topDirectory: top)
        let e = refusal(bytes)
        #expect(e?.kind == .unsafeEntry, "\(top)/\(name): \(String(describing: e))")
    }

    @Test func refusesLinksAndDuplicates() throws {
        let link = try ChartArchiveWriter.pack(files: [ChartFile(name: "a", data: [1])], topDirectory: "render", symlinks: [("l", "a")])
        let e = refusal(link)
        #expect(e?.kind == .unsafeEntry && e?.message.contains("links") == true)
        let twice = try TarWriter.write(entries: [("images.txt", [1]), ("images.txt", [2])], location: "t").get()
        #expect(refusal(twice)?.kind == .unsafeEntry)
    }

    @Test func stopsASizeBombAtTheLimit() throws {
        let zeros = [UInt8](repeating: 0, count: 8 << 20)
        let bomb = try TarWriter.write(entries: [("images.txt", zeros)], location: "t").get()
        #expect(bomb.count < 64 * 1024) // it really is a bomb: tiny compressed, large expanded
        let e = refusal(bomb, limits: BundleLimits(maxFileSize: 1 << 20, maxTotalSize: 4 << 20))
        #expect(e?.kind == .tooLarge)
        let many = try TarWriter.write(entries: (0..<20).map { ("f\($0)", [0]) }, location: "t").get()
        #expect(refusal(many, limits: BundleLimits(maxEntries: 10))?.kind == .tooLarge)
        #expect(refusal(Array("not a bundle".utf8))?.kind == .notABundle)
    }
}
