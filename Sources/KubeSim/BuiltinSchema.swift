import KubeModel
import KubeSchema

/// Built-in kinds checked against the Kubernetes schema of the simulated version, as
/// kube-apiserver decodes and validates them: schema violations → 422 with causes; unknown
/// fields → `fieldValidation` Strict: 400 `strict decoding error`, Warn (default): `Warning`
/// header, Ignore: nothing; in every mode they are dropped, as decoding into the Go type drops them.
enum BuiltinSchema {
    static func schemaVersion(_ kubernetesVersion: String) -> String {
        let parts = kubernetesVersion.split(separator: ".")
        let major = parts.first.flatMap { Int($0) } ?? 1
        let minor = parts.dropFirst().first.flatMap { Int($0) } ?? 34
        return KubernetesSchemas.schemaVersion(major: major, minor: minor)
    }

    /// Loads (once per process) the schemas `check` will use.
    static func prepare(kubernetesVersion: String) {
        _ = try? KubernetesSchemas.shared.version(schemaVersion(kubernetesVersion))
    }

    /// Kinds the version does not serve, and a failure to load the schemas, leave the object unchecked.
    static func check(_ info: ResourceInfo, _ obj: inout JSONValue, kubernetesVersion: String, validation: String?,
                      warnings: inout [String]) throws(APIError)
    {
        guard let schemas = try? KubernetesSchemas.shared.version(schemaVersion(kubernetesVersion)),
              let problems = schemas.validate(obj, apiVersion: info.apiVersion, kind: info.kind), !problems.isEmpty
        else { return }
        var causes: [APIError.Cause] = []
        var unknown: [String] = []
        for p in problems {
            switch p.reason {
            case .unknownField:
                unknown.append(p.path)
            case .typeMismatch(let expected, let got):
                let value = obj.value(atFieldPath: p.path) ?? .null
                causes.append(.typeInvalid(p.path, value,
                                           "\(p.path) in body must be of type \(expected.joined(separator: ",")): \"\(got)\""))
            case .required:
                // kube-apiserver checks required fields in its validation code, not from the schema; for
                // spec fields the two agree (containers[].name, selector), for status they do not
                // (controllers write partial containerStatuses), so status is left to the writer.
                if p.path != "status" && !p.path.hasPrefix("status.") { causes.append(.required(p.path)) }
            case .unsupportedValue(let value, let supported):
                causes.append(.init(reason: "FieldValueNotSupported",
                                    message: "Unsupported value: \(value): supported values: \(supported.joined(separator: ", "))",
                                    field: p.path))
            }
        }
        if !unknown.isEmpty {
            switch validation ?? "Warn" {
            case "Strict":
                throw APIError.badRequest("strict decoding error: " + unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", "))
            case "Warn":
                warnings += unknown.map { "unknown field \"\($0)\"" }
            default:
                break
            }
            for path in unknown { obj.removeValue(atFieldPath: path) }
        }
        if !causes.isEmpty { throw APIError.invalid(info.groupKind, Unstructured(obj).name, causes) }
    }
}

extension JSONValue {
    /// `spec.containers[0].image` → path segments (keys and indices). Keys containing `.`/`[`
    /// cannot be told apart and yield nil, leaving such fields alone.
    fileprivate static func segments(_ path: String) -> [FieldSegment]? {
        var out: [FieldSegment] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let bracket = rest.firstIndex(of: "[") ?? rest.endIndex
            let key = rest[..<bracket]
            guard !key.isEmpty else { return nil }
            out.append(.key(String(key)))
            rest = rest[bracket...]
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else { return nil }
                out.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
            guard rest.isEmpty else { return nil }
        }
        return out
    }

    fileprivate enum FieldSegment { case key(String), index(Int) }

    func value(atFieldPath path: String) -> JSONValue? {
        guard let segs = Self.segments(path) else { return nil }
        var cur: JSONValue? = self
        for s in segs {
            switch s {
            case .key(let k): cur = cur?[k]
            case .index(let i): cur = cur?.arrayValue.flatMap { i < $0.count ? $0[i] : nil }
            }
        }
        return cur
    }

    mutating func removeValue(atFieldPath path: String) {
        guard let segs = Self.segments(path) else { return }
        Self.remove(&self, segs[...])
    }

    private static func remove(_ v: inout JSONValue, _ segs: ArraySlice<FieldSegment>) {
        guard let first = segs.first else { return }
        switch (first, v) {
        case (.key(let k), .object(var o)):
            if segs.count == 1 {
                _ = o.removeValue(forKey: k)
            } else if var child = o[k] {
                remove(&child, segs.dropFirst())
                o[k] = child
            }
            v = .object(o)
        case (.index(let i), .array(var a)) where i < a.count:
            remove(&a[i], segs.dropFirst())
            v = .array(a)
        default:
            break
        }
    }
}
