import Foundation
import KubeModel
import KubeSim

/// KubeSim throughput, in-process (`KubeSim.handle`, no sockets). Targets from issue 6:
/// 300-object server-side apply < 1 s; list of 10,000 objects < 200 ms.
enum KubeSimBench {
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func run() async {
        print("== KubeSim (in-process) ==")
        await applyObjects()
        await applyChart()
        await listLarge()
        await watchThroughput()
    }

    static func applyObjects() async {
        let sim = await KubeSim()
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<300 {
            let yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app-\(i), labels: {app: app-\(i), tier: bench}}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: app-\(i)}}
                  template:
                    metadata: {labels: {app: app-\(i)}}
                    spec:
                      containers:
                      - name: main
                        image: nginx:1.27
                        ports: [{containerPort: 80}]
                        env: [{name: A, value: "1"}, {name: B, value: "2"}]
                """
            let r = await sim.handle(KubeRequest(method: "PATCH", target: "/apis/apps/v1/namespaces/default/deployments/app-\(i)?fieldManager=bench",
                                                 headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(yaml.utf8)))
            if r.status >= 300 { print("  apply failed: \(r.status) \(r.bodyText)"); return }
        }
        let created = seconds(clock.now - start)
        let start2 = clock.now
        for i in 0..<300 {
            let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-\(i)}\nspec: {replicas: 3}\n"
            _ = await sim.handle(KubeRequest(method: "PATCH", target: "/apis/apps/v1/namespaces/default/deployments/app-\(i)?fieldManager=scaler",
                                             headers: ["Content-Type": "application/apply-patch+yaml"], body: Array(yaml.utf8)))
        }
        let updated = seconds(clock.now - start2)
        print(String(format: "  server-side apply, 300 Deployments (create): %.3f s (%.0f objects/s)", created, 300 / created))
        print(String(format: "  server-side apply, 300 Deployments (second manager, conflict checks): %.3f s", updated))
    }

    static func applyChart() async {
        let shared = ProcessInfo.processInfo.environment["SHARED_DIR"] ?? "../shared"
        let path = shared + "/golden/charts/gpu-operator-include-crds/expected.yaml"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let docs = try? JSONValue.parseYAMLStream(text) else {
            print("  chart apply: skipped (\(path) not readable)")
            return
        }
        let sim = await KubeSim()
        _ = await sim.handle(KubeRequest(method: "POST", target: "/api/v1/namespaces",
                                         headers: ["Content-Type": "application/json"],
                                         body: Array(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"gpu-operator"}}"#.utf8)))
        // CRDs first, as kubectl users do (the chart's ClusterPolicy needs its CRD).
        let ordered = docs.filter { $0["kind"] == "CustomResourceDefinition" } + docs.filter { $0["kind"] != "CustomResourceDefinition" }
        let clock = ContinuousClock()
        let start = clock.now
        var ok = 0
        for d in ordered {
            guard let target = target(for: d) else { continue }
            let r = await sim.handle(KubeRequest(method: "PATCH", target: target + "?fieldManager=bench",
                                                 headers: ["Content-Type": "application/apply-patch+yaml"], body: d.encoded()))
            if r.status < 300 { ok += 1 }
        }
        let t = seconds(clock.now - start)
        print(String(format: "  server-side apply, gpu-operator chart with CRDs (%d/%d objects): %.3f s", ok, ordered.count, t))
    }

    /// URL of an object, for the kinds in the chart.
    static func target(for d: JSONValue) -> String? {
        guard let apiVersion = d["apiVersion"]?.stringValue, let kind = d["kind"]?.stringValue,
            let name = d["metadata"]?["name"]?.stringValue
        else { return nil }
        let plural: String
        switch kind {
        case "CustomResourceDefinition": plural = "customresourcedefinitions"
        case "ClusterPolicy": plural = "clusterpolicies"
        case "NodeFeatureRule": plural = "nodefeaturerules"
        default: plural = kind.lowercased() + (kind.hasSuffix("s") ? "es" : "s")
        }
        let prefix = apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)"
        let clusterScoped: Set<String> = ["CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "ClusterPolicy",
                                          "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "PriorityClass",
                                          "RuntimeClass", "DeviceClass", "APIService", "Namespace"]
        if clusterScoped.contains(kind) { return "\(prefix)/\(plural)/\(name)" }
        let ns = d["metadata"]?["namespace"]?.stringValue ?? "gpu-operator"
        return "\(prefix)/namespaces/\(ns)/\(plural)/\(name)"
    }

    static func listLarge() async {
        let sim = await KubeSim()
        for i in 0..<10_000 {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm-\#(i)","labels":{"shard":"\#(i % 10)"}},"data":{"key":"value-\#(i)","other":"some longer text to make the object realistic"}}"#
            _ = await sim.handle(KubeRequest(method: "POST", target: "/api/v1/namespaces/default/configmaps",
                                             headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
        }
        let clock = ContinuousClock()
        var best = Duration.seconds(1000)
        var bytes = 0
        for _ in 0..<5 {
            let start = clock.now
            let r = await sim.handle(KubeRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps"))
            best = min(best, clock.now - start)
            bytes = r.bodyBytes.count
        }
        var bestSel = Duration.seconds(1000)
        for _ in 0..<5 {
            let start = clock.now
            _ = await sim.handle(KubeRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps?labelSelector=shard%3D3"))
            bestSel = min(bestSel, clock.now - start)
        }
        var bestTable = Duration.seconds(1000)
        for _ in 0..<3 {
            let start = clock.now
            _ = await sim.handle(KubeRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps",
                                             headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"]))
            bestTable = min(bestTable, clock.now - start)
        }
        print(String(format: "  list 10,000 ConfigMaps: %.1f ms (%.1f MB JSON); with labelSelector (1,000 match): %.1f ms; as Table: %.1f ms",
                     seconds(best) * 1000, Double(bytes) / 1e6, seconds(bestSel) * 1000, seconds(bestTable) * 1000))
    }

    static func watchThroughput() async {
        let sim = await KubeSim()
        let r = await sim.handle(KubeRequest(method: "GET", target: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1"))
        guard case .stream(let events, let cancel) = r.body else { return }
        let n = 5_000
        let clock = ContinuousClock()
        let start = clock.now
        let consumer = Task {
            var count = 0
            for await _ in events {
                count += 1
                if count == n { break }
            }
            return count
        }
        for i in 0..<n {
            let body = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w-\#(i)"},"data":{"k":"v"}}"#
            _ = await sim.handle(KubeRequest(method: "POST", target: "/api/v1/namespaces/default/configmaps",
                                             headers: ["Content-Type": "application/json"], body: Array(body.utf8)))
        }
        let got = await consumer.value
        cancel()
        let t = seconds(clock.now - start)
        print(String(format: "  watch: %d creates delivered as %d events in %.3f s (%.0f events/s)", n, got, t, Double(got) / t))
    }
}
