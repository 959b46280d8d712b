import ChartSources
import Foundation
import Helm
import Profiles
import Testing

@Suite struct CacheTests {
    @Test func concurrentWritersLeaveOneCompleteEntry() async throws {
        let dir = TempDir()
        let payloads = (0..<4).map { i in [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* (i + 7)) }) }
        try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<32 {
                group.addTask {
                    // Separate cache values, one directory: as two processes would share it.
                    try ChartCache(root: dir.path).store(payloads[i % 4])
                }
            }
            for try await _ in group {}
        }
        let cache = ChartCache(root: dir.path)
        for p in payloads { #expect(cache.load(digest: Digest.sha256(p)) == p) }
        #expect(cache.allFiles().count == 4)
        #expect(!cache.allFiles().contains { $0.contains(".tmp-") })
    }

    @Test func refusesWrongExpectedDigestAndDropsCorruptEntries() throws {
        let dir = TempDir()
        let cache = ChartCache(root: dir.path)
        #expect(throws: ChartFetchError.self) { try cache.store([1, 2, 3], expectedDigest: Digest.sha256([9])) }
        #expect(cache.allFiles().isEmpty)
        let d = try cache.store([1, 2, 3])
        FileManager.default.createFile(atPath: cache.path(digest: d) ?? "", contents: Data([4, 5]))
        #expect(cache.load(digest: d) == nil)
        #expect(cache.allFiles().isEmpty)
    }

    @Test func defaultRootFollowsXDG() {
        #expect(ChartCache.defaultRoot(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/platform/charts")
        #expect(ChartCache.defaultRoot(environment: ["HOME": "/h"]) == "/h/.cache/platform/charts")
    }
}

@Suite struct LockFileTests {
    static func profile(_ charts: [ChartName: ChartSpec]) -> Profile {
        Profile(metadata: .init(name: "t"), spec: ProfileSpec(charts: charts))
    }

    @Test func roundTripsDeterministically() throws {
        let lock = LockFile(entries: [
            .init(name: "volcano", source: "https://volcano-sh.github.io/helm-charts", version: "1.15.1", digest: Digest.sha256([1])),
            .init(name: "kueue", source: "oci://registry.k8s.io/kueue/charts/kueue", version: "0.19.2", digest: Digest.sha256([2]),
                  manifestDigest: Digest.sha256([3])),
        ])
        let text = lock.yaml()
        #expect(try LockFile.parse(text, location: "l") == lock)
        #expect(text.range(of: "kueue:")!.lowerBound < text.range(of: "volcano:")!.lowerBound)
        #expect(LockFile.path(besideProfile: "dir/p.yaml") == "dir/platform.lock")
    }

    @Test func verifyListsEveryDifference() throws {
        let lock = LockFile(entries: [
            .init(name: "kueue", source: "oci://r/k/kueue", version: "0.19.1", digest: Digest.sha256([1])),
            .init(name: "volcano", source: "https://v", version: "1.15.1", digest: Digest.sha256([2])),
        ])
        let p = Self.profile([.kueue: ChartSpec(source: .oci("oci://r/k/kueue"), version: "0.19.2"),
                              .gpuOperator: ChartSpec(source: .repository("https://n"), version: "v26.7.0")])
        let e = #expect(throws: ChartFetchError.self) { try lock.verify(p, location: "platform.lock") }
        #expect(e?.kind == .lockMismatch)
        let m = e?.message ?? ""
        #expect(m.contains("kueue: profile version 0.19.2, locked 0.19.1"))
        #expect(m.contains("gpu-operator is in the profile but not locked"))
        #expect(m.contains("volcano is locked but no longer in the profile"))
        #expect(m.contains("platform charts lock"))
    }

