import Testing
@testable import YAML

/// The golden Helm cases translated by hand: the values are read with `.kubernetes` rules,
/// the value the template hands to `toYaml`/`toJson` is built here, and the output is compared
/// with the exact text in the case's expected.yaml.
@Suite struct GoldenToYAMLTests {
    /// Cases whose template is `out: |\n{{ toYaml .Values | indent 4 }}`.
    @Test(arguments: [
        "toyaml-empty-null", "toyaml-long-strings", "toyaml-multiline", "toyaml-nested-sorted",
        "toyaml-numbers", "toyaml-quoting-keys", "toyaml-unicode", "yaml11-bool-keys",
    ])
    func toYamlOfAllValues(_ name: String) throws {
        let values = try goldenValues(name)
        let expected = try fixture("golden/\(name)/expected.yaml")
        let block = try #require(goldenBlock(expected, key: "out"))
        #expect(GoYAML.marshal(values) == block)
    }

    @Test func toYamlQuotingList() throws {
        let values = try goldenValues("toyaml-quoting")
        let expected = try fixture("golden/toyaml-quoting/expected.yaml")
        let block = try #require(goldenBlock(expected, key: "out"))
        let s = try #require(values["s"])
        let produced = GoYAML.marshal(s)
        // Line by line first, so a failure names the offending string.
        for (a, b) in zip(produced.split(separator: "\n"), block.split(separator: "\n")) {
            #expect(a == b)
        }
        #expect(produced == block)
    }

    @Test func toYamlOfTemplateList() throws {
        // toyaml-numbers: {{ toYaml (list 1 2 3 1.5 -7) | indent 4 }} — Go ints and a float64.
        let expected = try fixture("golden/toyaml-numbers/expected.yaml")
        let block = try #require(goldenBlock(expected, key: "list"))
        let list: YAMLValue = .sequence([.int(1), .int(2), .int(3), .float(1.5), .int(-7)])
        #expect(GoYAML.marshal(list) == block)
    }

    @Test func toYamlOfNilAndEmpty() throws {
        // toyaml-empty-null: toYaml of a missing value, of `dict`, of `list` (Helm trims the newline).
        let expected = try fixture("golden/toyaml-empty-null/expected.yaml")
        #expect(goldenQuoted(expected, key: "nil") == "null")
        #expect(goldenQuoted(expected, key: "emptymap") == "{}")
        #expect(goldenQuoted(expected, key: "emptylist") == "[]")
        #expect(GoYAML.marshal(.null) == "null\n")
        #expect(GoYAML.marshal(.mapping(YAMLMapping())) == "{}\n")
        #expect(GoYAML.marshal(.sequence([])) == "[]\n")
    }
}

@Suite struct GoldenToJSONTests {
    @Test func toJsonVariants() throws {
        let values = try goldenValues("tojson-variants")
        let expected = try fixture("golden/tojson-variants/expected.yaml")
        // a: {{ toJson .Values | quote }}
        #expect(try GoJSON.marshal(values) == goldenQuoted(expected, key: "a"))
        // b: {{ toPrettyJson .Values.m | quote }}
        let m = try #require(values["m"])
        #expect(try GoJSON.marshalIndent(m) == goldenQuoted(expected, key: "b"))
        // c: {{ toRawJson .Values.h | quote }}
        let h = try #require(values["h"])
        #expect(try GoJSON.marshal(h, escapeHTML: false) == goldenQuoted(expected, key: "c"))
        // d: {{ mustToJson (list 1 "x" nil true 2.5) | squote }}
        let list: YAMLValue = .sequence([.int(1), .string("x"), .null, .bool(true), .float(2.5)])
        #expect(try GoJSON.marshal(list) == goldenQuoted(expected, key: "d"))
    }

