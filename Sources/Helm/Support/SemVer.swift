/// A semantic version parsed leniently as Masterminds/semver v3 `NewVersion` does
/// (`v` prefix, missing minor/patch allowed).
public struct SemVersion: Sendable, Comparable, CustomStringConvertible {
    public var major: UInt64, minor: UInt64, patch: UInt64
    public var prerelease: String
    public var metadata: String

    public init?(_ text: String) {
        var s = Substring(text)
        if s.first == "v" { s = s.dropFirst() }
        var meta = ""
        if let plus = s.firstIndex(of: "+") {
            meta = String(s[s.index(after: plus)...])
            s = s[..<plus]
            guard Self.validIdentifiers(meta) else { return nil }
        }
        var pre = ""
        if let dash = s.firstIndex(of: "-") {
            pre = String(s[s.index(after: dash)...])
            s = s[..<dash]
            guard Self.validIdentifiers(pre) else { return nil }
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var nums: [UInt64] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(p) else { return nil }
            nums.append(n)
        }
        while nums.count < 3 { nums.append(0) }
        major = nums[0]; minor = nums[1]; patch = nums[2]
        prerelease = pre
        metadata = meta
    }

    public init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: String = "") {
        self.major = major; self.minor = minor; self.patch = patch
        self.prerelease = prerelease; self.metadata = ""
    }

    static func validIdentifiers(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { s += "-" + prerelease }
        if !metadata.isEmpty { s += "+" + metadata }
        return s
    }

    public static func == (a: SemVersion, b: SemVersion) -> Bool { compare(a, b) == 0 }
    public static func < (a: SemVersion, b: SemVersion) -> Bool { compare(a, b) < 0 }

    static func compare(_ a: SemVersion, _ b: SemVersion) -> Int {
        for (x, y) in [(a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)] where x != y {
            return x < y ? -1 : 1
        }
        if a.prerelease == b.prerelease { return 0 }
        if a.prerelease.isEmpty { return 1 }
        if b.prerelease.isEmpty { return -1 }
        let pa = a.prerelease.split(separator: "."), pb = b.prerelease.split(separator: ".")
        for i in 0..<max(pa.count, pb.count) {
            if i >= pa.count { return -1 }
            if i >= pb.count { return 1 }
            let x = pa[i], y = pb[i]
            if x == y { continue }
            switch (UInt64(x), UInt64(y)) {
            case let (nx?, ny?): return nx < ny ? -1 : 1
            case (.some, nil): return -1
            case (nil, .some): return 1
            default: return x < y ? -1 : 1
            }
        }
        return 0
    }
}

/// A version constraint (`>= 1.16.0-0`, `^1.2`, `1.2 - 1.4 || 2.x`) with
/// Masterminds/semver v3 semantics, enough for `kubeVersion` and dependency versions.
public struct SemConstraint: Sendable {
    private struct Term: Sendable {
        var op: String
        var version: SemVersion
        /// Which parts were wildcards / missing (`1.x`, `1`): 0 none, 1 patch, 2 minor+patch, 3 all.
        var dirty: Int
        var hasPrerelease: Bool { !version.prerelease.isEmpty }
    }
    private var groups: [[Term]]

    public init?(_ text: String) {
        var groups: [[Term]] = []
        for orPart in text.components(separatedBy: "||") {
            var terms: [Term] = []
            // Hyphen ranges first: "a - b".
            var words = orPart.replacingOccurrences(of: ",", with: " ").split(separator: " ").map(String.init)
            var i = 0
            var normalized: [String] = []
            while i < words.count {
                if i + 2 < words.count, words[i + 1] == "-" {
                    normalized.append(">=" + words[i]); normalized.append("<=" + words[i + 2]); i += 3
                } else { normalized.append(words[i]); i += 1 }
            }
            words = []
            // Re-attach operators written apart from their version (">= 1.2").
            for w in normalized {
                if let last = words.last, ["=", "!=", ">", "<", ">=", "<=", "=>", "=<", "~", "~>", "^"].contains(last) {
                    words[words.count - 1] = last + w
                } else { words.append(w) }
            }
            for w in words {
                guard let t = Self.term(w) else { return nil }
                terms.append(t)
            }
            if terms.isEmpty { terms.append(Term(op: ">=", version: SemVersion(major: 0, minor: 0, patch: 0), dirty: 3)) }
            groups.append(terms)
        }
        self.groups = groups
    }

