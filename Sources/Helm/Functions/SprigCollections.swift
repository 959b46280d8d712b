import GoTemplate

// Sprig's list.go and dict.go. Non-must variants fail with the same error as the
// must ones: Go's template runtime turns their panic into `error calling NAME: ...`.
extension Sprig {
    static func listFunctions(into f: inout FunctionMap) {
        for name in ["list", "tuple"] {
            f.add(name, [], variadic: .interface, result: .list) { a, _ in .list(Array(a.values)) }
        }
        @Sendable func slice(_ v: Value, _ what: String) throws -> [Value] {
            try listElements(v, "Cannot \(what) on type")
        }
        func both(_ name: String, _ params: [GoType], variadic: GoType? = nil, _ body: @escaping Function.Body) {
            f.add(name, params, variadic: variadic, body)
            f.add("must" + name.prefix(1).uppercased() + name.dropFirst(), params, variadic: variadic, body)
        }
        for name in ["append", "push"] {
            both(name, [.interface, .interface]) { a, _ in
                .list(try listElements(a[0], "Cannot push on type") + [a[1]])
            }
        }
        both("prepend", [.interface, .interface]) { a, _ in
            .list([a[1]] + (try listElements(a[0], "Cannot prepend on type")))
        }
        both("first", [.interface]) { a, _ in try slice(a[0], "find first").first ?? .null }
        both("last", [.interface]) { a, _ in try slice(a[0], "find last").last ?? .null }
        both("rest", [.interface]) { a, _ in
            let e = try slice(a[0], "find rest")
            return e.isEmpty ? .null : .list(Array(e.dropFirst()))
        }
        both("initial", [.interface]) { a, _ in
            let e = try slice(a[0], "find initial")
            return e.isEmpty ? .null : .list(Array(e.dropLast()))
        }
        both("reverse", [.interface]) { a, _ in .list(try slice(a[0], "find reverse").reversed()) }
        both("uniq", [.interface]) { a, _ in
            var out: [Value] = []
            for v in try slice(a[0], "find uniq") where !out.contains(where: { deepEqual($0, v) }) { out.append(v) }
            return .list(out)
        }
        both("compact", [.interface]) { a, _ in .list(try slice(a[0], "compact").filter { !isEmpty($0) }) }
        both("without", [.interface], variadic: .interface) { a, _ in
            let omit = Array(a.rest(from: 1))
            return .list(try slice(a[0], "find without").filter { v in !omit.contains(where: { deepEqual($0, v) }) })
        }
        both("has", [.interface, .interface]) { a, _ in
            if isNilInterface(a[1]) { return .bool(false) }
            let e = try slice(a[1], "find has")
            return .bool(e.contains(where: { deepEqual($0, a[0]) }))
        }
        both("slice", [.interface], variadic: .interface) { a, _ in
            let e = try listElements(a[0], "list should be type of slice or array but")
            // An empty list gives nil whatever the indices (Sprig returns early).
            if e.isEmpty { return .null }
            let idx = a.rest(from: 1).map(toInt)
            let lo = idx.count > 0 ? idx[0] : 0
            let hi = idx.count > 1 ? idx[1] : e.count
            guard lo >= 0, hi <= e.count, lo <= hi else {
                throw FunctionError("reflect.Value.Slice: slice index out of bounds")
            }
            let elementType: GoType
            switch a[0].underlyingValue {
            case .list(let l): elementType = l.elementType
            case .bytes: return .bytes(Array(e[lo..<hi]).map { if case .unsigned(let b, _) = $0 { return UInt8(truncatingIfNeeded: b) }; return 0 })
            default: elementType = .interface
            }
            return .list(GoList(Array(e[lo..<hi]), elementType: elementType))
        }
        f.add("concat", [], variadic: .interface) { a, _ in
            var out: [Value] = []
            for v in a.values {
                out += try listElements(v, "Cannot concat type", suffix: " as list")
            }
            // Go's `var res []interface{}` stays nil when nothing was appended.
            return out.isEmpty ? .typedNil(.list) : .list(out)
        }
        both("chunk", [.int(.int), .interface]) { a, _ in
            let size = try a.int(0)
            let e = try listElements(a[1], "Cannot chunk type")
            guard size > 0 else {
                if e.isEmpty { return .list(GoList([], elementType: .list)) }
                throw FunctionError("runtime error: makeslice: len out of range")
            }
            return .list(GoList(stride(from: 0, to: e.count, by: size).map { .list(Array(e[$0..<min($0 + size, e.count)])) },
                                elementType: .list))
        }
        f.add("until", [.int(.int)], result: .slice(.int(.int))) { a, _ in
            let n = try a.int(0)
            return intList(untilStep(0, n, n < 0 ? -1 : 1))
        }
        f.add("untilStep", [.int(.int), .int(.int), .int(.int)], result: .slice(.int(.int))) { a, _ in
            intList(untilStep(try a.int(0), try a.int(1), try a.int(2)))
        }
    }

    /// The elements of a slice or array argument, failing as Sprig's list functions do:
    /// `reflect.TypeOf(nil).Kind()` panics on nil, other kinds get `PREFIX KIND`.
    static func listElements(_ v: Value, _ prefix: String, suffix: String = "") throws -> [Value] {
        if isNilInterface(v) { throw FunctionError(nilDereference) }
        guard let e = elements(v) else { throw FunctionError("\(prefix) \(v.kindName)\(suffix)") }
        return e
    }

    /// Go's runtime panic text for a nil dereference, which templates report as the error.
    static let nilDereference = "runtime error: invalid memory address or nil pointer dereference"

