import Foundation
import GoTemplate
import YAML

/// Converts between chart data (`YAMLValue`) and the template value model (`Value`).
public enum ValueBridge {
    /// YAML numbers are float64 (Helm reads values through JSON); `--set` integers int64;
    /// maps become shared `GoMap`s (reference semantics, as Go maps).
    public static func value(_ v: YAMLValue) -> Value {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .integer(i, .int64)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .sequence(let items): return .list(GoList(items.map(value)))
        case .mapping(let m): return .map(goMap(m))
        }
    }

    public static func goMap(_ m: YAMLMapping) -> GoMap {
        var d: [String: Value] = [:]
        d.reserveCapacity(m.count)
        for e in m { d[e.key] = value(e.value) }
        return GoMap(d)
    }

    /// Back from templates: maps in Go's key order; objects and functions become null.
    public static func yaml(_ v: Value) -> YAMLValue {
        switch v.underlyingValue {
        case .noValue, .null, .typedNil: return .null
        case .bool(let b): return .bool(b)
        case .integer(let i, _): return .int(i)
        case .unsigned(let u, _): return .int(Int64(truncatingIfNeeded: u))
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .list(let l): return .sequence(l.elements.map(yaml))
        case .map(let m): return .mapping(YAMLMapping(m.sortedKeys.map { ($0, yaml(m[$0] ?? .null)) }))
        case .object, .function: return .null
        }
    }

    /// `.Chart`: Helm's `structToMap(Metadata)`: Go field names, slices as `[]interface{}`.
    static func metadata(_ md: ChartMetadata) -> GoMap {
        func strings(_ a: [String]) -> Value { .list(GoList(a.map(Value.string))) }
        let maintainers = md.maintainers.map { m in
            Value.map(GoMap(["Name": .string(m.name), "Email": .string(m.email), "URL": .string(m.url)]))
        }
        let annotations: Value = md.annotations.map { pairs in
            var d: [String: Value] = [:]
            for (k, v) in pairs { d[k] = .string(v) }
            return .map(GoMap(d, valueType: .string))
        } ?? .typedNil(.stringDict)
        let dependencies = md.dependencies.map { d in
            Value.map(GoMap([
                "Name": .string(d.name), "Version": .string(d.version), "Repository": .string(d.repository),
                "Condition": .string(d.condition), "Tags": strings(d.tags), "Enabled": .bool(d.enabled),
                "ImportValues": .list(GoList(d.importValues.map(value))), "Alias": .string(d.alias),
            ]))
        }
        return GoMap([
            "Name": .string(md.name), "Home": .string(md.home), "Sources": strings(md.sources),
            "Version": .string(md.version), "Description": .string(md.description), "Keywords": strings(md.keywords),
            "Maintainers": .list(GoList(maintainers)), "Icon": .string(md.icon), "APIVersion": .string(md.apiVersion),
            "Condition": .string(md.condition), "Tags": .string(md.tags), "AppVersion": .string(md.appVersion),
            "Deprecated": .bool(md.deprecated), "Annotations": annotations, "KubeVersion": .string(md.kubeVersion),
            "Dependencies": .list(GoList(dependencies)), "Type": .string(md.type),
        ])
    }
}

/// `.Files` (Helm's `files`, a `map[string][]byte` with methods).
final class FilesObject: GoObject, @unchecked Sendable {
    let files: [String: [UInt8]]

    init(_ pairs: [(String, [UInt8])]) {
        var d: [String: [UInt8]] = [:]
        for (k, v) in pairs { d[k] = v }
        files = d
    }

    var goType: GoType { .named("engine.files", kind: .map) }
    var underlying: Value? { .map(GoMap(files.mapValues { Value.bytes($0) }, valueType: .bytes)) }

