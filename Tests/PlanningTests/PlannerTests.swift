import KubeModel
import Testing
@testable import Planning

func obj(_ yaml: String) -> JSONValue {
    // Test input is trusted; a parse failure is a test bug.
    (try? JSONValue.parseYAMLStream(yaml).first) ?? .null
}

let deployment = obj("""
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec:
  replicas: 2
  template:
    spec:
      containers: [{ name: web, image: nginx:1.27 }]
""")

/// What a server returns: bookkeeping, defaults and status on top of what was applied.
func served(_ o: JSONValue, rv: String = "42", extra: [(path: [String], value: JSONValue)] = []) -> JSONValue {
    var out = o
    out.set(path: ["metadata", "resourceVersion"], to: .string(rv))
    out.set(path: ["metadata", "uid"], to: "1234")
    out.set(path: ["metadata", "creationTimestamp"], to: "2026-01-01T00:00:00Z")
    out.set(path: ["metadata", "generation"], to: 3)
    out.set(path: ["metadata", "managedFields"], to: [["manager": "platform"]])
    out.set(path: ["status"], to: ["readyReplicas": 2])
    for e in extra { out.set(path: e.path, to: e.value) }
    return out
}

func input(_ objects: [JSONValue], stage: String = "gpu") -> PlanInput {
    PlanInput(profileName: "dev", stages: [DesiredStage(name: stage, objects: objects)])
}

/// Simulates observation: live as given, dry-run = server view of the decorated object.
func observe(_ input: PlanInput, live: [JSONValue], owned: [JSONValue] = [], served kinds: Bool = true) throws -> ObservedState {
    let prepared = try Planner.prepare(input)
    var state = ObservedState()
    for stage in prepared {
        for (ref, object) in stage.objects {
            let l = live.first { ObjectRef($0)?.identity == ref.identity }
            state.objects[ref.identity] = Observation(live: l, dryRun: l == nil ? nil : served(object, extra: [(["spec", "progressDeadlineSeconds"], 600)]),
                                                      kindServed: kinds)
        }
        state.owned[stage.applySet.id] = owned
    }
    return state
}

@Suite struct PlannerTests {
    @Test func createWhenAbsent() throws {
        let i = input([deployment])
        let plan = try Planner.plan(i, observed: try observe(i, live: []))
        #expect(plan.count(.create) == 1)
        #expect(plan.summary == "Plan: 1 to create, 0 to update, 0 to prune, 0 unchanged.")
        let change = try #require(plan.stages.first?.changes.first)
        #expect(change.diff.contains("+  replicas: 2"))
        #expect(change.object?[path: ["metadata", "labels", ApplySet.partOfLabel]]?.stringValue == plan.stages[0].applySet.id)
    }

    @Test func unchangedIgnoresServerFieldsAndDefaults() throws {
        let i = input([deployment])
        let decorated = ApplySet.decorate(deployment, parent: ApplySet.parent(profile: "dev", stage: "gpu"))
        // Live was written by an earlier apply: server defaults present, different rv/uid.
        let live = served(decorated, rv: "7", extra: [(["spec", "progressDeadlineSeconds"], 600),
                                                       (["metadata", "annotations"], ["deployment.kubernetes.io/revision": "1"])])
        let plan = try Planner.plan(i, observed: try observe(i, live: [live]))
        #expect(plan.count(.unchanged) == 1)
        #expect(!plan.hasChanges)
        #expect(plan.stages[0].changes[0].liveResourceVersion == "7")
    }

    @Test func nullFieldsMeanUnset() {
        let a: JSONValue = ["kind": "Deployment", "metadata": ["name": "x"], "spec": ["revisionHistoryLimit": nil, "replicas": 1]]
        let b: JSONValue = ["kind": "Deployment", "metadata": ["name": "x"], "spec": ["replicas": 1]]
        #expect(Normalizer.normalize(a) == Normalizer.normalize(b))
    }

