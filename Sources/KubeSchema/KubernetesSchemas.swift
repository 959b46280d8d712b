import KubeModel
import Synchronization
import YAML

/// The built-in kinds' schemas for the supported Kubernetes minors, decoded from the
/// embedded blob on first use and compiled per version on demand (`shared` caches both).
public final class KubernetesSchemas: Sendable {
    public static let shared = KubernetesSchemas()

    /// Minors with schemas, oldest first ("1.30" … "1.36").
    public static let supportedVersions: [String] = (30...36).map { "1.\($0)" }

    private struct Payload: Sendable {
        var versions: [String]
        var names: [String]
        var defs: [[JSONValue]]
        var index: [String: [Int]]
        /// "group/version/Kind" -> definition name.
        var kinds: [String: String]
    }

    private let state = Mutex<(payload: Payload?, compiled: [String: KubernetesVersionSchemas])>((nil, [:]))

    public init() {}

    /// The version whose schemas validate objects for a cluster of `major.minor`: the same minor
    /// when shipped, else the nearest (older clusters: the oldest; newer: the newest).
    public static func schemaVersion(major: Int, minor: Int) -> String {
        let oldest = 30, newest = 36
        guard major == 1 else { return major < 1 ? "1.\(oldest)" : "1.\(newest)" }
        return "1.\(min(max(minor, oldest), newest))"
    }

    /// Compiled schemas of one shipped version ("1.34"); nil for a version not shipped.
    public func version(_ version: String) throws(KubeSchemaError) -> KubernetesVersionSchemas? {
        let result: Result<KubernetesVersionSchemas?, KubeSchemaError> = state.withLock { s in
            if let c = s.compiled[version] { return .success(c) }
            let loaded = Self.payload(&s.payload)
            guard case .success(let p) = loaded else { return loaded.map { _ in nil } }
            guard let row = p.index[version] else { return .success(nil) }
            let c = KubernetesVersionSchemas(version: version, payload: (p.names, p.defs, row, p.kinds))
            s.compiled[version] = c
            return .success(c)
        }
        return try result.get()
    }

    /// Shipped versions that serve `apiVersion`/`kind` (empty: not a built-in kind of 1.30–1.36).
    public func versionsServing(apiVersion: String, kind: String) throws(KubeSchemaError) -> [String] {
        let key = Self.key(apiVersion: apiVersion, kind: kind)
        let result: Result<[String], KubeSchemaError> = state.withLock { s in
            Self.payload(&s.payload).map { p in
                guard let name = p.kinds[key], let n = p.names.firstIndex(of: name) else { return [] }
                return p.versions.filter { (p.index[$0]?[n] ?? -1) >= 0 }
            }
        }
        return try result.get()
    }

    /// Whether any shipped version knows the group and kind (any version of the group).
    public func isBuiltin(group: String, kind: String) throws(KubeSchemaError) -> Bool {
        let result: Result<Bool, KubeSchemaError> = state.withLock { s in
            Self.payload(&s.payload).map { p in
                p.kinds.keys.contains { key in
                    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
                    return parts.count == 3 && parts[0] == group && parts[2] == kind
                }
            }
        }
        return try result.get()
    }

    static func key(apiVersion: String, kind: String) -> String {
        apiVersion.contains("/") ? "\(apiVersion)/\(kind)" : "/\(apiVersion)/\(kind)"
    }

    private static func payload(_ cache: inout Payload?) -> Result<Payload, KubeSchemaError> {
        if let cache { return .success(cache) }
        do {
            let p = try load()
            cache = p
            return .success(p)
        } catch {
            return .failure(error)
        }
    }

    private static func load() throws(KubeSchemaError) -> Payload {
        let bytes = try EmbeddedBlob.json()
        let doc: JSONValue
        do { doc = try JSONValue.parse(bytes) } catch {
            throw KubeSchemaError("the embedded Kubernetes schemas are not valid JSON: \(error)")
        }
        guard let versions = doc["versions"]?.arrayValue?.compactMap(\.stringValue),
              let names = doc["names"]?.arrayValue?.compactMap(\.stringValue),
              let defs = doc["defs"]?.arrayValue?.map({ $0.arrayValue ?? [] }),
              let index = doc["index"]?.objectValue, let kinds = doc["kinds"]?.objectValue, defs.count == names.count
        else { throw KubeSchemaError("the embedded Kubernetes schemas lack versions/names/defs/index/kinds") }
        var idx: [String: [Int]] = [:]
        for m in index { idx[m.key] = (m.value.arrayValue ?? []).map { Int($0.intValue ?? -1) } }
        var k: [String: String] = [:]
        for m in kinds { if let s = m.value.stringValue { k[m.key] = s } }
        return Payload(versions: versions, names: names, defs: defs, index: idx, kinds: k)
    }
}

/// One Kubernetes minor's schemas, compiled into a flat node table.
public final class KubernetesVersionSchemas: Sendable {
    public let version: String
    let nodes: [SchemaNode]
    /// "group/version/Kind" -> root node.
    let roots: [String: Int32]

    init(version: String, payload: (names: [String], defs: [[JSONValue]], row: [Int], kinds: [String: String])) {
        self.version = version
        var compiler = SchemaCompiler(names: payload.names)
        // Definition i's root is node i, so a `$ref` compiles to an index before its target is compiled.
        compiler.nodes = Array(repeating: SchemaNode(), count: payload.names.count)
        for (i, variant) in payload.row.enumerated() where variant >= 0 {
            compiler.nodes[i] = compiler.compileNode(payload.defs[i][variant])
        }
        nodes = compiler.nodes
        var roots: [String: Int32] = [:]
        for (key, name) in payload.kinds {
            if let i = compiler.nameIndex[name], payload.row[i] >= 0 { roots[key] = Int32(i) }
        }
        self.roots = roots
    }

    /// Whether this version serves `apiVersion`/`kind`.
    public func serves(apiVersion: String, kind: String) -> Bool {
        roots[KubernetesSchemas.key(apiVersion: apiVersion, kind: kind)] != nil
    }

    /// Problems of `object` against its kind's schema; nil when this version does not serve the kind.
    public func validate(_ object: YAMLValue, apiVersion: String, kind: String) -> [SchemaViolation]? {
        check(object, apiVersion: apiVersion, kind: kind)
    }

    /// Problems of `object` against its kind's schema; nil when this version does not serve the kind.
    public func validate(_ object: JSONValue, apiVersion: String, kind: String) -> [SchemaViolation]? {
        check(object, apiVersion: apiVersion, kind: kind)
    }

    /// Any other representation (unspecialised across modules, so slower than the two above).
    public func validate<V: SchemaValue>(_ object: V, apiVersion: String, kind: String) -> [SchemaViolation]? {
        check(object, apiVersion: apiVersion, kind: kind)
    }

    private func check<V: SchemaValue>(_ object: V, apiVersion: String, kind: String) -> [SchemaViolation]? {
        guard let root = roots[KubernetesSchemas.key(apiVersion: apiVersion, kind: kind)] else { return nil }
        var walker = SchemaWalker<V>(nodes: nodes)
        walker.walk(object, root, path: "")
        return walker.violations
    }
}
