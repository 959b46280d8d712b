import Testing
@testable import YAML

private func yaml(_ v: YAMLValue) -> String { GoYAML.marshal(v) }
private func map(_ pairs: [(String, YAMLValue)]) -> YAMLValue { .mapping(YAMLMapping(pairs)) }

@Suite struct GoYAMLNumberTests {
    /// Numbers go through encoding/json and back through yaml.v2 before printing.
    @Test(arguments: [
        (YAMLValue.float(3), "3"), (.float(1e6), "1000000"), (.float(0.000001), "1e-06"), (.float(1.5), "1.5"),
        (.int(1_000_000), "1000000"), (.float(1e-7), "1e-07"), (.float(1e21), "1e+21"), (.float(1e20), "1e+20"),
        (.float(1234567.5), "1.2345675e+06"), (.float(-0.0), "0"), (.float(0.1), "0.1"),
        (.float(1.2345678901234567e19), "12345678901234567000"), (.float(1.5e300), "1.5e+300"),
        (.float(123456.25), "123456.25"), (.float(-12.5), "-12.5"), (.int(Int64.min), "-9223372036854775808"),
        (.float(9.223372036854775808e18), "9223372036854776000"), (.float(0.0001), "0.0001"),
    ])
    func numbers(_ value: YAMLValue, _ text: String) {
        #expect(yaml(value) == text + "\n")
    }

    @Test func nonFiniteFloatsFailLikeGo() {
        #expect(yaml(.float(.nan)) == "")
        #expect(throws: GoEncodingError(message: "json: unsupported value: NaN")) { _ = try GoYAML.marshalChecked(.float(.nan)) }
        #expect(throws: GoEncodingError(message: "json: unsupported value: -Inf")) {
            _ = try GoYAML.marshalChecked(.sequence([.float(-.infinity)]))
        }
    }
}

@Suite struct GoYAMLStringTests {
    @Test(arguments: [
        // Would resolve to another type: double quotes.
        ("true", "\"true\""), ("yes", "\"yes\""), ("1", "\"1\""), ("1.0", "\"1.0\""), ("", "\"\""),
        ("null", "\"null\""), ("~", "\"~\""), ("0o17", "\"0o17\""), ("1_000", "\"1_000\""), (".5", "\".5\""),
        ("2001-12-14", "\"2001-12-14\""), ("12:30:45", "\"12:30:45\""), ("-.inf", "\"-.inf\""),
        ("2001-12-14 21:59:43", "\"2001-12-14 21:59:43\""), ("190:20:30.15", "\"190:20:30.15\""),
        // Plain is fine.
        ("hello world", "hello world"), (":colon", ":colon"), ("a,b", "a,b"), ("=", "="), ("<<", "<<"),
        ("NaN", "NaN"), ("?q", "?q"), ("x:y", "x:y"), ("1:75", "1:75"), ("2001-13-14", "2001-13-14"),
        ("a'b", "a'b"), ("a\"b", "a\"b"), ("https://x.io/a#b", "https://x.io/a#b"),
        // The emitter refuses plain: single quotes.
        ("- dash", "'- dash'"), ("#hash", "'#hash'"), ("a: b", "'a: b'"), ("a #b", "'a #b'"),
        (" leading", "' leading'"), ("trailing ", "'trailing '"), ("'sq", "'''sq'"), ("-", "'-'"),
        ("---", "'---'"), ("...", "'...'"), ("@at", "'@at'"), ("key:", "'key:'"), ("{a}", "'{a}'"),
        // Not printable: double quotes with escapes.
        ("tab\there", "\"tab\\there\""), ("bell\u{07}", "\"bell\\a\""), ("emoji \u{1F680}", "\"emoji \\U0001F680\""),
         ("\u{FEFF}bom", "\"\\uFEFF\\x62\\x6F\\x6D\""),
        ("esc\u{1B}", "\"esc\\e\""), ("nul\u{0}", "\"nul\\0\""),
        // Printable unicode stays as is.
        ("héllo", "héllo"), ("日本語", "日本語"), ("nbsp\u{A0}x", "nbsp\u{A0}x"),
    ])
    func scalarStyle(_ input: String, _ output: String) {
        #expect(yaml(.string(input)) == output + "\n")
    }

