// Go's predefined template functions (funcs.go), with Go's messages.

let builtinFunctions: FunctionMap = {
    var m: FunctionMap = [:]
    // and/or short-circuit in the executor; these bodies only serve direct calls.
    m["and"] = Function(raw: "and", fixed: 1, variadic: true) { args, _ in
        for a in args where !(indirectInterface(a).truth ?? false) { return a }
        return args.last ?? .noValue
    }
    m["or"] = Function(raw: "or", fixed: 1, variadic: true) { args, _ in
        for a in args where indirectInterface(a).truth ?? false { return a }
        return args.last ?? .noValue
    }
    m["not"] = Function(raw: "not", fixed: 1, variadic: false, result: .bool) { args, _ in
        .bool(!(indirectInterface(args[0]).truth ?? false))
    }
    m["call"] = Function(raw: "call", fixed: 1, variadic: true) { args, ctx in
        try builtinCall(args, ctx)
    }
    m["html"] = Function("html", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(htmlEscape(evalArgs(args.values)))
    }
    m["js"] = Function("js", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(jsEscape(evalArgs(args.values)))
    }
    m["urlquery"] = Function("urlquery", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(queryEscape(evalArgs(args.values)))
    }
    m["print"] = Function("print", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(goSprint(args.values))
    }
    m["printf"] = Function("printf", parameters: [.string], variadic: .interface, result: .string) { args, _ in
        .string(goSprintf(try args.string(0), Array(args.values.dropFirst())))
    }
    m["println"] = Function("println", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(goSprintln(args.values))
    }
    m["index"] = Function(raw: "index", fixed: 1, variadic: true) { args, _ in
        try builtinIndex(args[0], Array(args.values.dropFirst()))
    }
    m["slice"] = Function(raw: "slice", fixed: 1, variadic: true) { args, _ in
        try builtinSlice(args[0], Array(args.values.dropFirst()))
    }
    m["len"] = Function(raw: "len", fixed: 1, variadic: false, result: .int(.int)) { args, _ in
        try builtinLen(args[0])
    }
    m["eq"] = Function(raw: "eq", fixed: 1, variadic: true, result: .bool) { args, _ in
        .bool(try goEq(args[0], Array(args.values.dropFirst())))
    }
    m["ne"] = Function(raw: "ne", fixed: 2, variadic: false, result: .bool) { args, _ in
        .bool(!(try goEq(args[0], [args[1]])))
    }
    m["lt"] = Function(raw: "lt", fixed: 2, variadic: false, result: .bool) { args, _ in
        .bool(try goLt(args[0], args[1]))
    }
    m["le"] = Function(raw: "le", fixed: 2, variadic: false, result: .bool) { args, _ in
        .bool(try goLe(args[0], args[1]))
    }
    m["gt"] = Function(raw: "gt", fixed: 2, variadic: false, result: .bool) { args, _ in
        .bool(!(try goLe(args[0], args[1])))
    }
    m["ge"] = Function(raw: "ge", fixed: 2, variadic: false, result: .bool) { args, _ in
        .bool(!(try goLt(args[0], args[1])))
    }
    return m
}()

/// The names of Go's built-in template functions.
public let builtinFunctionNames: Set<String> = Set(builtinFunctions.keys)

// MARK: - call

private func builtinCall(_ args: Arguments, _ ctx: CallContext) throws -> Value {
    // args[0] is the callee's text (prepended by the executor), args[1] the function.
    let name = (try? args.string(0)) ?? ""
    let fnValue = indirectInterface(args.count > 1 ? args[1] : .noValue)
    let callArgs = Array(args.values.dropFirst(2))
    guard case .function(let fn) = fnValue else {
        if case .noValue = fnValue { throw FunctionError("call of nil") }
        throw FunctionError("non-function \(name) of type \(fnValue.typeName)")
    }
    let numIn = fn.parameters.count
    if fn.variadic != nil {
        if callArgs.count < numIn {
            throw FunctionError("wrong number of args for \(name): got \(callArgs.count) want at least \(numIn)")
        }
    } else if callArgs.count != numIn {
        throw FunctionError("wrong number of args for \(name): got \(callArgs.count) want \(numIn)")
    }
    var argv: [Value] = []
    for (i, a) in callArgs.enumerated() {
        let t = i < numIn ? fn.parameters[i] : (fn.variadic ?? .interface)
        do {
            argv.append(try prepareArg(indirectInterface(a), t))
        } catch let e as FunctionError {
            throw FunctionError("arg \(i): \(e.message)")
        }
    }
    return try fn.body(Arguments(argv, functionName: fn.name), ctx)
}

