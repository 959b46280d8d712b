import Foundation
import Testing
@testable import YAML

/// Reads Tests/YAMLTests/Fixtures/<path>.
func fixture(_ path: String) throws -> String {
    guard let base = Bundle.module.resourceURL?.appendingPathComponent("Fixtures") else {
        throw FixtureError(path: path)
    }
    return try String(contentsOf: base.appendingPathComponent(path), encoding: .utf8)
}

struct FixtureError: Error { var path: String }

/// The text Helm's `toYaml` produced inside a golden `expected.yaml` for a template of the form
/// `key: |\n{{ toYaml X | indent N }}`: the block's lines with the indentation removed, plus the
/// final newline that `toYaml` trimmed and the template's line break restored.
func goldenBlock(_ expected: String, key: String, indent: Int = 4) -> String? {
    let lines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    guard let start = lines.firstIndex(where: { $0 == "  \(key): |" }) else { return nil }
    let pad = String(repeating: " ", count: indent)
    var out: [Substring] = []
    for line in lines[(start + 1)...] {
        guard line.hasPrefix(pad) else { break }
        out.append(line.dropFirst(indent))
    }
    return out.joined(separator: "\n") + "\n"
}

/// The value of a `key: "…"` line in a golden, with Go's `%q` quoting undone.
func goldenQuoted(_ expected: String, key: String) -> String? {
    let prefix = "  \(key): "
    guard let line = expected.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
    let quoted = line.dropFirst(prefix.count)
    guard let q = quoted.first, q == "\"" || q == "'", quoted.count >= 2, quoted.last == q else { return String(quoted) }
    let body = quoted.dropFirst().dropLast()
    if q == "'" { return body.replacingOccurrences(of: "''", with: "'") }
    var out = ""
    var escape = false
    for ch in body {
        if escape {
            switch ch {
            case "n": out.append("\n")
            case "t": out.append("\t")
            default: out.append(ch)
            }
            escape = false
        } else if ch == "\\" {
            escape = true
        } else {
            out.append(ch)
        }
    }
    return out
}

/// Helm drops null-valued keys when it coalesces a chart's values; the goldens show that result.
func droppingNulls(_ v: YAMLValue) -> YAMLValue {
    switch v {
    case .mapping(let m):
        var out = YAMLMapping()
        for e in m where e.value != .null { out[e.key] = droppingNulls(e.value) }
        return .mapping(out)
    default:
        return v
    }
}

/// Values of a golden chart as Helm sees them (`.kubernetes` rules, nulls dropped).
func goldenValues(_ name: String) throws -> YAMLValue {
    let text = try fixture("golden/\(name)/values.yaml")
    return droppingNulls(try YAMLValue.parse(text, file: "values.yaml", rules: .kubernetes))
}

extension YAMLValue {
    subscript(_ key: String) -> YAMLValue? {
        if case .mapping(let m) = self { return m[key] }
        return nil
    }
}
