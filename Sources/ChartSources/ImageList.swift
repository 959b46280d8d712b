import YAML

/// The container images an install pulls: what an air-gapped site mirrors (`images.txt`).
///
/// Sources, in the objects a profile renders (Helm hooks included):
/// - pod specs: every `containers`, `initContainers` and `ephemeralContainers` image of any
///   object (Pod, the `template` of Deployment/DaemonSet/StatefulSet/ReplicaSet/Job, CronJob's
///   `jobTemplate`, and pod templates inside custom resources such as Volcano Jobs);
/// - GPU Operator `ClusterPolicy` and `NVIDIADriver`: the operands the operator will deploy
///   (`repository`/`image`/`version` of each enabled component);
/// - Network Operator `NicClusterPolicy`: every component it names (presence enables it);
/// - the extra images the caller passes (the smoke-gate pods).
///
/// References are listed exactly as the objects spell them (no `docker.io/library/`
/// normalisation). Assumptions about operator-built tags are in docs/charts.md.
public struct ImageList: Sendable, Equatable {
    /// Sorted, unique.
    public var images: [String]
    /// Images that could not be named exactly (e.g. precompiled driver tags depend on each
    /// node's kernel), for the CLI to print as warnings.
    public var notes: [String]

    public init(images: [String], notes: [String] = []) {
        self.images = images
        self.notes = notes
    }

    /// `images.txt`: one reference per line.
    public var text: String { images.map { $0 + "\n" }.joined() }
}

/// Node facts that operator-built tags depend on.
public struct NodePlatform: Sendable, Equatable {
    /// `ID` + `VERSION_ID` of the nodes' /etc/os-release as the operators spell it (`ubuntu24.04`, `rhel9.4`).
    public var operatingSystems: [String]
    /// `amd64`, `arm64`.
    public var architectures: [String]

    public init(operatingSystems: [String] = ["ubuntu24.04"], architectures: [String] = ["amd64"]) {
        self.operatingSystems = operatingSystems
        self.architectures = architectures
    }
}

public enum ImageExtractor {
    public static func images(in objects: [YAMLValue], extra: [String] = [], nodes: NodePlatform = NodePlatform()) -> ImageList {
        var found = Set(extra.filter { !$0.isEmpty })
        var notes: [String] = []
        for object in objects {
            guard case .mapping(let m) = object else { continue }
            let kind = string(m["kind"]) ?? ""
            let spec = mapping(m["spec"]) ?? YAMLMapping()
            switch kind {
            case "CustomResourceDefinition":
                continue // schemas, not workloads
            case "ClusterPolicy":
                clusterPolicy(spec, nodes: nodes, into: &found, notes: &notes)
            case "NVIDIADriver":
                driver(spec, gds: mapping(spec["gds"]), gdrcopy: mapping(spec["gdrcopy"]), where: "NVIDIADriver \(name(m)) spec",
                       nodes: nodes, into: &found, notes: &notes)
            case "NicClusterPolicy":
                nicClusterPolicy(spec, nodes: nodes, into: &found)
            default:
                podImages(object, into: &found)
            }
        }
        return ImageList(images: found.sorted(), notes: notes)
    }

    // MARK: - Pod specs

    static let containerKeys = ["containers", "initContainers", "ephemeralContainers"]

    /// Every pod spec anywhere in the object: a mapping with a `containers` sequence.
    static func podImages(_ v: YAMLValue, into found: inout Set<String>) {
        switch v {
        case .mapping(let m):
            if case .sequence? = m["containers"] {
                for key in containerKeys {
                    guard case .sequence(let cs)? = m[key] else { continue }
                    for c in cs {
                        if case .mapping(let cm) = c, let image = string(cm["image"]), !image.isEmpty { found.insert(image) }
                    }
                }
            }
            for e in m { podImages(e.value, into: &found) }
        case .sequence(let s):
            for e in s { podImages(e, into: &found) }
        default:
            break
        }
    }

    // MARK: - GPU Operator

