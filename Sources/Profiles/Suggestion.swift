/// "Did you mean" suggestions by edit distance.
enum Suggestion {
    /// The closest candidate when it is close enough to be a plausible typo:
    /// at most a third of the longer word's letters differ (minimum 1, maximum 3).
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (String, Int)?
        for c in candidates {
            let d = distance(lowered, c.lowercased())
            if best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        guard let (candidate, d) = best else { return nil }
        let limit = min(3, max(1, max(word.count, candidate.count) / 3))
        if d <= limit { return candidate }
        // A prefix or suffix match ("timeslice" → "time-slicing") counts when the
        // remaining letters only separate words.
        let a = lowered.filter { $0.isLetter || $0.isNumber }
        for c in candidates {
            let b = c.lowercased().filter { $0.isLetter || $0.isNumber }
            if a.count >= 4, b.hasPrefix(a) || a.hasPrefix(b) || distance(a, b) <= limit { return c }
        }
        return nil
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions),
    /// so "drvier" is one edit from "driver".
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }

    /// ` (did you mean "x"?)` or empty.
    static func hint(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
