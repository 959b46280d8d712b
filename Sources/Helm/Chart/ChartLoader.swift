import Foundation
import YAML

extension Chart {
    /// Loads a chart from a directory or a packaged `.tgz`, as `helm template CHART` does.
    public static func load(path: String) throws -> Chart {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HelmError(.load, "path \"\(path)\" not found", path: path)
        }
        if isDirectory.boolValue { return try ChartLoader.loadDirectory(path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HelmError(.load, "file '\(path)' cannot be read", path: path)
        }
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x1F, 0x8B, 0x08]) else {
            if path.hasSuffix(".yml") || path.hasSuffix(".yaml") {
                throw HelmError(.load, "file '\(path)' seems to be a YAML file, but expected a gzipped archive", path: path)
            }
            throw HelmError(.load, "file '\(path)' does not appear to be a gzipped archive; got 'application/octet-stream'", path: path)
        }
        return try load(archive: bytes)
    }

    /// Loads a packaged chart from memory.
    public static func load(archive: [UInt8], reader: ChartArchiveReader = ChartArchiveReader()) throws -> Chart {
        try load(files: reader.files(in: archive), reader: reader)
    }

    /// The files `helm package` would put in an archive for this directory
    /// (`.helmignore` applied), names relative to the chart root.
    public static func files(inDirectory dir: String) throws -> [ChartFile] {
        try ChartLoader.directoryFiles(dir)
    }

    /// Builds a chart from its files (names relative to the chart root), Helm's `LoadFiles`.
    public static func load(files: [ChartFile], reader: ChartArchiveReader = ChartArchiveReader()) throws -> Chart {
        try ChartLoader.loadFiles(files, reader: reader)
    }
}

enum ChartLoader {
    static func loadDirectory(_ dir: String) throws -> Chart {
        try loadFiles(directoryFiles(dir), reader: ChartArchiveReader())
    }

    static func directoryFiles(_ dir: String) throws -> [ChartFile] {
        let top = URL(fileURLWithPath: dir).standardizedFileURL.path
        var rules = HelmIgnore()
        let ignorePath = top + "/.helmignore"
        if let data = FileManager.default.contents(atPath: ignorePath) {
            rules = try HelmIgnore(parsing: String(decoding: data, as: UTF8.self))
        }
        rules.addDefaults()
        var files: [ChartFile] = []
        try walk(top: top, relative: "", rules: rules, into: &files, depth: 0)
        return files
    }

    /// Lexical walk following symlinks (Helm's sympath.Walk), applying the top-level ignore rules.
    private static func walk(top: String, relative: String, rules: HelmIgnore, into files: inout [ChartFile], depth: Int) throws {
        guard depth < 64 else { throw HelmError(.load, "chart directory nests too deeply at \(relative)") }
        let fm = FileManager.default
        let dirPath = relative.isEmpty ? top : top + "/" + relative
        let names: [String]
        do { names = try fm.contentsOfDirectory(atPath: dirPath).sorted() } catch {
            throw HelmError(.load, "error reading \(relative.isEmpty ? "." : relative): \(error.localizedDescription)", path: dirPath)
        }
        for name in names {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let full = top + "/" + rel
            // One stat(2) (links followed, as fileExists) instead of Foundation's
            // fileExists + attributesOfItem, which also looks up owner names per file.
            var st = stat()
            guard stat(full, &st) == 0 else { continue }  // dangling link
            if (st.st_mode & S_IFMT) == S_IFDIR {
                if rules.ignores(rel, isDirectory: true) { continue }
                try walk(top: top, relative: rel, rules: rules, into: &files, depth: depth + 1)
                continue
            }
            if rules.ignores(rel, isDirectory: false) { continue }
            if st.st_size > 5 * 1024 * 1024 {
                throw HelmError(.load, "chart file \"\(name)\" is larger than the maximum file size \(5 * 1024 * 1024)", path: full)
            }
            guard let data = fm.contents(atPath: full) else {
                throw HelmError(.load, "error reading \(rel)", path: full)
            }
            files.append(ChartFile(name: rel, data: ChartArchiveReader.trimBOM([UInt8](data))))
        }
    }

    static func loadFiles(_ files: [ChartFile], reader: ChartArchiveReader) throws -> Chart {
        guard let chartFile = files.first(where: { $0.name == "Chart.yaml" }) else {
            throw HelmError(.load, "Chart.yaml file is missing")
        }
        var metadata = try ChartMetadata.decode(chartFile.text, file: "Chart.yaml")
        var chart = Chart(metadata: metadata)
        var subcharts: [String: [ChartFile]] = [:]
        var subchartOrder: [String] = []
        for f in files {
            switch f.name {
            case "Chart.yaml", "Chart.lock", "requirements.lock":
                if f.name == "requirements.lock" && metadata.apiVersion == "v1" { chart.files.append(f) }
            case "values.yaml":
                chart.values = try HelmYAML.mapping(f.text, file: "values.yaml") {
                    "cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: \($0.goMessage)"
                }
            case "values.schema.json":
                chart.schema = f.data
            case "requirements.yaml":
                // apiVersion v1 charts list dependencies here.
                if let root = try? Parser().parseSingle(f.text), let deps = root["dependencies"]?.sequenceItems {
                    metadata.dependencies = deps.map(ChartDependency.decode)
                    chart.metadata = metadata
                }
                if metadata.apiVersion == "v1" { chart.files.append(f) }
            default:
                if f.name.hasPrefix("templates/") {
                    chart.templates.append(f)
                } else if f.name.hasPrefix("charts/") {
                    if f.name.hasSuffix(".prov") { chart.files.append(f); continue }
                    let rest = String(f.name.dropFirst("charts/".count))
                    let cname = String(rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0])
                    if subcharts[cname] == nil { subchartOrder.append(cname) }
                    subcharts[cname, default: []].append(ChartFile(name: rest, data: f.data))
                } else {
                    chart.files.append(f)
                }
            }
        }
        try chart.metadata.validate()
        for cname in subchartOrder.sorted() {
            guard let group = subcharts[cname] else { continue }
            if cname.hasPrefix("_") || cname.hasPrefix(".") { continue }
            let sub: Chart
            do {
                if cname.hasSuffix(".tgz") {
                    guard let file = group.first, file.name == cname else {
                        throw HelmError(.load, "error unpacking subchart tar in \(chart.name): expected \(cname), got \(group.first?.name ?? "")")
                    }
                    sub = try Chart.load(archive: file.data, reader: reader)
                } else {
                    let inner = group.compactMap { f -> ChartFile? in
                        let parts = f.name.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                        guard parts.count == 2 else { return nil }
                        return ChartFile(name: String(parts[1]), data: f.data)
                    }
                    sub = try loadFiles(inner, reader: reader)
                }
            } catch let e as HelmError {
                throw HelmError(e.kind, "error unpacking subchart \(cname) in \(chart.name): \(e.message)", path: e.path)
            }
            chart.dependencies.append(sub)
        }
        return chart
    }
}
