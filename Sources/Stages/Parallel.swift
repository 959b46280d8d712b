import Dispatch

/// Runs independent pure work on all cores; results come back in input order, so output
/// never depends on scheduling.
enum Parallel {
    static func map<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (T) -> R) -> [R] {
        if items.count < 2 { return items.map(body) }
        var slots = [R?](repeating: nil, count: items.count)
        slots.withUnsafeMutableBufferPointer { buffer in
            // Each index is written by exactly one iteration, and read only after all finished.
            nonisolated(unsafe) let base = buffer
            DispatchQueue.concurrentPerform(iterations: items.count) { i in base[i] = body(items[i]) }
        }
        return slots.compactMap { $0 }
    }
}
