import ChartSources
import Helm
import Profiles
import YAML

/// A render failure, naming the stage and object (`group/kind ns/name`) when known.
public struct StageRenderError: Error, Sendable, CustomStringConvertible {
    public var stage: StageID?
    public var object: String?
    public var message: String

    public init(stage: StageID?, object: String?, message: String) {
        self.stage = stage
        self.object = object
        self.message = message
    }

    public var description: String {
        var parts: [String] = []
        if let stage { parts.append("stage \(stage.rawValue)") }
        if let object { parts.append(object) }
        return (parts.isEmpty ? "" : parts.joined(separator: ", ") + ": ") + message
    }
}

/// One object of the output with everything the writers need.
public struct RenderedObject: Sendable, Equatable {
    public var stage: StageID
    public var apiVersion: String
    public var kind: String
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String
    /// The object (metadata.namespace filled in for namespaced kinds).
    public var value: YAMLValue
    /// Helm hook events (`pre-install`, ...); empty for ordinary objects.
    public var hookEvents: [String]
    /// Where it came from: `gpu-operator/templates/x.yaml`, `gpu-operator/crds/y.yaml`, `platform/templates/…`.
    public var origin: String
    /// Helm install-order rank of the kind (unknown kinds, i.e. custom resources, last).
    public var rank: Int

    public var group: String { apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : "" }

    /// `group/kind ns/name` as errors print it.
    public var reference: String {
        let gk = group.isEmpty ? kind : "\(group)/\(kind)"
        return namespace.isEmpty ? "\(gk) \(name)" : "\(gk) \(namespace)/\(name)"
    }

    /// Stable file name inside the stage directory; the rank prefix keeps `kubectl apply -f DIR`
    /// (lexical order) in install order, and no position index appears so adding an object
    /// never renames others.
    public var fileName: String {
        let base = [kind.lowercased(), namespace, name].filter { !$0.isEmpty }.map(Self.sanitize).joined(separator: "_")
        if !hookEvents.isEmpty { return "hooks/" + base + ".yaml" }
        return String(format: "%02d", rank) + "-" + base + ".yaml"
    }

