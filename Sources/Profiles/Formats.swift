/// A duration written the way Go's `time.ParseDuration` reads it (`90s`, `10m`, `1h30m`).
/// Kept as nanoseconds; encodes to JSON as Go's canonical `String()` form (`10m0s`).
public struct GoDuration: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func seconds(_ s: Int64) -> GoDuration { GoDuration(nanoseconds: s * 1_000_000_000) }
    public static func minutes(_ m: Int64) -> GoDuration { .seconds(m * 60) }

    public static func < (a: GoDuration, b: GoDuration) -> Bool { a.nanoseconds < b.nanoseconds }

    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Parses Go duration syntax: an optional sign then one or more decimal numbers
    /// each followed by a unit (ns, us, ms, s, m, h). `0` alone is allowed.
    public init?(parsing text: String) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        if s == "0" { self.nanoseconds = 0; return }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
            guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1,
                  let value = Double(number.hasPrefix(".") ? "0" + number : String(number)) else { return nil }
            s = s.dropFirst(number.count)
            let unitText = s.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            guard let unit = Self.units.first(where: { $0.0 == unitText }) else { return nil }
            s = s.dropFirst(unitText.count)
            total += value * unit.1
        }
        guard total <= Double(Int64.max) else { return nil }
        self.nanoseconds = Int64(negative ? -total : total)
    }

    /// Go's `Duration.String()`: `1h30m0s`, `10m0s`, `1.5s`, `0s`, `500ms`.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let n = nanoseconds.magnitude
        if n < 1_000_000_000 {
            let (unit, scale): (String, UInt64) = n < 1_000 ? ("ns", 1) : n < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            return sign + Self.decimal(n, scale: scale) + unit
        }
        let hours = n / 3_600_000_000_000
        let minutes = (n / 60_000_000_000) % 60
        let seconds = n % 60_000_000_000
        var s = sign
        if hours > 0 { s += "\(hours)h" }
        if hours > 0 || minutes > 0 { s += "\(minutes)m" }
        return s + Self.decimal(seconds, scale: 1_000_000_000) + "s"
    }

    private static func decimal(_ value: UInt64, scale: UInt64) -> String {
        let whole = value / scale, frac = value % scale
        if frac == 0 { return "\(whole)" }
        var digits = String(frac)
        digits = String(repeating: "0", count: String(scale).count - 1 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = GoDuration(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad duration \(text)"))
        }
        self = d
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A Kubernetes minor release such as `1.34` (a patch, if written, is kept but ignored
/// by comparisons that only care about API availability).
public struct KubernetesVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int?

    public init(major: Int, minor: Int, patch: Int? = nil) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Accepts `1.34`, `v1.34`, `1.34.2`, `v1.34.2`.
    public init?(parsing text: String) {
        let body = text.hasPrefix("v") ? text.dropFirst() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } && ($0 == "0" || !$0.hasPrefix("0")) }),
              let major = Int(parts[0]), let minor = Int(parts[1]), major >= 1 else { return nil }
        self.major = major
        self.minor = minor
        self.patch = parts.count == 3 ? Int(parts[2]) : nil
    }

    public static func < (a: KubernetesVersion, b: KubernetesVersion) -> Bool {
        (a.major, a.minor, a.patch ?? 0) < (b.major, b.minor, b.patch ?? 0)
    }

    public var description: String { "\(major).\(minor)" + (patch.map { ".\($0)" } ?? "") }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = KubernetesVersion(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad version \(text)"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation).
enum KubernetesName {
    /// RFC 1123 label: namespaces, most object names we create; at most 63 characters.
    static func labelProblem(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.count > 63 { return "must be no more than 63 characters" }
        if !isLabel(s) {
            return "must be a lowercase RFC 1123 label (a-z, 0-9 and '-', starting and ending with a letter or digit)"
        }
        return nil
    }

    /// RFC 1123 subdomain: PriorityClass, ResourceFlavor, ClusterQueue names; at most 253 characters.
    static func subdomainProblem(_ s: String) -> String? {
        if s.isEmpty { return "must not be empty" }
        if s.count > 253 { return "must be no more than 253 characters" }
        if !s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ isLabel(String($0)) }) {
            return "must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-' and '.', starting and ending with a letter or digit)"
        }
        return nil
    }

    private static func isLabel(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
        return alnum(first) && alnum(last) && s.allSatisfy { alnum($0) || $0 == "-" }
    }

    /// A label key or resource name: optional DNS-subdomain prefix and `/`, then a name of
    /// at most 63 characters of alphanumerics, `-`, `_`, `.` starting and ending alphanumeric.
    static func qualifiedNameProblem(_ s: String) -> String? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return "must be a qualified name ([prefix/]name)" }
        if parts.count == 2, subdomainProblem(String(parts[0])) != nil {
            return "must have a DNS subdomain prefix before '/'"
        }
        let name = parts[parts.count - 1]
        guard let first = name.first, let last = name.last, name.count <= 63 else {
            return "must have a name part of 1 to 63 characters"
        }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard alnum(first), alnum(last), name.allSatisfy({ alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            return "must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
        }
        return nil
    }

    /// A label value: empty, or up to 63 characters like a qualified name's name part.
    static func labelValueProblem(_ s: String) -> String? {
        if s.isEmpty { return nil }
        guard let first = s.first, let last = s.last, s.count <= 63 else { return "must be no more than 63 characters" }
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard alnum(first), alnum(last), s.allSatisfy({ alnum($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            return "must consist of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric"
        }
        return nil
    }
}

/// A Kubernetes resource quantity (`64`, `500m`, `100Gi`) kept as written.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text }

    /// Checks the Kubernetes quantity grammar: a signed decimal number, then an optional
    /// binary suffix (Ki…Ei), decimal suffix (n, u, m, k, M, G, T, P, E) or exponent.
    public init?(parsing text: String) {
        var s = Substring(text)
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        let number = s.prefix(while: { $0.isASCII && ($0.isNumber || $0 == ".") })
        guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1 else { return nil }
        let suffix = s.dropFirst(number.count)
        let suffixes: Set<Substring> = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
        if !suffixes.contains(suffix) {
            guard let e = suffix.first, e == "e" || e == "E" else { return nil }
            var exp = suffix.dropFirst()
            if exp.first == "+" || exp.first == "-" { exp = exp.dropFirst() }
            guard !exp.isEmpty, exp.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        self.text = text
    }

    /// The value when it is a plain whole number (what GPU counts must be).
    public var integerValue: Int64? { Int64(text) }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

/// Container image references, for the `:latest` lint.
enum ImageReference {
    /// Why the reference is not pinned (nil when it has a non-`latest` tag or a digest).
    static func unpinnedReason(_ ref: String) -> String? {
        if ref.contains("@sha256:") || ref.contains("@sha512:") { return nil }
        let lastComponent = ref.split(separator: "/").last.map(String.init) ?? ref
        guard let colon = lastComponent.lastIndex(of: ":") else { return "has no tag (defaults to :latest)" }
        let tag = lastComponent[lastComponent.index(after: colon)...]
        if tag.isEmpty { return "has an empty tag" }
        if tag == "latest" { return "uses the moving tag :latest" }
        return nil
    }
}

/// Chart version pinning: a chart must name one exact release.
enum ChartVersion {
    /// Why `version` is not one exact release (nil when it is). Accepts SemVer 2 with an
    /// optional leading `v` (NVIDIA tags charts `v26.7.0`).
    static func unpinnedReason(_ version: String) -> String? {
        let v = version
        if v.isEmpty { return "is empty" }
        if v.lowercased() == "latest" || v == "*" { return "\"\(v)\" is not a version" }
        if v.contains(where: { "^~<>=*| ,".contains($0) }) { return "\"\(v)\" is a range" }
        let core = v.hasPrefix("v") ? v.dropFirst() : Substring(v)
        let main = core.prefix(while: { $0 != "-" && $0 != "+" })
        let parts = main.split(separator: ".", omittingEmptySubsequences: false)
        if parts.contains(where: { $0 == "x" || $0 == "X" }) { return "\"\(v)\" is a wildcard range" }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return parts.count < 3 && parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
                ? "\"\(v)\" is a partial version (matches any \(v).x release)"
                : "\"\(v)\" is not a SemVer version"
        }
        return nil
    }
}
