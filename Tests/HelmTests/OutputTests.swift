import Testing
import YAML
@testable import Helm

private func sample() -> RenderResult {
    let cm = RenderedManifest(source: "c/templates/cm.yaml", content: "kind: ConfigMap\n", kind: "ConfigMap")
    let dep = RenderedManifest(source: "c/templates/sub/dep.yaml", content: "kind: Deployment\n", kind: "Deployment")
    let test = RenderedHook(manifest: RenderedManifest(source: "c/templates/test.yaml", content: "kind: Pod\n", kind: "Pod"),
                            events: ["test"], weight: 0, deletePolicies: [])
    let crd = ChartFile(name: "crds/a.yaml", data: Array("kind: CustomResourceDefinition".utf8))
    return RenderResult(manifests: [cm, dep], hooks: [test], crds: [(name: "c/crds/a.yaml", file: crd)], notes: "")
}

@Test func templateOutputLayout() {
    var options = RenderOptions()
    let r = sample()
    #expect(r.helmTemplateOutput(options: options) ==
        "---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\n\n---\n# Source: c/templates/sub/dep.yaml\nkind: Deployment\n"
        + "---\n# Source: c/templates/test.yaml\nkind: Pod\n\n")
    options.includeCRDs = true
    options.skipTests = true
    #expect(r.helmTemplateOutput(options: options).hasPrefix("---\n# Source: c/crds/a.yaml\nkind: CustomResourceDefinition\n---\n"))
    #expect(!r.helmTemplateOutput(options: options).contains("kind: Pod"))
}

@Test func showOnlyMatchesTemplatePaths() throws {
    let out = sample().helmTemplateOutput(options: RenderOptions())
    #expect(try RenderResult.showOnly(out, patterns: ["templates/sub/*"]) == "---\n# Source: c/templates/sub/dep.yaml\nkind: Deployment\n\n")
    #expect(throws: HelmError.self) { try RenderResult.showOnly(out, patterns: ["templates/none.yaml"]) }
}

@Test func valueLayersFollowHelmOrder() throws {
    let inputs = ValueInputs(layers: [
        .set("a=1"), .file(name: "f.yaml", text: "a: 0\nb: {c: x}\n"), .setString("b.c=2"), .json("j=[1]"),
    ])
    let v = try inputs.merged()
    #expect(v["a"] == .int(1))
    #expect(v["b"] == .mapping(.init([("c", .string("2"))])))
    #expect(v["j"] == .sequence([.float(1)]))
}

@Test func fastTextMatchesGoStrings() {
    #expect(FastText.removingAll("<no value>", from: "a<no value>b<no value>") == "ab")
    #expect(FastText.removingAll("<no value>", from: "plain") == "plain")
    #expect(FastText.trimSpace(" \n\u{00A0}x y\t\n") == "x y")
    #expect(FastText.isBlank(" \n\t\u{0085}"))
    #expect(!FastText.isBlank(" a "))
    #expect(ManifestSorter.split("---\na: 1\n---   \n\n--- \nb: 2\n----x\n") == ["a: 1\n", "b: 2\n", "-x\n"])
}

@Test func manifestValueDecodes() throws {
    let m = RenderedManifest(source: "c/templates/a.yaml", content: "kind: ConfigMap\ndata: {on: yes, num: 1}\n")
    guard case .mapping(let top) = try m.value(), case .mapping(let data)? = top["data"] else { Issue.record("not a map"); return }
    #expect(top["kind"] == .string("ConfigMap"))
    #expect(data["true"] == .bool(true))
    #expect(data["num"] == .float(1))
}

/// Stages decodes `documents` instead of the text; that is only sound if it gives exactly what
/// decoding `content` gives, under the same Kubernetes rules, for every document in the piece.
@Test func sortedManifestsCarryTheirParse() throws {
    let files = [
        "c/templates/a.yaml": """
            kind: ConfigMap
            metadata: {name: a, annotations: {x: "1"}}
            base: &b {on: yes, n: 010, f: 1e3, t: 2024-01-01, bin: !!binary aGk=}
            data:
              <<: *b
              s: 'yes'
            ...
            # after the end marker: a new document would need `---`, which `split` cuts on
            ---
            # only a comment
            ---
            kind: ServiceAccount
            metadata: {name: sa}
            """,
        "c/templates/hook.yaml": """
            kind: Job
            metadata:
              name: h
              annotations: {"helm.sh/hook": post-install}
            spec: {backoffLimit: 0x10, list: [~, null, 0o17, 1_000, +12, .5]}
            """,
    ]
    let (hooks, manifests) = try ManifestSorter.sort(files: files)
    let all = manifests + hooks.map(\.manifest)
    #expect(all.count == 4)  // the comment-only piece is a (null) manifest too
    let decoder = YAMLDecoder(rules: .kubernetes)
    for m in all {
        let documents = try #require(m.documents)
        let fromNodes = try documents.map { d throws(YAMLError) in try decoder.value(of: d.root, file: m.source) }
        #expect(fromNodes == (try decoder.decodeAll(m.content, file: m.source)))
    }
    // Equality ignores the tree: it is derived from `content`.
    var copy = try #require(all.first)
    copy.documents = nil
    #expect(copy == all.first)
}