    @Test func updateCarriesFieldDiff() throws {
        var changed = deployment
        changed.set(path: ["spec", "replicas"], to: 3)
        let i = input([changed])
        let decorated = ApplySet.decorate(deployment, parent: ApplySet.parent(profile: "dev", stage: "gpu"))
        let live = served(decorated, extra: [(["spec", "progressDeadlineSeconds"], 600)])
        let plan = try Planner.plan(i, observed: try observe(i, live: [live]))
        let change = try #require(plan.stages.first?.changes.first)
        #expect(change.action == .update)
        #expect(change.fields == [FieldChange(path: "spec.replicas", kind: .changed, before: 2, after: 3)])
        #expect(change.diff.contains("-  replicas: 2\n+  replicas: 3"))
        #expect(!change.diff.contains("resourceVersion"))
    }

    @Test func containerListsCompareByName() {
        let a: JSONValue = ["containers": [["name": "a", "image": "x:1"], ["name": "b", "image": "y:1"]]]
        let b: JSONValue = ["containers": [["name": "b", "image": "y:2"], ["name": "a", "image": "x:1"]]]
        #expect(FieldDiff.changes(from: a, to: b).map(\.path) == ["containers[name=b].image"])
    }

    @Test func customResourceWithoutCRDIsCreate() throws {
        let cr = obj("""
        apiVersion: nvidia.com/v1
        kind: ClusterPolicy
        metadata: { name: cluster-policy }
        spec: { driver: { enabled: true } }
        """)
        let i = input([cr])
        let plan = try Planner.plan(i, observed: try observe(i, live: [], served: false))
        let change = try #require(plan.stages.first?.changes.first)
        #expect(change.action == .create)
        #expect(change.reason?.contains("not served yet") == true)
    }

    @Test func secretsNeverShowValues() throws {
        let secret = obj("""
        apiVersion: v1
        kind: Secret
        metadata: { name: creds, namespace: app }
        data: { password: bmV3LXNlY3JldA== }
        stringData: { token: plain-new-token }
        """)
        var old = secret
        old.set(path: ["data", "password"], to: "b2xkLXNlY3JldA==")
        old.set(path: ["stringData", "token"], to: "plain-old-token")
        let i = input([secret])
        let live = served(ApplySet.decorate(old, parent: ApplySet.parent(profile: "dev", stage: "gpu")))
        var state = ObservedState()
        state.objects[try #require(ObjectRef(secret)).identity] = Observation(live: live)
        let plan = try Planner.plan(i, observed: state)
        let change = try #require(plan.stages.first?.changes.first)
        #expect(change.action == .update)
        #expect(change.fields.allSatisfy { $0.sensitive && $0.before == nil && $0.after == nil })
        for text in [change.diff, PlanPrinter().human(plan), PlanPrinter().markdown(plan), PlanCodec.encode(plan, includeObjects: false).encodedString()] {
            #expect(!text.contains("bmV3LXNlY3JldA=="))
            #expect(!text.contains("b2xkLXNlY3JldA=="))
            #expect(!text.contains("plain-new-token"))
            #expect(!text.contains("plain-old-token"))
        }
        #expect(change.diff.contains("(sensitive) sha256:"))
        #expect(PlanPrinter().markdown(plan).contains("(sensitive, changed)"))
    }

    @Test func pruneOnlyOwnedAndNotRendered() throws {
        let cm = obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: old, namespace: app }\ndata: { a: b }")
        let keptRendered = ApplySet.decorate(deployment, parent: ApplySet.parent(profile: "dev", stage: "gpu"))
        let i = input([deployment])
        let live = served(keptRendered, extra: [(["spec", "progressDeadlineSeconds"], 600)])
        let plan = try Planner.plan(i, observed: try observe(i, live: [live], owned: [served(cm), live]))
        #expect(plan.count(.prune) == 1)
        #expect(plan.count(.unchanged) == 1)
        let prune = try #require(plan.stages[0].changes.last)
        #expect(prune.ref.name == "old")
        #expect(prune.object == nil)
        #expect(prune.diff.contains("-data:"))
    }

