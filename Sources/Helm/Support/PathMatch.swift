import Foundation

/// Go's `path.Match`: `*` and `?` never cross `/`, `[...]` classes with ranges and `^`/`!`
/// negation, `\` escapes. Returns nil for a malformed pattern (Go's ErrBadPattern).
enum PathMatch {
    static func match(_ pattern: String, _ name: String) -> Bool? {
        let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
        return match(p, 0, n, 0)
    }

    private static func match(_ p: [Unicode.Scalar], _ pi: Int, _ n: [Unicode.Scalar], _ ni: Int) -> Bool? {
        var pi = pi, ni = ni
        while pi < p.count {
            switch p[pi] {
            case "*":
                // Collapse runs of stars, then try every split that stays within one segment.
                while pi < p.count, p[pi] == "*" { pi += 1 }
                if pi == p.count { return !n[ni...].contains("/") }
                var k = ni
                while true {
                    if let r = match(p, pi, n, k), r { return true }
                    if k >= n.count || n[k] == "/" { break }
                    k += 1
                }
                // Validate the rest of the pattern for Go's bad-pattern error.
                return validate(p, pi) ? false : nil
            case "?":
                guard ni < n.count, n[ni] != "/" else { return validate(p, pi + 1) ? false : nil }
                pi += 1; ni += 1
            case "[":
                guard let (matched, next) = matchClass(p, pi, ni < n.count ? n[ni] : nil) else { return nil }
                guard ni < n.count, matched else { return false }
                pi = next; ni += 1
            case "\\":
                pi += 1
                guard pi < p.count else { return nil }
                guard ni < n.count, n[ni] == p[pi] else { return false }
                pi += 1; ni += 1
            default:
                guard ni < n.count, n[ni] == p[pi] else { return validate(p, pi) ? false : nil }
                pi += 1; ni += 1
            }
        }
        return ni == n.count
    }

    /// Parses a class at p[pi] == "["; returns whether `c` matches and the index after `]`.
    private static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar?) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "^" || p[i] == "!" { negate = true; i += 1 }
        var matched = false
        var first = true
        while true {
            guard i < p.count else { return nil }
            if p[i] == "]" && !first { i += 1; break }
            first = false
            var lo = p[i]
            if lo == "\\" { i += 1; guard i < p.count else { return nil }; lo = p[i] }
            i += 1
            var hi = lo
            if i + 1 < p.count, p[i] == "-", p[i + 1] != "]" {
                i += 1
                hi = p[i]
                if hi == "\\" { i += 1; guard i < p.count else { return nil }; hi = p[i] }
                i += 1
            }
            if let c, lo.value <= c.value, c.value <= hi.value { matched = true }
        }
        return (matched != negate, i)
    }

    private static func validate(_ p: [Unicode.Scalar], _ from: Int) -> Bool {
        var i = from
        while i < p.count {
            if p[i] == "\\" { i += 2; if i > p.count { return false }; continue }
            if p[i] == "[" {
                guard let (_, next) = matchClass(p, i, nil) else { return false }
                i = next; continue
            }
            i += 1
        }
        return true
    }
}

/// `.helmignore` rules (Helm's `pkg/ignore`): gitignore-like, one pattern per line,
/// `!` negation, trailing `/` for directories, patterns without `/` match the base name.
public struct HelmIgnore: Sendable {
    private struct Rule: Sendable {
        var pattern: String
        var negate: Bool
        var mustDir: Bool
        enum Scope: Sendable { case rooted, path, base }
        var scope: Scope
    }
    private var rules: [Rule] = []

    public init() {}

    public init(parsing text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }
        for line in lines { try add(line) }
    }

    /// Helm always ignores hidden files in `templates/`.
    public mutating func addDefaults() { try? add("templates/.?*") }

    mutating func add(_ raw: String) throws {
        var rule = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if rule.isEmpty || rule.hasPrefix("#") { return }
        if rule.contains("**") { throw HelmError(.load, "double-star (**) syntax is not supported") }
        if PathMatch.match(rule, "abc") == nil { throw HelmError(.load, "syntax error in pattern") }
        var negate = false, mustDir = false
        if rule.hasPrefix("!") { negate = true; rule.removeFirst() }
        if rule.hasSuffix("/") { mustDir = true; rule.removeLast() }
        let scope: Rule.Scope
        if rule.hasPrefix("/") { rule.removeFirst(); scope = .rooted }
        else if rule.contains("/") { scope = .path }
        else { scope = .base }
        rules.append(Rule(pattern: rule, negate: negate, mustDir: mustDir, scope: scope))
    }

    /// Whether `path` (chart-relative, `/`-separated) is ignored.
    public func ignores(_ path: String, isDirectory: Bool) -> Bool {
        if path.isEmpty || path == "." || path == "./" { return false }
        for r in rules {
            let subject = r.scope == .base ? String(path.split(separator: "/").last ?? "") : path
            let matched = PathMatch.match(r.pattern, subject) ?? false
            if r.negate {
                if r.mustDir && !isDirectory { return true }
                if !matched { return true }
                continue
            }
            if r.mustDir && !isDirectory { continue }
            if matched { return true }
        }
        return false
    }
}

