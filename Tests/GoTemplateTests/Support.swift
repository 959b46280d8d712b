import GoTemplate

/// Minimal stand-ins for a few Sprig/Helm functions so that tests derived from the
/// golden charts can run inside this module (the real ones live in the Helm module).
let testFunctions: FunctionMap = [
    "quote": Function("quote", parameters: [], variadic: .interface, result: .string) { args, _ in
        .string(args.values.compactMap { v -> String? in
            if case .null = v { return nil }
            return goQuote(goSprint([v]))
        }.joined(separator: " "))
    },
    "list": Function("list", parameters: [], variadic: .interface, result: .list) { args, _ in
        .list(args.values)
    },
    "dict": Function("dict", parameters: [], variadic: .interface, result: .dict) { args, _ in
        let m = GoMap()
        var i = 0
        while i + 1 < args.count {
            m[goSprint([args[i]])] = args[i + 1]
            i += 2
        }
        return .map(m)
    },
    "until": Function("until", parameters: [.int(.int)], result: .list) { args, _ in
        .list((0..<max(try args.int(0), 0)).map { Value.int($0) })
    },
    "include": Function("include", parameters: [.string, .interface], result: .string) { args, ctx in
        .string(try ctx.executeTemplate(named: try args.string(0), data: args[1]))
    },
    "upper": Function("upper", parameters: [.string], result: .string) { args, _ in
        .string(try args.string(0).uppercased())
    },
    "toString": Function("toString", parameters: [.interface], result: .string) { args, _ in
        .string(goSprint([args[0]]))
    },
    "fail": Function("fail", parameters: [.string], result: .string) { args, _ in
        throw FunctionError(try args.string(0))
    },
    "int64": Function("int64", parameters: [.interface], result: .int(.int64)) { args, _ in
        switch args[0] {
        case .float(let d): return .int64(Int64(d))
        case .integer(let n, _): return .int64(n)
        default: return .int64(0)
        }
    },
]

/// Renders `text` as template "t" and returns the output or the error's text.
func render(_ text: String, _ data: Value = .null, missingKey: MissingKey = .default,
            functions: FunctionMap = testFunctions, name: String = "t") -> String {
    let set = TemplateSet(functions: functions)
    set.options.missingKey = missingKey
    do {
        try set.parse(name: name, text: text)
        return try set.execute(name: name, data: data)
    } catch {
        return "ERROR: \(error)"
    }
}

/// Helm-like root data: numbers from values are float64.
func helmRoot(_ values: Value) -> Value {
    [
        "Values": values,
        "Release": ["Name": "rel", "Namespace": "ns1", "IsInstall": true],
        "Chart": ["Name": "chart", "Version": "0.1.0"],
    ]
}
