// The function API: how built-ins, Sprig and Helm functions are declared and called.
// Parameters are declared with Go types so that the executor can convert and check
// arguments exactly as Go's `evalCall` does (and print Go's messages); the body then
// receives already-converted values. See docs/gotemplate.md for examples.

/// A template function (a Go `func` in a `template.FuncMap`), also usable as a value
/// for `call` and as an object's method.
public final class Function: Sendable {
    public typealias Body = @Sendable (_ args: Arguments, _ context: CallContext) throws -> Value

    /// The name used in messages (`error calling NAME: ...`).
    public let name: String
    /// Fixed parameter types. `.interface` accepts anything (nil included).
    public let parameters: [GoType]
    /// Element type of a final `...T` parameter, or nil when not variadic.
    public let variadic: GoType?
    /// Result type, for `%T` of the function value only (`func(string) string`).
    public let result: GoType
    let body: Body
    /// Built-ins declared with `reflect.Value` parameters get arguments unconverted
    /// ("no value" included), as in Go.
    let rawArguments: Bool

    /// - Parameters:
    ///   - name: the function's name in the FuncMap.
    ///   - parameters: Go types of the fixed parameters.
    ///   - variadic: the element type of a trailing `...T`, if any.
    ///   - result: the (first) result type; only used to print the signature.
    ///   - body: receives converted arguments; throw `FunctionError` (or any error)
    ///     to fail, which the executor reports as `error calling NAME: MESSAGE`.
    public init(
        _ name: String, parameters: [GoType], variadic: GoType? = nil,
        result: GoType = .interface, body: @escaping Body
    ) {
        self.name = name
        self.parameters = parameters
        self.variadic = variadic
        self.result = result
        self.body = body
        self.rawArguments = false
    }

    init(raw name: String, fixed: Int, variadic: Bool, result: GoType = .interface, body: @escaping Body) {
        self.name = name
        self.parameters = Array(repeating: .interface, count: fixed)
        self.variadic = variadic ? .interface : nil
        self.result = result
        self.body = body
        self.rawArguments = true
    }

    /// Go's `%T` text, e.g. `func(string, ...interface {}) string`.
    public var signature: String {
        var params = parameters.map(\.description)
        if let v = variadic { params.append("..." + v.description) }
        return "func(" + params.joined(separator: ", ") + ") " + result.description
    }

    /// Calls the body directly, without argument conversion. For functions that
    /// call other functions (Sprig's `ternary` style helpers) and for tests.
    public func callAsFunction(_ args: [Value], context: CallContext) throws -> Value {
        try body(Arguments(args, functionName: name), context)
    }
}

/// A map from names to functions (Go's `template.FuncMap`).
public typealias FunctionMap = [String: Function]

/// An error a function reports; the executor prints `error calling NAME: message`.
public struct FunctionError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// Go's `wrong type for value; expected T; got U`.
    public static func wrongType(expected: String, got value: Value) -> FunctionError {
        FunctionError("wrong type for value; expected \(expected); got \(value.typeName)")
    }
}

/// The arguments a function receives, already converted to its declared parameter
/// types (variadic arguments follow the fixed ones).
///
/// The typed accessors extract a value of the declared type; if a function declares
/// `.interface` and then asks for a string, a mismatch throws Go's
/// `wrong type for value; expected string; got int`.
public struct Arguments: Sendable, RandomAccessCollection {
    public let values: [Value]
    public let functionName: String

    public init(_ values: [Value], functionName: String = "") {
        self.values = values
        self.functionName = functionName
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }
    public subscript(position: Int) -> Value { values[position] }

    /// Arguments from `index` on (the variadic part).
    public func rest(from index: Int) -> ArraySlice<Value> {
        index < values.count ? values[index...] : []
    }

    private func at(_ i: Int) throws -> Value {
        guard i >= 0, i < values.count else {
            throw FunctionError("wrong number of args for \(functionName): want at least \(i + 1) got \(values.count)")
        }
        return values[i]
    }

    public func string(_ i: Int) throws -> String {
        let v = try at(i)
        if case .string(let s) = v { return s }
        if case .object(let o) = v, case .string(let s)? = o.underlying { return s }
        throw FunctionError.wrongType(expected: "string", got: v)
    }

    /// A Go `int` (any signed kind is accepted; the executor has already checked the
    /// declared type).
    public func int(_ i: Int) throws -> Int {
        let v = try at(i)
        if case .integer(let n, _) = v { return Int(n) }
        throw FunctionError.wrongType(expected: "int", got: v)
    }

    public func int64(_ i: Int) throws -> Int64 {
        let v = try at(i)
        if case .integer(let n, _) = v { return n }
        throw FunctionError.wrongType(expected: "int64", got: v)
    }

    public func float64(_ i: Int) throws -> Double {
        let v = try at(i)
        if case .float(let d) = v { return d }
        throw FunctionError.wrongType(expected: "float64", got: v)
    }

    public func bool(_ i: Int) throws -> Bool {
        let v = try at(i)
        if case .bool(let b) = v { return b }
        throw FunctionError.wrongType(expected: "bool", got: v)
    }

    /// A slice of any element type (nil slices give an empty list).
    public func list(_ i: Int) throws -> GoList {
        let v = try at(i).underlyingValue
        switch v {
        case .list(let l): return l
        case .typedNil(let t) where t.kind == .slice:
            if case .slice(let e) = t { return GoList([], elementType: e) }
            return GoList()
        default: throw FunctionError.wrongType(expected: "[]interface {}", got: v)
        }
    }

    /// A map (shared, not copied: mutations are visible to every holder). A nil map
    /// gives a new empty map, which callers must not expect to be shared.
    public func map(_ i: Int) throws -> GoMap {
        let v = try at(i).underlyingValue
        switch v {
        case .map(let m): return m
        case .typedNil(let t) where t.kind == .map: return GoMap()
        default: throw FunctionError.wrongType(expected: "map[string]interface {}", got: v)
        }
    }
}

/// What a function can reach of the execution that calls it: the template set (for
/// `include`/`tpl`), the executing template's name, nesting depth, and a per-execution
/// value the embedder passes in (Helm keeps its include counters there).
public struct CallContext: Sendable {
    /// The template set being executed.
    public let templates: TemplateSet
    /// Name of the template whose action calls the function.
    public let templateName: String
    /// Nesting depth of template executions (template actions and nested
    /// `executeTemplate` calls through functions).
    public let depth: Int
    /// The embedder's per-execution state (`ExecutionOptions.state`).
    public let state: (any Sendable)?
    let options: ExecutionOptions

    init(templates: TemplateSet, templateName: String, depth: Int, options: ExecutionOptions) {
        self.templates = templates
        self.templateName = templateName
        self.depth = depth
        self.state = options.state
        self.options = options
    }

    /// A context for calling functions outside an execution (tests, helpers).
    public static func detached(_ templates: TemplateSet = TemplateSet()) -> CallContext {
        CallContext(templates: templates, templateName: "", depth: 0, options: ExecutionOptions())
    }

    /// Executes a named template of the same set with `data` as dot and returns its
    /// output (Helm's `include`). Runs with the same options and state, one level
    /// deeper; errors are Go's `template: ...` errors.
    public func executeTemplate(named name: String, data: Value) throws -> String {
        try templates.execute(name: name, data: data, options: options, depth: depth + 1)
    }

    /// Executes a named template of another set (Helm's `tpl` parses into a clone),
    /// keeping options, state and depth.
    public func executeTemplate(named name: String, in set: TemplateSet, data: Value) throws -> String {
        try set.execute(name: name, data: data, options: options, depth: depth + 1)
    }
}
