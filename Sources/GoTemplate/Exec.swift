// The executor: Go's exec.go. One walker over the tree; `node` remembers what is being
// evaluated so errors carry Go's location and context. Values that came out of an
// `interface{}` slot (map elements, []interface{} elements) are tracked as "boxed"
// only so that messages name `interface {}` where Go does.

/// A value plus whether its static Go type is `interface {}`.
struct Slot {
    var value: Value
    var boxed: Bool
    init(_ value: Value, boxed: Bool = false) {
        self.value = value
        self.boxed = boxed
    }
}

/// Signals that `{{break}}` / `{{continue}}` unwind to the enclosing range.
enum Flow { case normal, breakLoop, continueLoop }

struct Executor {
    let set: TemplateSet
    let options: ExecutionOptions
    var depth: Int
    var tree: Tree?
    var vars: [(name: String, slot: Slot)] = []
    var node: Node?
    var out = ""
    var steps = 0

    init(set: TemplateSet, options: ExecutionOptions, depth: Int) {
        self.set = set
        self.options = options
        self.depth = depth
    }

    mutating func run(tree: Tree, data: Value) throws -> String {
        if depth > options.maxDepth {
            throw TemplateExecError(templateName: tree.name, location: nil, context: nil,
                                    message: "exceeded maximum template depth (\(options.maxDepth))")
        }
        self.tree = tree
        let dot = Slot(data)
        vars = [("$", dot)]
        _ = try walk(dot, tree.root)
        return out
    }

    // MARK: errors

    func errorf(_ message: String, underlying: (any Error & Sendable)? = nil) -> TemplateExecError {
        let name = tree?.name ?? ""
        guard let node else {
            return TemplateExecError(templateName: name, location: nil, context: nil, message: message, underlying: underlying)
        }
        return TemplateExecError(templateName: name, location: node.source.location(of: node.pos),
                                 context: node.description, message: message, underlying: underlying)
    }

    // MARK: variables

    mutating func push(_ name: String, _ slot: Slot) { vars.append((name, slot)) }

    mutating func setVar(_ name: String, _ slot: Slot) throws {
        var i = vars.count - 1
        while i >= 0 {
            if vars[i].name == name { vars[i].slot = slot; return }
            i -= 1
        }
        throw errorf("undefined variable: \(name)")
    }

    func varValue(_ name: String) throws -> Slot {
        var i = vars.count - 1
        while i >= 0 {
            if vars[i].name == name { return vars[i].slot }
            i -= 1
        }
        throw errorf("undefined variable: \(name)")
    }

    mutating func pop(to mark: Int) {
        if vars.count > mark { vars.removeSubrange(mark...) }
    }

    mutating func step() throws {
        steps += 1
        if steps > options.maxSteps {
            throw errorf("execution stopped after \(options.maxSteps) steps")
        }
    }

    mutating func write(_ s: String) throws {
        out += s
        if out.utf8.count > options.maxOutputBytes {
            throw errorf("output exceeds \(options.maxOutputBytes) bytes")
        }
    }

    // MARK: walk

    mutating func walk(_ dot: Slot, _ node: Node) throws -> Flow {
        self.node = node
        switch node.kind {
        case .action:
            let a = unsafeDowncast(node, to: ActionNode.self)
            let val = try evalPipeline(dot, a.pipe)
            if a.pipe.decl.isEmpty { try printValue(a, val.value) }
        case .break:
            return .breakLoop
        case .continue:
            return .continueLoop
        case .if, .with:
            return try walkIfOrWith(dot, unsafeDowncast(node, to: BranchNode.self))
        case .list:
            for n in unsafeDowncast(node, to: ListNode.self).nodes {
                let f = try walk(dot, n)
                if f != .normal { return f }
            }
        case .range:
            try walkRange(dot, unsafeDowncast(node, to: BranchNode.self))
        case .template:
            try walkTemplate(dot, unsafeDowncast(node, to: TemplateNode.self))
        case .text:
            try write(unsafeDowncast(node, to: TextNode.self).text)
        default:
            throw errorf("unknown node: \(node)")
        }
        return .normal
    }

