/// Unified diff of two texts (Myers' O(ND) algorithm), as `diff -u` prints it.
public enum LineDiff {
    enum Edit: Equatable { case same(String), removed(String), added(String) }

    public static func unified(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        let edits = diff(a, b)
        guard edits.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        // Group edits into hunks with `context` lines around each change.
        var i = 0
        var oldLine = 1, newLine = 1
        var positions: [(Int, Int)] = []
        for e in edits {
            positions.append((oldLine, newLine))
            switch e {
            case .same: oldLine += 1; newLine += 1
            case .removed: oldLine += 1
            case .added: newLine += 1
            }
        }
        while i < edits.count {
            guard let start = edits[i...].firstIndex(where: { if case .same = $0 { return false } else { return true } }) else { break }
            var end = start
            var j = start
            while j < edits.count {
                if case .same = edits[j] {
                    // End the hunk when the run of unchanged lines is longer than twice the context.
                    var run = j
                    while run < edits.count, case .same = edits[run] { run += 1 }
                    if run == edits.count || run - j > 2 * context { break }
                    j = run
                } else {
                    end = j
                    j += 1
                }
            }
            let from = max(0, start - context), to = min(edits.count - 1, end + context)
            let slice = edits[from...to]
            let oldCount = slice.count { if case .added = $0 { return false } else { return true } }
            let newCount = slice.count { if case .removed = $0 { return false } else { return true } }
            let (os, ns) = positions[from]
            out += "@@ -\(oldCount == 0 ? os - 1 : os),\(oldCount) +\(newCount == 0 ? ns - 1 : ns),\(newCount) @@\n"
            for e in slice {
                switch e {
                case .same(let l): out += " " + l + "\n"
                case .removed(let l): out += "-" + l + "\n"
                case .added(let l): out += "+" + l + "\n"
                }
            }
            i = to + 1
        }
        return out
    }

    static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    static func diff(_ a: [String], _ b: [String]) -> [Edit] {
        // Common prefix and suffix are cheap; Myers' trace is O(D·(N+M)) memory, so only the
        // differing middle goes through it (a created CRD is 10k lines against nothing).
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let midA = Array(a[prefix..<(a.count - suffix)]), midB = Array(b[prefix..<(b.count - suffix)])
        let middle: [Edit]
        if midA.isEmpty { middle = midB.map { .added($0) } }
        else if midB.isEmpty { middle = midA.map { .removed($0) } }
        else { middle = myers(midA, midB) }
        return a[..<prefix].map { .same($0) } + middle + a[(a.count - suffix)...].map { .same($0) }
    }

    static func myers(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        let max = n + m
        if max == 0 { return [] }
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        outer: for d in 0...max {
            trace.append(v)
            var k = -d
            while k <= d {
                var x: Int
                if k == -d || (k != d && v[max + k - 1] < v[max + k + 1]) { x = v[max + k + 1] } else { x = v[max + k - 1] + 1 }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[max + k] = x
                if x >= n, y >= m { trace.append(v); break outer }
                k += 2
            }
        }
        // Walk the trace back to recover the edit script.
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 2, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let prevK: Int
            if k == -d || (k != d && v[max + k - 1] < v[max + k + 1]) { prevK = k + 1 } else { prevK = k - 1 }
            let prevX = v[max + prevK], prevY = prevX - prevK
            while x > prevX, y > prevY { edits.append(.same(a[x - 1])); x -= 1; y -= 1 }
            if d > 0 {
                if x == prevX { edits.append(.added(b[y - 1])); y -= 1 } else { edits.append(.removed(a[x - 1])); x -= 1 }
            }
        }
        while x > 0, y > 0 { edits.append(.same(a[x - 1])); x -= 1; y -= 1 }
        return edits.reversed()
    }
}