    /// Go's panic text for a failed `x.(T)` on an interface value.
    static func interfaceConversion(_ v: Value, _ target: String) -> String {
        "interface conversion: interface {} is \(isNilInterface(v) ? "nil" : v.typeName), not \(target)"
    }

    static func intList(_ v: [Int]) -> Value { .list(GoList(v.map { .int($0) }, elementType: .int(.int))) }

    static func untilStep(_ start: Int, _ stop: Int, _ step: Int) -> [Int] {
        var v: [Int] = []
        if stop < start {
            if step >= 0 { return v }
            var i = start
            while i > stop { v.append(i); i += step }
            return v
        }
        if step <= 0 { return v }
        var i = start
        while i < stop { v.append(i); i += step }
        return v
    }

    static func dictFunctions(into f: inout FunctionMap) {
        f.add("dict", [], variadic: .interface, result: .dict) { a, _ in
            var d: [String: Value] = [:]
            var i = 0
            while i < a.count {
                d[strval(a[i])] = i + 1 < a.count ? a[i + 1] : .string("")
                i += 2
            }
            return .map(GoMap(d))
        }
        f.add("get", [.dict, .string]) { a, _ in try a.map(0)[try a.string(1)] ?? .string("") }
        f.add("set", [.dict, .string, .interface], result: .dict) { a, _ in
            let m = try a.map(0)
            m[try a.string(1)] = a[2]
            return .map(m)
        }
        f.add("unset", [.dict, .string], result: .dict) { a, _ in
            let m = try a.map(0)
            m.entries.removeValue(forKey: try a.string(1))
            return .map(m)
        }
        f.add("hasKey", [.dict, .string], result: .bool) { a, _ in .bool(try a.map(0)[try a.string(1)] != nil) }
        f.add("pluck", [.string], variadic: .dict, result: .list) { a, _ in
            let key = try a.string(0)
            return .list(try (1..<a.count).compactMap { try a.map($0)[key] })
        }
        f.add("keys", [], variadic: .dict, result: .stringList) { a, _ in
            // Go's map order is random; sorted is one of the orders Go may give.
            .stringList(try a.indices.flatMap { try a.map($0).sortedKeys })
        }
        f.add("values", [.dict], result: .list) { a, _ in
            let m = try a.map(0)
            return .list(m.sortedKeys.compactMap { m[$0] })
        }
        f.add("pick", [.dict], variadic: .string, result: .dict) { a, _ in
            let m = try a.map(0)
            var d: [String: Value] = [:]
            for i in 1..<a.count { let k = try a.string(i); if let v = m[k] { d[k] = v } }
            return .map(GoMap(d))
        }
        f.add("omit", [.dict], variadic: .string, result: .dict) { a, _ in
            let m = try a.map(0)
            let drop = Set(try (1..<a.count).map { try a.string($0) })
            return .map(GoMap(m.entries.filter { !drop.contains($0.key) }))
        }
        f.add("dig", [], variadic: .interface) { a, _ in
            guard a.count >= 3 else { throw FunctionError("dig needs at least three arguments") }
            // Sprig type-asserts (`.(map[string]interface{})`, `.(string)`): a mismatch panics.
            func assertMap(_ v: Value) throws -> GoMap {
                if case .map(let m) = v.underlyingValue, m.valueType == .interface { return m }
                throw FunctionError(interfaceConversion(v, "map[string]interface {}"))
            }
            let dict = try assertMap(a[a.count - 1])
            let fallback = a[a.count - 2]
            let keys: [String] = try (0..<(a.count - 2)).map { i in
                guard case .string(let k) = a[i] else { throw FunctionError(interfaceConversion(a[i], "string")) }
                return k
            }
            var current = dict
            for (i, k) in keys.enumerated() {
                guard let v = current[k] else { return fallback }
                if i == keys.count - 1 { return v }
                current = try assertMap(v)
            }
            return fallback
        }
        for (name, overwrite) in [("merge", false), ("mustMerge", false), ("mergeOverwrite", true), ("mustMergeOverwrite", true)] {
            f.add(name, [.dict], variadic: .dict) { a, _ in
                let dst = try a.map(0)
                for i in 1..<a.count { merge(into: dst, from: try a.map(i), overwrite: overwrite) }
                return .map(dst)
            }
        }
        for name in ["deepCopy", "mustDeepCopy"] {
            f.add(name, [.interface]) { a, _ in
                if isNilInterface(a[0]) && name == "mustDeepCopy" { throw FunctionError("copy: nil value") }
                return deepCopy(a[0])
            }
        }
    }

    /// mergo.Merge / MergeWithOverwrite on maps: nested maps merge in place; other values
    /// are taken from `src` when missing or empty in `dst` (or always, when overwriting).
    static func merge(into dst: GoMap, from src: GoMap, overwrite: Bool) {
        for key in src.sortedKeys {
            guard let s = src[key] else { continue }
            let d = dst[key]
            if case .map(let sm)? = Optional(s.underlyingValue), let d, case .map(let dm) = d.underlyingValue {
                merge(into: dm, from: sm, overwrite: overwrite)
                continue
            }
            // mergo: a nil source value replaces only when overwriting (even a present
            // destination value) and is otherwise skipped, leaving a missing key missing.
            if isNilInterface(s) {
                if overwrite { dst[key] = s }
                continue
            }
            if let d, !isEmpty(d), !overwrite {
                continue
            }
            dst[key] = s
        }
    }
}
