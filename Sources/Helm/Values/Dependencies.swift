import Foundation
import YAML

/// Helm's `ProcessDependencies`: aliases, `condition`/`tags` (disabled subcharts dropped
/// with their templates and CRDs), then `import-values` folded into each chart's defaults.
public enum Dependencies {
    public static func process(_ chart: Chart, values: YAMLMapping) throws -> Chart {
        var c = chart
        try processEnabled(&c, values: values, path: "")
        try processImports(&c)
        return c
    }

    static func processEnabled(_ c: inout Chart, values: YAMLMapping, path: String) throws {
        if c.metadata.dependencies.isEmpty { return }
        // Loaded charts no requirement claims stay as they are; claimed ones are re-added per
        // requirement (a chart listed twice under two aliases appears twice).
        var deps: [Chart] = c.dependencies.filter { existing in
            !c.metadata.dependencies.contains { req in
                existing.name == req.name && SemVersion.isCompatible(constraint: req.version, version: existing.metadata.version)
            }
        }
        for i in c.metadata.dependencies.indices {
            let req = c.metadata.dependencies[i]
            if var match = c.dependencies.first(where: {
                $0.name == req.name && SemVersion.isCompatible(constraint: req.version, version: $0.metadata.version)
            }) {
                if !req.alias.isEmpty { match.metadata.name = req.alias }
                deps.append(match)
            }
            if !req.alias.isEmpty { c.metadata.dependencies[i].name = req.alias }
        }
        c.dependencies = deps
        for i in c.metadata.dependencies.indices { c.metadata.dependencies[i].enabled = true }

        let cvals = try Values.coalesce(chart: c, values: values)
        applyTags(&c.metadata.dependencies, cvals)
        applyConditions(&c.metadata.dependencies, cvals, path: path)

        let removed = Set(c.metadata.dependencies.filter { !$0.enabled }.map(\.name))
        var kept = c.dependencies.filter { !removed.contains($0.name) }
        let keptReqs = c.metadata.dependencies.filter { !removed.contains($0.name) }
        for i in kept.indices {
            try processEnabled(&kept[i], values: cvals, path: path + kept[i].name + ".")
        }
        c.metadata.dependencies = keptReqs
        c.dependencies = kept
    }

    static func applyTags(_ reqs: inout [ChartDependency], _ cvals: YAMLMapping) {
        guard let tags = Values.table(cvals, "tags") else { return }
        for i in reqs.indices {
            var hasTrue = false, hasFalse = false
            for k in reqs[i].tags {
                if case .bool(let b)? = tags[k] { if b { hasTrue = true } else { hasFalse = true } }
            }
            if !hasTrue && hasFalse { reqs[i].enabled = false } else { reqs[i].enabled = true }
        }
    }

    static func applyConditions(_ reqs: inout [ChartDependency], _ cvals: YAMLMapping, path: String) {
        for i in reqs.indices {
            let condition = reqs[i].condition.trimmingCharacters(in: .whitespaces)
            for c in condition.split(separator: ",", omittingEmptySubsequences: false) where !c.isEmpty {
                if case .bool(let b)? = Values.pathValue(cvals, path + c) {
                    reqs[i].enabled = b
                    break
                }
            }
        }
    }

    static func processImports(_ c: inout Chart) throws {
        for i in c.dependencies.indices { try processImports(&c.dependencies[i]) }
        if c.metadata.dependencies.isEmpty { return }
        let cvals = try Values.mergeValues(chart: c, values: YAMLMapping())
        var imported = YAMLMapping()
        for i in c.metadata.dependencies.indices {
            let r = c.metadata.dependencies[i]
            var normalized: [YAMLValue] = []
            for iv in r.importValues {
                switch iv {
                case .mapping(let m):
                    let child = m["child"].map(Values.goDisplay) ?? "<nil>"
                    let parent = m["parent"].map(Values.goDisplay) ?? "<nil>"
                    normalized.append(.mapping(YAMLMapping([("child", .string(child)), ("parent", .string(parent))])))
                    guard let vv = Values.table(cvals, r.name + "." + child) else { continue }
                    imported = Values.coalesceTables(imported, pathToMap(parent, vv), merge: true)
                case .string(let s):
                    let child = "exports." + s
                    normalized.append(.mapping(YAMLMapping([("child", .string(child)), ("parent", .string("."))])))
                    guard let vm = Values.table(cvals, r.name + "." + child) else { continue }
                    imported = Values.coalesceTables(imported, vm, merge: true)
                default:
                    continue
                }
            }
            c.metadata.dependencies[i].importValues = normalized
        }
        c.values = Values.coalesceTables(cvals, imported, merge: true)
    }

    static func pathToMap(_ path: String, _ data: YAMLMapping) -> YAMLMapping {
        if path == "." { return data }
        var cur = data
        for part in path.split(separator: ".", omittingEmptySubsequences: false).reversed() {
            cur = YAMLMapping([(String(part), .mapping(cur))])
        }
        return cur
    }
}
