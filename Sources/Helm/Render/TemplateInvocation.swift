import Foundation
import YAML

/// One `helm template` run described by its flags; `platform template` parses the command
/// line into this and the golden tests build it from `case.json`, so both share one path.
public struct TemplateInvocation: Sendable {
    public var positional: [String] = []
    public var namespace = "default"
    public var name: String?
    public var generateName = false
    public var valueFiles: [String] = []
    public var set: [String] = []
    public var setString: [String] = []
    public var setJSON: [String] = []
    public var setFile: [String] = []
    public var setLiteral: [String] = []
    public var kubeVersion: String?
    public var apiVersions: [String] = []
    public var includeCRDs = false
    public var skipTests = false
    public var noHooks = false
    public var isUpgrade = false
    public var skipSchemaValidation = false
    public var showOnly: [String] = []
    public var outputDir: String?
    public var useReleaseName = false
    /// Loads the chart; tests swap in archive loading.
    public var loadChart: @Sendable (String) throws -> Chart = { try Chart.load(path: $0) }

    public init() {}

    /// Renders and returns stdout. Errors are `HelmError`s printed as `Error: <message>`.
    public func run() throws -> String {
        let (release, chartPath) = try releaseAndChart()
        var options = RenderOptions(releaseName: release, namespace: namespace)
        if let kubeVersion {
            guard let kv = Capabilities.KubeVersion(parsing: kubeVersion) else {
                throw HelmError(.usage, "invalid kube version '\(kubeVersion)': could not parse \"\(kubeVersion)\" as version")
            }
            options.capabilities.kubeVersion = kv
        }
        options.capabilities.apiVersions += apiVersions.flatMap { $0.split(separator: ",").map(String.init) }
        options.includeCRDs = includeCRDs
        options.skipTests = skipTests
        options.noHooks = noHooks
        options.isUpgrade = isUpgrade
        options.skipSchemaValidation = skipSchemaValidation

        var layers: [ValueInputs.Layer] = []
        for path in valueFiles {
            if path.trimmingCharacters(in: .whitespaces) == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                layers.append(.file(name: path, text: String(decoding: data, as: UTF8.self)))
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw HelmError(.values, "open \(path): no such file or directory")
            }
            layers.append(.file(name: path, text: String(decoding: data, as: UTF8.self)))
        }
        layers += setJSON.map { .json($0) } + set.map { .set($0) } + setString.map { .setString($0) }
            + setFile.map { .setFile($0) } + setLiteral.map { .setLiteral($0) }
        let userValues = try ValueInputs(layers: layers).merged()

        let chart = try loadChart(chartPath)
        try Renderer.checkInstallable(chart)
        let result = try Renderer.render(chart: chart, values: userValues, options: options)
        if let outputDir {
            return try write(result, to: outputDir, options: options)
        }
        let output = result.helmTemplateOutput(options: options)
        if !showOnly.isEmpty { return try RenderResult.showOnly(output, patterns: showOnly) }
        return output
    }

    /// Helm's `NameAndChart` for `template` (default name `release-name`).
    public func releaseAndChart() throws -> (String, String) {
        switch positional.count {
        case 0: throw HelmError(.usage, "\"platform template\" requires at least 1 argument\n\nUsage:  platform template [NAME] [CHART] [flags]")
        case 1:
            if generateName {
                let base = URL(fileURLWithPath: positional[0]).deletingPathExtension().lastPathComponent
                return ("\(base)-\(Int(Date().timeIntervalSince1970))", positional[0])
            }
            return (name ?? "release-name", positional[0])
        case 2:
            if generateName { throw HelmError(.usage, "cannot set --generate-name and also specify a name") }
            return (positional[0], positional[1])
        default:
            throw HelmError(.usage, "expected at most two arguments, unexpected arguments: \(positional.dropFirst(2).joined(separator: ", "))")
        }
    }

    /// `--output-dir`: one file per template (documents of one template appended).
    func write(_ result: RenderResult, to dir: String, options: RenderOptions) throws -> String {
        let base = useReleaseName ? dir + "/" + options.releaseName : dir
        var written = Set<String>()
        var log = ""
        func emit(_ name: String, _ content: String) throws {
            let path = base + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let text = "---\n# Source: \(name)\n\(content)\n"
            if written.contains(name), let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data(text.utf8))
                handle.closeFile()
            } else {
                try text.write(toFile: path, atomically: false, encoding: .utf8)
            }
            written.insert(name)
            log += "wrote \(path)\n"
        }
        if options.includeCRDs { for crd in result.crds { try emit(crd.name, crd.file.text) } }
        for m in result.manifests { try emit(m.source, m.content) }
        if !options.noHooks {
            for h in result.hooks where !(options.skipTests && h.isTest) { try emit(h.manifest.source, h.manifest.content) }
        }
        return log + "\n"
    }
}
