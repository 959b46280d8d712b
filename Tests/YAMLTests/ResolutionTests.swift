import Testing
@testable import YAML

private func k8s(_ text: String) throws -> YAMLValue {
    try YAMLValue.parse(text, rules: .kubernetes)
}

private func core(_ text: String) throws -> YAMLValue {
    try YAMLValue.parse(text, rules: .core)
}

/// `v: <scalar>` read with the given rules, returning v.
private func scalar(_ text: String, _ rules: ResolutionRules) throws -> YAMLValue? {
    try YAMLValue.parse("v: " + text, rules: rules)["v"]
}

@Suite struct KubernetesResolutionTests {
    @Test(arguments: ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"])
    func yaml11True(_ text: String) throws {
        #expect(try scalar(text, .kubernetes) == .bool(true))
    }

    @Test(arguments: ["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"])
    func yaml11False(_ text: String) throws {
        #expect(try scalar(text, .kubernetes) == .bool(false))
    }

    @Test(arguments: ["~", "null", "Null", "NULL", ""])
    func nulls(_ text: String) throws {
        #expect(try scalar(text, .kubernetes) == .null)
    }

    @Test(arguments: [
        ("1", 1.0), ("-7", -7), ("+5", 5), ("0x1F", 31), ("0o17", 15), ("0777", 511), ("0b101", 5), ("-0b11", -3),
        ("1_000", 1000), ("08", 8), ("1.5", 1.5), ("1e6", 1e6), (".5", 0.5), ("-.5", -0.5), ("1e-7", 1e-7),
        ("12345678901234567890", 1.2345678901234567e19), ("100000000000000000000000", 1e23), ("-0", 0),
        ("1.", 1), ("3.0", 3),
    ] as [(String, Double)])
    func numbersBecomeFloats(_ text: String, _ expected: Double) throws {
        #expect(try scalar(text, .kubernetes) == .float(expected))
    }

    @Test(arguments: [
        "1e400", "0x", "0b", "+", ".", "1.2.3", "0x1p-2", "inf", "+inf", "NaN", "12:30:45",
        "2001-12-14", "2001-12-14T21:59:43.10Z", "1e", "abc", "<<x", "'quoted'",
    ])
    func stringsStayStrings(_ text: String) throws {
        let expected = text.hasPrefix("'") ? String(text.dropFirst().dropLast()) : text
        #expect(try scalar(text, .kubernetes) == .string(expected))
    }

    @Test func quotedScalarsAreStrings() throws {
        let v = try k8s("a: \"yes\"\nb: '1'\nc: \"null\"\nd: |\n  true\n")
        #expect(v["a"] == .string("yes"))
        #expect(v["b"] == .string("1"))
        #expect(v["c"] == .string("null"))
        #expect(v["d"] == .string("true\n"))
    }

    @Test func infinityAndNaNAreRejectedLikeJSON() throws {
        for (text, go) in [(".inf", "+Inf"), ("-.inf", "-Inf"), (".nan", "NaN")] {
            #expect {
                _ = try k8s("v: \(text)")
            } throws: { error in
                (error as? YAMLError)?.goMessage == "json: unsupported value: \(go)"
            }
        }
    }

    @Test func explicitTags() throws {
        let v = try k8s("""
        a: !!str 123
        b: !!int "42"
        c: !!float 1
        d: !!bool yes
        e: !!null ~
        f: !!binary aGVsbG8=
        g: !custom text
        h: ! 12
        """)
        #expect(v["a"] == .string("123"))
        #expect(v["b"] == .float(42))
        #expect(v["c"] == .float(1))
        #expect(v["d"] == .bool(true))
        #expect(v["e"] == .null)
        #expect(v["f"] == .string("hello"))
        #expect(v["g"] == .string("text"))
        #expect(v["h"] == .string("12"))
    }

