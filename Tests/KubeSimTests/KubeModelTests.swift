import KubeModel
import Testing
import YAML

@Suite struct JSONCodecTests {
    @Test func roundTripKeepsIntegersAndOrder() throws {
        let text = #"{"b":1,"a":[true,null,1.5,"x\n\u00e9"],"c":{"d":-3}}"#
        let v = try JSONValue.parse(text)
        #expect(v["b"] == .int(1))
        #expect(v["a"]?.arrayValue?[2] == .double(1.5))
        #expect(v["a"]?.arrayValue?[3] == .string("x\né"))
        #expect(v.encodedString() == #"{"b":1,"a":[true,null,1.5,"x\né"],"c":{"d":-3}}"#)
    }

    @Test func syntaxErrorsCarryPosition() {
        do {
            _ = try JSONValue.parse("{\n  \"a\": }")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("looking for beginning of value"))
        }
    }

    @Test func surrogatePairsDecode() throws {
        #expect(try JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func yamlScalarsFollowKubernetesRules() throws {
        let docs = try JSONValue.parseYAMLStream("a: yes\nb: 010\nc: '1'\nd: 1.0\ne: ~\nf: 0x1F\n---\n---\nx: 1\n")
        #expect(docs.count == 2)
        #expect(docs[0]["a"] == .bool(true))
        #expect(docs[0]["b"] == .int(8))
        #expect(docs[0]["c"] == .string("1"))
        #expect(docs[0]["d"] == .double(1.0))
        #expect(docs[0]["e"] == .null)
        #expect(docs[0]["f"] == .int(31))
    }

    @Test func identityParsesApiVersions() {
        #expect(GroupVersion(apiVersion: "v1") == GroupVersion(group: "", version: "v1"))
        #expect(GroupVersion(apiVersion: "apps/v1")?.group == "apps")
        #expect(GroupVersion(apiVersion: "a/b/c") == nil)
        #expect(GroupKind(group: "apps", kind: "Deployment").description == "Deployment.apps")
        #expect(GroupResource(group: "", resource: "configmaps").description == "configmaps")
    }
}
