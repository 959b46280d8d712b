import Testing
@testable import GoTemplate

@Suite struct ValueModelTests {
    @Test func typeNamesMatchGo() {
        #expect(Value.int(1).typeName == "int")
        #expect(Value.int64(1).typeName == "int64")
        #expect(Value.float(1).typeName == "float64")
        #expect(Value.string("").typeName == "string")
        #expect(Value.list([]).typeName == "[]interface {}")
        #expect(Value.dict([:]).typeName == "map[string]interface {}")
        #expect(Value.stringList([]).typeName == "[]string")
        #expect(Value.map(GoMap([:], valueType: .string)).typeName == "map[string]string")
        #expect(Value.bytes([1]).typeName == "[]uint8")
        #expect(Value.bool(true).typeName == "bool")
        #expect(Value.null.typeName == "<nil>")
        #expect(Value.noValue.typeName == "<nil>")
        #expect(Value.typedNil(.pointer(.named("chart.Metadata", kind: .struct))).typeName == "*chart.Metadata")
    }

    @Test func kindNamesMatchGo() {
        #expect(Value.int(1).kindName == "int")
        #expect(Value.int64(1).kindName == "int64")
        #expect(Value.list([]).kindName == "slice")
        #expect(Value.dict([:]).kindName == "map")
        #expect(Value.null.kindName == "invalid")
        #expect(Value.typedNil(.pointer(.string)).kindName == "ptr")
    }

    @Test func mapsAreShared() {
        let m = GoMap(["a": 1])
        let v1 = Value.map(m)
        let v2 = v1
        if case .map(let inner) = v2 { inner["b"] = 2 }
        if case .map(let inner) = v1 { #expect(inner.count == 2) } else { Issue.record("not a map") }
    }

    @Test func truthFollowsGo() {
        #expect(Value.int(0).truth == false)
        #expect(Value.string("x").truth == true)
        #expect(Value.list([]).truth == false)
        #expect(Value.typedNil(.dict).truth == false)
        #expect(Value.null.truth == false)
        #expect(Value.float(0.1).truth == true)
    }

    @Test func goStringOrderIsBytewise() {
        #expect(goStringLess("B", "a"))
        #expect(goStringLess("a", "ab"))
        #expect(!goStringLess("é", "z"))
    }

    @Test func argumentHelpersReportGoMessages() throws {
        let args = Arguments([.int(3), "s"], functionName: "f")
        #expect(try args.int(0) == 3)
        #expect(try args.string(1) == "s")
        #expect(throws: FunctionError.self) { try args.string(0) }
        do { _ = try args.string(0) } catch let e as FunctionError {
            #expect(e.message == "wrong type for value; expected string; got int")
        }
    }

    @Test func functionSignature() {
        let f = Function("printf", parameters: [.string], variadic: .interface, result: .string) { _, _ in .null }
        #expect(f.signature == "func(string, ...interface {}) string")
    }
}
