import Foundation
import Helm
import YAML

/// A classic Helm repository's `index.yaml` (Helm's `repo.IndexFile`, apiVersion v1).
public struct RepositoryIndex: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var version: String
        /// Absolute, or relative to the repository URL.
        public var urls: [String]
        /// Bare hex sha256 of the archive, as Helm writes it; empty when the index has none.
        public var digest: String
        public var appVersion: String
        public var description: String
        public var apiVersion: String
        public var created: String

        public init(name: String, version: String, urls: [String], digest: String, appVersion: String = "",
                    description: String = "", apiVersion: String = "v2", created: String = "") {
            self.name = name
            self.version = version
            self.urls = urls
            self.digest = digest
            self.appVersion = appVersion
            self.description = description
            self.apiVersion = apiVersion
            self.created = created
        }
    }

    public var entries: [String: [Entry]]
    public var generated: String

    public init(entries: [String: [Entry]] = [:], generated: String = "") {
        self.entries = entries
        self.generated = generated
    }

    /// Parses index.yaml text. Unknown fields are ignored; scalars are read as their text
    /// (`version: 1.10` is "1.10", as Helm's string fields read it). With `chart`, only that
    /// chart's entries are kept (what a fetch needs; the rest is scanned, not stored).
    ///
    /// Large public indexes run to tens of MB, so this reads libyaml events directly instead
    /// of building a YAML tree; documents it cannot read that way (aliases, tags on the
    /// fields it keeps) go through the full decoder.
    public static func parse(_ text: String, location: String, chart: String? = nil) throws(ChartFetchError) -> RepositoryIndex {
        switch IndexEventReader.read(text, chart: chart) {
        case .index(let index): return index
        case .unsupported: return try parseTree(text, location: location, chart: chart)
        case .invalid(let problem, let line):
            throw ChartFetchError(.invalidIndex, location, "index.yaml is not valid YAML (line \(line)): \(problem)")
        case .notMapping:
            throw ChartFetchError(.invalidIndex, location, "index.yaml is not a mapping (is this a Helm repository?)")
        case .entriesNotMapping:
            throw ChartFetchError(.invalidIndex, location, "index.yaml: entries is not a mapping")
        }
    }

    /// The general path: decode the whole document, then read the fields (the fallback of
    /// `parse`, public for the benchmark and equivalence tests).
    public static func parseTree(_ text: String, location: String, chart: String? = nil) throws(ChartFetchError) -> RepositoryIndex {
        let value: YAMLValue
        do { value = try YAMLDecoder(rules: .core).decode(text, file: location) } catch {
            throw ChartFetchError(.invalidIndex, location, "index.yaml is not valid YAML: \(error)")
        }
        guard case .mapping(let top) = value else {
            throw ChartFetchError(.invalidIndex, location, "index.yaml is not a mapping (is this a Helm repository?)")
        }
        guard case .mapping(let entryMap)? = top["entries"] else {
            if top["entries"] == nil || top["entries"] == .null { return RepositoryIndex(generated: scalar(top["generated"])) }
            throw ChartFetchError(.invalidIndex, location, "index.yaml: entries is not a mapping")
        }
        var entries: [String: [Entry]] = [:]
        for item in entryMap where chart == nil || item.key == chart {
            guard case .sequence(let versions) = item.value else { continue }
            var list: [Entry] = []
            list.reserveCapacity(versions.count)
            for v in versions {
                guard case .mapping(let m) = v else { continue }
                var urls: [String] = []
                if case .sequence(let us)? = m["urls"] { urls = us.map { scalar($0) }.filter { !$0.isEmpty } }
                list.append(Entry(name: scalar(m["name"]).isEmpty ? item.key : scalar(m["name"]), version: scalar(m["version"]),
                                  urls: urls, digest: scalar(m["digest"]), appVersion: scalar(m["appVersion"]),
                                  description: scalar(m["description"]), apiVersion: scalar(m["apiVersion"]),
                                  created: scalar(m["created"])))
            }
            entries[item.key] = list
        }
        return RepositoryIndex(entries: entries, generated: scalar(top["generated"]))
    }

    static func scalar(_ v: YAMLValue?) -> String {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .float(let d)?: return GoYAML.formatFloat(d)
        case .bool(let b)?: return b ? "true" : "false"
        default: return ""
        }
    }

    /// The entry for `name` at exactly `version`; a leading `v` is not significant (SemVer
    /// parsing in Helm ignores it too).
    public func entry(name: String, version: String, location: String) throws(ChartFetchError) -> Entry {
        guard let list = entries[name], !list.isEmpty else {
            throw ChartFetchError(.missingVersion, location, "the repository has no chart named \(name)")
        }
        if let e = list.first(where: { $0.version == version }) { return e }
        let bare = { (s: String) in s.hasPrefix("v") ? String(s.dropFirst()) : s }
        if let e = list.first(where: { bare($0.version) == bare(version) }) { return e }
        let nearby = list.prefix(5).map(\.version).joined(separator: ", ")
        throw ChartFetchError(.missingVersion, location, "chart \(name) has no version \(version) (newest: \(nearby))")
    }

    /// Builds an index of every `*.tgz` chart archive in `directory` (as `helm repo index`),
    /// with URLs relative to the repository (or under `baseURL`). `created` is fixed by
    /// the caller so the output is reproducible.
    public static func build(directory: String, baseURL: String? = nil, created: String = "2000-01-01T00:00:00Z")
        throws(ChartFetchError) -> RepositoryIndex
    {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tgz") }.sorted() } catch {
            throw ChartFetchError(.io, directory, "cannot list: \(error.localizedDescription)")
        }
        var index = RepositoryIndex(generated: created)
        for file in names {
            let path = (directory as NSString).appendingPathComponent(file)
            let bytes = try FileSystem.read(path)
            let chart: Chart
            do { chart = try Chart.load(archive: bytes) } catch {
                throw ChartFetchError(.invalidChart, path, "not a chart archive: \(error)")
            }
            let url = baseURL.map { ($0.hasSuffix("/") ? $0 : $0 + "/") + file } ?? file
            let m = chart.metadata
            index.entries[m.name, default: []].append(Entry(
                name: m.name, version: m.version, urls: [url], digest: Digest.sha256Hex(bytes), appVersion: m.appVersion,
                description: m.description, apiVersion: m.apiVersion.isEmpty ? "v1" : m.apiVersion, created: created))
        }
        for key in index.entries.keys {
            index.entries[key]?.sort { SemanticVersion.precedes($1.version, $0.version) }
        }
        return index
    }

    /// Writes `yaml()` to `path` atomically.
    public func write(to path: String) throws(ChartFetchError) {
        try FileSystem.writeAtomically(Array(yaml().utf8), to: path)
    }

    /// index.yaml text: keys in alphabetical order as sigs.k8s.io/yaml writes them, versions newest first.
    public func yaml() -> String {
        var entryMap = YAMLMapping()
        for name in entries.keys.sorted() {
            let list = entries[name] ?? []
            entryMap[name] = .sequence(list.map { e in
                var m: [(String, YAMLValue)] = [("apiVersion", .string(e.apiVersion))]
                if !e.appVersion.isEmpty { m.append(("appVersion", .string(e.appVersion))) }
                if !e.created.isEmpty { m.append(("created", .string(e.created))) }
                if !e.description.isEmpty { m.append(("description", .string(e.description))) }
                if !e.digest.isEmpty { m.append(("digest", .string(e.digest))) }
                m.append(("name", .string(e.name)))
                m.append(("urls", .sequence(e.urls.map { .string($0) })))
                m.append(("version", .string(e.version)))
                return .mapping(YAMLMapping(m))
            })
        }
        var top = YAMLMapping([("apiVersion", .string("v1")), ("entries", .mapping(entryMap))])
        if !generated.isEmpty { top["generated"] = .string(generated) }
        return GoYAML.marshal(.mapping(top))
    }
}

/// Just enough SemVer ordering to sort index entries newest first.
enum SemanticVersion {
    static func precedes(_ a: String, _ b: String) -> Bool {
        func parts(_ s: String) -> ([Int], String) {
            let bare = s.hasPrefix("v") ? s.dropFirst() : Substring(s)
            let main = bare.split(separator: "+", maxSplits: 1).first.map(String.init) ?? ""
            let pieces = main.split(separator: "-", maxSplits: 1)
            let nums = (pieces.first ?? "").split(separator: ".").map { Int($0) ?? 0 }
            return (nums, pieces.count > 1 ? String(pieces[1]) : "")
        }
        let (na, pa) = parts(a), (nb, pb) = parts(b)
        for i in 0..<max(na.count, nb.count) {
            let x = i < na.count ? na[i] : 0, y = i < nb.count ? nb[i] : 0
            if x != y { return x < y }
        }
        if pa.isEmpty != pb.isEmpty { return !pa.isEmpty }  // a pre-release sorts before its release
        return pa < pb
    }
}