    @Test func providerServesPinsFromCacheAndRefusesChangedCharts() throws {
        let dir = TempDir(), mirror = TempDir(), cacheDir = TempDir()
        let chartDir = Fixtures.chart(in: dir, name: "demo", version: "1.0.0")
        let packaged = try ChartPackager.package(directory: chartDir)
        let cache = ChartCache(root: cacheDir.path)
        try cache.store(packaged.bytes)
        let request = ChartRequest(name: "demo", version: "1.0.0", source: .repository("https://charts.example"))
        let good = LockFile(entries: [.init(name: "demo", source: "https://charts.example", version: "1.0.0", digest: packaged.digest)])
        let provider = PinnedChartProvider(cache: cache, lock: good, local: LocalChartProvider(mirror: mirror.path))
        #expect(try provider.chart(for: request).name == "demo")

        // Not cached, and the mirror's archive is not the pinned one.
        try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "demo", version: "1.0.0", extra: "changed: true\n"),
                                  destination: mirror.path)
        let bad = LockFile(entries: [.init(name: "demo", source: "https://charts.example", version: "1.0.0",
                                           digest: Digest.sha256([0]))])
        let refusing = PinnedChartProvider(cache: cache, lock: bad, local: LocalChartProvider(mirror: mirror.path))
        let e = #expect(throws: ChartSourceError.self) { try refusing.chart(for: request) }
        #expect(e?.cause.contains("platform.lock pins \(Digest.sha256([0])) (expected), got sha256:") == true)
        #expect(e?.cause.contains("platform charts lock") == true)
        #expect(e?.cause.contains("platform charts pull") == true)

        let stale = PinnedChartProvider(cache: cache, lock: good, local: LocalChartProvider(mirror: mirror.path))
        let e2 = #expect(throws: ChartSourceError.self) {
            try stale.chart(for: ChartRequest(name: "demo", version: "2.0.0", source: .repository("https://charts.example")))
        }
        #expect(e2?.cause.contains("charts lock") == true)
    }

    @Test func pinnedMirrorDirectoryIsCheckedByItsPackagedDigest() throws {
        let dir = TempDir(), mirror = TempDir(), cacheDir = TempDir()
        let packaged = try ChartPackager.package(directory: Fixtures.chart(in: dir, name: "demo", version: "1.0.0"))
        _ = Fixtures.chart(in: mirror, name: "demo-1.0.0", version: "1.0.0")  // directory demo-1.0.0/ (chart name fixed below)
        mirror.file("demo-1.0.0/Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: \"1.0\"\ndescription: test chart\n")
        let request = ChartRequest(name: "demo", version: "1.0.0", source: .repository("https://charts.example"))
        let lock = LockFile(entries: [.init(name: "demo", source: "https://charts.example", version: "1.0.0", digest: packaged.digest)])
        let provider = PinnedChartProvider(cache: ChartCache(root: cacheDir.path), lock: lock, local: LocalChartProvider(mirror: mirror.path))
        // Same files, same reproducible archive: accepted without a cache entry.
        #expect(try provider.archive(for: request) == packaged.bytes)
        #expect(try provider.chart(for: request).name == "demo")
        // One changed file: refused, naming both digests.
        mirror.file("demo-1.0.0/values.yaml", "image: nginx:1.28\n")
        let e = #expect(throws: ChartSourceError.self) { try provider.chart(for: request) }
        #expect(e?.cause.contains("pins \(packaged.digest) (expected), got sha256:") == true)
        // Nothing local at all: the message says to pull.
        let empty = PinnedChartProvider(cache: ChartCache(root: cacheDir.path), lock: lock, local: LocalChartProvider(mirror: nil))
        let e2 = #expect(throws: ChartSourceError.self) { try empty.chart(for: request) }
        #expect(e2?.cause.contains("platform charts pull") == true)
    }

    @Test func forProfileRefusesAStaleLock() throws {
        let dir = TempDir()
        dir.file("p.yaml", "")
        let lock = LockFile(entries: [.init(name: "kueue", source: "oci://r/k/kueue", version: "0.19.1", digest: Digest.sha256([1]))])
        try lock.write(to: dir.path + "/platform.lock")
        let p = Self.profile([.kueue: ChartSpec(source: .oci("oci://r/k/kueue"), version: "0.19.2")])
        let e = #expect(throws: ChartFetchError.self) {
            try PinnedChartProvider.forProfile(p, path: dir.path + "/p.yaml", mirror: nil, cache: nil)
        }
        #expect(e?.kind == .lockMismatch)
        #expect(e?.location == dir.path + "/platform.lock")
        // No lock file: no verification.
        try FileManager.default.removeItem(atPath: dir.path + "/platform.lock")
        #expect(try PinnedChartProvider.forProfile(p, path: dir.path + "/p.yaml", mirror: nil, cache: nil).lock == nil)
    }

    @Test func aLockedLocalChartIsCheckedAsItIsNowNotAsCached() async throws {
        let dir = TempDir(), cacheDir = TempDir()
        let chartDir = Fixtures.chart(in: dir, name: "kueue", version: "1.0.0")
        let profile = Self.profile([.kueue: ChartSpec(source: .path(chartDir), version: "1.0.0")])
        let cache = ChartCache(root: cacheDir.path)
        let lock = try await ChartFetcher(cache: cache, transport: OfflineTransport()).lock(profile)
        #expect(lock.entries["kueue"]?.digest == (try ChartPackager.package(directory: chartDir)).digest)
        let request = ChartRequest(name: "kueue", version: "1.0.0", source: .path(chartDir))
        let provider = PinnedChartProvider(cache: cache, lock: lock, local: LocalChartProvider(mirror: nil))
        #expect(try provider.chart(for: request).name == "kueue")
        dir.file("kueue/templates/extra.yaml", "kind: ConfigMap\n")
        let e = #expect(throws: ChartSourceError.self) { try provider.chart(for: request) }
        #expect(e?.cause.contains("platform charts lock") == true)
        #expect(e?.cause.contains("charts pull") == false)  // pulling cannot help a local chart
        // charts pull with the lock re-reads the directory too.
        let pull = await #expect(throws: ChartFetchError.self) {
            try await ChartFetcher(cache: cache, transport: OfflineTransport()).pull(profile, lock: lock)
        }
        #expect(pull?.kind == .lockMismatch)
    }
}
