import Testing
@testable import YAML

// Expectations come from Go (yaml.v2 + sigs.k8s.io/yaml as Helm v4 uses them); the
// cases marked "golden" mirror inputs of ../shared/golden whose Helm output pins them.

private func decode(_ text: String) throws -> YAMLValue {
    try YAMLDecoder(rules: .kubernetes).decode(text)
}

private func decodeError(_ text: String) -> YAMLError? {
    do {
        _ = try YAMLDecoder(rules: .kubernetes).decode(text, file: "values.yaml")
        return nil
    } catch {
        return error
    }
}

private func map(_ entries: [(String, YAMLValue)]) -> YAMLValue { .mapping(YAMLMapping(entries)) }

@Suite struct KubernetesScalarTests {
    @Test func yaml11BooleansAndNulls() throws {
        let words = ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]
        for w in words { #expect(try decode("v: \(w)") == map([("v", .bool(true))]), "\(w)") }
        for w in ["n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"] {
            #expect(try decode("v: \(w)") == map([("v", .bool(false))]), "\(w)")
        }
        for w in ["~", "null", "Null", "NULL", ""] { #expect(try decode("v: \(w)") == map([("v", .null)]), "\(w)") }
        // Not in the word lists: strings.
        for w in ["tRUE", "nULL", "yES", "o", "NaN", "nan", "Inf", "<<", "0x", "1.2.3", "12:30:45"] {
            #expect(try decode("v: \(w)") == map([("v", .string(w))]), "\(w)")
        }
    }

    @Test func numbersBecomeDoubles() throws {
        // golden toyaml-numbers and float-int-rendering inputs.
        let cases: [(String, Double)] = [
            ("1.0", 1), ("1e6", 1_000_000), ("0.1", 0.1), ("1000000", 1_000_000), ("123456789012", 123_456_789_012),
            ("-0.5", -0.5), ("3.14159", 3.14159), ("1e-7", 1e-7), ("12345678901234567890", 12_345_678_901_234_567_890),
            ("0", 0), ("-0", 0), ("1.5e300", 1.5e300), ("100000000000000000000000", 1e23), ("-12.50", -12.5),
            ("9007199254740993", 9_007_199_254_740_992),
            // base-0 integers: hex, octal (0o and leading 0), binary, underscores, signs
            ("0x1F", 31), ("0o17", 15), ("1_", 1), ("017", 15), ("0b101", 5), ("-0b101", -5), ("1_000", 1000), ("+1", 1),
            ("-0x10", -16), ("08", 8), ("09.5", 9.5), (".5", 0.5), ("+.5", 0.5), ("1.", 1), ("-1E3", -1000),
            ("0xFFFFFFFFFFFFFFFF", 18_446_744_073_709_551_615), ("0x1_0000_0000_0000_0000", 18_446_744_073_709_551_616),
        ]
        for (text, value) in cases {
            #expect(try decode("v: \(text)") == map([("v", .float(value))]), "\(text)")
        }
        #expect(try decode("v: -0.0") == map([("v", .float(-0.0))]))
        if case .mapping(let m)? = try? decode("v: -0.0"), case .float(let d)? = m["v"] {
            #expect(d.sign == .minus)
        }
    }

    @Test func notNumbers() throws {
        for w in ["1e400", "0x", "0b", "1e", "e1", "1.2e+", "-0x1_0000_0000_0000_0000", "2001-12-14", "2001-12-14T21:59:43.10Z",
                  "2001-12-14 21:59:43.10", "12e", "+", "0o8", "1,000", "1 000"] {
            #expect(try decode("v: \(w)") == map([("v", .string(w))]), "\(w)")
        }
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        // golden toyaml-quoting: every quoted input stays a string.
        for w in ["yes", "no", "on", "true", "1.0", "0x1F", "~", "null", "", "123", ".inf", "2001-12-14"] {
            #expect(try decode("v: \"\(w)\"") == map([("v", .string(w))]), "\(w)")
            #expect(try decode("v: '\(w)'") == map([("v", .string(w))]), "\(w)")
        }
        #expect(try decode("v: |\n  yes\n") == map([("v", .string("yes\n"))]))
        #expect(try decode("v: >-\n  123\n") == map([("v", .string("123"))]))
    }

    @Test func infinityAndNaNFailTheJSONStep() {
        #expect(decodeError("a: .inf")?.kubernetesMessage == "error converting YAML to JSON: json: unsupported value: +Inf")
        #expect(decodeError("a: [-.Inf]")?.goMessage == "json: unsupported value: -Inf")
        let nan = decodeError("x: 1\nb: .NaN")
        #expect(nan?.goMessage == "json: unsupported value: NaN")
        #expect(nan?.kind == .conversion)
        #expect(nan?.mark == Mark(line: 2, column: 1))
    }

    @Test func explicitTags() throws {
        #expect(try decode("v: !!str 123") == map([("v", .string("123"))]))
        #expect(try decode("v: !!str yes") == map([("v", .string("yes"))]))
        #expect(try decode("v: !!int \"12\"") == map([("v", .float(12))]))
        #expect(try decode("v: !!float 1") == map([("v", .float(1))]))
        #expect(try decode("v: !!bool yes") == map([("v", .bool(true))]))
        #expect(try decode("v: !!null ''") == map([("v", .null)]))
        #expect(try decode("v: !!binary aGVsbG8=") == map([("v", .string("hello"))]))
        #expect(try decode("v: !!binary |\n  aGVs\n  bG8=\n") == map([("v", .string("hello"))]))
        #expect(try decode("v: !!binary /w==") == map([("v", .string("\u{FFFD}"))]))
        #expect(try decode("v: !!timestamp 2001-12-14") == map([("v", .string("2001-12-14"))]))
        // Unknown and non-specific tags leave the text a string.
        #expect(try decode("v: !custom 12") == map([("v", .string("12"))]))
        #expect(try decode("v: ! 12") == map([("v", .string("12"))]))
    }

    @Test func tagMismatchesFailAsYAMLv2() {
        #expect(decodeError("v: !!int 1.5")?.goMessage == "yaml: cannot decode !!float `1.5` as a !!int")
        #expect(decodeError("v: !!bool 1")?.goMessage == "yaml: cannot decode !!int `1` as a !!bool")
        #expect(decodeError("v: !!null x")?.goMessage == "yaml: cannot decode !!str `x` as a !!null")
        #expect(decodeError("v: !!float 18446744073709551615")?.goMessage
                == "yaml: cannot decode !!int `18446744073709551615` as a !!float")
        #expect(decodeError("v: !!timestamp abc")?.goMessage == "yaml: cannot decode !!str `abc` as a !!timestamp")
        let bad = decodeError("a: 1\nv: !!binary a b")
        #expect(bad?.goMessage == "yaml: !!binary value contains invalid base64 data")
        #expect(bad?.kubernetesMessage == "error converting YAML to JSON: yaml: !!binary value contains invalid base64 data")
        #expect(bad?.description == "values.yaml:2:4: error: !!binary value contains invalid base64 data")
    }
}

