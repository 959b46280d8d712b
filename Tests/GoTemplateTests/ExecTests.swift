import Testing
@testable import GoTemplate

@Suite struct ExecTests {
    @Test func textAndFields() {
        #expect(render("hello {{ .a }}!", ["a": "world"]) == "hello world!")
        #expect(render("{{ .a.b }}", ["a": ["b": 1]]) == "1")
        #expect(render("{{ .missing }}", [:]) == "<no value>")
        #expect(render("{{ .missing }}", [:], missingKey: .zero) == "<no value>")
        #expect(render("{{ .missing }}", [:], missingKey: .error)
            == #"ERROR: template: t:1:3: executing "t" at <.missing>: map has no entry for key "missing""#)
    }

    @Test func nilPointerEvaluatingInterface() {
        // Helm's famous error: a missing parent under missingkey=zero.
        #expect(render("{{ .Values.nothere.deeper }}", helmRoot([:]), missingKey: .zero)
            == #"ERROR: template: t:1:10: executing "t" at <.Values.nothere.deeper>: nil pointer evaluating interface {}.deeper"#)
        // Under missingkey=default the chain yields no value.
        #expect(render("{{ .Values.nothere.deeper }}", helmRoot([:])) == "<no value>")
    }

    @Test func cantEvaluateField() {
        #expect(render("{{ .Values.s.x }}", helmRoot(["s": "str"]))
            == #"ERROR: template: t:1:10: executing "t" at <.Values.s.x>: can't evaluate field x in type interface {}"#)
        #expect(render("{{ $s := .s }}{{ $s.x }}", ["s": "str"])
            == #"ERROR: template: t:1:19: executing "t" at <$s.x>: can't evaluate field x in type string"#)
    }

    @Test func ifElseChains() {
        let t = "{{ if .a }}A{{ else if .b }}B{{ else }}C{{ end }}"
        #expect(render(t, ["a": 1, "b": 0]) == "A")
        #expect(render(t, ["a": 0, "b": "x"]) == "B")
        #expect(render(t, ["a": [], "b": ""]) == "C")
    }

    @Test func withElseWith() {
        let t = "{{ with .missing }}never{{ else with .b }}b={{ . }}{{ else }}none{{ end }}"
        #expect(render(t, ["b": "bee"]) == "b=bee")
        #expect(render(t, [:]) == "none")
    }