    @Test func charactersYAMLCannotReadFailLikeGo() {
        // JSON passes these raw and yaml.v2's reader rejects them, so Go's Marshal fails.
        for s in ["del\u{7F}", "c1\u{80}", "c1\u{9F}", "\u{FFFE}", "\u{FFFF}"] {
            #expect(yaml(.string(s)) == "")
            #expect(yaml(.mapping(YAMLMapping([(s, .null)]))) == "")
            #expect(throws: GoEncodingError(message: "yaml: control characters are not allowed")) {
                _ = try GoYAML.marshalChecked(.sequence([.string(s)]))
            }
        }
        #expect(yaml(.string("\u{A0}\u{FFFD}")) == "\u{A0}\u{FFFD}\n")
    }

    @Test func nelFoldsLikeGo() {
        // JSON leaves NEL raw; yaml.v2 reads it inside "…" as a line break and folds it to a space.
        #expect(yaml(.string("nel\u{85}x")) == "nel x\n")
        #expect(yaml(.string("a  \u{85}  b")) == "a b\n")
        #expect(yaml(.string("a\u{85}\u{85}b")) == "|-\n  a\n  b\n")
        // In a key the break makes the JSON text unreadable as YAML: Go's Marshal fails.
        #expect(yaml(.mapping(YAMLMapping([("k\u{85}", .null)]))) == "")
    }

    @Test func literalBlocks() {
        #expect(yaml(map([("a", .string("line1\nline2\n"))])) == "a: |\n  line1\n  line2\n")
        #expect(yaml(map([("a", .string("line1\nline2"))])) == "a: |-\n  line1\n  line2\n")
        #expect(yaml(map([("a", .string("keep\n\n"))])) == "a: |+\n  keep\n\n")
        #expect(yaml(map([("a", .string("  indented\nnext\n"))])) == "a: |2\n    indented\n  next\n")
        #expect(yaml(map([("a", .string("\n\nx"))])) == "a: |2-\n\n\n  x\n")
        #expect(yaml(map([("a", .string("\n"))])) == "a: |2+\n\n")
        // A space before a line break rules the block style out.
        #expect(yaml(map([("a", .string("sp \nx"))])) == "a: \"sp \\nx\"\n")
        // Top level and inside a sequence.
        #expect(yaml(.string("a\nb")) == "|-\n  a\n  b\n")
        #expect(yaml(.sequence([.string("a\nb\n")])) == "- |\n  a\n  b\n")
    }

    @Test func longStringsFoldAt80Columns() {
        let words = Array(repeating: "word", count: 30).joined(separator: " ")
        let expected = "a: " + Array(repeating: "word", count: 16).joined(separator: " ") + "\n  "
            + Array(repeating: "word", count: 14).joined(separator: " ") + "\n"
        #expect(yaml(map([("a", .string(words))])) == expected)
        // No spaces: never folded.
        let long = String(repeating: "x", count: 120)
        #expect(yaml(map([("b", .string(long))])) == "b: \(long)\n")
        // Single-quoted text folds too.
        let quoted = "#" + Array(repeating: "abc", count: 30).joined(separator: " ")
        let out = yaml(.string(quoted))
        #expect(out.hasPrefix("'#abc"))
        #expect(out.split(separator: "\n").count == 2)
        // Double-quoted text folds with the line break escaped away.
        let dq = Array(repeating: "tab\t", count: 30).joined(separator: " ")
        #expect(yaml(.string(dq)).split(separator: "\n").count > 1)
    }
}

