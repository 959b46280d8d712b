import Foundation
import YAML

/// How `platform render --out` lays out the tree.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// One directory per stage, one file per object.
    case plain
    /// `plain` plus a `kustomization.yaml` per stage.
    case kustomize
    /// `kustomize` plus an Argo CD Application per stage (sync waves in stage order) under `argocd/`.
    case argocd
    /// `kustomize` plus a Flux Kustomization per stage (`dependsOn` the previous one, health checks) under `flux/`.
    case flux
}

public struct GitOpsOptions: Sendable {
    public var format: OutputFormat
    /// Where the tree lives in the Git repository (Argo CD `source.path`, Flux `spec.path` prefix).
    public var repoPath: String
    /// Argo CD `source.repoURL`.
    public var repoURL: String
    /// Argo CD `source.targetRevision`.
    public var revision: String
    /// Flux `sourceRef` (a GitRepository in `flux-system`).
    public var fluxSource: String

    public init(format: OutputFormat = .plain, repoPath: String = ".", repoURL: String = "https://git.example.com/platform.git",
                revision: String = "HEAD", fluxSource: String = "flux-system") {
        self.format = format
        self.repoPath = repoPath
        self.repoURL = repoURL
        self.revision = revision
        self.fluxSource = fluxSource
    }
}

/// The rendered tree as (relative path, bytes). Pure and deterministic.
public enum GitOpsLayout {
    /// The file recording what the last render wrote (so the next one can prune) plus each
    /// stage's actions, readiness rules and smoke gates. No `.yaml`/`.json` extension, so
    /// `kubectl apply -R -f DIR` never reads it.
    public static let stateFile = ".platform-render"

