import Foundation
import YAML

/// One rendered Kubernetes document and the template file it came from.
public struct RenderedManifest: Sendable, Equatable {
    /// The template path, e.g. `gpu-operator/templates/role.yaml` (the `# Source:` line).
    public var source: String
    /// The document text as Helm prints it (leading whitespace trimmed).
    public var content: String
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var annotations: [String: String]
    /// `content` as parsed by the sort (every document of it), so consumers that need the data
    /// (Stages) decode these nodes instead of parsing the text a second time. Nil when built
    /// from text alone; then `content` is the only source.
    public var documents: [Document]?

    public init(source: String, content: String, apiVersion: String = "", kind: String = "", name: String = "",
                annotations: [String: String] = [:], documents: [Document]? = nil) {
        self.source = source
        self.content = content
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.annotations = annotations
        self.documents = documents
    }

    /// `documents` is left out: it is derived from `content` (and `Node` is not Equatable).
    public static func == (a: RenderedManifest, b: RenderedManifest) -> Bool {
        a.source == b.source && a.content == b.content && a.apiVersion == b.apiVersion && a.kind == b.kind
            && a.name == b.name && a.annotations == b.annotations
    }
}

extension RenderedManifest {
    /// The document as data (Kubernetes YAML rules: YAML 1.1 scalars, numbers as float64).
    public func value() throws -> YAMLValue {
        let result = Result<YAMLValue, YAMLError> { () throws(YAMLError) -> YAMLValue in
            try YAMLDecoder(rules: .kubernetes).decode(content, file: source)
        }
        switch result {
        case .success(let v): return v
        case .failure(let e): throw HelmError(.manifest, "YAML parse error on \(source): error converting YAML to JSON: \(e.goMessage)", path: source)
        }
    }
}

/// A manifest carrying `helm.sh/hook`.
public struct RenderedHook: Sendable, Equatable {
    public var manifest: RenderedManifest
    /// Lower-cased events (`pre-install`, `test`, ...).
    public var events: [String]
    public var weight: Int
    public var deletePolicies: [String]

    /// Helm's `isTestHook`.
    public var isTest: Bool { events.contains("test") }
}

/// Helm's `releaseutil.SortManifests` with `InstallOrder`: files in path order, documents
/// in file order, then a stable sort by kind; hooks separated.
public enum ManifestSorter {
    public static let installOrder: [String] = [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
        "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
        "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
        "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
        "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ]
    private static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: installOrder.enumerated().map { ($1, $0) })

    static let hookEvents: Set<String> = [
        "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
        "pre-rollback", "post-rollback", "test", "test-success",
    ]

    /// Splits a rendered file on `---` lines (Helm's `SplitManifests`), dropping blank documents.
    public static func split(_ text: String) -> [String] {
        // Go: sep = `(?m)^---[ \t]*`, applied after trimming leading whitespace.
        let docs: [String] = FastText.withBytes(FastText.trimLeadingSpace(text)) { bytes in
            var docs: [String] = []
            var segmentStart = 0
            var i = 0
            var atLineStart = true
            while i < bytes.count {
                if atLineStart, i + 3 <= bytes.count, bytes[i] == 0x2D, bytes[i + 1] == 0x2D, bytes[i + 2] == 0x2D {
                    docs.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[segmentStart..<i]), as: UTF8.self))
                    var j = i + 3
                    while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x09 { j += 1 }
                    segmentStart = j
                    i = j
                    atLineStart = false
                    continue
                }
                atLineStart = bytes[i] == 0x0A
                i += 1
            }
            docs.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[segmentStart..<bytes.count]), as: UTF8.self))
            return docs
        }
        return docs.compactMap { d in FastText.isBlank(d) ? nil : FastText.trimLeadingSpace(d) }
    }

    public static func sort(files: [String: String]) throws -> (hooks: [RenderedHook], manifests: [RenderedManifest]) {
        var hooks: [RenderedHook] = []
        var generic: [RenderedManifest] = []
        for path in files.keys.sorted(by: goLess) {
            guard let content = files[path] else { continue }
            if (path.split(separator: "/").last ?? "").hasPrefix("_") { continue }
            if FastText.isBlank(content) { continue }
            for doc in split(content) {
                let m = try head(of: doc, path: path)
                guard let hookTypes = m.annotations["helm.sh/hook"] else {
                    generic.append(m)
                    continue
                }
                var events: [String] = []
                var unknown = false
                for t in hookTypes.split(separator: ",", omittingEmptySubsequences: false) {
                    let e = t.trimmingCharacters(in: .whitespaces).lowercased()
                    guard hookEvents.contains(e) else { unknown = true; break }
                    events.append(e == "test-success" ? "test" : e)
                }
                if unknown { continue }  // Helm skips unknown hooks with a log line.
                let weight = Int(m.annotations["helm.sh/hook-weight"] ?? "") ?? 0
                let policies = (m.annotations["helm.sh/hook-delete-policy"] ?? "").split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }
                hooks.append(RenderedHook(manifest: m, events: events, weight: weight, deletePolicies: policies))
            }
        }
        return (stableSorted(hooks, kind: \.manifest.kind), stableSorted(generic, kind: \.kind))
    }

    static func stableSorted<T>(_ items: [T], kind: KeyPath<T, String>) -> [T] {
        items.enumerated().sorted { a, b in
            let ka = a.element[keyPath: kind], kb = b.element[keyPath: kind]
            if less(ka, kb) { return true }
            if less(kb, ka) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// `lessByKind`: known kinds by install order before unknown kinds, unknown ones by name.
    static func less(_ a: String, _ b: String) -> Bool {
        switch (rank[a], rank[b]) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return goLess(a, b)
        }
    }

    static func goLess(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// Parses the document enough to learn its head (Helm's `SimpleHead`), failing with
    /// Helm's message when it is not YAML.
    static func head(of doc: String, path: String) throws -> RenderedManifest {
        var m = RenderedManifest(source: path, content: doc)
        let result = Result<[Document], YAMLError> { () throws(YAMLError) -> [Document] in try Parser().parseStream(doc) }
        let docs: [Document]
        switch result {
        case .success(let d): docs = d
        case .failure(let e):
            throw HelmError(.manifest, "YAML parse error on \(path): error converting YAML to JSON: \(e.goMessage)", path: path)
        }
        m.documents = docs
        guard let root = docs.first?.root else { return m }
        guard let pairs = root.mappingPairs else {
            let what = root.sequenceItems != nil ? "array" : "string"
            throw HelmError(.manifest, "YAML parse error on \(path): error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(what) into Go value of type util.SimpleHead", path: path)
        }
        for p in pairs {
            switch HelmYAML.keyString(p.key) {
            case "apiVersion": m.apiVersion = ChartMetadata.string(p.value)
            case "kind": m.kind = ChartMetadata.string(p.value)
            case "metadata":
                for q in p.value.mappingPairs ?? [] {
                    switch HelmYAML.keyString(q.key) {
                    case "name": m.name = ChartMetadata.string(q.value)
                    case "annotations":
                        for a in q.value.mappingPairs ?? [] {
                            m.annotations[HelmYAML.keyString(a.key)] = ChartMetadata.string(a.value)
                        }
                    default: break
                    }
                }
            default: break
            }
        }
        return m
    }
}