@Suite struct GoYAMLStructureTests {
    @Test func sortedKeysAndIndentation() {
        let v = map([
            ("zeta", .float(1)),
            ("alpha", map([("yankee", .sequence([.float(3), .float(1)])), ("bravo", map([("delta", .string("x"))]))])),
            ("list", .sequence([map([("b", .int(1)), ("a", .int(2))]), .sequence([.int(1), .int(2)]), .mapping(YAMLMapping())])),
        ])
        #expect(yaml(v) == """
        alpha:
          bravo:
            delta: x
          yankee:
          - 3
          - 1
        list:
        - a: 2
          b: 1
        - - 1
          - 2
        - {}
        zeta: 1

        """)
    }

    @Test func emptyCollections() {
        #expect(yaml(map([("a", .mapping(YAMLMapping())), ("b", .sequence([])), ("c", .sequence([.mapping(YAMLMapping())]))]))
                == "a: {}\nb: []\nc:\n- {}\n")
        #expect(yaml(map([("k", .null), ("t", .bool(true))])) == "k: null\nt: true\n")
        // The key "n" reads back as a YAML 1.1 boolean, so it is quoted.
        #expect(yaml(map([("n", .null)])) == "\"n\": null\n")
    }

    @Test(arguments: [
        (["b", "a", "c"], ["a", "b", "c"]),
        (["a10", "a9", "a2"], ["a2", "a9", "a10"]),
        (["x", "1", "~", ""], ["", "~", "1", "x"]),
        (["B", "a", "_x", "Z"], ["_x", "B", "Z", "a"]),
        (["a01", "a1", "a001"], ["a1", "a01", "a001"]),
        (["item-2", "item-10", "item-1"], ["item-1", "item-2", "item-10"]),
        (["v1.10", "v1.9", "v1.2.3"], ["v1.2.3", "v1.9", "v1.10"]),
        (["ab", "a", "abc"], ["a", "ab", "abc"]),
        (["é", "e", "z"], ["e", "z", "é"]),
    ])
    func yamlV2KeyOrder(_ keys: [String], _ sorted: [String]) {
        let v = YAMLValue.mapping(YAMLMapping(keys.map { ($0, YAMLValue.int(0)) }))
        let lines = yaml(v).split(separator: "\n").map { line in
            String(line.dropLast(3)).replacingAll("\"", with: "")
        }
        #expect(lines == sorted)
    }

    @Test func keyQuoting() {
        let v = map([("yes", .int(1)), ("a b", .int(2)), ("", .int(3)), ("1.5", .int(4)), ("- x", .int(5))])
        // yaml.v2 order: "" (shortest), then "- x" before "1.5" (a digit run outranks none).
        #expect(yaml(v) == "\"\": 3\n'- x': 5\n\"1.5\": 4\na b: 2\n\"yes\": 1\n")
    }

    @Test func complexKeys() {
        let longKey = String(repeating: "k", count: 129)
        #expect(yaml(map([(longKey, .int(1))])) == "? \(longKey)\n: 1\n")
        #expect(yaml(map([(String(repeating: "k", count: 128), .int(1))])) == String(repeating: "k", count: 128) + ": 1\n")
        #expect(yaml(map([("a\nb", .int(1))])) == "? |-\n  a\n  b\n: 1\n")
    }
}

@Suite struct GoStrconvTests {
    @Test(arguments: [
        (123456789.0, "1.23456789e+08"), (1e6, "1e+06"), (100000.0, "100000"), (0.0001, "0.0001"), (0.00001, "1e-05"),
        (0.0, "0"), (-0.0, "-0"), (1.5e300, "1.5e+300"), (3.0, "3"), (Double.leastNonzeroMagnitude, "5e-324"), (1e100, "1e+100"),
        (-2.5, "-2.5"), (123456.7, "123456.7"), (Double.infinity, "+Inf"), (Double.nan, "NaN"),
    ])
    func formatG(_ f: Double, _ text: String) {
        #expect(GoStrconv.formatFloatG(f) == text)
    }

    @Test func formatG32() {
        #expect(GoStrconv.formatFloatG(3.14159265358979, bitSize: 32) == "3.1415927")
        #expect(GoStrconv.formatFloatG(0.1, bitSize: 32) == "0.1")
        #expect(GoStrconv.formatFloatG(1e20, bitSize: 32) == "1e+20")
    }

    @Test(arguments: [
        (1e21, "1e+21"), (1e-7, "1e-7"), (0.000001, "0.000001"), (1e20, "100000000000000000000"), (-0.0, "-0"),
        (123456789.0, "123456789"), (2.5, "2.5"), (1.5e-10, "1.5e-10"), (1e-100, "1e-100"), (-1e22, "-1e+22"),
    ])
    func formatJSON(_ f: Double, _ text: String) {
        #expect(GoStrconv.formatJSONFloat(f) == text)
    }
}

@Suite struct GoJSONTests {
    @Test func escapes() throws {
        let s = "q\" b\\ <>& \u{8}\u{C}\n\r\t \u{1} \u{7F} \u{2028}\u{2029} é \u{1F680}"
        #expect(try GoJSON.marshal(.string(s))
                == #""q\" b\\ \u003c\u003e\u0026 \b\f\n\r\t \u0001 "# + "\u{7F}" + #" \u2028\u2029 é "# + "\u{1F680}\"")
        #expect(try GoJSON.marshal(.string("<&>"), escapeHTML: false) == "\"<&>\"")
    }

    @Test func structure() throws {
        let v = map([("b", .int(1)), ("a", .sequence([.float(1), .float(2.5)])), ("B", .null), ("e", .mapping(YAMLMapping()))])
        #expect(try GoJSON.marshal(v) == #"{"B":null,"a":[1,2.5],"b":1,"e":{}}"#)
        #expect(try GoJSON.marshalIndent(v) == """
        {
          "B": null,
          "a": [
            1,
            2.5
          ],
          "b": 1,
          "e": {}
        }
        """)
        #expect(try GoJSON.marshalIndent(.sequence([])) == "[]")
        #expect(throws: GoEncodingError.self) { _ = try GoJSON.marshal(.float(.infinity)) }
    }
}

@Suite struct GoJSONDecodingTests {
    private func fails(_ text: String, _ target: GoJSON.Target = .any) -> String? {
        do {
            _ = try GoJSON.unmarshal(text, into: target)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func goldenFromJson() throws {
        // fromyaml-fromjson: c: {{ $j.a | quote }} with j = '{"a": 1e3, "b": [true]}'; badjson: fromJson "{".
        let j = try GoJSON.unmarshal(#"{"a": 1e3, "b": [true]}"#, into: .object)
        #expect(j == .mapping(YAMLMapping([("a", .float(1000)), ("b", .sequence([.bool(true)]))])))
        let expected = try fixture("golden/fromyaml-fromjson/expected.yaml")
        let badjson = try #require(goldenQuoted(expected, key: "badjson"))
        let message = try #require(fails("{", .object))
        #expect(try GoJSON.marshal(.mapping(YAMLMapping([("Error", .string(message))]))) == badjson)
        // e: {{ fromJsonArray "[1, \"x\", null]" | toJson }}
        let e = try GoJSON.unmarshal(#"[1, "x", null]"#, into: .array)
        #expect(try GoJSON.marshal(e) == goldenQuoted(expected, key: "e"))
    }

    @Test func values() throws {
        #expect(try GoJSON.unmarshal(" -0.5e1 ") == .float(-5))
        #expect(try GoJSON.unmarshal(#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude80""#) == .string("a\"\\/\u{8}\u{C}\n\r\té\u{1F680}"))
        #expect(try GoJSON.unmarshal(#""\ud800x\udc00\ud800\u0041""#) == .string("\u{FFFD}x\u{FFFD}\u{FFFD}A"))
        #expect(try GoJSON.unmarshal(#"{"a":1,"b":{},"c":[],"a":2}"#)
                == .mapping(YAMLMapping([("a", .float(2)), ("b", .mapping(YAMLMapping())), ("c", .sequence([]))])))
        #expect(try GoJSON.unmarshal("null", into: .object) == .null)
    }

    @Test(arguments: [
        ("", "unexpected end of JSON input"),
        ("[1, 2", "unexpected end of JSON input"),
        ("x", "invalid character 'x' looking for beginning of value"),
        ("[1,]", "invalid character ']' looking for beginning of value"),
        ("{a:1}", "invalid character 'a' looking for beginning of object key string"),
        (#"{"a" 1}"#, "invalid character '1' after object key"),
        (#"{"a":1 "b":2}"#, "invalid character '\"' after object key:value pair"),
        ("[1 2]", "invalid character '2' after array element"),
        ("{} x", "invalid character 'x' after top-level value"),
        ("01", "invalid character '1' after top-level value"),
        ("-x", "invalid character 'x' in numeric literal"),
        ("1.x", "invalid character 'x' after decimal point in numeric literal"),
        ("1ex", "invalid character 'x' in exponent of numeric literal"),
        ("tru", "unexpected end of JSON input"),
        ("trux", "invalid character 'x' in literal true (expecting 'e')"),
        ("nul1", "invalid character '1' in literal null (expecting 'l')"),
        ("\"a\nb\"", "invalid character '\\n' in string literal"),
        (#""\x""#, "invalid character 'x' in string escape code"),
        (#""\u12g4""#, "invalid character 'g' in \\u hexadecimal character escape"),
        ("'a'", "invalid character '\\'' looking for beginning of value"),
        ("[1e400]", "json: cannot unmarshal number 1e400 into Go value of type float64"),
    ])
    func errors(_ text: String, _ message: String) {
        #expect(fails(text) == message)
    }

    @Test func targetMismatch() {
        #expect(fails("[1]", .object) == "json: cannot unmarshal array into Go value of type map[string]interface {}")
        #expect(fails(#"{"a":1}"#, .array) == "json: cannot unmarshal object into Go value of type []interface {}")
        #expect(fails("\"s\"", .array) == "json: cannot unmarshal string into Go value of type []interface {}")
        // A syntax error anywhere wins over a type mismatch, as Go validates first.
        #expect(fails("[1", .object) == "unexpected end of JSON input")
    }
}

/// The ASCII fast path of yaml.v2's key order must give the same order as the general
/// `Key` comparison (digit runs by value, leading zeros, letters before other characters).
@Suite struct GoKeyOrderTests {
    @Test func asciiComparisonMatchesKeyComparison() {
        var state: UInt64 = 2026
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let alphabet = Array("aAbZz009_1-./:~ 10")
        var keys: [String] = ["", "a", "a1", "a01", "a001", "a10", "a2", "00", "0", "1", "-1", "A", "_a", "a_"]
        for _ in 0..<400 { keys.append(String((0..<next(6)).map { _ in alphabet[next(alphabet.count)] })) }
        for a in keys {
            for b in keys.prefix(120) {
                let fast = Array(a.utf8).withUnsafeBufferPointer { ab in
                    Array(b.utf8).withUnsafeBufferPointer { bb in GoKeyOrder.lessASCII(ab, bb) }
                }
                #expect(fast == GoKeyOrder.less(GoKeyOrder.Key(a), GoKeyOrder.Key(b)), "\(a.debugDescription) < \(b.debugDescription)")
            }
        }
        // sorted() (fast path, ordered-input shortcut) against sorting by Key.
        for size in [2, 3, 7, 40] {
            for _ in 0..<50 {
                let pairs = (0..<size).map { i in (keys[next(keys.count)], i) }
                let expected = pairs.indices.sorted { GoKeyOrder.less(GoKeyOrder.Key(pairs[$0].0), GoKeyOrder.Key(pairs[$1].0)) }
                #expect(GoKeyOrder.sorted(pairs).map(\.1) == expected.map { pairs[$0].1 })
                let ordered = expected.map { pairs[$0] }
                #expect(GoKeyOrder.sorted(ordered).map(\.1) == ordered.map(\.1))
            }
        }
        // Non-ASCII keys take the general path.
        #expect(GoKeyOrder.sorted([("é", 0), ("b", 1), ("a2", 2), ("a10", 3)]).map(\.1) == [2, 3, 1, 0])
    }
}