    mutating func walkIfOrWith(_ dot: Slot, _ n: BranchNode) throws -> Flow {
        let mark = vars.count
        defer { pop(to: mark) }
        let val = try evalPipeline(dot, n.pipe)
        guard let truth = indirectInterface(val.value).truth else {
            throw errorf("if/with can't use \(goSprint([val.value]))")
        }
        if truth {
            return try walk(n.kind == .with ? val : dot, n.list)
        } else if let e = n.elseList {
            return try walk(dot, e)
        }
        return .normal
    }

    mutating func walkRange(_ dot: Slot, _ r: BranchNode) throws {
        self.node = r
        let outerMark = vars.count
        defer { pop(to: outerMark) }
        let val = indirect(try evalPipeline(dot, r.pipe).value).underlyingValue
        let mark = vars.count
        let decl = r.pipe.decl
        // Returns false when the loop must stop ({{break}}).
        func oneIteration(_ ex: inout Executor, _ index: Slot, _ elem: Slot) throws -> Bool {
            try ex.step()
            if decl.count > 0 {
                if r.pipe.isAssign {
                    try ex.setVar(decl[0].ident[0], decl.count > 1 ? index : elem)
                } else {
                    ex.vars[ex.vars.count - 1].slot = elem
                }
            }
            if decl.count > 1 {
                if r.pipe.isAssign {
                    try ex.setVar(decl[1].ident[0], elem)
                } else {
                    ex.vars[ex.vars.count - 2].slot = index
                }
            }
            let flow = try ex.walk(elem, r.list)
            ex.pop(to: mark)
            return flow != .breakLoop
        }
        switch val {
        case .list(let l):
            if !l.elements.isEmpty {
                let boxed = l.elementType == .interface
                for (i, e) in l.elements.enumerated() {
                    if try !oneIteration(&self, Slot(.int(i)), Slot(e, boxed: boxed)) { break }
                }
                return
            }
        case .bytes(let b):
            if !b.isEmpty {
                for (i, e) in b.enumerated() {
                    if try !oneIteration(&self, Slot(.int(i)), Slot(.unsigned(UInt64(e), .uint8))) { break }
                }
                return
            }
        case .map(let m):
            if m.count > 0 {
                let boxed = m.valueType == .interface
                for k in m.sortedKeys {
                    if try !oneIteration(&self, Slot(.string(k)), Slot(m.entries[k] ?? .null, boxed: boxed)) { break }
                }
                return
            }
        case .integer(let n, let kind):
            if decl.count > 1 {
                throw errorf("can't use \(goSprint([val])) to iterate over more than one variable")
            }
            if n > 0 {
                var i: Int64 = 0
                while i < n {
                    if try !oneIteration(&self, Slot(.integer(i, kind)), Slot(.integer(i, kind))) { break }
                    i += 1
                }
                return
            }
        case .unsigned(let n, let kind):
            if decl.count > 1 {
                throw errorf("can't use \(goSprint([val])) to iterate over more than one variable")
            }
            if n > 0 {
                var i: UInt64 = 0
                while i < n {
                    if try !oneIteration(&self, Slot(.unsigned(i, kind)), Slot(.unsigned(i, kind))) { break }
                    i += 1
                }
                return
            }
        case .noValue:
            break
        case .typedNil(let t) where t.kind == .map || t.kind == .slice:
            break
        default:
            throw errorf("range can't iterate over \(goSprint([val]))")
        }
        if let e = r.elseList {
            _ = try walk(dot, e)
        }
    }