    private static func term(_ w: String) -> Term? {
        var op = ""
        var rest = Substring(w)
        for candidate in ["!=", ">=", "<=", "=>", "=<", "~>", ">", "<", "=", "~", "^"] where rest.hasPrefix(candidate) {
            op = candidate; rest = rest.dropFirst(candidate.count); break
        }
        if op == "=>" { op = ">=" }
        if op == "=<" { op = "<=" }
        if op == "~>" { op = "~" }
        var s = String(rest)
        if s.hasPrefix("v") { s.removeFirst() }
        // Wildcards: 1.x, 1.*, *, x
        var core = s
        var tail = ""
        if let i = s.firstIndex(where: { $0 == "-" || $0 == "+" }) { core = String(s[..<i]); tail = String(s[i...]) }
        var parts = core.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var dirty = 0
        if parts.count > 3 { return nil }
        for (i, p) in parts.enumerated() where ["x", "X", "*"].contains(p) {
            dirty = max(dirty, 3 - i)
            parts[i] = "0"
        }
        if dirty == 0 { dirty = 3 - parts.count }
        while parts.count < 3 { parts.append("0") }
        guard let v = SemVersion(parts.joined(separator: ".") + tail) else { return nil }
        return Term(op: op, version: v, dirty: dirty)
    }

    public func check(_ v: SemVersion) -> Bool {
        groups.contains { terms in terms.allSatisfy { Self.matches(v, $0) } }
    }

    private static func matches(_ v: SemVersion, _ t: Term) -> Bool {
        // A prerelease version only satisfies constraints that carry a prerelease.
        if !v.prerelease.isEmpty && !t.hasPrerelease { return false }
        let c = t.version
        switch t.op {
        case "", "=":
            if t.dirty > 0 { return tildeOrWildcard(v, c, t.dirty) }
            return v == c
        case "!=":
            if t.dirty > 0 { return !tildeOrWildcard(v, c, t.dirty) }
            return !(v == c)
        case ">":
            if t.dirty == 3 { return false }
            if t.dirty == 2 { return v.major > c.major }
            if t.dirty == 1 { return v.major > c.major || (v.major == c.major && v.minor > c.minor) }
            return v > c
        case "<":
            return v < c
        case ">=":
            return !(v < c)
        case "<=":
            if t.dirty == 2 { return v.major <= c.major }
            if t.dirty == 1 { return v.major < c.major || (v.major == c.major && v.minor <= c.minor) }
            return !(c < v)
        case "~":
            if v < c { return false }
            if c.minor == 0 && c.patch == 0 && t.dirty >= 2 { return v.major == c.major }
            return v.major == c.major && v.minor == c.minor
        case "^":
            if v < c { return false }
            if c.major > 0 || t.dirty >= 2 { return v.major == c.major }
            if c.minor > 0 || t.dirty == 1 { return v.major == 0 && v.minor == c.minor }
            return v.major == 0 && v.minor == 0 && v.patch == c.patch
        default:
            return false
        }
    }

    private static func tildeOrWildcard(_ v: SemVersion, _ c: SemVersion, _ dirty: Int) -> Bool {
        switch dirty {
        case 3: return true
        case 2: return v.major == c.major
        default: return v.major == c.major && v.minor == c.minor
        }
    }
}

extension SemVersion {
    /// Helm's `IsCompatibleRange(constraint, version)`.
    static func isCompatible(constraint: String, version: String) -> Bool {
        guard let v = SemVersion(version), let c = SemConstraint(constraint) else { return false }
        return c.check(v)
    }
}
