import KubeModel

/// Human and markdown forms of a plan. Colour only when asked (the CLI asks on a terminal).
public struct PlanPrinter: Sendable {
    public var color: Bool
    /// Show unchanged objects too (one line each).
    public var verbose: Bool
    public init(color: Bool = false, verbose: Bool = false) {
        self.color = color
        self.verbose = verbose
    }

    static let symbols: [ChangeAction: String] = [.create: "+", .update: "~", .prune: "-", .unchanged: "="]

    public func human(_ plan: Plan) -> String {
        var out = ""
        for stage in plan.stages {
            let counts = "\(stage.count(.create)) to create, \(stage.count(.update)) to update, \(stage.count(.prune)) to prune, \(stage.count(.unchanged)) unchanged"
            out += bold("Stage \(stage.name)") + " (\(counts))\n"
            for change in stage.changes where verbose || change.action != .unchanged {
                let line = "  \(Self.symbols[change.action] ?? "?") \(change.action.rawValue) \(change.ref)"
                    + (change.reason.map { "  (\($0))" } ?? "")
                out += paint(line, change.action) + "\n"
                if change.action == .update { out += indent(colorDiff(change.diff)) }
            }
            if stage.hasChanges, !stage.hooks.isEmpty {
                for hook in stage.hooks where hook.hook.events.contains(where: { ["pre-install", "post-install", "pre-upgrade", "post-upgrade"].contains($0) }) {
                    out += "  ! hook \(hook.ref) (\(hook.hook.events.joined(separator: ",")), weight \(hook.hook.weight))\n"
                }
            }
        }
        out += "\n" + bold(plan.summary) + "\n"
        return out
    }

    /// Full diffs for `platform diff` (creates and prunes too, like kubectl diff).
    public func diff(_ plan: Plan) -> String {
        var out = ""
        for stage in plan.stages {
            for change in stage.changes where change.action != .unchanged && !change.diff.isEmpty {
                out += colorDiff(change.diff)
            }
        }
        return out
    }

    public func markdown(_ plan: Plan) -> String {
        var out = "## \(plan.summary)\n"
        for stage in plan.stages {
            out += "\n### Stage `\(stage.name)`\n\n"
            let changed = stage.changes.filter { $0.action != .unchanged }
            if changed.isEmpty {
                out += "No changes (\(stage.count(.unchanged)) unchanged).\n"
                continue
            }
            out += "| action | object | fields |\n|---|---|---|\n"
            for c in changed {
                let fields = c.fields.prefix(5).map { f in
                    f.sensitive ? "`\(f.path)` (sensitive, changed)" : "`\(f.path)`"
                }.joined(separator: ", ") + (c.fields.count > 5 ? ", …" : "")
                out += "| \(c.action.rawValue) | `\(c.ref)` | \(fields.isEmpty ? (c.reason ?? "") : fields) |\n"
            }
            if stage.count(.unchanged) > 0 { out += "\n\(stage.count(.unchanged)) unchanged.\n" }
        }
        return out
    }

    func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { "      " + $0 }.joined(separator: "\n") + (text.isEmpty ? "" : "\n")
    }

    func colorDiff(_ diff: String) -> String {
        guard color else { return diff }
        return diff.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("+++") || line.hasPrefix("---") { return "\u{1B}[1m\(line)\u{1B}[0m" }
            if line.hasPrefix("+") { return "\u{1B}[32m\(line)\u{1B}[0m" }
            if line.hasPrefix("-") { return "\u{1B}[31m\(line)\u{1B}[0m" }
            if line.hasPrefix("@@") { return "\u{1B}[36m\(line)\u{1B}[0m" }
            return String(line)
        }.joined(separator: "\n")
    }

    func paint(_ text: String, _ action: ChangeAction) -> String {
        guard color else { return text }
        let code = [ChangeAction.create: "32", .update: "33", .prune: "31", .unchanged: "2"][action] ?? "0"
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}