    mutating func walkTemplate(_ dot: Slot, _ t: TemplateNode) throws {
        self.node = t
        guard let tmpl = set.trees[t.name] else {
            throw errorf("template \(goQuote(t.name)) not defined")
        }
        if depth >= options.maxDepth {
            throw errorf("exceeded maximum template depth (\(options.maxDepth))")
        }
        try step()
        let newDot = t.pipe == nil ? Slot(.noValue) : try evalPipeline(dot, t.pipe)
        let savedTree = tree
        let savedVars = vars
        tree = tmpl
        vars = [("$", newDot)]
        depth += 1
        defer {
            depth -= 1
            tree = savedTree
            vars = savedVars
        }
        _ = try walk(newDot, tmpl.root)
    }

    // MARK: pipelines and commands

    mutating func evalPipeline(_ dot: Slot, _ pipe: PipeNode?) throws -> Slot {
        guard let pipe else { return Slot(.noValue) }
        self.node = pipe
        var value: Slot? = nil
        for cmd in pipe.cmds {
            var v = try evalCommand(dot, cmd, final: value)
            // A value of type interface{} is replaced by what it holds; nil becomes "no value".
            if case .null = v.value { v = Slot(.noValue) }
            v.boxed = false
            value = v
        }
        let result = value ?? Slot(.noValue)
        for v in pipe.decl {
            if pipe.isAssign {
                try setVar(v.ident[0], result)
            } else {
                push(v.ident[0], result)
            }
        }
        return result
    }

    func notAFunction(_ args: [Node], _ final: Slot?) throws {
        if args.count > 1 || final != nil {
            throw errorf("can't give argument to non-function \(args[0])")
        }
    }

    mutating func evalCommand(_ dot: Slot, _ cmd: CommandNode, final: Slot?) throws -> Slot {
        let first = cmd.args[0]
        switch first.kind {
        case .field:
            return try evalFieldNode(dot, unsafeDowncast(first, to: FieldNode.self), cmd.args, final)
        case .chain:
            return try evalChainNode(dot, unsafeDowncast(first, to: ChainNode.self), cmd.args, final)
        case .identifier:
            return try evalFunction(dot, unsafeDowncast(first, to: IdentifierNode.self), cmd, cmd.args, final)
        case .pipe:
            try notAFunction(cmd.args, final)
            return try evalPipeline(dot, unsafeDowncast(first, to: PipeNode.self))
        case .variable:
            return try evalVariableNode(dot, unsafeDowncast(first, to: VariableNode.self), cmd.args, final)
        default: break
        }
        self.node = first
        try notAFunction(cmd.args, final)
        switch first.kind {
        case .bool: return Slot(.bool(unsafeDowncast(first, to: BoolNode.self).value))
        case .dot: return dot
        case .nil: throw errorf("nil is not a command")
        case .number: return Slot(try idealConstant(unsafeDowncast(first, to: NumberNode.self)))
        case .string: return Slot(.string(unsafeDowncast(first, to: StringNode.self).text))
        default: throw errorf("can't evaluate command \(goQuote(first.description))")
        }
    }

    mutating func idealConstant(_ c: NumberNode) throws -> Value {
        self.node = c
        let text = c.text
        let isHexInt = text.count > 2 && text.hasPrefix("0") && (text.dropFirst().first == "x" || text.dropFirst().first == "X") && !text.contains(where: { $0 == "p" || $0 == "P" })
        let isRuneInt = text.hasPrefix("'")
        if c.isFloat && !isHexInt && !isRuneInt && text.contains(where: { ".eEpP".contains($0) }) {
            return .float(c.float64)
        }
        if c.isInt { return .integer(c.int64, .int) }
        if c.isUint { throw errorf("\(text) overflows int") }
        return .noValue
    }

    mutating func evalFieldNode(_ dot: Slot, _ field: FieldNode, _ args: [Node]?, _ final: Slot?) throws -> Slot {
        self.node = field
        return try evalFieldChain(dot, dot, field, field.ident[...], args, final)
    }

