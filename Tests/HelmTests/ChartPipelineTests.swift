import Testing
import YAML
@testable import Helm

@Test func strvalsTypesAndIndices() throws {
    var m = YAMLMapping()
    try StrVals.parse("a.b=1,c=true,d=null,e=007,f[1].g=x,h={1,two},i=a\\,b", into: &m, mode: .typed)
    #expect(m["a"] == .mapping(YAMLMapping([("b", .int(1))])))
    #expect(m["c"] == .bool(true))
    #expect(m["d"] == .null)
    #expect(m["e"] == .string("007"))
    #expect(m["f"] == .sequence([.null, .mapping(YAMLMapping([("g", .string("x"))]))]))
    #expect(m["h"] == .sequence([.int(1), .string("two")]))
    #expect(m["i"] == .string("a,b"))
}

@Test func strvalsStringJSONLiteral() throws {
    var m = YAMLMapping()
    try StrVals.parse("a=1", into: &m, mode: .string)
    try StrVals.parse("j={\"x\":[1,2]}", into: &m, mode: .json)
    try StrVals.parse("l=a,b=c", into: &m, mode: .literal)
    #expect(m["a"] == .string("1"))
    #expect(m["j"] == .mapping(YAMLMapping([("x", .sequence([.float(1), .float(2)]))])))
    #expect(m["l"] == .string("a,b=c"))
    #expect(throws: HelmError.self) { var x = YAMLMapping(); try StrVals.parse("a", into: &x, mode: .typed) }
}

@Test func coalesceNullDeletesDefaultAndGlobalsFlowDown() throws {
    var sub = Chart(metadata: meta("sub"))
    sub.values = YAMLMapping([("keep", .string("k")), ("drop", .string("d"))])
    var top = Chart(metadata: meta("top"))
    top.values = YAMLMapping([("global", .mapping(YAMLMapping([("region", .string("eu"))]))), ("x", .float(1))])
    top.dependencies = [sub]
    let user = YAMLMapping([("sub", .mapping(YAMLMapping([("drop", .null)]))), ("x", .float(2))])
    let v = try Values.coalesce(chart: top, values: user)
    #expect(v["x"] == .float(2))
    guard case .mapping(let s)? = v["sub"] else { Issue.record("no sub"); return }
    #expect(s["keep"] == .string("k"))
    #expect(s["drop"] == nil)
    #expect(s["global"] == .mapping(YAMLMapping([("region", .string("eu"))])))
}

@Test func conditionsTagsAndAlias() throws {
    var child = Chart(metadata: meta("child"))
    child.values = YAMLMapping([("color", .string("blue"))])
    var top = Chart(metadata: meta("top"))
    var a = ChartDependency(); a.name = "child"; a.version = "0.1.0"
    var b = ChartDependency(); b.name = "child"; b.alias = "second"; b.version = "0.1.0"; b.condition = "second.enabled,global.on"
    top.metadata.dependencies = [a, b]
    top.dependencies = [child]
    let off = try Dependencies.process(top, values: YAMLMapping([("second", .mapping(YAMLMapping([("enabled", .bool(false))])))]))
    #expect(off.dependencies.map(\.name) == ["child"])
    let on = try Dependencies.process(top, values: YAMLMapping())
    #expect(on.dependencies.map(\.name) == ["child", "second"])
}

@Test func manifestsSortByKindThenPathAndHooksSeparate() throws {
    let files = [
        "c/templates/b.yaml": "kind: Deployment\nmetadata: {name: d}\n---\nkind: Service\nmetadata: {name: s}\n",
        "c/templates/a.yaml": "kind: Foo\n---\n\n---\nkind: Namespace\n",
        "c/templates/h.yaml": "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: test\n",
        "c/templates/_p.tpl": "kind: Secret\n",
    ]
    let (hooks, manifests) = try ManifestSorter.sort(files: files)
    #expect(manifests.map(\.kind) == ["Namespace", "Service", "Deployment", "Foo"])
    #expect(hooks.count == 1 && hooks[0].isTest)
    #expect(throws: HelmError.self) { try ManifestSorter.sort(files: ["c/templates/x.yaml": "a: [1\n"]) }
}

