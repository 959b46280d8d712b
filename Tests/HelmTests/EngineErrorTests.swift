import GoTemplate
import Testing
@testable import Helm


@Test func parseErrorsBecomeHelmText() {
    let e = TemplateParseError(templateName: "c/templates/out.yaml", line: 7, message: "unexpected EOF")
    #expect(TemplateEngine.parseErrorMessage(e) == "parse error at (c/templates/out.yaml:7): unexpected EOF")
}

@Test func traceParsingFollowsHelm() throws {
    let t = try #require(TemplateEngine.parseTrace(
        "template: c/templates/out.yaml:6:15: executing \"c/templates/out.yaml\" at <.Values.a.b>: nil pointer evaluating interface {}.b"))
    #expect(t.location == "c/templates/out.yaml:6:15")
    #expect(t.function == "executing \"c/templates/out.yaml\" at <.Values.a.b>:")
    #expect(t.message == "nil pointer evaluating interface {}.b")
    #expect(TemplateEngine.parseTrace("error calling lt: incompatible types") == nil)
}

@Test func includeCounterStopsRecursion() throws {
    #expect(TemplateEngine.recursionMax == 1000)
    #expect(TemplateEngine.parseOrder("a/charts/b/templates/x.yaml", "a/templates/y.yaml"))
    #expect(TemplateEngine.parseOrder("a/templates/b.yaml", "a/templates/a.yaml"))
}

@Test func filesGlobAndHas() {
    #expect(GlobPattern.match("files/**.conf", "files/sub/z.conf"))
    #expect(!GlobPattern.match("files/*.conf", "files/sub/z.conf"))
    #expect(GlobPattern.match("files/*.{conf,txt}", "files/a.txt"))
    let caps = Capabilities(extraAPIVersions: ["monitoring.coreos.com/v1/ServiceMonitor"])
    #expect(caps.has("monitoring.coreos.com/v1"))
    #expect(caps.has("monitoring.coreos.com/v1/ServiceMonitor"))
    #expect(!caps.has("monitoring.coreos.com/v1/PodMonitor"))
    #expect(!caps.has("apps/v1/Deployment"))
    #expect(caps.has("policy/v1beta1"))
    #expect(SimpleYAML.stringMap(["x.conf": "x=1\n", "y.conf": "y: [2]\n"]) == "x.conf: |\n  x=1\ny.conf: |\n  y: [2]")
}