    mutating func evalChainNode(_ dot: Slot, _ chain: ChainNode, _ args: [Node]?, _ final: Slot?) throws -> Slot {
        self.node = chain
        if chain.fields.isEmpty { throw errorf("internal error: no fields in evalChainNode") }
        if chain.node.kind == .nil { throw errorf("indirection through explicit nil in \(chain)") }
        let pipe = try evalArg(dot, nil, chain.node)
        return try evalFieldChain(dot, pipe, chain, chain.fields[...], args, final)
    }

    mutating func evalVariableNode(_ dot: Slot, _ v: VariableNode, _ args: [Node]?, _ final: Slot?) throws -> Slot {
        self.node = v
        let value = try varValue(v.ident[0])
        if v.ident.count == 1 {
            try notAFunction(args ?? [v], final)
            return value
        }
        return try evalFieldChain(dot, value, v, v.ident[1...], args, final)
    }

    mutating func evalFieldChain(_ dot: Slot, _ receiver: Slot, _ node: Node, _ ident: ArraySlice<String>,
                                 _ args: [Node]?, _ final: Slot?) throws -> Slot {
        var r = receiver
        let last = ident.endIndex - 1
        var i = ident.startIndex
        while i < last {
            r = try evalField(dot, ident[i], node, nil, nil, r)
            i += 1
        }
        return try evalField(dot, ident[last], node, args, final, r)
    }

    mutating func evalFunction(_ dot: Slot, _ node: IdentifierNode, _ cmd: Node, _ args: [Node]?, _ final: Slot?) throws -> Slot {
        self.node = node
        let name = node.ident
        if let f = set.functions[name] {
            return try evalCall(dot, f, isBuiltin: false, cmd, name, args, final)
        }
        if let f = builtinFunctions[name] {
            return try evalCall(dot, f, isBuiltin: true, cmd, name, args, final)
        }
        throw errorf("\(goQuote(name)) is not a defined function")
    }

    mutating func evalField(_ dot: Slot, _ fieldName: String, _ node: Node, _ args: [Node]?, _ final: Slot?,
                            _ receiver: Slot) throws -> Slot {
        let hasArgs = (args?.count ?? 0) > 1 || final != nil
        let typ = receiver.boxed ? "interface {}" : receiver.value.typeName
        switch receiver.value {
        case .noValue:
            if options.missingKey == .error { throw errorf("nil data; no entry for key \(goQuote(fieldName))") }
            return Slot(.noValue)
        case .null:
            throw errorf("nil pointer evaluating \(typ).\(fieldName)")
        case .map(let m):
            return try mapField(m, fieldName, hasArgs)
        case .object(let o):
            switch o.member(named: fieldName) {
            case .method(let f)?:
                return try evalCall(dot, f, isBuiltin: false, node, fieldName, args, final)
            case .field(let v)?:
                if hasArgs { throw errorf("\(fieldName) has arguments but cannot be invoked as function") }
                return Slot(v, boxed: false)
            case nil:
                if case .map(let m)? = o.underlying { return try mapField(m, fieldName, hasArgs) }
            }
        case .typedNil(let t):
            if t.kind == .map {
                if hasArgs { throw errorf("\(fieldName) is not a method but has arguments") }
                return try missing(fieldName, t)
            }
            if t.kind == .ptr { throw errorf("nil pointer evaluating \(typ).\(fieldName)") }
        default:
            break
        }
        throw errorf("can't evaluate field \(fieldName) in type \(typ)")
    }

    func mapField(_ m: GoMap, _ fieldName: String, _ hasArgs: Bool) throws -> Slot {
        if hasArgs { throw errorf("\(fieldName) is not a method but has arguments") }
        if let v = m.entries[fieldName] { return Slot(v, boxed: m.valueType == .interface) }
        return try missing(fieldName, .map(key: .string, value: m.valueType))
    }

    func missing(_ fieldName: String, _ mapType: GoType) throws -> Slot {
        switch options.missingKey {
        case .default: return Slot(.noValue)
        case .zero:
            guard case .map(_, let elem) = mapType else { return Slot(.null, boxed: true) }
            return Slot(elem.zero, boxed: elem == .interface)
        case .error: throw errorf("map has no entry for key \(goQuote(fieldName))")
        }
    }