@Suite struct KubernetesMappingTests {
    @Test func goldenYAML11BoolKeys() throws {
        // golden yaml11-bool-keys: y/yes/on collapse into key "true" (last wins), n/Off into "false".
        let v = try decode("y: 1\nn: 2\nyes: 3\non: 4\nOff: 5\nnormal: yes\nlist: [y, n, on, No, TRUE]\n")
        #expect(v == map([
            ("true", .float(4)), ("false", .float(5)), ("normal", .bool(true)),
            ("list", .sequence([.bool(true), .bool(false), .bool(true), .bool(false), .bool(true)])),
        ]))
    }

    @Test func goldenEmptyNull() throws {
        // golden toyaml-empty-null: `y: []` inside a flow map is the key "true".
        let v = try decode("a: {}\nb: []\nc: null\nd: {x: {}, y: [], z: [{}]}\ne: ''\n")
        #expect(v == map([
            ("a", map([])), ("b", .sequence([])), ("c", .null),
            ("d", map([("x", map([])), ("true", .sequence([])), ("z", .sequence([map([])]))])),
            ("e", .string("")),
        ]))
    }

    @Test func keyConversion() throws {
        let v = try decode("1: a\n0x10: b\n1.5: c\n1.10: d\n3.14159265358979: e\n1e20: f\ntrue: g\n.inf: h\n-.inf: i\n.nan: j\n2001-12-14: k\n")
        #expect(v == map([
            ("1", .string("a")), ("16", .string("b")), ("1.5", .string("c")), ("1.1", .string("d")),
            ("3.1415927", .string("e")), ("1e+20", .string("f")), ("true", .string("g")), (".inf", .string("h")),
            ("-.inf", .string("i")), (".nan", .string("j")), ("2001-12-14", .string("k")),
        ]))
        // 1 (int) and 1.0 (float) are different Go keys but the same JSON key: the later wins.
        #expect(try decode("1: a\n1.0: b\n\"1\": c") == map([("1", .string("c"))]))
    }

    @Test func unsupportedKeys() {
        #expect(decodeError("~: 1")?.goMessage == "unsupported map key of type: %!s(<nil>), key: <nil>, value: 1")
        #expect(decodeError("a: {18446744073709551615: x}")?.goMessage
                == "unsupported map key of type: uint64, key: 0xffffffffffffffff, value: \"x\"")
        #expect(decodeError("? [a, 1]\n: x")?.goMessage == "yaml: invalid map key: []interface {}{\"a\", 1}")
        #expect(decodeError("? {a: ~}\n: x")?.goMessage
                == "yaml: invalid map key: map[interface {}]interface {}{\"a\":interface {}(nil)}")
        // Key errors come before NaN errors, as in Go (conversion happens before json.Marshal).
        #expect(decodeError("a: .nan\n~: 1")?.goMessage.hasPrefix("unsupported map key") == true)
    }

    @Test func mergeKeysAsYAMLv2() throws {
        let base = "base: &b {p: 1, q: 2}\nother: &o {q: 20, r: 30}\n"
        // Merge first, explicit key later: the explicit key wins.
        #expect(try decode(base + "m: {<<: *b, p: 10}")["m"] == map([("p", .float(10)), ("q", .float(2))]))
        // yaml.v2 quirk: a merge after an explicit key overrides it.
        #expect(try decode(base + "m: {p: 10, <<: *b}")["m"] == map([("p", .float(1)), ("q", .float(2))]))
        // A list of maps: earlier maps win.
        #expect(try decode(base + "m:\n  <<: [*b, *o]\n")["m"]
                == map([("q", .float(2)), ("r", .float(30)), ("p", .float(1))]))
        // Inline mapping and explicit !!merge tag.
        #expect(try decode("m: {!!merge <<: {a: 1}}")["m"] == map([("a", .float(1))]))
        // Quoted "<<" is an ordinary key.
        #expect(try decode("m: {\"<<\": {a: 1}}")["m"] == map([("<<", map([("a", .float(1))]))]))
        #expect(decodeError("m: {<<: 1}")?.goMessage == "yaml: map merge requires map or sequence of maps as the value")
        #expect(decodeError("m: {<<: [{a: 1}, 2]}")?.goMessage == "yaml: map merge requires map or sequence of maps as the value")
    }

    @Test func goldenFromYaml() throws {
        // golden fromyaml-fromjson
        // `n` is the boolean false, so `$y.k.n` is empty in the golden output.
        let v = try decode("k: {n: 5}\nlist: [a, yes, 1.0]\n")
        #expect(v == map([("k", map([("false", .float(5))])), ("list", .sequence([.string("a"), .bool(true), .float(1)]))]))
        #expect(try decode("- 1\n- two") == .sequence([.float(1), .string("two")]))
        #expect(try decode("{\"a\": 1e3, \"b\": [true]}") == map([("a", .float(1000)), ("b", .sequence([.bool(true)]))]))
    }
}

