import KubeSchema
import Profiles
import Stages
import Testing
import YAML

/// Built-in kinds are validated against the Kubernetes schema of `spec.kubernetes.minVersion`.
@Suite(.enabled(if: Fixture.shared != nil, "needs the shared chart fixtures (SHARED_DIR)"))
struct BuiltinValidationTests {
    /// Renders `profile` with one extra template in the scheduling stage and returns the error text.
    func renderError(_ file: String, profile name: String = "dev-time-slicing",
                     change: (inout Profile) -> Void = { _ in }) throws -> String? {
        var templates = try Fixture.templates()
        templates.files["40-scheduling/extra.yaml"] = file
        var profile = try Fixture.profile(name)
        change(&profile)
        do {
            _ = try StageRenderer(charts: Fixture.charts, templates: templates).render(profile)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    static func deployment(container: String = "{name: c, image: busybox:1.37, imagePullPolicy: IfNotPresent}",
                           spec: String = "replicas: 1") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: extra, namespace: dev-alice}
        spec:
          \(spec)
          selector: {matchLabels: {app: extra}}
          template:
            metadata: {labels: {app: extra}}
            spec:
              containers: [\(container)]
        """
    }

    @Test func validBuiltinObjectRenders() throws {
        #expect(try renderError(Self.deployment()) == nil)
    }

    @Test func unknownFieldNamesStageSourceObjectAndPath() throws {
        let text = try #require(try renderError(Self.deployment(container: "{name: c, image: busybox:1.37, imagePullPolicyy: Always}")))
        #expect(text.contains("stage scheduling"))
        #expect(text.contains("apps/Deployment dev-alice/extra"))
        #expect(text.contains("from platform/templates/40-scheduling/extra.yaml") || text.contains("40-scheduling/extra.yaml"))
        #expect(text.contains("Kubernetes 1.31 schema of apps/v1 Deployment"))
        #expect(text.contains("unknown field \"spec.template.spec.containers[0].imagePullPolicyy\""))
    }

    @Test func wrongTypeIsReported() throws {
        let text = try #require(try renderError(Self.deployment(spec: "replicas: two")))
        #expect(text.contains("spec.replicas: expected integer, got string"))
        let cm = try #require(try renderError("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: extra, namespace: dev-alice}
            data: {enabled: true}
            """))
        #expect(cm.contains("ConfigMap dev-alice/extra"))
        #expect(cm.contains("data.enabled: expected string, got boolean"))
    }

    @Test func missingRequiredFieldIsReported() throws {
        let text = try #require(try renderError(Self.deployment(container: "{image: busybox:1.37}")))
        #expect(text.contains("spec.template.spec.containers[0].name: Required value"))
    }

    /// DRA's resource.k8s.io/v1 exists from Kubernetes 1.34: valid there, refused for 1.31.
    @Test func objectValidOn134IsRefusedOn131() throws {
        let claim = """
            apiVersion: resource.k8s.io/v1
            kind: ResourceClaimTemplate
            metadata: {name: gpu, namespace: dev-alice}
            spec:
              spec:
                devices:
                  requests:
                  - name: gpu
                    exactly: {deviceClassName: gpu.nvidia.com}
            """
        let old = try #require(try renderError(claim))
        #expect(old.contains("resource.k8s.io/ResourceClaimTemplate dev-alice/gpu"))
        #expect(old.contains("resource.k8s.io/v1 ResourceClaimTemplate is not served by spec.kubernetes.minVersion 1.31"))
        #expect(old.contains("served from Kubernetes 1.34"))
        #expect(try renderError(claim) { $0.spec.kubernetes.minVersion = KubernetesVersion(major: 1, minor: 34) } == nil)
        // And on 1.34 its schema applies: `exactly` is v1's field name (v1beta1 had it inline).
        let wrong = claim.replacingOccurrences(of: "exactly: {deviceClassName", with: "exactlyy: {deviceClassName")
        let text = try #require(try renderError(wrong) { $0.spec.kubernetes.minVersion = KubernetesVersion(major: 1, minor: 34) })
        #expect(text.contains("unknown field \"spec.spec.devices.requests[0].exactlyy\""))
    }

    @Test func rawProfileValuesInjectingABadFieldAreCaught() throws {
        let text = try #require(try renderError(Self.deployment()) { profile in
            profile.spec.gpu.values = RawValues(YAMLMapping([
                ("operator", .mapping(YAMLMapping([
                    ("env", .sequence([.mapping(YAMLMapping([("name", .string("DEBUG")), ("valu", .string("1"))]))])),
                ]))),
            ]))
        })
        #expect(text.contains("stage gpu"))
        #expect(text.contains("apps/Deployment gpu-operator/gpu-operator"))
        #expect(text.contains("gpu-operator/templates/operator.yaml"))
        #expect(text.contains("unknown field \"spec.template.spec.containers[0].env["))
        #expect(text.contains("].valu\""))
    }

    /// Every object kind with a shipped schema has a scope, so a PodTemplate in values renders.
    @Test func lessCommonBuiltinKindsRender() throws {
        #expect(try renderError("""
            apiVersion: v1
            kind: PodTemplate
            metadata: {name: t, namespace: dev-alice}
            template:
              spec:
                containers: [{name: c, image: busybox:1.37}]
            """) == nil)
        let bad = try #require(try renderError("""
            apiVersion: storage.k8s.io/v1
            kind: CSIStorageCapacity
            metadata: {name: c, namespace: dev-alice}
            storageClassName: fast
            capacity: {}
            """))
        #expect(bad.contains("capacity: expected number or string, got object"))
    }

    @Test func unknownKindFailsTheRender() throws {
        let text = try #require(try renderError("""
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w, namespace: dev-alice}
            """))
        #expect(text.contains("example.com/Widget"))
        #expect(text.contains("unknown kind"))
    }

    /// Every built-in object of the example renders really went through a schema (none skipped
    /// as an add-on kind), and the check is not vacuous: each render has dozens of them.
    @Test(arguments: Fixture.examples)
    func everyBuiltinObjectOfTheExamplesHasASchema(_ name: String) throws {
        let profile = try Fixture.profile(name)
        let render = try Fixture.render(profile)
        let v = try #require(profile.spec.kubernetes.minVersion)
        let schemas = try #require(try KubernetesSchemas.shared.version(KubernetesSchemas.schemaVersion(major: v.major, minor: v.minor)))
        let crdKinds = Set(render.objects.filter { $0.kind == "CustomResourceDefinition" }.compactMap { o -> String? in
            guard case .mapping(let m) = o.value, case .mapping(let spec)? = m["spec"], case .string(let g)? = spec["group"],
                  case .mapping(let names)? = spec["names"], case .string(let k)? = names["kind"] else { return nil }
            return g + "/" + k
        })
        let builtins = render.objects.filter { !crdKinds.contains($0.group + "/" + $0.kind) }
        #expect(builtins.count > 20)
        let unchecked = builtins.filter { schemas.validate($0.value, apiVersion: $0.apiVersion, kind: $0.kind) == nil }.map(\.reference)
        #expect(unchecked == [])
    }
}
