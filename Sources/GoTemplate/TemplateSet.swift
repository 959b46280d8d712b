// A set of named templates sharing one namespace and one function map (Go's
// `*template.Template` with its `common`), the unit Helm renders a chart with.

/// Named templates parsed into one namespace, with the functions they may call.
///
/// Parsing a text under a name adds that template and every `define`/`block` in it;
/// a later definition of a name replaces an earlier one, except that an empty
/// definition never replaces a non-empty one (Go's `AddParseTree` rule).
///
/// Not synchronised: parse everything first, then execute (executions may then run
/// concurrently, since they only read the set).
public final class TemplateSet: @unchecked Sendable {
    public private(set) var functions: FunctionMap
    var trees: [String: Tree] = [:]
    /// Options used by `execute(name:data:)` when none are given.
    public var options: ExecutionOptions

    public init(functions: FunctionMap = [:], options: ExecutionOptions = ExecutionOptions()) {
        self.functions = functions
        self.options = options
    }

    /// Adds or replaces functions (Go's `Funcs`). Parsing checks that called functions
    /// exist, so add them before parsing.
    public func addFunctions(_ functions: FunctionMap) {
        self.functions.merge(functions) { _, new in new }
    }

    /// Parses `text` as the template `name` (Go's `t.New(name).Parse(text)`).
    /// Throws `TemplateParseError`.
    public func parse(name: String, text: String) throws {
        let parsed = try Parser.parse(name: name, text: text, functions: functions)
        for (treeName, tree) in parsed.trees.sorted(by: { $0.key < $1.key }) {
            add(tree, as: treeName)
        }
    }

    func add(_ tree: Tree, as name: String) {
        if let old = trees[name], tree.isEmpty, !old.isEmpty { return }
        trees[name] = tree
    }

    /// Names of all templates in the set, sorted.
    public var templateNames: [String] { trees.keys.sorted() }

    public func hasTemplate(named name: String) -> Bool { trees[name] != nil }

    /// Executes the template `name` with `data` as dot and `$`.
    /// Throws `TemplateExecError` (or `TemplateError` when there is no such template).
    public func execute(name: String, data: Value, options: ExecutionOptions? = nil) throws -> String {
        try execute(name: name, data: data, options: options ?? self.options, depth: 0)
    }

    func execute(name: String, data: Value, options: ExecutionOptions, depth: Int) throws -> String {
        guard let tree = trees[name] else {
            throw TemplateError("template: no template \(goQuote(name)) associated with template \(goQuote(name))")
        }
        var executor = Executor(set: self, options: options, depth: depth)
        return try executor.run(tree: tree, data: data)
    }

    /// A copy sharing parsed trees and functions; parsing into the copy leaves this
    /// set unchanged (Go's `Clone`, used by Helm's `tpl`).
    public func clone() -> TemplateSet {
        let copy = TemplateSet(functions: functions, options: options)
        copy.trees = trees
        return copy
    }
}