    /// Components the operator runs for container workloads, with the operator's default
    /// for a missing `enabled`. The validator always runs.
    static let containerComponents: [(key: String, enabledByDefault: Bool)] = [
        ("toolkit", true), ("devicePlugin", true), ("dcgm", false), ("dcgmExporter", true), ("gfd", true),
        ("migManager", true), ("nodeStatusExporter", false),
    ]
    /// Components that run only with `sandboxWorkloads.enabled` (VMs, Kata, confidential computing).
    static let sandboxComponents: [(key: String, enabledByDefault: Bool)] = [
        ("sandboxDevicePlugin", true), ("kataSandboxDevicePlugin", true), ("vfioManager", true), ("vgpuDeviceManager", true),
        ("kataManager", false), ("ccManager", false),
    ]

    static func clusterPolicy(_ spec: YAMLMapping, nodes: NodePlatform, into found: inout Set<String>, notes: inout [String]) {
        let driverSpec = mapping(spec["driver"]) ?? YAMLMapping()
        // With useNvidiaDriverCRD the driver comes from NVIDIADriver objects instead.
        if enabled(driverSpec, default: true), !(bool(driverSpec["useNvidiaDriverCRD"]) ?? false) {
            driver(driverSpec, gds: mapping(spec["gds"]), gdrcopy: mapping(spec["gdrcopy"]), where: "ClusterPolicy spec.driver",
                   nodes: nodes, into: &found, notes: &notes)
        }
        for (key, on) in containerComponents {
            guard let c = mapping(spec[key]), enabled(c, default: on) else { continue }
            plain(c, where: "ClusterPolicy spec.\(key)", into: &found, notes: &notes)
        }
        if let validator = mapping(spec["validator"]) {
            plain(validator, where: "ClusterPolicy spec.validator", into: &found, notes: &notes)
        }
        guard let sandbox = mapping(spec["sandboxWorkloads"]), enabled(sandbox, default: false) else { return }
        for (key, on) in sandboxComponents {
            guard let c = mapping(spec[key]), enabled(c, default: on) else { continue }
            plain(c, where: "ClusterPolicy spec.\(key)", into: &found, notes: &notes)
            if let dm = mapping(c["driverManager"]) { plain(dm, where: "ClusterPolicy spec.\(key).driverManager", into: &found, notes: &notes) }
        }
        if let vgpu = mapping(spec["vgpuManager"]), enabled(vgpu, default: false) {
            osTagged(vgpu, where: "ClusterPolicy spec.vgpuManager", nodes: nodes, withArch: false, into: &found, notes: &notes)
            if let dm = mapping(vgpu["driverManager"]) { plain(dm, where: "ClusterPolicy spec.vgpuManager.driverManager", into: &found, notes: &notes) }
        }
    }

    /// The driver container (`VERSION-OS` per node OS, as the operator tags it), its
    /// k8s-driver-manager init container, and the GDS / GDRCopy sidecars when enabled (also
    /// OS-tagged). `gds`/`gdrcopy` are ClusterPolicy top-level specs, or the NVIDIADriver's own.
    static func driver(_ d: YAMLMapping, gds: YAMLMapping?, gdrcopy: YAMLMapping?, where location: String, nodes: NodePlatform,
                       into found: inout Set<String>, notes: inout [String]) {
        if bool(d["usePrecompiled"]) ?? false {
            let base = reference(d).map { $0.repository + ":" + ($0.version ?? "BRANCH") } ?? "the driver image"
            notes.append("\(location): usePrecompiled tags depend on each node's kernel; mirror \(base)-KERNEL-OS for every node kernel (not listed)")
        } else {
            osTagged(d, where: location, nodes: nodes, withArch: false, into: &found, notes: &notes)
        }
        if let manager = mapping(d["manager"]) { plain(manager, where: location + ".manager", into: &found, notes: &notes) }
        for (key, side) in [("gds", gds), ("gdrcopy", gdrcopy)] {
            guard let side, enabled(side, default: false) else { continue }
            osTagged(side, where: location.replacingOccurrences(of: ".driver", with: "") + "." + key, nodes: nodes, withArch: false,
                     into: &found, notes: &notes)
        }
    }