private func isIntLike(_ k: Kind) -> Bool {
    switch k {
    case .int, .int8, .int16, .int32, .int64, .uint, .uint8, .uint16, .uint32, .uint64, .uintptr: return true
    default: return false
    }
}

/// Go's `prepareArg`: nil to zero, assignability, integer conversions.
func prepareArg(_ value: Value, _ t: GoType) throws -> Value {
    if case .noValue = value {
        if !t.canBeNil { throw FunctionError("value is nil; should be of type \(t)") }
        return t.zero
    }
    if t == .interface || value.goType == t { return value }
    if let vt = value.goType, isIntLike(vt.kind), isIntLike(t.kind) {
        switch (value, t) {
        case (.integer(let n, _), .int(let k)): return .integer(n, k)
        case (.integer(let n, _), .uint(let k)): return .unsigned(UInt64(bitPattern: n), k)
        case (.unsigned(let n, _), .int(let k)): return .integer(Int64(bitPattern: n), k)
        case (.unsigned(let n, _), .uint(let k)): return .unsigned(n, k)
        default: break
        }
    }
    throw FunctionError("value has type \(value.typeName); should be \(t)")
}

// MARK: - index, slice, len

private func indexArg(_ index: Value, cap: Int) throws -> Int {
    var x: Int64
    switch indirectInterface(index) {
    case .integer(let n, _): x = n
    case .unsigned(let n, _): x = Int64(bitPattern: n)
    case .noValue: throw FunctionError("cannot index slice/array with nil")
    default: throw FunctionError("cannot index slice/array with type \(index.typeName)")
    }
    if x < 0 || x > Int64(cap) { throw FunctionError("index out of range: \(x)") }
    return Int(x)
}

func builtinIndex(_ itemArg: Value, _ indexes: [Value]) throws -> Value {
    var item = indirectInterface(itemArg)
    if case .noValue = item { throw FunctionError("index of untyped nil") }
    for index in indexes {
        let idx = indirectInterface(index)
        item = indirectInterface(item).underlyingValue
        switch item {
        case .noValue:
            throw FunctionError("index of untyped nil")
        case .list(let l):
            let x = try indexArg(idx, cap: l.count)
            if x == l.count { throw FunctionError("reflect: slice index out of range") }
            item = l.elements[x]
        case .bytes(let b):
            let x = try indexArg(idx, cap: b.count)
            if x == b.count { throw FunctionError("reflect: slice index out of range") }
            item = .unsigned(UInt64(b[x]), .uint8)
        case .string(let s):
            let u = Array(s.utf8)
            let x = try indexArg(idx, cap: u.count)
            if x == u.count { throw FunctionError("reflect: string index out of range") }
            item = .unsigned(UInt64(u[x]), .uint8)
        case .map(let m):
            let key = try mapKey(idx)
            item = m.entries[key] ?? m.valueType.zero
        case .typedNil(let t):
            switch t {
            case .map(_, let elem):
                _ = try mapKey(idx)
                item = elem.zero
            case .slice:
                _ = try indexArg(idx, cap: 0)
                throw FunctionError("reflect: slice index out of range")
            case .pointer:
                throw FunctionError("index of nil pointer")
            default:
                throw FunctionError("can't index item of type \(t)")
            }
        default:
            throw FunctionError("can't index item of type \(item.typeName)")
        }
    }
    return item
}

private func mapKey(_ idx: Value) throws -> String {
    switch idx {
    case .noValue: return ""
    case .string(let s): return s
    default:
        if case .object(let o) = idx, case .string(let s)? = o.underlying { return s }
        throw FunctionError("value has type \(idx.typeName); should be string")
    }
}

