import Foundation
import YAML

/// Release-level settings for a render (`helm template` flags that are not values).
public struct RenderOptions: Sendable {
    public var releaseName: String
    public var namespace: String
    public var revision: Int = 1
    public var isUpgrade: Bool = false
    public var capabilities: Capabilities
    public var includeCRDs: Bool = false
    public var skipTests: Bool = false
    public var noHooks: Bool = false
    public var skipSchemaValidation: Bool = false

    public init(releaseName: String = "release-name", namespace: String = "default",
                capabilities: Capabilities = Capabilities()) {
        self.releaseName = releaseName
        self.namespace = namespace
        self.capabilities = capabilities
    }
}

/// The result of rendering a chart: what `helm template` prints, as data.
public struct RenderResult: Sendable {
    /// Non-hook manifests in install order.
    public var manifests: [RenderedManifest]
    /// Hooks (kind order), including test hooks.
    public var hooks: [RenderedHook]
    /// CRD files from `crds/` of the chart and enabled subcharts, as (output name, file).
    public var crds: [(name: String, file: ChartFile)]
    /// The rendered top-level `NOTES.txt` (not printed by `template`).
    public var notes: String
}

/// User-supplied values in Helm's layers: `-f` files, then `--set-json`, `--set`,
/// `--set-string`, `--set-file`, `--set-literal` (Helm's `values.Options.MergeValues`).
public struct ValueInputs: Sendable {
    public enum Layer: Sendable {
        /// A values document's text and the name to report it by.
        case file(name: String, text: String)
        case json(String)
        case set(String)
        case setString(String)
        /// `key=path`; the path is read with `readFile`.
        case setFile(String)
        case setLiteral(String)
    }
    public var layers: [Layer] = []
    public init(layers: [Layer] = []) { self.layers = layers }

    /// Merges the layers in Helm's fixed order (by kind, then as given).
    public func merged(readFile: @escaping @Sendable (String) throws -> String = { path in
        guard let d = FileManager.default.contents(atPath: path) else {
            throw HelmError(.values, "open \(path): no such file or directory")
        }
        return String(decoding: d, as: UTF8.self)
    }) throws -> YAMLMapping {
        var base = YAMLMapping()
        for case .file(let name, let text) in layers {
            let m = try HelmYAML.mapping(text, file: name) {
                "failed to parse \(name): cannot unmarshal yaml document: error converting YAML to JSON: \($0.goMessage)"
            }
            base = Values.mergeMaps(base, m)
        }
        for case .json(let value) in layers {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{") {
                guard case .mapping(let m)? = try? JSONReader.parse(trimmed) else {
                    throw HelmError(.values, "failed parsing --set-json data JSON: \(value)")
                }
                base = Values.mergeMaps(base, m)
            } else {
                do { try StrVals.parse(value, into: &base, mode: .json) } catch {
                    throw HelmError(.values, "failed parsing --set-json data \(value)")
                }
            }
        }
        func apply(_ value: String, _ mode: StrVals.Mode, _ flag: String) throws {
            do {
                try StrVals.parse(value, into: &base, mode: mode) { path in .string(try readFile(path)) }
            } catch let e as HelmError {
                throw HelmError(.values, "failed parsing \(flag) data: \(e.message)")
            }
        }
        for case .set(let v) in layers { try apply(v, .typed, "--set") }
        for case .setString(let v) in layers { try apply(v, .string, "--set-string") }
        for case .setFile(let v) in layers { try apply(v, .file, "--set-file") }
        for case .setLiteral(let v) in layers { try apply(v, .literal, "--set-literal") }
        return base
    }
}

/// Renders charts as `helm template` does (Helm's install action in client-only mode).
public enum Renderer {
    /// Full pipeline: dependencies, coalescing, schema, templates, sorting.
    /// Errors are `HelmError`s whose `message` is Helm's text (without `Error: `).
    public static func render(chart: Chart, values: YAMLMapping, options: RenderOptions) throws -> RenderResult {
        try validateReleaseName(options.releaseName)
        let chart = try prepare(chart: chart, values: values)
        let top = try renderValues(chart: chart, values: values, options: options)
        do {
            return try renderResources(chart: chart, values: top, options: options)
        } catch let e as HelmError {
            // Once a release exists Helm points at --debug for the raw output.
            throw HelmError(e.kind, e.message + "\n\nUse --debug flag to render out invalid YAML", path: e.path)
        }
    }