    @Test func pruneOrderIsReverseInstallOrder() throws {
        let ns = obj("apiVersion: v1\nkind: Namespace\nmetadata: { name: gone }")
        let crd = obj("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: { name: xs.example.com }")
        let cr = obj("apiVersion: example.com/v1\nkind: X\nmetadata: { name: x }")
        let i = input([])
        let plan = try Planner.plan(i, observed: try observe(i, live: [], owned: [ns, crd, served(deployment), cr]))
        #expect(plan.stages[0].changes.map(\.ref.kind) == ["X", "Deployment", "CustomResourceDefinition", "Namespace"])
    }

    @Test func hooksAreSeparatedAndSortedByWeight() throws {
        let h1 = obj("""
        apiVersion: batch/v1
        kind: Job
        metadata: { name: late, namespace: app, annotations: { helm.sh/hook: pre-install,pre-upgrade, helm.sh/hook-weight: "5" } }
        """)
        let h2 = obj("""
        apiVersion: batch/v1
        kind: Job
        metadata: { name: early, namespace: app, annotations: { helm.sh/hook: pre-upgrade, helm.sh/hook-weight: "-1", helm.sh/hook-delete-policy: hook-succeeded } }
        """)
        let test = obj("apiVersion: v1\nkind: Pod\nmetadata: { name: t, annotations: { helm.sh/hook: test } }")
        let plan = try Planner.plan(input([h1, h2, test, deployment]), observed: ObservedState())
        #expect(plan.stages[0].hooks.map(\.ref.name) == ["early", "late"])
        #expect(plan.stages[0].hooks[0].hook.deletePolicies == ["hook-succeeded"])
        #expect(plan.stages[0].hooks[1].hook.deletePolicies == ["before-hook-creation"])
        #expect(plan.stages[0].changes.count == 1)
    }

    @Test func rejectsObjectsWithoutIdentity() {
        #expect(throws: PlanningError.self) { try Planner.prepare(input([obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {}")])) }
    }

    @Test func fallbackOverlayWhenDryRunUnavailable() throws {
        let decorated = ApplySet.decorate(deployment, parent: ApplySet.parent(profile: "dev", stage: "gpu"))
        let live = served(decorated, extra: [(["spec", "progressDeadlineSeconds"], 600)])
        let ref = try #require(ObjectRef(deployment))
        let same = Planner.classify(ref: ref, desired: decorated, observation: Observation(live: live, dryRun: nil))
        #expect(same.action == .unchanged)
        var changed = decorated
        changed.set(path: ["spec", "template", "spec", "containers"], to: [["name": "web", "image": "nginx:1.28"]])
        let upd = Planner.classify(ref: ref, desired: changed, observation: Observation(live: live, dryRun: nil))
        #expect(upd.fields.map(\.path) == ["spec.template.spec.containers[name=web].image"])
    }
}

@Suite struct ApplySetTests {
    @Test func idFollowsKEP() {
        // sha256("platform-dev-gpu.kube-system.ConfigMap.") in unpadded base64url.
        let id = ApplySet.id(name: "platform-dev-gpu", namespace: "kube-system", kind: "ConfigMap", group: "")
        #expect(id.hasPrefix("applyset-") && id.hasSuffix("-v1"))
        #expect(!id.contains("=") && !id.contains("+") && !id.contains("/"))
        #expect(id.count == "applyset-".count + 43 + 3)
    }