    // MARK: calls

    mutating func evalCall(_ dot: Slot, _ fn: Function, isBuiltin: Bool, _ node: Node, _ name: String,
                           _ allArgs: [Node]?, _ final: Slot?) throws -> Slot {
        let args: ArraySlice<Node> = allArgs.map { $0.dropFirst() } ?? []
        let numIn = args.count + (final == nil ? 0 : 1)
        var numFixed = args.count
        let params = fn.parameters
        if fn.variadic != nil {
            numFixed = params.count
            if numIn < numFixed {
                throw errorf("wrong number of args for \(name): want at least \(params.count) got \(args.count)")
            }
        } else if numIn != params.count {
            throw errorf("wrong number of args for \(name): want \(params.count) got \(numIn)")
        }

        if isBuiltin && (name == "and" || name == "or") {
            var v = Slot(.noValue)
            for arg in args {
                v = try evalArg(dot, nil, arg, raw: true)
                if (indirectInterface(v.value).truth ?? false) == (name == "or") { return v }
            }
            if let final { v = final }
            return v
        }

        var argv: [Value] = []
        argv.reserveCapacity(numIn + 1)
        if isBuiltin && name == "call" {
            argv.append(.string(args.first?.description ?? ""))
        }
        let raw = fn.rawArguments
        var i = 0
        for arg in args {
            let t: GoType = i < numFixed ? params[i] : (fn.variadic ?? .interface)
            argv.append(try evalArg(dot, t, arg, raw: raw).value)
            i += 1
        }
        if let final {
            var t: GoType = params.last ?? .interface
            if let v = fn.variadic {
                t = numIn - 1 < numFixed ? params[numIn - 1] : v
            }
            argv.append(raw ? final.value : try validateType(final.value, t))
        }
        let context = CallContext(templates: set, templateName: tree?.name ?? "", depth: depth, options: options)
        do {
            let result = try fn.body(Arguments(argv, functionName: name), context)
            return Slot(result, boxed: fn.result == .interface && !raw)
        } catch let e as ControlError {
            throw e
        } catch {
            self.node = node
            throw errorf("error calling \(name): \(errorText(error))", underlying: error)
        }
    }

    func validateType(_ value: Value, _ typ: GoType?) throws -> Value {
        guard let typ else { return value }
        switch value {
        case .noValue:
            if typ.canBeNil { return typ.zero }
            throw errorf("invalid value; expected \(typ)")
        case .null:
            if typ.kind == .interface { return value }
            throw errorf("wrong type for value; expected \(typ); got interface {}")
        default: break
        }
        if typ == .interface { return value }
        if let vt = value.goType, vt == typ { return value }
        if case .object(let o) = value, let u = o.underlying, u.goType == typ { return u }
        if typ == .error, case .object = value { return value }
        throw errorf("wrong type for value; expected \(typ); got \(value.typeName)")
    }