// `value["key"]` comes from Support.swift.

@Suite struct KubernetesDocumentTests {
    @Test func emptyInputIsNull() throws {
        #expect(try decode("") == .null)
        #expect(try decode("# only a comment\n") == .null)
        #expect(try decode("---\n") == .null)
        #expect(try decode("--- ~\n") == .null)
    }

    @Test func onlyTheFirstDocumentIsRead() throws {
        #expect(try decode("a: 1\n---\nb: 2\n") == map([("a", .float(1))]))
        // Go never reads the broken second document.
        #expect(try decode("a: 1\n---\nb: [\n") == map([("a", .float(1))]))
        #expect(try YAMLDecoder().decodeAll("a: 1\n---\n---\nb: 2\n") == [map([("a", .float(1))]), .null, map([("b", .float(2))])])
    }

    @Test func goldenSyntaxErrorMessages() {
        // golden fromyaml-fromjson: fromYaml "a: ["
        #expect(decodeError("a: [")?.kubernetesMessage
                == "error converting YAML to JSON: yaml: line 1: did not find expected node content")
        // golden yaml-render-error: the rendered manifest
        let rendered = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel-ye\ndata:\n  a: 1\n  b: [unclosed\n"
        #expect(decodeError(rendered)?.kubernetesMessage
                == "error converting YAML to JSON: yaml: line 7: did not find expected ',' or ']'")
        // golden quote-multi-args-yaml-error: `j: "a" "b"`
        let quoted = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rel-qm\ndata:\n  j: \"a\" \"b\"\n"
        #expect(decodeError(quoted)?.kubernetesMessage
                == "error converting YAML to JSON: yaml: line 5: did not find expected key")
    }

    @Test func unknownAnchorHasNoLineInGo() {
        let e = decodeError("a: *nope")
        #expect(e?.goMessage == "yaml: unknown anchor 'nope' referenced")
        #expect(e?.mark == Mark(line: 1, column: 4))
    }
}

