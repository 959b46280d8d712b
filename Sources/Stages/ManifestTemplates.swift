import Foundation
import Helm
import Profiles
import YAML

/// The project's own Go-template manifests (`Manifests/`): `_helpers.tpl` at the top and
/// one directory per stage. The binary carries a copy (`EmbeddedManifests`, checked
/// against the tree by a test) so `platform render` needs no files beside it.
public struct ManifestTemplates: Sendable {
    /// Paths relative to `Manifests/` -> template text.
    public var files: [String: String]

    public init(files: [String: String]) { self.files = files }

    public static var embedded: ManifestTemplates { ManifestTemplates(files: EmbeddedManifests.files) }

    /// Reads a `Manifests/` tree (development: `--manifests DIR`; the embedding test).
    public static func load(directory: String) throws(StageRenderError) -> ManifestTemplates {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: directory) else {
            throw StageRenderError(stage: nil, object: nil, message: "cannot read manifest templates at \(directory)")
        }
        var files: [String: String] = [:]
        while let rel = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = directory + "/" + rel
            guard fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            guard rel.hasSuffix(".yaml") || rel.hasSuffix(".tpl") else { continue }
            guard let data = fm.contents(atPath: full) else { continue }
            files[rel] = String(decoding: data, as: UTF8.self)
        }
        return ManifestTemplates(files: files)
    }

    /// The stage's templates as an in-memory chart named `platform`, so the same engine
    /// (Sprig, include, tpl) and Helm's install order apply to our manifests.
    func chart(for directory: String) -> Chart? {
        let prefix = directory + "/"
        let own = files.keys.filter { $0.hasPrefix(prefix) }.sorted()
        guard !own.isEmpty else { return nil }
        var metadata = ChartMetadata()
        metadata.name = "platform"
        metadata.apiVersion = "v2"
        metadata.version = "0.1.0"
        var templates: [ChartFile] = []
        for (path, text) in files.sorted(by: { $0.key < $1.key }) where path.hasSuffix(".tpl") && !path.contains("/") {
            templates.append(ChartFile(name: "templates/" + path, data: Array(text.utf8)))
        }
        for path in own { templates.append(ChartFile(name: "templates/" + path, data: Array(files[path, default: ""].utf8))) }
        return Chart(metadata: metadata, templates: templates)
    }
}

/// What the templates see as `.Values`: the decoded profile under `profile` (defaults
/// filled in) and facts computed in Swift under `platform`, so templates never repeat
/// rules such as "which quota key counts DRA devices".
enum TemplateContext {
    static func values(for profile: Profile) throws(StageRenderError) -> YAMLMapping {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let tree: YAMLValue
        do {
            let data = try encoder.encode(profile)
            tree = try YAMLDecoder(rules: .core).decode(String(decoding: data, as: UTF8.self), file: "profile.json")
        } catch {
            throw StageRenderError(stage: nil, object: nil, message: "cannot encode the profile for templates: \(error)")
        }
        var values = YAMLMapping()
        values["profile"] = tree
        values["platform"] = .mapping(platform(profile))
        return values
    }

    static func platform(_ profile: Profile) -> YAMLMapping {
        let spec = profile.spec
        var p = YAMLMapping()
        p["namespaces"] = .sequence(namespaces(spec).map { ns in
            .mapping(YAMLMapping([("name", .string(ns.name)), ("privileged", .bool(ns.privileged)), ("tenant", .bool(ns.tenant))]))
        })
        p["tenants"] = .sequence(spec.tenants.map { t in
            .mapping(YAMLMapping([("namespace", .string(t.namespace)), ("gpus", .int(Int64(t.gpus))),
                                  ("resource", .string(t.resource)), ("quotaKey", .string(quotaKey(for: t.resource)))]))
        })
        if let version = spec.charts[.networkOperator]?.version {
            // NicClusterPolicy component images are published per Network Operator release.
            let v = version.hasPrefix("v") ? version : "v" + version
            p["network"] = .mapping(YAMLMapping([("repository", .string("nvcr.io/nvidia/mellanox")),
                                                 ("version", .string("network-operator-" + v))]))
        }
        p["clusterQueues"] = .sequence(spec.scheduling.kueue.clusterQueues.map(clusterQueue))
        return p
    }

    struct NamespaceEntry: Equatable { var name: String; var privileged: Bool; var tenant: Bool }

    /// Every namespace the enabled stages install into or create for tenants, once, in stage order.
    static func namespaces(_ spec: ProfileSpec) -> [NamespaceEntry] {
        var out: [NamespaceEntry] = []
        func add(_ name: String, privileged: Bool, tenant: Bool = false) {
            if !out.contains(where: { $0.name == name }) { out.append(.init(name: name, privileged: privileged, tenant: tenant)) }
        }
        // Operator namespaces run privileged host agents (driver, toolkit, device plugins).
        if spec.gpu.enabled { add(spec.gpu.namespace, privileged: true) }
        if spec.network.enabled { add(spec.network.namespace, privileged: true) }
        if spec.sharing.model == .dra { add(StageNames.draNamespace, privileged: true) }
        if spec.scheduling.enabled {
            if spec.scheduling.volcano.enabled { add(StageNames.volcanoNamespace, privileged: false) }
            if spec.scheduling.kueue.enabled { add(StageNames.kueueNamespace, privileged: false) }
        }
        for t in spec.tenants { add(t.namespace, privileged: false, tenant: true) }
        for q in spec.scheduling.kueue.localQueues where spec.scheduling.enabled && spec.scheduling.kueue.enabled {
            add(q.namespace, privileged: false, tenant: true)
        }
        return out
    }

    /// ResourceQuota key for a GPU resource: extended resources count `requests.<name>`;
    /// DRA's device-class resource (`<class>.deviceclass.resource.k8s.io/devices`) is its own key.
    static func quotaKey(for resource: String) -> String {
        resource.contains(".deviceclass.resource.k8s.io/") ? resource : "requests." + resource
    }

    /// One resource group covering every resource and flavor of the queue; Kueue requires
    /// each flavor of a group to list all covered resources in the same order (0 when unset).
    static func clusterQueue(_ q: ClusterQueue) -> YAMLValue {
        var resources: [String] = []
        var flavors: [String] = []
        for quota in q.quotas {
            if !resources.contains(quota.resource) { resources.append(quota.resource) }
            if !flavors.contains(quota.flavor) { flavors.append(quota.flavor) }
        }
        let flavorValues: [YAMLValue] = flavors.map { f in
            .mapping(YAMLMapping([("name", .string(f)), ("resources", .sequence(resources.map { r in
                let nominal = q.quotas.first { $0.flavor == f && $0.resource == r }?.nominal.description ?? "0"
                return .mapping(YAMLMapping([("name", .string(r)), ("nominalQuota", .string(nominal))]))
            }))]))
        }
        var m = YAMLMapping([("name", .string(q.name)), ("coveredResources", .sequence(resources.map { .string($0) })),
                             ("flavors", .sequence(flavorValues))])
        if let cohort = q.cohort { m["cohort"] = .string(cohort) }
        return .mapping(m)
    }
}