    /// Helm's `runInstall` checks before rendering: chart type and vendored dependencies.
    public static func checkInstallable(_ chart: Chart) throws {
        let type = chart.metadata.type
        if !type.isEmpty && type != "application" {
            throw HelmError(.load, "\(type) charts are not installable")
        }
        let missing = chart.metadata.dependencies.map(\.name).filter { req in !chart.dependencies.contains { $0.name == req } }
        if !missing.isEmpty {
            throw HelmError(.load, "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: " + missing.joined(separator: ", "))
        }
    }

    /// `chartutil.ValidateReleaseName`, wrapped as `Install.availableName` does.
    public static func validateReleaseName(_ name: String) throws {
        let pattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
        if name.isEmpty {
            throw HelmError(.usage, "release name check failed: release name \"\": no name provided")
        }
        if name.count > 53 || name.range(of: pattern, options: .regularExpression) == nil {
            throw HelmError(.usage, "release name check failed: release name \"\(name)\": invalid release name, must match regex \(pattern) and the length must not be longer than 53")
        }
    }

    /// `ProcessDependencies` with Helm's error wrapping.
    public static func prepare(chart: Chart, values: YAMLMapping) throws -> Chart {
        do { return try Dependencies.process(chart, values: values) } catch let e as HelmError {
            throw HelmError(e.kind, "chart dependencies processing failed: \(e.message)", path: e.path)
        }
    }

    /// `ToRenderValues`: coalesced values, validated against the schemas.
    public static func renderValues(chart: Chart, values: YAMLMapping, options: RenderOptions) throws -> YAMLMapping {
        let coalesced = try Values.coalesce(chart: chart, values: values)
        if !options.skipSchemaValidation, let report = try JSONSchema.validate(chart: chart, values: coalesced) {
            throw HelmError(.schema, "values don't meet the specifications of the schema(s) in the following chart(s):\n" + report)
        }
        return coalesced
    }

    static func renderResources(chart: Chart, values: YAMLMapping, options: RenderOptions) throws -> RenderResult {
        let caps = options.capabilities
        if !chart.metadata.kubeVersion.isEmpty,
           !SemVersion.isCompatible(constraint: chart.metadata.kubeVersion, version: caps.kubeVersion.normalized) {
            throw HelmError(.template, "chart requires kubeVersion: \(chart.metadata.kubeVersion) which is incompatible with Kubernetes \(caps.kubeVersion.version)")
        }
        var files = try TemplateEngine(chart: chart, values: values, options: options).render()
        var notes = ""
        for key in files.keys.sorted() where key.hasSuffix("NOTES.txt") {
            if key == chart.name + "/templates/NOTES.txt", let text = files[key] { notes = text }
            files[key] = nil
        }
        let (hooks, manifests) = try ManifestSorter.sort(files: files)
        let crds = chart.crdObjects().map { (name: $0.filename, file: $0.file) }
        return RenderResult(manifests: manifests, hooks: hooks, crds: crds, notes: notes)
    }
}

extension RenderResult {
    /// Exactly what `helm template` writes to stdout (without `--show-only`/`--output-dir`).
    public func helmTemplateOutput(options: RenderOptions) -> String {
        var buffer = ""
        if options.includeCRDs {
            for crd in crds { buffer += "---\n# Source: \(crd.name)\n\(crd.file.text)\n" }
        }
        for m in manifests { buffer += "---\n# Source: \(m.source)\n\(m.content)\n" }
        var out = FastText.trimSpace(buffer) + "\n"
        if !options.noHooks {
            for h in hooks where !(options.skipTests && h.isTest) {
                out += "---\n# Source: \(h.manifest.source)\n\(h.manifest.content)\n"
            }
        }
        return out
    }

    /// `--show-only`: the documents whose template path (after the chart name) matches
    /// one of the patterns, in output order per pattern.
    public static func showOnly(_ output: String, patterns: [String]) throws -> String {
        let docs = ManifestSorter.split(output)
        var out = ""
        for pattern in patterns {
            var missing = true
            for doc in docs {
                guard let line = doc.split(separator: "\n").first(where: { $0.hasPrefix("# Source: ") }) else { continue }
                let source = line.dropFirst("# Source: ".count)
                guard let slash = source.firstIndex(of: "/"), slash != source.startIndex else { continue }
                let path = String(source[source.index(after: slash)...])
                if PathMatch.match(pattern, path) == true {
                    out += "---\n\(doc)\n"
                    missing = false
                }
            }
            if missing { throw HelmError(.usage, "could not find template \(pattern) in chart") }
        }
        return out
    }
}
