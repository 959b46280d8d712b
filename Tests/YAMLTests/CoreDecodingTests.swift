import Testing
@testable import YAML

private func core(_ text: String) throws -> YAMLValue {
    try YAMLDecoder(rules: .core).decode(text, file: "profile.yaml")
}

private func coreError(_ text: String) -> YAMLError? {
    do {
        _ = try YAMLDecoder(rules: .core).decode(text, file: "profile.yaml")
        return nil
    } catch {
        return error
    }
}

private func map(_ entries: [(String, YAMLValue)]) -> YAMLValue { .mapping(YAMLMapping(entries)) }

@Suite struct CoreDecodingTests {
    @Test func scalarsFollowTheYAML12CoreSchema() throws {
        let cases: [(String, YAMLValue)] = [
            ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")), ("y", .string("y")),
            ("true", .bool(true)), ("False", .bool(false)), ("TRUE", .bool(true)), ("tRUE", .string("tRUE")),
            ("~", .null), ("null", .null), ("", .null), ("NULL", .null),
            ("12", .int(12)), ("-3", .int(-3)), ("+7", .int(7)), ("0755", .int(755)), ("0o17", .int(15)), ("0x1F", .int(31)),
            ("9223372036854775807", .int(.max)), ("9223372036854775808", .float(9_223_372_036_854_775_808)),
            ("1_000", .string("1_000")), ("0b101", .string("0b101")), ("-0x1F", .string("-0x1F")),
            ("1.5", .float(1.5)), ("1e3", .float(1000)), (".5", .float(0.5)), ("-.inf", .float(-.infinity)),
            ("2001-12-14", .string("2001-12-14")), ("1.2.3", .string("1.2.3")), ("v1.30", .string("v1.30")),
        ]
        for (text, value) in cases {
            #expect(try core("v: \(text)") == map([("v", value)]), "\(text)")
        }
        if case .mapping(let m) = try core("v: .nan"), case .float(let d)? = m["v"] { #expect(d.isNaN) } else { Issue.record("no NaN") }
    }

    @Test func quotedAndTaggedScalars() throws {
        #expect(try core("v: \"12\"") == map([("v", .string("12"))]))
        #expect(try core("v: !!str 12") == map([("v", .string("12"))]))
        #expect(try core("v: ! true") == map([("v", .string("true"))]))
        #expect(try core("v: !!int \"12\"") == map([("v", .int(12))]))
        #expect(try core("v: !!float 12") == map([("v", .float(12))]))
        #expect(try core("v: !!binary aGk=") == map([("v", .string("hi"))]))
        #expect(coreError("v: !!int 1.5")?.description == "profile.yaml:1:4: error: cannot use \"1.5\" as !!int")
        #expect(coreError("v: !!bool yes")?.kind == .decode)
        #expect(coreError("v: !thing x")?.problem == "unsupported tag !thing")
        #expect(coreError("v: !!seq {a: 1}")?.problem == "unsupported tag !!seq on a mapping")
    }

    @Test func duplicateKeysAreErrorsWithBothLocations() {
        let e = coreError("spec:\n  gpu: 1\n  gpu: 2\n")
        #expect(e?.mark == Mark(line: 3, column: 3))
        #expect(e?.problem == "duplicate key \"gpu\" (first defined at 2:3)")
    }

    @Test func keysAreTheirTextAndMustBeScalars() throws {
        #expect(try core("1: a\ntrue: b\nno: c\n") == map([("1", .string("a")), ("true", .string("b")), ("no", .string("c"))]))
        #expect(coreError("? [a]\n: x")?.problem == "mapping keys must be scalars, found a sequence")
    }

    @Test func mergeKeysLetExplicitKeysWin() throws {
        let text = "a: &a {p: 1, q: 2}\nb: &b {q: 20, r: 30}\nm:\n  p: 10\n  <<: [*a, *b]\n"
        guard case .mapping(let top) = try core(text) else { Issue.record("not a mapping"); return }
        #expect(top["m"] == map([("p", .int(10)), ("q", .int(2)), ("r", .int(30))]))
        #expect(coreError("m: {<<: 1}")?.problem == "merge key \"<<\" needs a mapping or a sequence of mappings, found a scalar")
    }

    @Test func integersSurviveWhereKubernetesRulesMakeDoubles() throws {
        let text = "replicas: 4\nratio: 0.5\n"
        #expect(try core(text) == map([("replicas", .int(4)), ("ratio", .float(0.5))]))
        #expect(try YAMLDecoder(rules: .kubernetes).decode(text) == map([("replicas", .float(4)), ("ratio", .float(0.5))]))
    }
}