    func member(named name: String) -> GoMember? {
        switch name {
        case "Get":
            return .method(Function("Get", parameters: [.string], result: .string) { args, _ in
                .string(self.files[try args.string(0)].map { String(decoding: $0, as: UTF8.self) } ?? "")
            })
        case "GetBytes":
            return .method(Function("GetBytes", parameters: [.string], result: .bytes) { args, _ in
                .bytes(self.files[try args.string(0)] ?? [])
            })
        case "Glob":
            return .method(Function("Glob", parameters: [.string], result: .named("engine.files", kind: .map)) { args, _ in
                let pattern = try args.string(0)
                let matched = self.files.filter { GlobPattern.match(pattern, $0.key) }
                return .object(FilesObject(matched.map { ($0.key, $0.value) }))
            })
        case "Lines":
            return .method(Function("Lines", parameters: [.string], result: .stringList) { args, _ in
                guard let data = self.files[try args.string(0)] else { return .stringList([]) }
                var s = String(decoding: data, as: UTF8.self)
                if s.hasSuffix("\n") { s.removeLast() }
                return .stringList(s.components(separatedBy: "\n"))
            })
        case "AsConfig":
            return .method(Function("AsConfig", parameters: [], result: .string) { _, _ in
                if self.files.isEmpty { return .string("") }
                return .string(SimpleYAML.stringMap(self.byBaseName { String(decoding: $0, as: UTF8.self) }))
            })
        case "AsSecrets":
            return .method(Function("AsSecrets", parameters: [], result: .string) { _, _ in
                .string(SimpleYAML.stringMap(self.byBaseName { Data($0).base64EncodedString() }))
            })
        default:
            return nil
        }
    }

    private func byBaseName(_ transform: ([UInt8]) -> String) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in files { out[String(k.split(separator: "/").last ?? "")] = transform(v) }
        return out
    }
}

/// gobwas/glob with `/` as separator, as `.Files.Glob` uses: `*` stays in a segment,
/// `**` crosses segments, `?`, `[...]`, `{a,b}`.
enum GlobPattern {
    static func match(_ pattern: String, _ name: String) -> Bool {
        matchHere(Array(pattern), 0, Array(name), 0)
    }

    private static func matchHere(_ p: [Character], _ pi: Int, _ n: [Character], _ ni: Int) -> Bool {
        if pi == p.count { return ni == n.count }
        switch p[pi] {
        case "*":
            let double = pi + 1 < p.count && p[pi + 1] == "*"
            let next = double ? pi + 2 : pi + 1
            var k = ni
            while true {
                if matchHere(p, next, n, k) { return true }
                if k >= n.count || (!double && n[k] == "/") { return false }
                k += 1
            }
        case "?":
            return ni < n.count && n[ni] != "/" && matchHere(p, pi + 1, n, ni + 1)
        case "{":
            guard let close = p[pi...].firstIndex(of: "}") else { return literal(p, pi, n, ni) }
            let alternatives = String(p[(pi + 1)..<close]).split(separator: ",", omittingEmptySubsequences: false)
            let rest = Array(p[(close + 1)...])
            return alternatives.contains { alt in matchHere(Array(alt) + rest, 0, n, ni) }
        case "[":
            guard let close = p[(pi + 1)...].firstIndex(of: "]"), ni < n.count else { return literal(p, pi, n, ni) }
            var body = Array(p[(pi + 1)..<close])
            var negate = false
            if body.first == "!" { negate = true; body.removeFirst() }
            var found = false
            var i = 0
            while i < body.count {
                if i + 2 < body.count, body[i + 1] == "-" {
                    if body[i] <= n[ni] && n[ni] <= body[i + 2] { found = true }
                    i += 3
                } else {
                    if body[i] == n[ni] { found = true }
                    i += 1
                }
            }
            return found != negate && matchHere(p, close + 1, n, ni + 1)
        case "\\" where pi + 1 < p.count:
            return ni < n.count && n[ni] == p[pi + 1] && matchHere(p, pi + 2, n, ni + 1)
        default:
            return literal(p, pi, n, ni)
        }
    }