@Test func semverConstraints() {
    #expect(SemVersion.isCompatible(constraint: ">= 1.16.0-0", version: "v1.34.0"))
    #expect(SemVersion.isCompatible(constraint: ">=1.32.0-0", version: "v1.34.0"))
    #expect(!SemVersion.isCompatible(constraint: ">=1.32.0-0", version: "v1.31.0"))
    #expect(SemVersion.isCompatible(constraint: "^1.2", version: "1.9.3"))
    #expect(!SemVersion.isCompatible(constraint: "~1.2.3", version: "1.3.0"))
    #expect(SemVersion.isCompatible(constraint: "0.19.0", version: "0.19.0"))
    #expect(!SemVersion.isCompatible(constraint: "1.0.0", version: "1.0.0-devel"))
}

@Test func schemaMessagesMatchHelm() throws {
    let s = try JSONSchema(json: #"{"type":"object","required":["r"],"properties":{"r":{"type":"integer","minimum":1},"m":{"enum":["a","b"]}}}"#)
    let report = s.validate(.mapping(YAMLMapping([("r", .float(0)), ("m", .string("c"))])))
    #expect(report == "- at '/r': minimum: got 0, want 1\n- at '/m': value must be one of 'a', 'b'")
    #expect(s.validate(.mapping(YAMLMapping([("m", .string("a"))]))) == "- at '': missing property 'r'")
}

@Test func archiveRejectsEscapesAndBombs() throws {
    #expect(throws: HelmError.self) { _ = try ChartArchiveReader.chartRelativeName("c/../../etc/passwd") }
    #expect(throws: HelmError.self) { _ = try ChartArchiveReader.chartRelativeName("c//abs") }
    #expect(ChartArchiveReader.resolve(link: "templates/a.yaml", target: "../../x") == nil)
    #expect(ChartArchiveReader.resolve(link: "templates/a.yaml", target: "b.yaml") == "templates/b.yaml")
    let files = [ChartFile(name: "Chart.yaml", data: Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8)),
                 ChartFile(name: "big.txt", data: [UInt8](repeating: 65, count: 4096))]
    let tgz = try ChartArchiveWriter.pack(files: files, topDirectory: "c")
    #expect(try Chart.load(archive: tgz).name == "c")
    #expect(throws: HelmError.self) { _ = try Chart.load(archive: tgz, reader: ChartArchiveReader(maxTotalSize: 1000, maxFileSize: 10_000)) }
    #expect(throws: HelmError.self) { _ = try Chart.load(archive: tgz, reader: ChartArchiveReader(maxFileSize: 100)) }
}

@Test func helmIgnoreRules() throws {
    var r = try HelmIgnore(parsing: "*.ignored\n/docs\nsecret/\n")
    r.addDefaults()
    #expect(r.ignores("files/b.ignored", isDirectory: false))
    #expect(r.ignores("templates/.hidden", isDirectory: false))
    #expect(r.ignores("docs", isDirectory: true))
    #expect(!r.ignores("templates/x.yaml", isDirectory: false))
}

func meta(_ name: String) -> ChartMetadata {
    var m = ChartMetadata()
    m.name = name; m.version = "0.1.0"; m.apiVersion = "v2"
    return m
}

@Test func archiveLinks() throws {
    let files = [ChartFile(name: "Chart.yaml", data: Array("apiVersion: v2\nname: c\nversion: 1.0.0\n".utf8)),
                 ChartFile(name: "files/real.txt", data: Array("R".utf8))]
    let inside = try ChartArchiveWriter.pack(files: files, topDirectory: "c", symlinks: [("files/link.txt", "real.txt")])
    let chart = try Chart.load(archive: inside)
    #expect(chart.files.first { $0.name == "files/link.txt" }?.text == "R")
    let outside = try ChartArchiveWriter.pack(files: files, topDirectory: "c", symlinks: [("files/evil", "../../../etc/passwd")])
    #expect(throws: HelmError.self) { try Chart.load(archive: outside) }
    let absolute = try ChartArchiveWriter.pack(files: files, topDirectory: "c", symlinks: [("files/abs", "/etc/passwd")])
    #expect(throws: HelmError.self) { try Chart.load(archive: absolute) }
    #expect(throws: HelmError.self) { try Chart.load(archive: Array("not gzip".utf8)) }
}