    @Test func yaml11BoolKeysToJson() throws {
        // y: {{ .Values.y | toJson | quote }} — the key `y` became "true", so .Values.y is nil.
        let values = try goldenValues("yaml11-bool-keys")
        #expect(values["y"] == nil)
        #expect(values["true"] == .float(4))
        #expect(values["false"] == .float(5))
        #expect(try GoJSON.marshal(values["y"] ?? .null) == "null")
    }
}

@Suite struct GoldenFromYAMLTests {
    @Test func fromYamlResolvesYAML11() throws {
        let values = try goldenValues("fromyaml-fromjson")
        guard case .string(let ydoc)? = values["ydoc"] else { Issue.record("ydoc"); return }
        let y = try GoYAML.unmarshal(ydoc)
        // a: {{ $y.k.n | quote }} is empty in the golden: the key `n` was read as false.
        #expect(y["k"] == .mapping(YAMLMapping([("false", .float(5))])))
        // b: {{ $y.list | toJson | quote }} → ["a",true,1]
        let expected = try fixture("golden/fromyaml-fromjson/expected.yaml")
        #expect(try GoJSON.marshal(try #require(y["list"])) == goldenQuoted(expected, key: "b"))
        // d: {{ fromYamlArray "- 1\n- two" | toJson }}
        #expect(try GoJSON.marshal(try GoYAML.unmarshal("- 1\n- two")) == goldenQuoted(expected, key: "d"))
    }

    @Test func fromYamlErrorText() throws {
        // bad: {{ fromYaml "a: [" | toJson }} → {"Error": "<sigs.k8s.io/yaml error>"}
        let expected = try fixture("golden/fromyaml-fromjson/expected.yaml")
        let bad = try #require(goldenQuoted(expected, key: "bad"))
        do {
            _ = try GoYAML.unmarshal("a: [")
            Issue.record("expected an error")
        } catch {
            let obj: YAMLValue = .mapping(YAMLMapping([("Error", .string(error.kubernetesMessage))]))
            #expect(try GoJSON.marshal(obj) == bad)
        }
    }

    @Test func floatIntRenderingValues() throws {
        let v = try goldenValues("float-int-rendering")
        #expect(v["a"] == .float(3))
        #expect(v["b"] == .float(3))
        #expect(v["c"] == .float(1_000_000))
        #expect(v["d"] == .float(0.5))
        #expect(v["e"] == .float(1e-9))
        #expect(v["big"] == .float(123_456_789))
        #expect(v["port"] == .float(8080))
        #expect(v["neg"] == .float(-12.5))
    }
}

@Suite struct GoldenParseErrorTests {
    /// The manifest text the template renders to, parsed as Helm parses each manifest.
    @Test func unclosedFlowSequence() throws {
        let rendered = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: rel-ye
        data:
          a: 1
          b: [unclosed

        """
        let expected = try fixture("golden/yaml-render-error/expected-error.txt")
        do {
            _ = try YAMLValue.parse(rendered, file: "yaml-render-error/templates/out.yaml", rules: .kubernetes)
            Issue.record("expected an error")
        } catch {
            #expect(error.goMessage == "yaml: line 7: did not find expected ',' or ']'")
            #expect(expected.contains(": " + error.kubernetesMessage + "\n"))
            #expect(error.description.hasPrefix("yaml-render-error/templates/out.yaml:"))
        }
    }

    @Test func quoteWithTwoArguments() throws {
        let rendered = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: rel-qm
        data:
          j: "a" "b"

        """
        let expected = try fixture("golden/quote-multi-args-yaml-error/expected-error.txt")
        do {
            _ = try YAMLValue.parse(rendered, file: "out.yaml", rules: .kubernetes)
            Issue.record("expected an error")
        } catch {
            #expect(error.goMessage == "yaml: line 5: did not find expected key")
            #expect(expected.contains(": " + error.kubernetesMessage + "\n"))
            #expect(error.mark.line == 6)
            #expect(error.description.contains("out.yaml:6:"))
        }
    }
}
