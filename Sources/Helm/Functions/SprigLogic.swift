import Foundation
import GoTemplate

// Sprig's numeric.go, defaults.go and reflect.go.
extension Sprig {
    static func mathFunctions(into f: inout FunctionMap) {
        f.add("add1", [.interface], result: .int(.int64)) { a, _ in .int64(toInt64(a[0]) &+ 1) }
        f.add("add", [], variadic: .interface, result: .int(.int64)) { a, _ in .int64(a.values.reduce(0) { $0 &+ toInt64($1) }) }
        f.add("sub", [.interface, .interface], result: .int(.int64)) { a, _ in .int64(toInt64(a[0]) &- toInt64(a[1])) }
        f.add("mul", [.interface], variadic: .interface, result: .int(.int64)) { a, _ in
            .int64(a.rest(from: 1).reduce(toInt64(a[0])) { $0 &* toInt64($1) })
        }
        f.add("div", [.interface, .interface], result: .int(.int64)) { a, _ in
            let d = toInt64(a[1])
            guard d != 0 else { throw FunctionError("runtime error: integer divide by zero") }
            return .int64(toInt64(a[0]) / d)
        }
        f.add("mod", [.interface, .interface], result: .int(.int64)) { a, _ in
            let d = toInt64(a[1])
            guard d != 0 else { throw FunctionError("runtime error: integer divide by zero") }
            return .int64(toInt64(a[0]) % d)
        }
        for name in ["max", "biggest"] {
            f.add(name, [.interface], variadic: .interface, result: .int(.int64)) { a, _ in
                .int64(a.values.map(toInt64).max() ?? 0)
            }
        }
        f.add("min", [.interface], variadic: .interface, result: .int(.int64)) { a, _ in .int64(a.values.map(toInt64).min() ?? 0) }
        f.add("maxf", [.interface], variadic: .interface, result: .float64) { a, _ in
            .float(a.values.map(toFloat64).reduce(-Double.infinity) { Swift.max($0, $1) })
        }
        f.add("minf", [.interface], variadic: .interface, result: .float64) { a, _ in
            .float(a.values.map(toFloat64).reduce(Double.infinity) { Swift.min($0, $1) })
        }
        // Sprig computes these with shopspring/decimal, so 0.1+0.2 is 0.3.
        func decimalOp(_ name: String, _ op: @escaping @Sendable (Decimal, Decimal) -> Decimal?) {
            f.add(name, [.interface], variadic: .interface, result: .float64) { a, _ in
                var acc = decimal(a[0])
                for v in a.rest(from: 1) {
                    guard let r = op(acc, decimal(v)) else { throw FunctionError("division by zero") }
                    acc = r
                }
                return .float(Double(acc.description) ?? NSDecimalNumber(decimal: acc).doubleValue)
            }
        }
        decimalOp("addf") { $0 + $1 }
        decimalOp("subf") { $0 - $1 }
        decimalOp("mulf") { $0 * $1 }
        decimalOp("divf") { $1 == 0 ? nil : $0 / $1 }
        f.add("add1f", [.interface], result: .float64) { a, _ in .float(Double((decimal(a[0]) + 1).description) ?? 0) }
        f.add("floor", [.interface], result: .float64) { a, _ in .float(Foundation.floor(toFloat64(a[0]))) }
        f.add("ceil", [.interface], result: .float64) { a, _ in .float(Foundation.ceil(toFloat64(a[0]))) }
        f.add("round", [.interface, .int(.int)], variadic: .float64, result: .float64) { a, _ in
            let roundOn = a.count > 2 ? try a.float64(2) : 0.5
            let pow = Foundation.pow(10, Double(try a.int(1)))
            let digit = pow * toFloat64(a[0])
            let (i, frac) = modf(digit)
            let r = frac >= roundOn ? Foundation.ceil(digit) : (frac <= -roundOn ? Foundation.floor(digit) : i)
            return .float(r / pow)
        }
        f.add("randInt", [.int(.int), .int(.int)], result: .int(.int)) { a, _ in
            let (lo, hi) = (try a.int(0), try a.int(1))
            guard hi > lo else { throw FunctionError("invalid argument to Intn") }
            return .int(Int.random(in: lo..<hi))
        }
        f.add("atoi", [.string], result: .int(.int)) { a, _ in .int(Int(try a.string(0)) ?? 0) }
        f.add("int", [.interface], result: .int(.int)) { a, _ in .int(toInt(a[0])) }
        f.add("int64", [.interface], result: .int(.int64)) { a, _ in .int64(toInt64(a[0])) }
        f.add("float64", [.interface], result: .float64) { a, _ in .float(toFloat64(a[0])) }
        f.add("toDecimal", [.interface], result: .int(.int64)) { a, _ in
            .int64(Int64(strval(a[0]), radix: 8) ?? 0)
        }
    }

    static func decimal(_ v: Value) -> Decimal {
        let d = toFloat64(v)
        // Shortest round-trip text keeps 0.1 as 0.1 (NSDecimal from Double would not).
        return Decimal(string: goFormat(.float(d))) ?? Decimal(d)
    }

    static func logicFunctions(into f: inout FunctionMap) {
        f.add("default", [.interface], variadic: .interface) { a, _ in
            let given = a.rest(from: 1)
            if let g = given.first, !isEmpty(g) { return g }
            return a[0]
        }
        f.add("hello", [], result: .string) { _, _ in .string("Hello!") }
        f.add("empty", [.interface], result: .bool) { a, _ in .bool(isEmpty(a[0])) }
        f.add("coalesce", [], variadic: .interface) { a, _ in a.values.first(where: { !isEmpty($0) }) ?? .null }
        f.add("all", [], variadic: .interface, result: .bool) { a, _ in .bool(a.values.allSatisfy { !isEmpty($0) }) }
        f.add("any", [], variadic: .interface, result: .bool) { a, _ in .bool(a.values.contains { !isEmpty($0) }) }
        f.add("ternary", [.interface, .interface, .bool]) { a, _ in try a.bool(2) ? a[0] : a[1] }
        f.add("fail", [.string], result: .string) { a, _ in throw FunctionError(try a.string(0)) }
        f.add("typeOf", [.interface], result: .string) { a, _ in .string(a[0].typeName) }
        f.add("typeIs", [.string, .interface], result: .bool) { a, _ in .bool(try a.string(0) == a[1].typeName) }
        f.add("typeIsLike", [.string, .interface], result: .bool) { a, _ in
            let (target, t) = (try a.string(0), a[1].typeName)
            return .bool(target == t || "*" + target == t)
        }
        f.add("kindOf", [.interface], result: .string) { a, _ in .string(a[0].kindName) }
        f.add("kindIs", [.string, .interface], result: .bool) { a, _ in .bool(try a.string(0) == a[1].kindName) }
        f.add("deepEqual", [.interface, .interface], result: .bool) { a, _ in .bool(deepEqual(a[0], a[1])) }
    }
}