    mutating func evalArg(_ dot: Slot, _ typ: GoType?, _ n: Node, raw: Bool = false) throws -> Slot {
        self.node = n
        let t: GoType? = raw ? nil : typ
        switch n.kind {
        case .dot:
            return Slot(try validateType(dot.value, t))
        case .nil:
            if raw { return Slot(.noValue) }
            guard let typ, typ.canBeNil else { throw errorf("cannot assign nil to \(typ.map { "\($0)" } ?? "<nil>")") }
            return Slot(typ.zero)
        case .field:
            return Slot(try validateType(try evalFieldNode(dot, unsafeDowncast(n, to: FieldNode.self), [n], nil).value, t))
        case .variable:
            return Slot(try validateType(try evalVariableNode(dot, unsafeDowncast(n, to: VariableNode.self), nil, nil).value, t))
        case .pipe:
            return Slot(try validateType(try evalPipeline(dot, unsafeDowncast(n, to: PipeNode.self)).value, t))
        case .identifier:
            let id = unsafeDowncast(n, to: IdentifierNode.self)
            return Slot(try validateType(try evalFunction(dot, id, id, nil, nil).value, t))
        case .chain:
            let c = try evalChainNode(dot, unsafeDowncast(n, to: ChainNode.self), nil, nil)
            return t == nil ? c : Slot(try validateType(c.value, t))
        default: break
        }
        guard let typ = t else { return Slot(try evalEmptyInterface(dot, n)) }
        switch typ.kind {
        case .bool:
            if n.kind == .bool { return Slot(.bool(unsafeDowncast(n, to: BoolNode.self).value)) }
            throw errorf("expected bool; found \(n)")
        case .float32, .float64:
            if n.kind == .number, case let num = unsafeDowncast(n, to: NumberNode.self), num.isFloat {
                return Slot(.float(num.float64))
            }
            throw errorf("expected float; found \(n)")
        case .int, .int8, .int16, .int32, .int64:
            if n.kind == .number, case let num = unsafeDowncast(n, to: NumberNode.self), num.isInt,
               case .int(let k) = typ {
                return Slot(.integer(num.int64, k))
            }
            throw errorf("expected integer; found \(n)")
        case .uint, .uint8, .uint16, .uint32, .uint64, .uintptr:
            if n.kind == .number, case let num = unsafeDowncast(n, to: NumberNode.self), num.isUint,
               case .uint(let k) = typ {
                return Slot(.unsigned(num.uint64, k))
            }
            throw errorf("expected unsigned integer; found \(n)")
        case .string:
            if n.kind == .string { return Slot(.string(unsafeDowncast(n, to: StringNode.self).text)) }
            throw errorf("expected string; found \(n)")
        case .interface:
            return Slot(try evalEmptyInterface(dot, n))
        default:
            throw errorf("can't handle \(n) for arg of type \(typ)")
        }
    }

    mutating func evalEmptyInterface(_ dot: Slot, _ n: Node) throws -> Value {
        self.node = n
        switch n.kind {
        case .bool: return .bool(unsafeDowncast(n, to: BoolNode.self).value)
        case .dot: return dot.value
        case .field: return try evalFieldNode(dot, unsafeDowncast(n, to: FieldNode.self), nil, nil).value
        case .identifier:
            let id = unsafeDowncast(n, to: IdentifierNode.self)
            return try evalFunction(dot, id, id, nil, nil).value
        case .nil: throw errorf("evalEmptyInterface: nil (can't happen)")
        case .number: return try idealConstant(unsafeDowncast(n, to: NumberNode.self))
        case .string: return .string(unsafeDowncast(n, to: StringNode.self).text)
        case .variable: return try evalVariableNode(dot, unsafeDowncast(n, to: VariableNode.self), nil, nil).value
        case .pipe: return try evalPipeline(dot, unsafeDowncast(n, to: PipeNode.self)).value
        default: throw errorf("can't handle assignment of \(n) to empty interface argument")
        }
    }

    // MARK: printing

    mutating func printValue(_ n: Node, _ v: Value) throws {
        self.node = n
        switch v {
        case .noValue:
            try write("<no value>")
        case .string(let s):
            try write(s)
        case .function:
            throw errorf("can't print \(n) of type \(v.typeName)")
        case .object(let o):
            var p = Printer()
            p.printDereferenced(o)
            try write(p.buf)
        default:
            try write(goFormat(v))
        }
    }
}

/// Errors that must cross function calls unchanged (none today; reserved).
struct ControlError: Error {}

/// Go's `indirectInterface`: a nil interface is no value.
func indirectInterface(_ v: Value) -> Value {
    if case .null = v { return .noValue }
    return v
}

/// Go's `indirect` for our model: objects stand for their pointee already.
func indirect(_ v: Value) -> Value {
    if case .null = v { return .noValue }
    return v
}
