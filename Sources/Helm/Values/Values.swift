import YAML

/// Helm's value-tree operations on `YAMLValue` maps: merging `-f` files, coalescing
/// chart defaults under user values (`pkg/chart/common/util/coalesce.go`), and lookups.
///
/// Go's maps are unordered; here source order is kept (it only shows in schema error order).
public enum Values {
    public static let globalKey = "global"

    /// `loader.MergeMaps`: later files win; nested maps merge.
    public static func mergeMaps(_ a: YAMLMapping, _ b: YAMLMapping) -> YAMLMapping {
        var out = a
        for e in b {
            if case .mapping(let bv) = e.value, case .mapping(let av)? = out[e.key] {
                out[e.key] = .mapping(mergeMaps(av, bv))
            } else {
                out[e.key] = e.value
            }
        }
        return out
    }

    /// `Values.Table("a.b")`: the map at a dotted path, nil when any step is missing or not a map.
    public static func table(_ m: YAMLMapping, _ path: String) -> YAMLMapping? {
        var cur = m
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .mapping(let next)? = cur[String(part)] else { return nil }
            cur = next
        }
        return cur
    }

    /// `Values.PathValue("a.b")`: a non-map value at a dotted path.
    public static func pathValue(_ m: YAMLMapping, _ path: String) -> YAMLValue? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let key = parts.last, !path.isEmpty else { return nil }
        let t = parts.count == 1 ? m : table(m, parts.dropLast().joined(separator: "."))
        guard let value = t?[key] else { return nil }
        if case .mapping = value { return nil }
        return value
    }

    // MARK: coalescing

    /// `CoalesceValues`: the chart's defaults (and its subcharts', recursively) under `values`;
    /// a user `null` deletes a default.
    public static func coalesce(chart: Chart, values: YAMLMapping) throws -> YAMLMapping {
        var warnings: [String] = []
        return try coalesce(chart: chart, dest: values, merge: false, warnings: &warnings)
    }

    /// `MergeValues`: like `coalesce` but keeps `null`s.
    static func mergeValues(chart: Chart, values: YAMLMapping) throws -> YAMLMapping {
        var warnings: [String] = []
        return try coalesce(chart: chart, dest: values, merge: true, warnings: &warnings)
    }

    static func coalesce(chart: Chart, dest: YAMLMapping, merge: Bool, warnings: inout [String]) throws -> YAMLMapping {
        var dest = dest
        coalesceValues(chart: chart, into: &dest, merge: merge, warnings: &warnings)
        for sub in chart.dependencies {
            let name = sub.name
            var dv: YAMLMapping
            switch dest[name] {
            case nil: dv = YAMLMapping()
            case .mapping(let m)?: dv = m
            case let other?:
                throw HelmError(.values, "type mismatch on \(name): %!t(\(goTypeName(other))=\(goDisplay(other)))")
            }
            coalesceGlobals(into: &dv, from: dest, warnings: &warnings)
            dest[name] = .mapping(try coalesce(chart: sub, dest: dv, merge: merge, warnings: &warnings))
        }
        return dest
    }

    /// Copies the parent's `global` into the child's; the parent's entries win.
    static func coalesceGlobals(into dest: inout YAMLMapping, from src: YAMLMapping, warnings: inout [String]) {
        var dg: YAMLMapping
        switch dest[globalKey] {
        case nil: dg = YAMLMapping()
        case .mapping(let m)?: dg = m
        default:
            warnings.append("warning: skipping globals because destination global is not a table.")
            return
        }
        var sg: YAMLMapping
        switch src[globalKey] {
        case nil: sg = YAMLMapping()
        case .mapping(let m)?: sg = m
        default:
            warnings.append("warning: skipping globals because source global is not a table.")
            return
        }
        for e in sg {
            if case .mapping(let vv) = e.value {
                if let destv = dg[e.key] {
                    if case .mapping(let destMap) = destv {
                        dg[e.key] = .mapping(coalesceTables(vv, destMap, merge: true, warnings: &warnings))
                    } else {
                        warnings.append("Conflict: cannot merge map onto non-map for \"\(e.key)\". Skipping.")
                    }
                } else {
                    dg[e.key] = .mapping(vv)
                }
            } else if case .mapping? = dg[e.key] {
                warnings.append("key \(e.key) is table. Skipping")
            } else {
                dg[e.key] = e.value
            }
        }
        dest[globalKey] = .mapping(dg)
    }

    static func coalesceValues(chart: Chart, into v: inout YAMLMapping, merge: Bool, warnings: inout [String]) {
        let subchartNames = Set(chart.dependencies.map(\.name))
        for e in chart.values {
            let key = e.key, val = e.value
            if let value = v[key] {
                if value == .null && !merge {
                    v[key] = nil
                } else if case .mapping(let dest) = value {
                    if case .mapping(var src) = val {
                        // Subchart sections always merge so their own nulls survive to the subchart.
                        let childMerge = subchartNames.contains(key) ? true : merge
                        if !childMerge { src = cleanNils(src) }
                        v[key] = .mapping(coalesceTables(dest, src, merge: childMerge, warnings: &warnings))
                    } else if val != .null {
                        warnings.append("warning: skipped value for \(chart.name).\(key): Not a table.")
                    }
                }
            } else {
                if !merge {
                    if val == .null { continue }
                    if case .mapping(let sub) = val { v[key] = .mapping(cleanNils(sub)); continue }
                }
                v[key] = val
            }
        }
    }

    /// `coalesceTablesFullKey`: `src` fills in what `dst` lacks; `dst` wins.
    static func coalesceTables(_ dst: YAMLMapping, _ src: YAMLMapping, merge: Bool, warnings: inout [String]) -> YAMLMapping {
        var dst = dst
        var src = src
        var srcOriginalNonNil = Set<String>()
        for e in src where e.value != .null { srcOriginalNonNil.insert(e.key) }
        for e in dst where e.value == .null { src[e.key] = .null }
        for e in src {
            let key = e.key, val = e.value
            let dv = dst[key]
            if let dv, !merge, dv == .null, srcOriginalNonNil.contains(key) {
                dst[key] = nil
            } else if dv == nil {
                dst[key] = val
            } else if case .mapping(let srcMap) = val {
                if case .mapping(let dstMap)? = dv {
                    dst[key] = .mapping(coalesceTables(dstMap, srcMap, merge: merge, warnings: &warnings))
                } else {
                    warnings.append("warning: cannot overwrite table with non table for \(key)")
                }
            } else if case .mapping? = dv, val != .null {
                warnings.append("warning: destination for \(key) is a table. Ignoring non-table value")
            }
        }
        return dst
    }

    static func cleanNils(_ m: YAMLMapping) -> YAMLMapping {
        var out = YAMLMapping()
        for e in m {
            switch e.value {
            case .null: continue
            case .mapping(let sub): out[e.key] = .mapping(cleanNils(sub))
            default: out[e.key] = e.value
            }
        }
        return out
    }

    /// `CoalesceTables` / `MergeTables` for whole trees.
    static func coalesceTables(_ dst: YAMLMapping, _ src: YAMLMapping, merge: Bool) -> YAMLMapping {
        var w: [String] = []
        return coalesceTables(dst, src, merge: merge, warnings: &w)
    }

    static func goTypeName(_ v: YAMLValue) -> String {
        switch v {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int64"
        case .float: return "float64"
        case .string: return "string"
        case .sequence: return "[]interface {}"
        case .mapping: return "map[string]interface {}"
        }
    }

    static func goDisplay(_ v: YAMLValue) -> String {
        switch v {
        case .null: return "<nil>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        case .string(let s): return s
        case .sequence(let items): return "[" + items.map(goDisplay).joined(separator: " ") + "]"
        case .mapping(let m):
            return "map[" + m.entries.sorted { $0.key < $1.key }.map { "\($0.key):\(goDisplay($0.value))" }.joined(separator: " ") + "]"
        }
    }
}