    @Test func rangeListsMapsInts() {
        #expect(render("{{ range $i, $e := .l }}{{ $i }}={{ $e }};{{ end }}", ["l": ["c", "a"]]) == "0=c;1=a;")
        #expect(render("{{ range $k, $v := .m }}{{ $k }}:{{ $v }} {{ end }}", ["m": ["zulu": 1, "alpha": 2, "mike": ["x": 1]]])
            == "alpha:2 mike:map[x:1] zulu:1 ")
        #expect(render("{{ range .none }}x{{ else }}empty{{ end }}", ["none": []]) == "empty")
        #expect(render("{{ range $i := 3 }}{{ $i }}{{ end }}") == "012")
        #expect(render("{{ range $i, $e := 3 }}{{ end }}")
            == #"ERROR: template: t:1:19: executing "t" at <3>: can't use 3 to iterate over more than one variable"#)
        #expect(render("{{ range .f }}{{ end }}", ["f": 3.0])
            == #"ERROR: template: t:1:9: executing "t" at <.f>: range can't iterate over 3"#)
        #expect(render("{{ range .l }}{{ . }}-{{ $.r }} {{ end }}", ["l": ["a", "b"], "r": "R"]) == "a-R b-R ")
    }

    @Test func breakAndContinue() {
        let t = "{{- range $i := until 6 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 4 }}{{ break }}{{ end }}u{{ $i }}{{ end }}"
        #expect(render(t) == "u0u2u3")
        #expect(render("{{ break }}").hasPrefix("ERROR: template: t:1: {{break}} outside {{range}}"))
    }

    @Test func variablesAndScope() {
        let t = """
        {{- $x := "outer" }}{{- if true }}{{ $x = "assigned" }}{{ $y := "inner" }}{{ end }}x={{ $x }}
        {{- range $i, $v := list "a" "b" }}{{ $x := $v }} r{{ $i }}={{ $x }}{{ end }} after={{ $x }}
        """
        #expect(render(t) == "x=assigned r0=a r1=b after=assigned")
        #expect(render("{{ $y }}") == #"ERROR: template: t:1: undefined variable "$y""#)
    }

    @Test func whitespaceTrimAndComments() {
        #expect(render("a  {{- \"x\" -}}  b") == "axb")
        #expect(render("d: {{/* a comment */}}\"after\"\n{{- /* trimmed */}}\nz") == "d: \"after\"\nz")
        #expect(render("e{{- /* c */ -}} tail") == "etail")
        #expect(render("{{ 3 -}}\n\n  x") == "3x")
        #expect(render("{{-3}}") == "-3")
    }

    @Test func templateBlockDefine() {
        let t = #"{{ define "t1" }}T1:{{ . }}{{ end }}{{ define "t2" }}[{{ template "t1" .v }}]{{ end }}a={{ template "t1" "x" }} b={{ template "t2" (dict "v" 3) }} c={{ block "blk" . }}default{{ end }}"#
        #expect(render(t) == "a=T1:x b=[T1:3] c=default")
        #expect(render(#"{{ template "nope" }}"#) == #"ERROR: template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined"#)
    }

    @Test func andOrShortCircuit() {
        #expect(render(#"{{ and 1 "" 3 }}"#) == "")
        #expect(render(#"{{ or 0 "" "z" }}"#) == "z")
        // The failing call is never evaluated.
        #expect(render(#"{{ or 1 (fail "boom") }}"#) == "1")
        #expect(render(#"{{ and 0 (fail "boom") }}"#) == "0")
        #expect(render("{{ not 0 }} {{ not .x }}", ["x": "y"]) == "true false")
    }

    @Test func comparisons() {
        #expect(render("{{ eq .i 1.0 }} {{ lt 1 2 }} {{ eq \"a\" \"b\" \"a\" }} {{ le 2.5 2.5 }} {{ eq .missing nil }}", ["i": 1.0]) == "true true true true true")
        #expect(render("{{ lt 1 \"2\" }}") == #"ERROR: template: t:1:3: executing "t" at <lt 1 "2">: error calling lt: incompatible types for comparison: int and string"#)
        #expect(render("{{ eq .i 1 }}", ["i": 1.0]) == #"ERROR: template: t:1:3: executing "t" at <eq .i 1>: error calling eq: incompatible types for comparison: float64 and int"#)
        #expect(render("{{ lt .l 1 }}", ["l": [1]]) == #"ERROR: template: t:1:3: executing "t" at <lt .l 1>: error calling lt: invalid type for comparison"#)
        #expect(render("{{ eq .l .l }}", ["l": [1]]) == #"ERROR: template: t:1:3: executing "t" at <eq .l .l>: error calling eq: non-comparable type [1]: []interface {}"#)
        #expect(render("{{ gt (int64 .i) 0 }}", ["i": 2.0]) == "true")
        #expect(render("{{ eq 1 nil }}") == "false")
        #expect(render("{{ eq }}") == #"ERROR: template: t:1:3: executing "t" at <eq>: wrong number of args for eq: want at least 1 got 0"#)
    }

    @Test func indexSliceLen() {
        let data: Value = ["l": ["a", "b", "c"], "nested": ["k": ["x", true]], "m": ["a": 1.0, "b": 2.0]]
        #expect(render("{{ index .l 0 }} {{ index .nested \"k\" 1 }} {{ len .m }} {{ len \"abc\" }} {{ slice .l 1 }}", data) == "a true 2 3 [b c]")
        #expect(render("{{ index .l 5 }}", data) == #"ERROR: template: t:1:3: executing "t" at <index .l 5>: error calling index: index out of range: 5"#)
        #expect(render("{{ index .m \"missing\" }}", data) == "<no value>")
        #expect(render("{{ slice \"hello\" 1 3 }}") == "el")
        #expect(render("{{ len .x }}", ["x": 3]) == #"ERROR: template: t:1:3: executing "t" at <len .x>: error calling len: len of type int"#)
        #expect(render("{{ index \"ab\" 1 }}") == "98")
    }

    @Test func functionArgumentChecks() {
        #expect(render("{{ upper 3 }}") == #"ERROR: template: t:1:9: executing "t" at <3>: expected string; found 3"#)
        #expect(render("{{ upper .f }}", ["f": 1.5]) == #"ERROR: template: t:1:9: executing "t" at <.f>: wrong type for value; expected string; got float64"#)
        #expect(render("{{ upper .missing }}", [:]) == #"ERROR: template: t:1:9: executing "t" at <.missing>: invalid value; expected string"#)
        #expect(render("{{ upper }}") == #"ERROR: template: t:1:3: executing "t" at <upper>: wrong number of args for upper: want 1 got 0"#)
        #expect(render("{{ \"x\" | upper }}") == "X")
        #expect(render("{{ fail \"boom\" }}") == #"ERROR: template: t:1:3: executing "t" at <fail "boom">: error calling fail: boom"#)
        #expect(render("{{ nope }}") == #"ERROR: template: t:1: function "nope" not defined"#)
        #expect(render("{{ 3 | upper }}") == #"ERROR: template: t:1:7: executing "t" at <upper>: wrong type for value; expected string; got int"#)
    }

    @Test func includeAndRecursionErrors() {
        let t = #"{{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }}"#
        let set = TemplateSet(functions: testFunctions)
        set.options.maxDepth = 50
        #expect(throws: TemplateExecError.self) {
            try set.parse(name: "t", text: t)
            _ = try set.execute(name: "t", data: .null)
        }
        let out = render(#"{{ define "x" }}[{{ . }}]{{ end }}{{ include "x" 3 }}"#)
        #expect(out == "[3]")
    }

    @Test func callFunctionValues() {
        let f = Function("double", parameters: [.int(.int)], result: .int(.int)) { args, _ in .int(try args.int(0) * 2) }
        #expect(render("{{ call .f 21 }}", ["f": .function(f)]) == "42")
        #expect(render("{{ call .f \"x\" }}", ["f": .function(f)]) == #"ERROR: template: t:1:3: executing "t" at <call .f "x">: error calling call: arg 0: value has type string; should be int"#)
        #expect(render("{{ call .x }}", ["x": 1]) == #"ERROR: template: t:1:3: executing "t" at <call .x>: error calling call: non-function .x of type int"#)
    }

    @Test func mapsAreSharedAcrossCalls() {
        let set: Function = Function("set", parameters: [.dict, .string, .interface], result: .dict) { args, _ in
            let m = try args.map(0)
            m[try args.string(1)] = args[2]
            return .map(m)
        }
        var fns = testFunctions
        fns["set"] = set
        #expect(render(#"{{ $_ := set .Values "k" "v" }}{{ .Values.k }}"#, helmRoot([:]), functions: fns) == "v")
    }

    @Test func escapers() {
        #expect(render(#"{{ html "<a href='x'>&</a>" }}"#) == "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")
        #expect(render(#"{{ js "a'b\"<>=" }}"#) == #"a\'b\"\u003C\u003E\u003D"#)
        #expect(render(#"{{ urlquery "a b&c=d/é" }}"#) == "a+b%26c%3Dd%2F%C3%A9")
        #expect(render(#"{{ print 1 2 "a" 3 }}"#) == "1 2a3")
        #expect(render(#"{{ println 1 "a" }}"#) == "1 a\n")
    }

    @Test func objectsFieldsAndMethods() {
        #expect(render("{{ .Caps.KubeVersion }} {{ .Caps.KubeVersion.Major }} {{ .Caps.APIVersions.Has \"apps/v1\" }} {{ .Caps.APIVersions.Has \"x\" }}", ["Caps": .object(TestCapabilities())])
            == "v1.34.0 1 true false")
        #expect(render("{{ .Caps.Nope }}", ["Caps": .object(TestCapabilities())])
            == #"ERROR: template: t:1:8: executing "t" at <.Caps.Nope>: can't evaluate field Nope in type interface {}"#)
        #expect(render("{{ range .Caps.APIVersions }}{{ . }},{{ end }}", ["Caps": .object(TestCapabilities())]) == "v1,apps/v1,")
        #expect(render("{{ .Caps.KubeVersion.Major 1 }}", ["Caps": .object(TestCapabilities())])
            == #"ERROR: template: t:1:8: executing "t" at <.Caps.KubeVersion.Major>: Major has arguments but cannot be invoked as function"#)
    }

    @Test func parseErrors() {
        #expect(render("a\n{{ if .x }}unclosed\n") == "ERROR: template: t:3: unexpected EOF")
        #expect(render("{{ end }}") == "ERROR: template: t:1: unexpected {{end}}")
        #expect(render("{{ .x") == "ERROR: template: t:1: unclosed action")
        #expect(render("{{ (1 }}") == "ERROR: template: t:1: unclosed left paren")
        #expect(render("{{ \"abc }}") == "ERROR: template: t:1: unterminated quoted string")
        #expect(render("{{ 1 | 2 }}") == "ERROR: template: t:1: non executable command in pipeline stage 2")
        #expect(render("{{ }}") == "ERROR: template: t:1: missing value for command")
        #expect(render("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}") == #"ERROR: template: t:1: template: multiple definition of template "a""#)
        #expect(render("{{/* x") == "ERROR: template: t:1: unclosed comment")
        #expect(render("{{ if\n .x }}{{ \"a }}{{ end }}") == "ERROR: template: t:2: unterminated quoted string")
        #expect(render("{{ .x.  }}") .hasPrefix("ERROR"))
    }

    @Test func laterDefinitionsOverrideEarlierFiles() throws {
        let set = TemplateSet(functions: testFunctions)
        try set.parse(name: "a", text: #"{{ define "h" }}A{{ end }}"#)
        try set.parse(name: "b", text: #"{{ define "h" }}B{{ end }}"#)
        try set.parse(name: "c", text: #"{{ define "h" }} {{ end }}{{ template "h" }}"#)
        #expect(try set.execute(name: "c", data: .null) == "B")
        let clone = set.clone()
        try clone.parse(name: "d", text: #"{{ define "h" }}D{{ end }}"#)
        #expect(try set.execute(name: "c", data: .null) == "B")
        #expect(try clone.execute(name: "c", data: .null) == "D")
    }

    @Test func floatsAndIntsRender() {
        let v: Value = ["a": 3.0, "c": 1000000.0, "d": 0.5, "e": 1e-9, "big": 123456789.0, "neg": -12.5, "i": 8080]
        #expect(render("{{ .a }} {{ .c }} {{ .d }} {{ .e }} {{ .big }} {{ .neg }} {{ .i }}", v) == "3 1e+06 0.5 1e-09 1.23456789e+08 -12.5 8080")
    }
}

final class TestVersionSet: GoObject {
    let versions = ["v1", "apps/v1"]
    var goType: GoType { .named("chartutil.VersionSet", kind: .slice) }
    var underlying: Value? { .stringList(versions) }
    func member(named name: String) -> GoMember? {
        guard name == "Has" else { return nil }
        let versions = self.versions
        return .method(Function("Has", parameters: [.string], result: .bool) { args, _ in
            .bool(versions.contains(try args.string(0)))
        })
    }
}

final class TestKubeVersion: GoObject {
    var goType: GoType { .pointer(.named("chartutil.KubeVersion", kind: .struct)) }
    var stringValue: String? { "v1.34.0" }
    func member(named name: String) -> GoMember? {
        switch name {
        case "Major": return .field("1")
        case "Minor": return .field("34")
        case "Version": return .field("v1.34.0")
        default: return nil
        }
    }
}

final class TestCapabilities: GoObject {
    let kube = TestKubeVersion()
    let apis = TestVersionSet()
    var goType: GoType { .pointer(.named("chartutil.Capabilities", kind: .struct)) }
    func member(named name: String) -> GoMember? {
        switch name {
        case "KubeVersion": return .field(.object(kube))
        case "APIVersions": return .field(.object(apis))
        default: return nil
        }
    }
}