    @Test func badTagsFailWithGoText() throws {
        #expect {
            _ = try k8s("a: !!int abc")
        } throws: { error in
            (error as? YAMLError)?.goMessage == "yaml: cannot decode !!str `abc` as a !!int"
        }
        #expect {
            _ = try k8s("a: !!binary '%%%'")
        } throws: { error in
            (error as? YAMLError)?.goMessage == "yaml: !!binary value contains invalid base64 data"
        }
    }

    @Test func nonStringKeysBecomeStrings() throws {
        let v = try k8s("""
        1: int
        1.5: float
        3.14159265358979: float32
        true: bool
        off: bool2
        0x10: hex
        1e3: exp
        """)
        guard case .mapping(let m) = v else { Issue.record("not a mapping"); return }
        #expect(m.keys == ["1", "1.5", "3.1415927", "true", "false", "16", "1000"])
    }

    @Test func nullAndHugeKeysFailAsInSigsYAML() throws {
        #expect {
            _ = try k8s("~: a")
        } throws: { error in
            (error as? YAMLError)?.goMessage == "unsupported map key of type: %!s(<nil>), key: <nil>, value: \"a\""
        }
        #expect {
            _ = try k8s("18446744073709551615: 1")
        } throws: { error in
            (error as? YAMLError)?.goMessage.hasPrefix("unsupported map key of type: uint64, key: 0xffffffffffffffff") == true
        }
        #expect {
            _ = try k8s("? [a]\n: 1")
        } throws: { error in
            (error as? YAMLError)?.goMessage.hasPrefix("yaml: invalid map key:") == true
        }
    }

    @Test func duplicateKeysLastWins() throws {
        // yaml.v2's non-strict Unmarshal (what sigs.k8s.io/yaml.Unmarshal uses) overwrites.
        let v = try k8s("a: 1\nb: 2\na: 3\n")
        #expect(v == .mapping(YAMLMapping([("a", .float(3)), ("b", .float(2))])))
        // Keys that differ in YAML but not as strings collide too.
        #expect(try k8s("yes: 1\ntrue: 2\non: 3") == .mapping(YAMLMapping([("true", .float(3))])))
    }

    @Test func mergeKeysFollowYAMLv2() throws {
        let v = try k8s("""
        base: &b {p: 1, q: 2}
        other: &o {q: 20, r: 30}
        single:
          <<: *b
          q: 3
        list:
          <<: [*b, *o]
          w: 0
        before:
          q: 9
          <<: *b
        quoted:
          "<<": *b
        """)
        #expect(v["single"] == .mapping(YAMLMapping([("p", .float(1)), ("q", .float(3))])))
        // Earlier maps in the list win over later ones.
        let list = try #require(v["list"])
        #expect(list["q"] == .float(2))
        #expect(list["r"] == .float(30))
        #expect(list["w"] == .float(0))
        // yaml.v2 applies the merge in place, so it overrides keys set before it.
        #expect(v["before"]?["q"] == .float(2))
        // A quoted "<<" is an ordinary key.
        #expect(v["quoted"]?["<<"] != nil)
        #expect {
            _ = try k8s("a:\n  <<: 1")
        } throws: { error in
            (error as? YAMLError)?.goMessage == "yaml: map merge requires map or sequence of maps as the value"
        }
    }

    @Test func timestampsStayText() throws {
        #expect(try scalar("2001-12-14", .kubernetes) == .string("2001-12-14"))
        #expect(try scalar("2001-12-14 21:59:43.10", .kubernetes) == .string("2001-12-14 21:59:43.10"))
    }

    @Test func onlyTheFirstDocumentIsRead() throws {
        #expect(try k8s("a: 1\n---\nb: [") == .mapping(YAMLMapping([("a", .float(1))])))
        #expect(try k8s("") == .null)
        #expect(try k8s("# only a comment\n") == .null)
        #expect(try YAMLValue.parseAll("a: 1\n---\n---\nb: 2\n", rules: .kubernetes).count == 3)
    }

    @Test func jsonInput() throws {
        let v = try k8s(#"{"a": 1, "b": [true, null, "x", 2.5], "c": {"d": "yes"}, "e":1e3, "f":"\u00e9\n"}"#)
        #expect(v["a"] == .float(1))
        #expect(v["b"] == .sequence([.bool(true), .null, .string("x"), .float(2.5)]))
        #expect(v["c"]?["d"] == .string("yes"))
        #expect(v["e"] == .float(1000))
        #expect(v["f"] == .string("é\n"))
    }

    @Test func aliasBombFailsFast() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        #expect {
            _ = try k8s(text)
        } throws: { error in
            let e = error as? YAMLError
            return e?.kind == .aliasLimit && e?.goMessage == "yaml: document contains excessive aliasing"
        }
    }

    @Test func ordinaryAliasesExpand() throws {
        let v = try k8s("a: &x {k: v}\nb: *x\n")
        #expect(v["b"] == .mapping(YAMLMapping([("k", .string("v"))])))
    }
}

