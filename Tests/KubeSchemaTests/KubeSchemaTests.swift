import Crypto
import KubeModel
import Testing
import YAML

@testable import KubeSchema

private func deployment(_ patch: (inout String) -> Void = { _ in }) throws -> JSONValue {
    var text = """
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"},"creationTimestamp":null},
     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"strategy":{"rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.27","imagePullPolicy":"IfNotPresent",
       "ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":{"cpu":"500m","memory":1073741824,"nvidia.com/gpu":1}}}]}}}}
    """
    patch(&text)
    return try JSONValue.parse(text)
}

private func check(_ object: JSONValue, version: String = "1.34") throws -> [String] {
    let schemas = try #require(try KubernetesSchemas.shared.version(version))
    let kind = object["kind"]?.stringValue ?? ""
    let apiVersion = object["apiVersion"]?.stringValue ?? ""
    let problems = try #require(schemas.validate(object, apiVersion: apiVersion, kind: kind))
    return problems.map(\.description)
}

@Suite struct EmbeddedSchemaTests {
    @Test func blobMatchesRecordedDigest() throws {
        let bytes = EmbeddedBlob.gzipBytes()
        let digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(digest == EmbeddedSchemas.sha256)
        #expect(try EmbeddedBlob.json().count == EmbeddedSchemas.uncompressedSize)
    }

    @Test func everySupportedVersionIsShipped() throws {
        for v in KubernetesSchemas.supportedVersions {
            let s = try #require(try KubernetesSchemas.shared.version(v))
            #expect(s.serves(apiVersion: "apps/v1", kind: "Deployment"))
            #expect(s.serves(apiVersion: "v1", kind: "ConfigMap"))
            #expect(s.serves(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition"))
        }
        #expect(try KubernetesSchemas.shared.version("1.29") == nil)
    }

    @Test func versionClamping() {
        #expect(KubernetesSchemas.schemaVersion(major: 1, minor: 28) == "1.30")
        #expect(KubernetesSchemas.schemaVersion(major: 1, minor: 32) == "1.32")
        #expect(KubernetesSchemas.schemaVersion(major: 1, minor: 40) == "1.36")
    }

    @Test func draV1ExistsFrom134() throws {
        #expect(try KubernetesSchemas.shared.versionsServing(apiVersion: "resource.k8s.io/v1", kind: "ResourceClaimTemplate")
                == ["1.34", "1.35", "1.36"])
        #expect(try KubernetesSchemas.shared.isBuiltin(group: "resource.k8s.io", kind: "ResourceClaimTemplate"))
        #expect(try !KubernetesSchemas.shared.isBuiltin(group: "kueue.x-k8s.io", kind: "ClusterQueue"))
        #expect(try KubernetesSchemas.shared.version("1.30")?.validate(JSONValue.object(JSONObject()), apiVersion: "resource.k8s.io/v1",
                                                                    kind: "ResourceClaimTemplate") == nil)
    }
}

@Suite struct SchemaValidationTests {
    @Test func validDeploymentPasses() throws {
        #expect(try check(deployment()) == [])
    }

    @Test func unknownFieldNamesThePath() throws {
        let d = try deployment { $0 = $0.replacingOccurrences(of: "\"imagePullPolicy\"", with: "\"imagePullPolicyy\"") }
        #expect(try check(d) == ["unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""])
        let m = try deployment { $0 = $0.replacingOccurrences(of: "\"creationTimestamp\":null", with: "\"labelz\":{}") }
        #expect(try check(m) == ["unknown field \"metadata.labelz\""])
    }

    @Test func wrongType() throws {
        let d = try deployment { $0 = $0.replacingOccurrences(of: "\"replicas\":2", with: "\"replicas\":\"two\"") }
        #expect(try check(d) == ["spec.replicas: expected integer, got string"])
        let l = try deployment { $0 = $0.replacingOccurrences(of: "{\"app\":\"web\"},\"creationTimestamp\"", with: "{\"app\":3},\"creationTimestamp\"") }
        #expect(try check(l) == ["metadata.labels.app: expected string, got integer"])
        let f = try deployment { $0 = $0.replacingOccurrences(of: "\"replicas\":2", with: "\"replicas\":2.5") }
        #expect(try check(f) == ["spec.replicas: expected integer, got number"])
    }

    @Test func intOrStringAndQuantity() throws {
        let bad = try deployment { $0 = $0.replacingOccurrences(of: "\"maxUnavailable\":1", with: "\"maxUnavailable\":true") }
        #expect(try check(bad) == ["spec.strategy.rollingUpdate.maxUnavailable: expected integer or string, got boolean"])
        let q = try deployment { $0 = $0.replacingOccurrences(of: "\"cpu\":\"500m\"", with: "\"cpu\":[1]") }
        #expect(try check(q) == ["spec.template.spec.containers[0].resources.limits.cpu: expected number or string, got array"])
    }

    @Test func missingRequiredField() throws {
        let d = try deployment { $0 = $0.replacingOccurrences(of: "\"name\":\"web\",\"image\"", with: "\"image\"") }
        #expect(try check(d) == ["spec.template.spec.containers[0].name: Required value"])
    }

    @Test func enumValues() throws {
        // The built-in schemas carry enums only on apiVersion/kind; the validator honours any enum.
        var compiler = SchemaCompiler(names: [])
        let root = compiler.compile(try JSONValue.parse("""
        {"t":32,"a":0,"p":{"policy":{"t":8,"e":["Always","Never"]}}}
        """))
        var walker = SchemaWalker<JSONValue>(nodes: compiler.nodes)
        walker.walk(try JSONValue.parse(#"{"policy":"Sometimes"}"#), root, path: "")
        #expect(walker.violations.map(\.description) == ["policy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\""])
    }

    @Test func freeFormFieldsAcceptAnything() throws {
        // CRD schemas (JSONSchemaProps) and RawExtension-like fields are free-form below their declared keys.
        let crd = try JSONValue.parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"xs.example.com"},
         "spec":{"group":"example.com","names":{"kind":"X","plural":"xs"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,
          "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"default":{"a":[1,{"b":null}]},
           "properties":{"spec":{"type":"object","additionalProperties":true}}}}}]}}
        """)
        #expect(try check(crd) == [])
        let bad = try JSONValue.parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"xs.example.com"},
         "spec":{"group":"example.com","names":{"kind":"X","plural":"xs"},"scope":"Namespaced","versions":[{"name":"v1","served":true,"storage":true,
          "schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fieldz":true}}}]}}
        """)
        #expect(try check(bad) == ["unknown field \"spec.versions[0].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fieldz\""])
    }

    @Test func yamlValuesFromHelmValidateToo() throws {
        // Helm output carries every number as a float.
        let doc = try YAMLDecoder(rules: .kubernetes).decodeAll("""
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{port: 80, targetPort: http, protocoll: TCP}]
          type: ClusterIP
        """, file: "svc.yaml")[0]
        let s = try #require(try KubernetesSchemas.shared.version("1.30"))
        #expect(s.validate(doc, apiVersion: "v1", kind: "Service")?.map(\.description) == ["unknown field \"spec.ports[0].protocoll\""])
    }

    @Test func fieldsAddedInLaterVersions() throws {
        // Pod-level resources (spec.resources) arrived in 1.32.
        let pod = try JSONValue.parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"resources":{"limits":{"cpu":"1"}},"containers":[{"name":"c","image":"i"}]}}
        """)
        #expect(try check(pod, version: "1.34") == [])
        #expect(try check(pod, version: "1.30") == ["unknown field \"spec.resources\""])
    }
}
