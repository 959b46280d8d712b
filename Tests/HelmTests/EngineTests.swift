import Foundation
import Testing
import YAML
@testable import Helm

/// Builds a chart from (path, text) pairs; subcharts live under `charts/NAME/`.
private func chart(_ files: [(String, String)]) throws -> Chart {
    try Chart.load(files: files.map { ChartFile(name: $0.0, data: Array($0.1.utf8)) })
}

private func render(_ c: Chart, _ values: YAMLMapping = YAMLMapping(), _ options: RenderOptions = RenderOptions(releaseName: "rel", namespace: "ns")) throws -> String {
    try Renderer.render(chart: c, values: values, options: options).helmTemplateOutput(options: options)
}

private let parentChart = "apiVersion: v2\nname: top\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 0.1.0\n"
private let subChart = "apiVersion: v2\nname: sub\nversion: 0.1.0\n"

@Test func builtInObjectsAndScopes() throws {
    let c = try chart([
        ("Chart.yaml", parentChart),
        ("values.yaml", "global: {g: G}\nsub: {x: fromParent}\n"),
        ("templates/_h.tpl", "{{ define \"who\" }}parent{{ end }}"),
        ("templates/cm.yaml", "kind: ConfigMap\nmetadata: {name: {{ .Release.Name }}}\ndata:\n  t: {{ .Template.Name }}\n  root: \"{{ .Chart.IsRoot }}\"\n  who: {{ include \"who\" . }}\n  subs: \"{{ len .Subcharts }}\"\n  ns: {{ .Release.Namespace }}\n  f: {{ .Files.Get \"files/a.txt\" }}\n"),
        ("files/a.txt", "A"),
        ("charts/sub/Chart.yaml", subChart),
        ("charts/sub/values.yaml", "x: default\nyy: subDefault\n"),
        ("charts/sub/templates/_h.tpl", "{{ define \"who\" }}child{{ end }}"),
        ("charts/sub/templates/cm.yaml", "kind: ConfigMap\nmetadata: {name: sub}\ndata:\n  x: {{ .Values.x }}\n  yy: {{ .Values.yy }}\n  g: {{ .Values.global.g }}\n  who: {{ include \"who\" . }}\n  base: {{ .Template.BasePath }}\n"),
    ])
    let out = try render(c)
    #expect(out.contains("  x: fromParent\n  yy: subDefault\n  g: G\n  who: parent\n  base: top/charts/sub/templates\n"))
    #expect(out.contains("  t: top/templates/cm.yaml\n  root: \"true\"\n  who: parent\n  subs: \"1\"\n  ns: ns\n  f: A\n"))
}

@Test func requiredFailAndParseErrorsReadLikeHelm() throws {
    let base = [("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n")]
    let req = try chart(base + [("templates/a.yaml", "x: {{ required \"need x\" .Values.x }}\n")])
    #expect(throws: HelmError(.template, "execution error at (c/templates/a.yaml:1:6): need x\n\nUse --debug flag to render out invalid YAML")) {
        try render(req)
    }
    let parse = try chart(base + [("templates/a.yaml", "x: {{ if }}\n")])
    #expect(throws: HelmError.self) { try render(parse) }
    let lookup = try chart(base + [("templates/a.yaml", "n: \"{{ len (lookup \"v1\" \"Pod\" \"ns\" \"p\") }}\"\n")])
    #expect(try render(lookup).contains("n: \"0\""))
}

@Test func tplSeesDefinesAndValues() throws {
    let c = try chart([
        ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
        ("values.yaml", "greeting: \"hi {{ .Release.Name }}\"\n"),
        ("templates/a.yaml", "a: {{ tpl .Values.greeting . }}\nb: {{ tpl \"{{ define \\\"d\\\" }}D{{ end }}{{ include \\\"d\\\" . }}\" . }}\n"),
    ])
    let out = try render(c)
    #expect(out.contains("a: hi rel\nb: D\n"))
}

@Test func capabilitiesAndKubeVersionConstraint() throws {
    var options = RenderOptions(releaseName: "rel", namespace: "ns")
    options.capabilities = Capabilities(kubeVersion: Capabilities.KubeVersion(parsing: "v1.31.2"), extraAPIVersions: ["x.io/v1/Thing"])
    let c = try chart([
        ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\nkubeVersion: \">=1.30.0-0\"\n"),
        ("templates/a.yaml", "v: {{ .Capabilities.KubeVersion }}\nm: \"{{ .Capabilities.KubeVersion.Minor }}\"\nx: {{ .Capabilities.APIVersions.Has \"x.io/v1\" }}\n"),
    ])
    #expect(try render(c, YAMLMapping(), options).contains("v: v1.31.2\nm: \"31\"\nx: true\n"))
    options.capabilities.kubeVersion = Capabilities.KubeVersion(parsing: "v1.29.0")!
    #expect(throws: HelmError.self) { try render(c, YAMLMapping(), options) }
}

@Test func includeOfMissingTemplateReadsLikeHelm() throws {
    let c = try chart([("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"), ("templates/a.yaml", "a: {{ include \"nope\" . }}\n")])
    #expect(throws: HelmError(.template, "c/templates/a.yaml:1:6\n  executing \"c/templates/a.yaml\" at <include \"nope\" .>:\n    error calling include:\ntemplate: no template \"nope\" associated with template \"gotpl\"\n\nUse --debug flag to render out invalid YAML")) {
        try render(c)
    }
}

@Test func outputDirWritesOneFilePerTemplate() throws {
    let fm = FileManager.default
    let root = fm.temporaryDirectory.appendingPathComponent("helm-outdir-\(getpid())-\(Int.random(in: 0..<1_000_000))").path
    defer { try? fm.removeItem(atPath: root) }
    let chartDir = root + "/c"
    try fm.createDirectory(atPath: chartDir + "/templates", withIntermediateDirectories: true)
    try "apiVersion: v2\nname: c\nversion: 1.0.0\n".write(toFile: chartDir + "/Chart.yaml", atomically: true, encoding: .utf8)
    try "kind: ConfigMap\nmetadata: {name: a}\n---\nkind: Secret\nmetadata: {name: b}\n".write(toFile: chartDir + "/templates/x.yaml", atomically: true, encoding: .utf8)
    var t = TemplateInvocation()
    t.positional = ["rel", chartDir]
    t.outputDir = root + "/out"
    let log = try t.run()
    #expect(log == "wrote \(root)/out/c/templates/x.yaml\nwrote \(root)/out/c/templates/x.yaml\n\n")
    let written = try String(contentsOfFile: root + "/out/c/templates/x.yaml", encoding: .utf8)
    #expect(written == "---\n# Source: c/templates/x.yaml\nkind: Secret\nmetadata: {name: b}\n\n---\n# Source: c/templates/x.yaml\nkind: ConfigMap\nmetadata: {name: a}\n\n")
}