@Suite struct CoreResolutionTests {
    @Test func yaml11WordsStayStrings() throws {
        for word in ["yes", "no", "on", "off", "y", "n", "Yes", "OFF"] {
            #expect(try scalar(word, .core) == .string(word))
        }
    }

    @Test func coreScalars() throws {
        #expect(try scalar("true", .core) == .bool(true))
        #expect(try scalar("FALSE", .core) == .bool(false))
        #expect(try scalar("~", .core) == .null)
        #expect(try scalar("", .core) == .null)
        #expect(try scalar("42", .core) == .int(42))
        #expect(try scalar("-42", .core) == .int(-42))
        #expect(try scalar("0o17", .core) == .int(15))
        #expect(try scalar("0x1F", .core) == .int(31))
        #expect(try scalar("0777", .core) == .int(777))
        #expect(try scalar("1.5", .core) == .float(1.5))
        #expect(try scalar("1e3", .core) == .float(1000))
        #expect(try scalar("-.inf", .core) == .float(-.infinity))
        #expect(try scalar("1_000", .core) == .string("1_000"))
        #expect(try scalar("0b101", .core) == .string("0b101"))
        #expect(try scalar("\"42\"", .core) == .string("42"))
        #expect(try scalar("1.30", .core) == .float(1.3))
        #expect(try scalar("\"1.30\"", .core) == .string("1.30"))
        if case .float(let f)? = try scalar(".nan", .core) { #expect(f.isNaN) } else { Issue.record(".nan") }
    }

    @Test func coreKeysAreTheirText() throws {
        let v = try core("no: 1\n1: x\ntrue: y\n")
        guard case .mapping(let m) = v else { Issue.record("mapping"); return }
        #expect(m.keys == ["no", "1", "true"])
        #expect(m["no"] == .int(1))
    }

    @Test func coreRejectsDuplicateKeys() throws {
        #expect {
            _ = try YAMLValue.parse("a: 1\nb: 2\na: 3\n", file: "p.yaml", rules: .core)
        } throws: { error in
            let e = error as? YAMLError
            return e?.mark == Mark(line: 3, column: 1) && e?.description.hasPrefix("p.yaml:3:1:") == true
                && e?.problem.contains("duplicate key") == true
        }
    }

    @Test func coreMergeKeysLetExplicitKeysWin() throws {
        let v = try core("b: &b {x: 1, y: 2}\nc:\n  y: 3\n  <<: *b\n")
        // Under core rules `y` is an ordinary key.
        #expect(v["c"] == .mapping(YAMLMapping([("y", .int(3)), ("x", .int(1))])))
    }

    @Test func coreRequiresOneDocument() throws {
        #expect(throws: YAMLError.self) { _ = try core("a: 1\n---\nb: 2\n") }
    }

    @Test func coreTags() throws {
        #expect(try scalar("!!str 12", .core) == .string("12"))
        #expect(try scalar("!!float 12", .core) == .float(12))
        #expect(throws: YAMLError.self) { _ = try scalar("!!int x", .core) }
        #expect(throws: YAMLError.self) { _ = try scalar("!custom x", .core) }
    }
}