    @Test func parentCarriesGroupKinds() {
        let parent = ApplySet.parent(profile: "dev", stage: "gpu")
        let refs = [ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "app", name: "a"),
                    ObjectRef(apiVersion: "v1", kind: "Namespace", name: "app"),
                    ObjectRef(apiVersion: "nvidia.com/v1", kind: "ClusterPolicy", name: "p")]
        let o = ApplySet.parentObject(parent, members: refs, record: ["phase": "applied"])
        #expect(o[path: ["metadata", "annotations", ApplySet.groupKindsAnnotation]]?.stringValue == "ClusterPolicy.nvidia.com,Deployment.apps,Namespace")
        #expect(o[path: ["metadata", "annotations", ApplySet.namespacesAnnotation]]?.stringValue == "app")
        #expect(o[path: ["metadata", "labels", ApplySet.idLabel]]?.stringValue == parent.id)
        #expect(ApplySet.parseGroupKinds("ClusterPolicy.nvidia.com,Namespace") == [GroupKind(group: "nvidia.com", kind: "ClusterPolicy"), GroupKind(group: "", kind: "Namespace")])
    }
}

@Suite struct CodecAndPrinterTests {
    func samplePlan() throws -> Plan {
        var changed = deployment
        changed.set(path: ["spec", "replicas"], to: 3)
        let cm = obj("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: new, namespace: app }\ndata: { a: b }")
        let i = input([changed, cm])
        let live = served(ApplySet.decorate(deployment, parent: ApplySet.parent(profile: "dev", stage: "gpu")))
        return try Planner.plan(i, observed: try observe(i, live: [live]))
    }

    @Test func savedPlanRoundTrips() throws {
        var plan = try samplePlan()
        plan.profilePath = "Profiles/dev.yaml"
        let text = PlanCodec.encode(plan, includeObjects: true).encodedString()
        let back = try PlanCodec.decode(try JSONValue.parse(text))
        #expect(back == plan)
    }

    @Test func jsonWithoutObjectsCannotBeApplied() throws {
        let plan = try samplePlan()
        let json = PlanCodec.encode(plan, includeObjects: false)
        #expect(json["summary"] == ["create": 1, "update": 1, "unchanged": 0, "prune": 0])
        #expect(throws: PlanCodec.DecodingError.self) { try PlanCodec.decode(json) }
    }

    @Test func jsonSchemaShape() throws {
        let json = PlanCodec.encode(try samplePlan(), includeObjects: false)
        #expect(json.objectValue?.keys == ["formatVersion", "profile", "charts", "summary", "stages"])
        let change = try #require(json["stages"]?.arrayValue?.first?["changes"]?.arrayValue?.first)
        #expect(change.objectValue?.keys == ["apiVersion", "kind", "namespace", "name", "action", "liveResourceVersion", "fields", "diff"])
    }

    @Test func humanOutputHasNoColourUnlessAsked() throws {
        let plan = try samplePlan()
        let plain = PlanPrinter().human(plan)
        #expect(!plain.contains("\u{1B}["))
        #expect(plain.contains("  ~ update apps/Deployment app/web"))
        #expect(plain.contains("  + create ConfigMap app/new"))
        #expect(plain.hasSuffix("Plan: 1 to create, 1 to update, 0 to prune, 0 unchanged.\n"))
        #expect(PlanPrinter(color: true).human(plan).contains("\u{1B}[32m"))
    }
}

@Suite struct LineDiffTests {
    @Test func unifiedHunks() {
        let old = (1...20).map { "l\($0)" }.joined(separator: "\n") + "\n"
        var lines = (1...20).map { "l\($0)" }
        lines[1] = "L2"
        lines[17] = "L18"
        let d = LineDiff.unified(old: old, new: lines.joined(separator: "\n") + "\n", oldLabel: "a", newLabel: "b")
        #expect(d.hasPrefix("--- a\n+++ b\n@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n"))
        #expect(d.contains("@@ -15,6 +15,6 @@\n"))
        #expect(LineDiff.unified(old: old, new: old, oldLabel: "a", newLabel: "b") == "")
    }

    @Test func createAndDelete() {
        #expect(LineDiff.unified(old: "", new: "a\nb\n", oldLabel: "x", newLabel: "y") == "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n")
        #expect(LineDiff.unified(old: "a\n", new: "", oldLabel: "x", newLabel: "y") == "--- x\n+++ y\n@@ -1,1 +0,0 @@\n-a\n")
    }
}
