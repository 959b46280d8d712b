import YAML

/// A file inside a chart, named relative to the chart root with `/` separators.
public struct ChartFile: Sendable, Hashable {
    public var name: String
    public var data: [UInt8]
    public init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }
    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// A loaded chart: metadata, default values, templates, other files and subcharts.
///
/// A value type; resolving dependencies returns a new chart rather than mutating.
public struct Chart: Sendable {
    public var metadata: ChartMetadata
    /// Files under `templates/`.
    public var templates: [ChartFile]
    /// Default values from `values.yaml` (after dependency processing: with imports).
    public var values: YAMLMapping
    /// Raw `values.schema.json`, when present.
    public var schema: [UInt8]?
    /// Every other file (`crds/`, `files/`, README, `.helmignore`, ...): what `.Files` sees.
    public var files: [ChartFile]
    /// Subcharts, as loaded from `charts/` (and after `Dependencies.process`, only enabled ones).
    public var dependencies: [Chart]

    public init(metadata: ChartMetadata, templates: [ChartFile] = [], values: YAMLMapping = YAMLMapping(),
                schema: [UInt8]? = nil, files: [ChartFile] = [], dependencies: [Chart] = []) {
        self.metadata = metadata
        self.templates = templates
        self.values = values
        self.schema = schema
        self.files = files
        self.dependencies = dependencies
    }

    public var name: String { metadata.name }
    public var isLibrary: Bool { metadata.type.lowercased() == "library" }

    /// CRD files (`crds/*.yaml|yml|json`) of this chart and its subcharts, with their
    /// output names (`parent/charts/child/crds/x.yaml`), in Helm's order.
    public func crdObjects(fullPath: String? = nil) -> [(filename: String, file: ChartFile)] {
        let base = fullPath ?? name
        var out: [(String, ChartFile)] = []
        for f in files where f.name.hasPrefix("crds/") && Self.hasManifestExtension(f.name) {
            out.append((base + "/" + f.name, f))
        }
        for dep in dependencies {
            out.append(contentsOf: dep.crdObjects(fullPath: base + "/charts/" + dep.name))
        }
        return out
    }

    static func hasManifestExtension(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }
}

/// `Chart.yaml` (apiVersion v1 or v2). Field names follow Helm's Go struct, which is
/// also how templates see them (`.Chart.AppVersion`).
public struct ChartMetadata: Sendable, Equatable {
    public struct Maintainer: Sendable, Equatable {
        public var name = "", email = "", url = ""
    }

    public var name = ""
    public var home = ""
    public var sources: [String] = []
    public var version = ""
    public var description = ""
    public var keywords: [String] = []
    public var maintainers: [Maintainer] = []
    public var icon = ""
    public var apiVersion = ""
    public var condition = ""
    public var tags = ""
    public var appVersion = ""
    public var deprecated = false
    public var annotations: [(String, String)]? = nil
    public var kubeVersion = ""
    public var dependencies: [ChartDependency] = []
    public var type = ""

    public init() {}

    public static func == (a: ChartMetadata, b: ChartMetadata) -> Bool {
        a.name == b.name && a.version == b.version && a.apiVersion == b.apiVersion
            && a.dependencies == b.dependencies && a.appVersion == b.appVersion
    }
}

/// One entry of `dependencies:` in Chart.yaml.
public struct ChartDependency: Sendable, Equatable {
    public var name = ""
    public var version = ""
    public var repository = ""
    public var condition = ""
    public var tags: [String] = []
    public var enabled = false
    /// Either strings (`exports.X`) or `{child, parent}` maps, as written.
    public var importValues: [YAMLValue] = []
    public var alias = ""
    public init() {}
}

extension ChartMetadata {
    /// Decodes Chart.yaml the way sigs.k8s.io/yaml fills Helm's struct: unknown keys are
    /// ignored and scalars land in string fields as text (`name: off` is "false").
    static func decode(_ text: String, file: String) throws -> ChartMetadata {
        let root = try HelmYAML.node(text, file: file) { "cannot load Chart.yaml: error converting YAML to JSON: \($0.goMessage)" }
        var md = ChartMetadata()
        guard let pairs = root?.mappingPairs else { return md }
        for pair in pairs {
            let v = pair.value
            switch HelmYAML.keyString(pair.key) {
            case "name": md.name = string(v)
            case "home": md.home = string(v)
            case "sources": md.sources = strings(v)
            case "version": md.version = string(v)
            case "description": md.description = string(v)
            case "keywords": md.keywords = strings(v)
            case "maintainers":
                md.maintainers = (v.sequenceItems ?? []).map { m in
                    Maintainer(name: m["name"].map(string) ?? "", email: m["email"].map(string) ?? "",
                               url: m["url"].map(string) ?? "")
                }
            case "icon": md.icon = string(v)
            case "apiVersion": md.apiVersion = string(v)
            case "condition": md.condition = string(v)
            case "tags": md.tags = string(v)
            case "appVersion": md.appVersion = string(v)
            case "deprecated": md.deprecated = HelmYAML.value(v) == .bool(true)
            case "annotations":
                if let ps = v.mappingPairs {
                    md.annotations = ps.map { (HelmYAML.keyString($0.key), string($0.value)) }
                }
            case "kubeVersion": md.kubeVersion = string(v)
            case "dependencies": md.dependencies = (v.sequenceItems ?? []).map(ChartDependency.decode)
            case "type": md.type = string(v)
            default: break
            }
        }
        if md.apiVersion.isEmpty { md.apiVersion = "v1" }
        return md
    }

    /// A scalar as Go text: YAML 1.1 booleans print as true/false, null as empty.
    static func string(_ node: Node) -> String {
        guard case .scalar = node.content else { return "" }
        return ((try? YAMLDecoder(rules: .kubernetes).kubernetesString(of: node)) ?? nil) ?? ""
    }

    static func strings(_ node: Node) -> [String] { (node.sequenceItems ?? []).map(string) }

    /// Helm's validation subset that affects `template`.
    func validate() throws {
        if apiVersion.isEmpty { throw HelmError(.load, "validation: chart.metadata.apiVersion is required") }
        if name.isEmpty { throw HelmError(.load, "validation: chart.metadata.name is required") }
        if name == "." || name == ".." {
            throw HelmError(.load, "validation: chart.metadata.name \"\(name)\" is not allowed")
        }
        if name.contains("/") { throw HelmError(.load, "validation: chart.metadata.name \"\(name)\" is invalid") }
        if version.isEmpty { throw HelmError(.load, "validation: chart.metadata.version is required") }
        if SemVersion(version) == nil {
            throw HelmError(.load, "validation: chart.metadata.version \"\(version)\" is invalid")
        }
    }
}

extension ChartDependency {
    static func decode(_ node: Node) -> ChartDependency {
        var d = ChartDependency()
        for pair in node.mappingPairs ?? [] {
            let v = pair.value
            switch HelmYAML.keyString(pair.key) {
            case "name": d.name = ChartMetadata.string(v)
            case "version": d.version = ChartMetadata.string(v)
            case "repository": d.repository = ChartMetadata.string(v)
            case "condition": d.condition = ChartMetadata.string(v)
            case "tags": d.tags = ChartMetadata.strings(v)
            case "enabled": d.enabled = HelmYAML.value(v) == .bool(true)
            case "import-values": d.importValues = (v.sequenceItems ?? []).map(HelmYAML.value)
            case "alias": d.alias = ChartMetadata.string(v)
            default: break
            }
        }
        return d
    }
}