func builtinSlice(_ itemArg: Value, _ indexes: [Value]) throws -> Value {
    let item = indirectInterface(itemArg).underlyingValue
    if case .noValue = item { throw FunctionError("slice of untyped nil") }
    if indexes.count > 3 { throw FunctionError("too many slice indexes: \(indexes.count)") }
    let length: Int
    switch item {
    case .string(let s):
        if indexes.count == 3 { throw FunctionError("cannot 3-index slice a string") }
        length = s.utf8.count
    case .list(let l): length = l.count
    case .bytes(let b): length = b.count
    case .typedNil(let t) where t.kind == .slice: length = 0
    default: throw FunctionError("can't slice item of type \(item.typeName)")
    }
    var idx = [0, length, length]
    for (i, index) in indexes.enumerated() {
        idx[i] = try indexArg(index, cap: length)
    }
    if idx[0] > idx[1] { throw FunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
    if indexes.count == 3 && idx[1] > idx[2] { throw FunctionError("invalid slice index: \(idx[1]) > \(idx[2])") }
    switch item {
    case .string(let s):
        return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
    case .list(let l):
        return .list(GoList(Array(l.elements[idx[0]..<idx[1]]), elementType: l.elementType))
    case .bytes(let b):
        return .bytes(Array(b[idx[0]..<idx[1]]))
    default:
        return item
    }
}

func builtinLen(_ arg: Value) throws -> Value {
    switch arg.underlyingValue {
    case .null: throw FunctionError("len of nil pointer")
    case .noValue: throw FunctionError("reflect: call of reflect.Value.Type on zero Value")
    case .string(let s): return .int(s.utf8.count)
    case .bytes(let b): return .int(b.count)
    case .list(let l): return .int(l.count)
    case .map(let m): return .int(m.count)
    case .typedNil(let t):
        if t.kind == .ptr { throw FunctionError("len of nil pointer") }
        if t.kind == .map || t.kind == .slice { return .int(0) }
        throw FunctionError("len of type \(t)")
    case let v:
        throw FunctionError("len of type \(v.typeName)")
    }
}

// MARK: - comparison

private enum BasicKind { case invalid, bool, int, float, string, uint }

private func basicKind(_ v: Value) -> BasicKind {
    switch v.underlyingValue {
    case .bool: return .bool
    case .integer: return .int
    case .unsigned: return .uint
    case .float: return .float
    case .string: return .string
    default: return .invalid
    }
}

private func isNilValue(_ v: Value) -> Bool {
    switch v {
    case .noValue, .null, .typedNil: return true
    default: return false
    }
}

private func isNoValue(_ v: Value) -> Bool {
    if case .noValue = v { return true }
    return false
}

private func isComparable(_ v: Value) -> Bool {
    switch v.underlyingValue {
    case .list, .map, .bytes, .function: return false
    default: return true
    }
}

private func sameKind(_ a: Value, _ b: Value) -> Bool {
    a.kind == b.kind || a.kind == .invalid || b.kind == .invalid
}

func goEq(_ a1: Value, _ rest: [Value]) throws -> Bool {
    let arg1 = indirectInterface(a1)
    if rest.isEmpty { throw FunctionError("missing argument for comparison") }
    let k1 = basicKind(arg1)
    let u1 = arg1.underlyingValue
    for a in rest {
        let arg = indirectInterface(a)
        let k2 = basicKind(arg)
        let u2 = arg.underlyingValue
        var truth = false
        if k1 != k2 {
            switch (u1, u2) {
            case (.integer(let x, _), .unsigned(let y, _)): truth = x >= 0 && UInt64(x) == y
            case (.unsigned(let x, _), .integer(let y, _)): truth = y >= 0 && x == UInt64(y)
            default:
                if !isNoValue(arg1) && !isNoValue(arg) {
                    throw FunctionError("incompatible types for comparison: \(arg1.typeName) and \(arg.typeName)")
                }
            }
        } else {
            switch (u1, u2) {
            case (.bool(let x), .bool(let y)): truth = x == y
            case (.float(let x), .float(let y)): truth = x == y
            case (.integer(let x, _), .integer(let y, _)): truth = x == y
            case (.unsigned(let x, _), .unsigned(let y, _)): truth = x == y
            case (.string(let x), .string(let y)): truth = x == y
            default:
                if !sameKind(arg1, arg) {
                    throw FunctionError("non-comparable types \(goSprintf("%s", [arg1])): \(arg1.typeName), \(arg.typeName): \(goSprint([arg]))")
                }
                if isNilValue(arg1) || isNilValue(arg) {
                    truth = isNilValue(arg) == isNilValue(arg1)
                } else {
                    if !isComparable(arg) {
                        throw FunctionError("non-comparable type \(goSprint([arg])): \(arg.typeName)")
                    }
                    if case .object(let o1) = arg1, case .object(let o2) = arg { truth = o1 === o2 }
                }
            }
        }
        if truth { return true }
    }
    return false
}

func goLt(_ a1: Value, _ a2: Value) throws -> Bool {
    let arg1 = indirectInterface(a1), arg2 = indirectInterface(a2)
    let k1 = basicKind(arg1), k2 = basicKind(arg2)
    if k1 == .invalid || k2 == .invalid { throw FunctionError("invalid type for comparison") }
    let u1 = arg1.underlyingValue, u2 = arg2.underlyingValue
    if k1 != k2 {
        switch (u1, u2) {
        case (.integer(let x, _), .unsigned(let y, _)): return x < 0 || UInt64(x) < y
        case (.unsigned(let x, _), .integer(let y, _)): return y >= 0 && x < UInt64(y)
        default:
            throw FunctionError("incompatible types for comparison: \(arg1.typeName) and \(arg2.typeName)")
        }
    }
    switch (u1, u2) {
    case (.float(let x), .float(let y)): return x < y
    case (.integer(let x, _), .integer(let y, _)): return x < y
    case (.unsigned(let x, _), .unsigned(let y, _)): return x < y
    case (.string(let x), .string(let y)): return goStringLess(x, y)
    default: throw FunctionError("invalid type for comparison")
    }
}

func goLe(_ a1: Value, _ a2: Value) throws -> Bool {
    if try goLt(a1, a2) { return true }
    return try goEq(a1, [a2])
}

// MARK: - escaping

/// Go's `evalArgs`: one string argument as is, otherwise `fmt.Sprint` with nil shown
/// as `<no value>`.
func evalArgs(_ args: [Value]) -> String {
    if args.count == 1, case .string(let s) = args[0] { return s }
    let printable = args.map { v -> Value in
        if case .null = v { return .string("<no value>") }
        if case .noValue = v { return .string("<no value>") }
        return v
    }
    return goSprint(printable)
}

func htmlEscape(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 0x27 || $0 == 0x22 || $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0 }) else { return s }
    var out = ""
    for sc in s.unicodeScalars {
        switch sc {
        case "\0": out += "\u{FFFD}"
        case "\"": out += "&#34;"
        case "'": out += "&#39;"
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        default: out.unicodeScalars.append(sc)
        }
    }
    return out
}

func jsEscape(_ s: String) -> String {
    var out = ""
    for sc in s.unicodeScalars {
        switch sc {
        case "\\": out += "\\\\"
        case "'": out += "\\'"
        case "\"": out += "\\\""
        case "<": out += "\\u003C"
        case ">": out += "\\u003E"
        case "&": out += "\\u0026"
        case "=": out += "\\u003D"
        default:
            if sc.value < 0x20 {
                let h = String(sc.value, radix: 16, uppercase: true)
                out += "\\u00" + (h.count < 2 ? "0" + h : h)
            } else if sc.value < 0x80 || isGoPrint(sc) {
                out.unicodeScalars.append(sc)
            } else {
                var h = String(sc.value, radix: 16, uppercase: true)
                while h.count < 4 { h = "0" + h }
                out += "\\u" + h
            }
        }
    }
    return out
}

func queryEscape(_ s: String) -> String {
    var out = ""
    let hex = Array("0123456789ABCDEF")
    for b in s.utf8 {
        switch b {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x5F, 0x2E, 0x7E:
            out.unicodeScalars.append(Unicode.Scalar(b))
        case 0x20:
            out += "+"
        default:
            out += "%"
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
    }
    return out
}