@Suite struct GoCompatibilityHelperTests {
    @Test func plainScalarKinds() {
        // golden toyaml-quoting: yaml.v2 double-quotes exactly the strings that would not
        // read back as strings (plus base-60 floats such as 12:30:45, an emitter rule).
        let quoted: [String: GoYAMLKind] = [
            "yes": .bool, "no": .bool, "on": .bool, "off": .bool, "true": .bool, "False": .bool, "y": .bool, "n": .bool,
            "1.0": .float, "0x1F": .int, "0o17": .int, "017": .int, "~": .null, "null": .null, "Null": .null, "": .null,
            "123": .int, "1e3": .float, "-1": .int, "+1": .int, ".5": .float, "1_000": .int, "2001-12-14": .timestamp,
            ".inf": .float, "-.inf": .float, ".nan": .float,
        ]
        for (text, kind) in quoted { #expect(GoYAML.kind(ofPlain: text) == kind, "\(text)") }
        for text in [":colon", "- dash", "#hash", "a: b", "@at", "=", "<<", "?q", "a,b", "-", "---", "...", "NaN", "12:30:45", "héllo"] {
            #expect(GoYAML.kind(ofPlain: text) == .string, "\(text)")
        }
    }

    @Test func goFloatFormatting() {
        // golden float-int-rendering: Go's %v of float64.
        let cases: [(Double, String)] = [
            (3, "3"), (1_000_000, "1e+06"), (0.5, "0.5"), (1e-9, "1e-09"), (123_456_789, "1.23456789e+08"), (-12.5, "-12.5"),
            (100_000, "100000"), (0, "0"), (-0.0, "-0"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e300, "1.5e+300"),
            (123456.5, "123456.5"), (1234567.5, "1.2345675e+06"), (9.007199254740992e15, "9.007199254740992e+15"),
            (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        ]
        for (value, text) in cases { #expect(GoYAML.formatFloat(value) == text, "\(text)") }
    }

    @Test func stringCoercionAsHelmChartFields() throws {
        let decoder = YAMLDecoder()
        func coerced(_ text: String) throws -> String? {
            try decoder.kubernetesString(of: try #require(try Parser().parseSingle("v: \(text)")?["v"]))
        }
        #expect(try coerced("1.10") == "1.1")
        #expect(try coerced("1.0") == "1")
        #expect(try coerced("10") == "10")
        #expect(try coerced("0x10") == "16")
        #expect(try coerced("yes") == "true")
        #expect(try coerced("1234567.0") == "1.234567e+06")
        #expect(try coerced("3.14159265358979") == "3.1415927")
        #expect(try coerced("18446744073709551615") == "18446744073709551615")
        #expect(try coerced("v1.0.0-devel") == "v1.0.0-devel")
        #expect(try coerced("\"1.10\"") == "1.10")
        #expect(try coerced("~") == nil)
        #expect(try coerced("[1]") == nil)
    }
}

@Suite struct DepthLimitTests {
    private func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test func deepButAllowedNestingDecodes() throws {
        for rules in [ResolutionRules.kubernetes, .core] {
            let decoder = YAMLDecoder(rules: rules)
            #expect(try decoder.decode(nested(decoder.maxDepth)) != .null)
        }
    }

    @Test func hostileNestingFailsCleanly() {
        for rules in [ResolutionRules.kubernetes, .core] {
            let decoder = YAMLDecoder(rules: rules)
            #expect(throws: YAMLError.self) { try decoder.decode(nested(decoder.maxDepth + 1)) }
            do {
                _ = try decoder.decode(nested(9_000))
                Issue.record("no error")
            } catch {
                #expect(error.goMessage == "yaml: exceeded max depth of 500")
                #expect(error.mark == Mark(line: 1, column: 501))
            }
        }
    }
}