    private static func literal(_ p: [Character], _ pi: Int, _ n: [Character], _ ni: Int) -> Bool {
        ni < n.count && n[ni] == p[pi] && matchHere(p, pi + 1, n, ni + 1)
    }
}

/// `toYAML(map[string]string)` as Helm's files use it: Go's yaml.Marshal without the final newline.
enum SimpleYAML {
    static func stringMap(_ m: [String: String]) -> String {
        let mapping = YAMLMapping(m.keys.sorted(by: ManifestSorter.goLess).map { ($0, YAMLValue.string(m[$0] ?? "")) })
        var out = GoYAML.marshal(.mapping(mapping))
        if out.hasSuffix("\n") { out.removeLast() }
        return out
    }
}

/// `.Capabilities` (`*common.Capabilities`).
final class CapabilitiesObject: GoObject, @unchecked Sendable {
    let caps: Capabilities
    let kube: KubeVersionObject
    let apis: VersionSetObject
    let helm: HelmVersionObject

    init(_ caps: Capabilities) {
        self.caps = caps
        kube = KubeVersionObject(caps.kubeVersion)
        apis = VersionSetObject(caps)
        helm = HelmVersionObject(caps)
    }

    var goType: GoType { .pointer(.named("common.Capabilities", kind: .struct)) }
    func member(named name: String) -> GoMember? {
        switch name {
        case "KubeVersion": return .field(.object(kube))
        case "APIVersions": return .field(.object(apis))
        case "HelmVersion": return .field(.object(helm))
        default: return nil
        }
    }
    var printedFields: [(name: String, value: Value)] {
        [("KubeVersion", .object(kube)), ("APIVersions", .object(apis)), ("HelmVersion", .object(helm))]
    }
}

final class KubeVersionObject: GoObject, @unchecked Sendable {
    let v: Capabilities.KubeVersion
    init(_ v: Capabilities.KubeVersion) { self.v = v }
    var goType: GoType { .named("common.KubeVersion", kind: .struct) }
    var stringValue: String? { v.normalized }
    func member(named name: String) -> GoMember? {
        switch name {
        case "Version": return .field(.string(v.version))
        case "Major": return .field(.string(v.major))
        case "Minor": return .field(.string(v.minor))
        case "GitVersion":
            return .method(Function("GitVersion", parameters: [], result: .string) { _, _ in .string(self.v.version) })
        case "String":
            return .method(Function("String", parameters: [], result: .string) { _, _ in .string(self.v.normalized) })
        default: return nil
        }
    }
}

final class VersionSetObject: GoObject, @unchecked Sendable {
    let caps: Capabilities
    init(_ caps: Capabilities) { self.caps = caps }
    var goType: GoType { .named("common.VersionSet", kind: .slice) }
    var underlying: Value? { .stringList(caps.apiVersions) }
    func member(named name: String) -> GoMember? {
        guard name == "Has" else { return nil }
        return .method(Function("Has", parameters: [.string], result: .bool) { args, _ in
            .bool(self.caps.has(try args.string(0)))
        })
    }
}

final class HelmVersionObject: GoObject, @unchecked Sendable {
    let caps: Capabilities
    init(_ caps: Capabilities) { self.caps = caps }
    var goType: GoType { .named("version.BuildInfo", kind: .struct) }
    func member(named name: String) -> GoMember? {
        switch name {
        case "Version": return .field(.string(caps.helmVersion))
        case "GitCommit": return .field(.string(caps.helmGitCommit))
        case "GitTreeState": return .field(.string("clean"))
        case "GoVersion": return .field(.string(caps.goVersion))
        case "KubeClientVersion": return .field(.string("v1.36"))
        default: return nil
        }
    }
    var printedFields: [(name: String, value: Value)] {
        [("Version", .string(caps.helmVersion)), ("GitCommit", .string(caps.helmGitCommit)),
         ("GitTreeState", .string("clean")), ("GoVersion", .string(caps.goVersion)), ("KubeClientVersion", .string("v1.36"))]
    }
}