    static func sanitize(_ s: String) -> String {
        String(s.lowercased().map { c in c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-") ? c : "-" })
    }

    /// The object as one YAML document (Go's marshalling: sorted keys, like `kubectl get -o yaml`).
    public var yaml: String { GoYAML.marshal(value) }
}

public struct RenderedStage: Sendable {
    public var plan: StagePlan
    public var objects: [RenderedObject]
}

/// The whole render of a profile.
public struct PlatformRender: Sendable {
    public var profileName: String
    public var stages: [RenderedStage]
    /// Objects rendered by more than one release (e.g. CRDs both charts ship) kept only in the
    /// first stage: `reference (stage)` lines, for the CLI to mention.
    public var duplicatesDropped: [String]

    public var objects: [RenderedObject] { stages.flatMap(\.objects) }
}

/// Where a render's time went, for platform-bench. Chart, template and parse times are summed
/// over the parallel jobs, so they can add up to more than the render's wall time.
public struct RenderTimings: Sendable {
    public var charts: Duration = .zero
    public var templates: Duration = .zero
    public var parse: Duration = .zero
    /// Namespaces, duplicates, ordering, file names.
    public var assemble: Duration = .zero
    public var validate: Duration = .zero

    public init() {}

    mutating func add(_ other: RenderTimings) {
        charts += other.charts
        templates += other.templates
        parse += other.parse
        assemble += other.assemble
        validate += other.validate
    }
}

/// Profile + charts + Manifests/ -> validated objects per stage. No writing; see `GitOpsWriter`.
public struct StageRenderer: Sendable {
    public var charts: any ChartProvider
    public var templates: ManifestTemplates

    public init(charts: any ChartProvider, templates: ManifestTemplates = .embedded) {
        self.charts = charts
        self.templates = templates
    }

    public func render(_ profile: Profile) throws(StageRenderError) -> PlatformRender {
        var timings = RenderTimings()
        return try render(profile, timings: &timings)
    }

    /// `render(_:)`, adding where the time went to `timings` (platform-bench prints it).
    public func render(_ profile: Profile, timings: inout RenderTimings) throws(StageRenderError) -> PlatformRender {
        let plans: [StagePlan]
        do { plans = try StageCompiler.compile(profile) } catch {
            throw StageRenderError(stage: error.stage, object: nil, message: error.message)
        }
        let context = try TemplateContext.values(for: profile)
        let capabilities = profile.spec.kubernetes.minVersion
            .flatMap { v in Capabilities.KubeVersion(parsing: "v\(v.major).\(v.minor).\(v.patch ?? 0)") }
            .map { Capabilities(kubeVersion: $0) } ?? Capabilities()

        // Releases and each stage's Manifests/ render independently: one job each, run in
        // parallel. Their documents are then decoded in parallel too (a few CRD files are most
        // of the bytes). Results, and the first error, are taken in plan order as if sequential.
        var jobs: [(stage: Int, release: HelmRelease?)] = []
        for (i, plan) in plans.enumerated() {
            for release in plan.releases { jobs.append((i, release)) }
            if templates.chart(for: plan.manifestDirectory) != nil { jobs.append((i, nil)) }
        }
        let rendered = Parallel.map(jobs) { job -> Result<([RawText], RenderTimings), StageRenderError> in
            var t = RenderTimings()
            let plan = plans[job.stage]
            do throws(StageRenderError) {
                if let release = job.release {
                    return .success((try renderRelease(release, stage: plan.id, capabilities: capabilities, timings: &t), t))
                }
                guard let chart = templates.chart(for: plan.manifestDirectory) else { return .success(([], t)) }
                var options = RenderOptions(releaseName: profile.metadata.name, namespace: "default")
                options.capabilities = capabilities
                let texts = try renderChart(chart, values: context, options: options, stage: plan.id,
                                            defaultNamespace: nil, timings: &t)
                return .success((texts, t))
            } catch {
                return .failure(error)
            }
        }
        let texts = rendered.flatMap { (try? $0.get().0) ?? [] }
        let decoded = Parallel.map(texts) { text -> (Result<[RawObject], StageRenderError>, Duration) in
            let start = ContinuousClock.now
            let result = Result { () throws(StageRenderError) in try decode(text) }
            return (result, start.duration(to: .now))
        }
        var raw: [(StagePlan, [RawObject])] = plans.map { ($0, []) }
        var next = 0
        for (job, outcome) in zip(jobs, rendered) {
            let (jobTexts, t) = try outcome.get()
            timings.add(t)
            for (result, time) in decoded[next..<next + jobTexts.count] {
                raw[job.stage].1 += try result.get()
                timings.parse += time
            }
            next += jobTexts.count
        }

        var clock = ContinuousClock.now
        let scopes = try ScopeTable(crds: raw.flatMap { $0.1 }.filter { $0.kind == "CustomResourceDefinition" }.map(\.value))
        var seen: [String: StageID] = [:]
        var dropped: [String] = []
        var stages: [RenderedStage] = []
        for (plan, objects) in raw {
            var out: [RenderedObject] = []
            for o in objects {
                let obj = try finish(o, stage: plan.id, scopes: scopes)
                let key = "\(obj.group)/\(obj.kind)/\(obj.namespace)/\(obj.name)"
                if let first = seen[key] {
                    if first == plan.id {
                        throw StageRenderError(stage: plan.id, object: obj.reference, message: "rendered twice (from \(obj.origin))")
                    }
                    dropped.append("\(obj.reference) (\(plan.id.rawValue), kept in \(first.rawValue))")
                    continue
                }
                seen[key] = plan.id
                out.append(obj)
            }
            // Stable sort by rank: Helm's order inside a release is kept, our manifests follow charts.
            out = out.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
            try checkFileNames(out, stage: plan.id)
            stages.append(RenderedStage(plan: plan, objects: out))
        }
        timings.assemble += clock.duration(to: .now)
        clock = .now
        try validate(stages.flatMap(\.objects), scopes: scopes, builtins: BuiltinValidator(minVersion: profile.spec.kubernetes.minVersion))
        timings.validate += clock.duration(to: .now)
        return PlatformRender(profileName: profile.metadata.name, stages: stages, duplicatesDropped: dropped)
    }

    // MARK: rendering

    /// One rendered file (a chart's CRD file, template output or hook), not yet decoded.
    struct RawText: Sendable {
        var text: String
        var origin: String
        var hookEvents: [String]
        var stage: StageID
        var releaseNamespace: String?
        /// Helm's parse of `text` (template output and hooks), decoded instead of parsing again.
        var documents: [Document]? = nil
    }

    struct RawObject: Sendable {
        var value: YAMLValue
        var kind: String
        var hookEvents: [String]
        var origin: String
        var releaseNamespace: String?
    }

    func renderRelease(_ release: HelmRelease, stage: StageID, capabilities: Capabilities,
                       timings: inout RenderTimings) throws(StageRenderError) -> [RawText] {
        let start = ContinuousClock.now
        let chart: Chart
        do {
            chart = try charts.chart(for: ChartRequest(name: release.chart.rawValue, version: release.version, source: release.source))
        } catch {
            throw StageRenderError(stage: stage, object: nil, message: error.description)
        }
        timings.charts += start.duration(to: .now)
        var options = RenderOptions(releaseName: release.releaseName, namespace: release.namespace)
        options.capabilities = capabilities
        options.includeCRDs = true
        return try renderChart(chart, values: release.values, options: options, stage: stage,
                               defaultNamespace: release.namespace, timings: &timings)
    }

    func renderChart(_ chart: Chart, values: YAMLMapping, options: RenderOptions, stage: StageID,
                     defaultNamespace: String?, timings: inout RenderTimings) throws(StageRenderError) -> [RawText] {
        let clock = ContinuousClock.now
        let result: RenderResult
        do { result = try Renderer.render(chart: chart, values: values, options: options) } catch {
            throw StageRenderError(stage: stage, object: nil, message: "chart \(chart.name): \(error)")
        }
        timings.templates += clock.duration(to: .now)
        var out: [RawText] = []
        for crd in result.crds { out.append(RawText(text: crd.file.text, origin: crd.name, hookEvents: [], stage: stage, releaseNamespace: defaultNamespace)) }
        for m in result.manifests {
            out.append(RawText(text: m.content, origin: m.source, hookEvents: [], stage: stage, releaseNamespace: defaultNamespace,
                               documents: m.documents))
        }
        // Test hooks belong to `helm test`, not to an installation; other hooks are kept as hooks.
        for h in result.hooks where !h.isTest {
            out.append(RawText(text: h.manifest.content, origin: h.manifest.source, hookEvents: h.events, stage: stage,
                               releaseNamespace: defaultNamespace, documents: h.manifest.documents))
        }
        return out
    }

    /// The objects of one rendered file (empty documents skipped).
    func decode(_ raw: RawText) throws(StageRenderError) -> [RawObject] {
        let docs: [YAMLValue]
        let decoder = YAMLDecoder(rules: .kubernetes)
        do {
            // Helm parsed the same text with the same default `Parser` (the file name only
            // labels errors), so decoding its nodes gives what `decodeAll` would, one parse less.
            if let documents = raw.documents {
                docs = try documents.map { d throws(YAMLError) in try decoder.value(of: d.root, file: raw.origin) }
            } else {
                docs = try decoder.decodeAll(raw.text, file: raw.origin)
            }
        } catch {
            throw StageRenderError(stage: raw.stage, object: nil, message: "\(raw.origin): \(error)")
        }
        var out: [RawObject] = []
        for doc in docs where doc != .null {
            guard case .mapping = doc, let kind = doc[path: "kind"]?.string else {
                throw StageRenderError(stage: raw.stage, object: nil, message: "\(raw.origin): a document without kind")
            }
            out.append(RawObject(value: doc, kind: kind, hookEvents: raw.hookEvents, origin: raw.origin, releaseNamespace: raw.releaseNamespace))
        }
        return out
    }

    func finish(_ o: RawObject, stage: StageID, scopes: ScopeTable) throws(StageRenderError) -> RenderedObject {
        guard case .mapping(var m) = o.value, let apiVersion = o.value[path: "apiVersion"]?.string,
              let name = o.value[path: "metadata", "name"]?.string, !name.isEmpty else {
            throw StageRenderError(stage: stage, object: "\(o.kind) from \(o.origin)", message: "needs apiVersion and metadata.name")
        }
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        var namespace = o.value[path: "metadata", "namespace"]?.string ?? ""
        guard let namespaced = scopes.isNamespaced(group: group, kind: o.kind) else {
            throw StageRenderError(stage: stage, object: "\(group.isEmpty ? "" : group + "/")\(o.kind) \(name)",
                                   message: "unknown kind (no CRD in the render and not a built-in kind); cannot tell its scope")
        }
        if namespaced && namespace.isEmpty {
            // Helm leaves the namespace to the install; GitOps files must carry it.
            guard let ns = o.releaseNamespace else {
                throw StageRenderError(stage: stage, object: "\(o.kind) \(name)", message: "namespaced object without metadata.namespace in \(o.origin)")
            }
            namespace = ns
            var meta = m["metadata"]?.mapping ?? YAMLMapping()
            meta["namespace"] = .string(ns)
            m["metadata"] = .mapping(meta)
        } else if !namespaced && !namespace.isEmpty {
            // kubectl rejects a namespace on cluster-scoped objects only with -n mismatch; drop it for clean diffs.
            var meta = m["metadata"]?.mapping ?? YAMLMapping()
            meta["namespace"] = nil
            m["metadata"] = .mapping(meta)
            namespace = ""
        }
        let rank = ManifestSorter.installOrder.firstIndex(of: o.kind) ?? 99
        return RenderedObject(stage: stage, apiVersion: apiVersion, kind: o.kind, namespace: namespace, name: name,
                              value: .mapping(m), hookEvents: o.hookEvents, origin: o.origin, rank: rank)
    }

    func checkFileNames(_ objects: [RenderedObject], stage: StageID) throws(StageRenderError) {
        var names: [String: RenderedObject] = [:]
        for o in objects {
            if let other = names[o.fileName] {
                throw StageRenderError(stage: stage, object: o.reference,
                                       message: "file name \(o.fileName) also used by \(other.reference)")
            }
            names[o.fileName] = o
        }
    }

    // MARK: validation

    /// Custom resources against their CRD's schema (the served version named by apiVersion),
    /// built-in kinds against the Kubernetes schema of the profile's version (docs/stages.md).
    func validate(_ objects: [RenderedObject], scopes: ScopeTable, builtins: BuiltinValidator) throws(StageRenderError) {
        let validator = CRDSchemaValidator()
        for o in objects {
            if !NameRules.isValid(o.name, kind: o.kind) {
                throw StageRenderError(stage: o.stage, object: o.reference, message: "invalid metadata.name")
            }
            let version = o.apiVersion.split(separator: "/").last.map(String.init) ?? o.apiVersion
            guard let crd = scopes.crd(group: o.group, kind: o.kind) else {
                try builtins.check(o)
                continue
            }
            guard let schema = crd.versions[version] else {
                throw StageRenderError(stage: o.stage, object: o.reference,
                                       message: "CRD \(crd.name) serves no version \(version) (serves \(crd.versions.keys.sorted().joined(separator: ", ")))")
            }
            let problems = validator.validate(o.value, schema: schema)
            if !problems.isEmpty {
                throw StageRenderError(stage: o.stage, object: o.reference,
                                       message: "does not match CRD \(crd.name) \(version):\n  " + problems.map(\.description).joined(separator: "\n  "))
            }
        }
    }
}

enum NameRules {
    /// DNS-1123 subdomain for most kinds; RBAC kinds allow path segment names (`system:…`).
    static func isValid(_ name: String, kind: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        if ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"].contains(kind) {
            return !name.contains("/") && name != "." && name != ".."
        }
        return name.utf8.allSatisfy { b in (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) || b == 0x2D || b == 0x2E }
            && name.first != "-" && name.last != "-"
    }
}