    public static func files(_ render: PlatformRender, options: GitOpsOptions) -> [(path: String, content: String)] {
        var out: [(String, String)] = []
        // Emitting YAML is most of this function's time; objects are independent.
        var yaml = Parallel.map(render.objects) { $0.yaml }[...]
        for stage in render.stages {
            let dir = stage.plan.id.directory
            for o in stage.objects { out.append((dir + "/" + o.fileName, yaml.removeFirst())) }
            if options.format != .plain {
                // Argo CD runs Helm hooks itself (it maps helm.sh/hook); kustomize/Flux would apply them as plain objects.
                let listed = stage.objects.filter { options.format == .argocd || $0.hookEvents.isEmpty }.map(\.fileName)
                out.append((dir + "/kustomization.yaml", kustomization(listed)))
            }
        }
        switch options.format {
        case .plain, .kustomize: break
        case .argocd:
            var apps: [String] = []
            for stage in render.stages {
                let name = "\(render.profileName)-\(stage.plan.id.rawValue).yaml"
                out.append(("argocd/" + name, argoApplication(render, stage, options)))
                apps.append(name)
            }
            out.append(("argocd/kustomization.yaml", kustomization(apps)))
        case .flux:
            var ks: [String] = []
            var previous: String?
            for stage in render.stages {
                let name = "\(render.profileName)-\(stage.plan.id.rawValue)"
                out.append(("flux/\(name).yaml", fluxKustomization(name, stage, dependsOn: previous, options)))
                ks.append(name + ".yaml")
                previous = name
            }
            out.append(("flux/kustomization.yaml", kustomization(ks)))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// One multi-document stream in stage and install order (`--stdout`).
    public static func stream(_ render: PlatformRender) -> String {
        var text = ""
        var yaml = Parallel.map(render.objects) { $0.yaml }[...]
        for stage in render.stages {
            for o in stage.objects {
                text += "---\n# Source: \(stage.plan.id.directory)/\(o.fileName)\n" + yaml.removeFirst()
            }
        }
        return text
    }

    static func kustomization(_ resources: [String]) -> String {
        GoYAML.marshal(.mapping(YAMLMapping([
            ("apiVersion", .string("kustomize.config.k8s.io/v1beta1")), ("kind", .string("Kustomization")),
            ("resources", .sequence(resources.map { .string($0) })),
        ])))
    }

    static func joinPath(_ a: String, _ b: String) -> String {
        let prefix = a.hasPrefix("./") ? String(a.dropFirst(2)) : a
        return prefix.isEmpty || prefix == "." ? b : (prefix.hasSuffix("/") ? prefix + b : prefix + "/" + b)
    }

    static func argoApplication(_ render: PlatformRender, _ stage: RenderedStage, _ options: GitOpsOptions) -> String {
        let id = stage.plan.id
        let hasCustomResources = stage.objects.contains { $0.rank == 99 }
        var syncOptions: [YAMLValue] = [.string("ServerSideApply=true")]
        // CRs whose CRD arrives in the same sync cannot be dry-run first.
        if hasCustomResources { syncOptions.append(.string("SkipDryRunOnMissingResource=true")) }
        let app = YAMLMapping([
            ("apiVersion", .string("argoproj.io/v1alpha1")), ("kind", .string("Application")),
            ("metadata", .mapping(YAMLMapping([
                ("name", .string("\(render.profileName)-\(id.rawValue)")), ("namespace", .string("argocd")),
                ("annotations", .mapping(YAMLMapping([("argocd.argoproj.io/sync-wave", .string(String(id.order * 10)))]))),
                ("finalizers", .sequence([.string("resources-finalizer.argocd.argoproj.io")])),
            ]))),
            ("spec", .mapping(YAMLMapping([
                ("project", .string("default")),
                ("source", .mapping(YAMLMapping([("repoURL", .string(options.repoURL)), ("targetRevision", .string(options.revision)),
                                                 ("path", .string(joinPath(options.repoPath, id.directory)))]))),
                ("destination", .mapping(YAMLMapping([("server", .string("https://kubernetes.default.svc"))]))),
                ("syncPolicy", .mapping(YAMLMapping([
                    ("automated", .mapping(YAMLMapping([("prune", .bool(true)), ("selfHeal", .bool(true))]))),
                    ("syncOptions", .sequence(syncOptions)),
                ]))),
            ]))),
        ])
        return GoYAML.marshal(.mapping(app))
    }

    static func fluxKustomization(_ name: String, _ stage: RenderedStage, dependsOn: String?, _ options: GitOpsOptions) -> String {
        var spec = YAMLMapping([
            ("interval", .string("10m")), ("path", .string("./" + joinPath(options.repoPath, stage.plan.id.directory))),
            ("prune", .bool(true)),
            ("sourceRef", .mapping(YAMLMapping([("kind", .string("GitRepository")), ("name", .string(options.fluxSource))]))),
            ("timeout", .string(stage.plan.smoke.first?.timeout ?? "10m")),
        ])
        if let dependsOn { spec["dependsOn"] = .sequence([.mapping(YAMLMapping([("name", .string(dependsOn))]))]) }
        let checks: [YAMLValue] = stage.objects.filter { $0.hookEvents.isEmpty && ["Deployment", "StatefulSet"].contains($0.kind) }.map { o in
            .mapping(YAMLMapping([("apiVersion", .string(o.apiVersion)), ("kind", .string(o.kind)),
                                  ("name", .string(o.name)), ("namespace", .string(o.namespace))]))
        }
        if !checks.isEmpty { spec["healthChecks"] = .sequence(checks) }
        return GoYAML.marshal(.mapping(YAMLMapping([
            ("apiVersion", .string("kustomize.toolkit.fluxcd.io/v1")), ("kind", .string("Kustomization")),
            ("metadata", .mapping(YAMLMapping([("name", .string(name)), ("namespace", .string("flux-system"))]))),
            ("spec", .mapping(spec)),
        ])))
    }

    /// The state file's content: written paths and each stage's plan data.
    public static func state(_ render: PlatformRender, options: GitOpsOptions, paths: [String]) -> String {
        struct StageState: Encodable {
            var stage: String
            var directory: String
            var releases: [String]
            var actions: [StageAction]
            var readiness: [ReadinessRule]
            var smoke: [SmokeGate]
        }
        struct State: Encodable {
            var generator = "platform render"
            var profile: String
            var format: String
            var files: [String]
            var stages: [StageState]
        }
        let state = State(profile: render.profileName, format: options.format.rawValue, files: paths, stages: render.stages.map { s in
            StageState(stage: s.plan.id.rawValue, directory: s.plan.id.directory,
                       releases: s.plan.releases.map { "\($0.releaseName) \($0.chart.rawValue)@\($0.version) -n \($0.namespace)" },
                       actions: s.plan.actions, readiness: s.plan.readiness, smoke: s.plan.smoke)
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(state)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// What a write did, for the CLI summary.
public struct WriteSummary: Sendable, Equatable {
    public var written: [String] = []
    public var unchanged: [String] = []
    public var removed: [String] = []
}

/// Writes a rendered tree into a directory: only files whose bytes changed, then removes
/// files the previous render wrote that this one no longer produces. Never touches other files.
public struct GitOpsWriter: Sendable {
    public init() {}

    public func write(_ render: PlatformRender, options: GitOpsOptions, to dir: String) throws(StageRenderError) -> WriteSummary {
        try write(render, files: GitOpsLayout.files(render, options: options), options: options, to: dir)
    }

    /// Writes `files`, which must be `GitOpsLayout.files(render, options: options)` (platform-bench
    /// times the two steps apart).
    public func write(_ render: PlatformRender, files: [(path: String, content: String)], options: GitOpsOptions,
                      to dir: String) throws(StageRenderError) -> WriteSummary {
        let fm = FileManager.default
        let statePath = dir + "/" + GitOpsLayout.stateFile
        let previous = Self.previousFiles(statePath)
        var summary = WriteSummary()
        // Refuse before writing anything: a file we did not write must not be overwritten.
        for (path, _) in files where !previous.contains(path) && fm.fileExists(atPath: dir + "/" + path) {
            throw StageRenderError(stage: nil, object: nil,
                                   message: "\(dir)/\(path) exists and was not written by platform render; move it or choose another --out")
        }
        do {
            // Directories first, in order (a few, and never raced); then the files, one parallel
            // job per directory: creating a file is mostly kernel time (ext4 inode allocation)
            // that another core can share. Outcomes are taken in file order, so the summary and
            // the error reported are those of a sequential write.
            var directories: [String] = []
            var groups: [[Int]] = []
            var group: [String: Int] = [:]
            for (i, (path, _)) in files.enumerated() {
                let parent = ((dir + "/" + path) as NSString).deletingLastPathComponent
                if group[parent] == nil {
                    group[parent] = directories.count
                    directories.append(parent)
                    groups.append([])
                }
                groups[group[parent] ?? 0].append(i)
            }
            for directory in directories { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            let outcomes = Parallel.map(groups) { indices -> [Result<Bool, StageRenderError>] in
                var out: [Result<Bool, StageRenderError>] = []
                for i in indices {
                    let full = dir + "/" + files[i].path
                    let bytes = Data(files[i].content.utf8)
                    // Only a file listed in the state file can exist here (others were refused above).
                    if previous.contains(files[i].path) && FileManager.default.contents(atPath: full) == bytes {
                        out.append(.success(false))
                        continue
                    }
                    do throws(StageRenderError) { try Self.writeFile(bytes, to: full) } catch {
                        out.append(.failure(error))
                        break  // this directory stops here; the first failure in file order is reported
                    }
                    out.append(.success(true))
                }
                return out
            }
            var outcome = [Result<Bool, StageRenderError>?](repeating: nil, count: files.count)
            for (indices, results) in zip(groups, outcomes) {
                for (i, result) in zip(indices, results) { outcome[i] = result }
            }
            for (i, file) in files.enumerated() {
                // nil only after a failure in the same directory, which comes earlier in file order.
                guard let result = outcome[i] else { continue }
                if try result.get() { summary.written.append(file.path) } else { summary.unchanged.append(file.path) }
            }
            let now = Set(files.map(\.path))
            for path in previous.sorted() where !now.contains(path) {
                let full = dir + "/" + path
                if fm.fileExists(atPath: full) { try fm.removeItem(atPath: full) }
                summary.removed.append(path)
                Self.removeEmptyParents(of: path, in: dir)
            }
            let state = Data(GitOpsLayout.state(render, options: options, paths: files.map(\.path)).utf8)
            if fm.contents(atPath: statePath) != state { try Self.writeFile(state, to: statePath) }
        } catch let e as StageRenderError {
            throw e
        } catch {
            throw StageRenderError(stage: nil, object: nil, message: "writing \(dir): \(error.localizedDescription)")
        }
        return summary
    }

    /// open/write/close. Foundation's `Data.write(to:)` fsyncs every file on Linux, which made
    /// writing a tree of a few hundred files most of `platform render`'s time; the tree is
    /// regenerated from the profile at will, so per-file durability buys nothing.
    static func writeFile(_ bytes: Data, to path: String) throws(StageRenderError) {
        func failure(_ what: String) -> StageRenderError {
            StageRenderError(stage: nil, object: nil, message: "\(what) \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure("cannot create") }
        let ok = bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        if !ok {
            let error = failure("cannot write")
            close(fd)
            throw error
        }
        if close(fd) != 0 { throw failure("cannot write") }
    }

    static func previousFiles(_ statePath: String) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: statePath),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = json["files"] as? [String] else { return [] }
        // Never follow a path out of the output directory, whatever the state file says.
        return Set(files.filter { !$0.hasPrefix("/") && !$0.split(separator: "/").contains("..") })
    }

    /// Removes directories left empty by pruning (stage directories of disabled stages).
    static func removeEmptyParents(of path: String, in dir: String) {
        var parts = path.split(separator: "/").dropLast()
        while !parts.isEmpty {
            let full = dir + "/" + parts.joined(separator: "/")
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: full), entries.isEmpty else { return }
            try? FileManager.default.removeItem(atPath: full)
            parts = parts.dropLast()
        }
    }
}