    // MARK: - Network Operator

    static func nicClusterPolicy(_ spec: YAMLMapping, nodes: NodePlatform, into found: inout Set<String>) {
        var ignored: [String] = []
        for e in spec {
            guard let c = mapping(e.value) else { continue }
            // The DOCA/OFED driver container is tagged VERSION-OS-ARCH.
            if e.key == "ofedDriver" {
                osTagged(c, where: "NicClusterPolicy spec.ofedDriver", nodes: nodes, withArch: true, into: &found, notes: &ignored)
                // Its helpers (e.g. `initContainer`) carry ordinary tags.
                for child in c { if let m = mapping(child.value) { nested(m, into: &found) } }
            } else {
                nested(c, into: &found)
            }
        }
    }

    /// Components and their sub-components (`secondaryNetwork.multus`, ...): every mapping
    /// that names an image.
    static func nested(_ m: YAMLMapping, into found: inout Set<String>) {
        if let r = reference(m) { found.insert(r.plain) }
        for e in m {
            if let child = mapping(e.value) { nested(child, into: &found) }
        }
    }

    // MARK: - References

    struct Reference {
        /// `repository/image` (or `image` when the repository is empty).
        var repository: String
        var version: String?

        var isDigest: Bool { version?.hasPrefix("sha256:") ?? false }
        var plain: String {
            guard let version else { return repository }
            return repository + (isDigest ? "@" : ":") + version
        }
    }

    /// `repository`/`image`/`version` as the operators join them; nil without an image.
    static func reference(_ m: YAMLMapping) -> Reference? {
        guard let image = string(m["image"]), !image.isEmpty else { return nil }
        let repo = string(m["repository"]) ?? ""
        let version = string(m["version"]).flatMap { $0.isEmpty ? nil : $0 }
        let path = repo.isEmpty ? image : repo + "/" + image
        // An `image` that already carries a tag or digest is used as it is.
        let last = image.split(separator: "/").last ?? ""
        if repo.isEmpty, last.contains(":") || last.contains("@") { return Reference(repository: path, version: nil) }
        return Reference(repository: path, version: version)
    }

    static func plain(_ m: YAMLMapping, where path: String, into found: inout Set<String>, notes: inout [String]) {
        guard let r = reference(m) else {
            notes.append("\(path): no image set; the operator uses its built-in default (not listed)")
            return
        }
        found.insert(r.plain)
    }

    static func osTagged(_ m: YAMLMapping, where path: String, nodes: NodePlatform, withArch: Bool,
                         into found: inout Set<String>, notes: inout [String]) {
        guard let r = reference(m) else {
            notes.append("\(path): no image set; the operator uses its built-in default (not listed)")
            return
        }
        guard let version = r.version, !r.isDigest else {
            found.insert(r.plain)
            return
        }
        for os in nodes.operatingSystems {
            if withArch {
                for arch in nodes.architectures { found.insert("\(r.repository):\(version)-\(os)-\(arch)") }
            } else {
                found.insert("\(r.repository):\(version)-\(os)")
            }
        }
    }

    // MARK: - Values

    static func enabled(_ m: YAMLMapping, default value: Bool) -> Bool { bool(m["enabled"]) ?? value }

    static func mapping(_ v: YAMLValue?) -> YAMLMapping? {
        if case .mapping(let m)? = v { return m }
        return nil
    }

    static func string(_ v: YAMLValue?) -> String? {
        switch v {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .float(let f)?: return String(f)
        default: return nil
        }
    }

    static func bool(_ v: YAMLValue?) -> Bool? {
        switch v {
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        default: return nil
        }
    }

    static func name(_ m: YAMLMapping) -> String {
        string(mapping(m["metadata"])?["name"]) ?? ""
    }
}
