import Foundation
import YAML

/// Parse and decode throughput of the YAML module on the shared fixtures (CRDs and chart
/// values files): the inputs Helm rendering and validation read most.
/// Fixtures come from `SHARED_DIR`, else `../shared` (the checkout's sibling).
func benchYAML(sharedDirectory: String? = nil) {
    let sharedDirectory = sharedDirectory ?? ProcessInfo.processInfo.environment["SHARED_DIR"] ?? "../shared"
    let fm = FileManager.default
    var texts: [(String, String)] = []
    for sub in ["crds", "charts"] {
        let root = sharedDirectory + "/" + sub
        guard let walker = fm.enumerator(atPath: root) else { continue }
        for case let rel as String in walker where rel.hasSuffix(".yaml") && !rel.contains("templates/") {
            if let text = try? String(contentsOfFile: root + "/" + rel, encoding: .utf8) { texts.append((rel, text)) }
        }
    }
    guard !texts.isEmpty else {
        print("yaml: no fixtures under \(sharedDirectory) (set SHARED_DIR)")
        return
    }
    let bytes = texts.reduce(0) { $0 + $1.1.utf8.count }
    let mb = Double(bytes) / 1_048_576
    func measure(_ name: String, rounds: Int, _ body: () throws -> Void) {
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        for _ in 0..<rounds {
            let start = clock.now
            do { try body() } catch { print("yaml: \(name) failed: \(error)"); return }
            best = min(best, clock.now - start)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        let label = name.padding(toLength: 26, withPad: " ", startingAt: 0)
        print("yaml: " + label + String(format: " %4d files %6.2f MB  best of %d: %8.2f ms  %7.1f MB/s",
                                        texts.count, mb, rounds, seconds * 1000, mb / seconds))
    }
    measure("parse (Node trees)", rounds: 5) {
        for (_, text) in texts { _ = try Parser().parseStream(text) }
    }
    measure("decode .kubernetes", rounds: 5) {
        for (_, text) in texts { _ = try YAMLDecoder(rules: .kubernetes).decodeAll(text) }
    }
    measure("decode .core", rounds: 5) {
        for (_, text) in texts { _ = try YAMLDecoder(rules: .core).decodeAll(text) }
    }
}
