import Foundation
import KubeModel

/// Admission webhooks as the API server calls them: a request a webhook intercepts fails
/// while the webhook's Service has no ready pod (or a `webhook-down` fault is on), unless
/// its failurePolicy is Ignore. Webhooks do not mutate or reject anything else here.
extension KubeSim {
    func checkWebhooks(_ t: Target, _ req: KubeRequest) throws(APIError) {
        guard world.enabled else { return }
        let operation: String
        switch req.method {
        case "POST": operation = "CREATE"
        case "PUT", "PATCH":
            // An apply or update that creates the object is a CREATE to admission.
            let key = ObjectKey(namespace: t.info.namespaced ? (t.namespace ?? "") : "", name: t.name ?? "")
            operation = stored(t.gr, key) == nil ? "CREATE" : "UPDATE"
        case "DELETE": operation = "DELETE"
        default: return
        }
        let resource = t.subresource.map { "\(t.info.plural)/\($0)" } ?? t.info.plural
        if t.subresource == "status" { return }
        var objectLabels = JSONObject()
        if let body = try? JSONValue.parse(req.body) { objectLabels = body.labelMap }
        else if let text = String(bytes: req.body, encoding: .utf8), let doc = try? JSONValue.parseYAMLStream(text).first {
            objectLabels = doc.labelMap
        }
        var nsLabels = JSONObject()
        if let ns = t.namespace {
            nsLabels = object(R.namespaces, "", ns)?.labelMap ?? JSONObject()
            nsLabels["kubernetes.io/metadata.name"] = .string(ns)
        }
        for gr in [R.mutatingWebhooks, R.validatingWebhooks] {
            for config in objects(gr) {
                for hook in config["webhooks"]?.arrayValue ?? [] {
                    let name = hook["name"]?.stringValue ?? ""
                    let matches = (hook["rules"]?.arrayValue ?? []).contains { rule in
                        func has(_ key: String, _ value: String) -> Bool {
                            let list = rule[key]?.arrayValue?.compactMap(\.stringValue) ?? []
                            return list.contains("*") || list.contains(value)
                        }
                        return has("operations", operation) && has("apiGroups", t.info.group) && has("apiVersions", t.info.version)
                            && has("resources", resource)
                    }
                    guard matches else { continue }
                    if let sel = hook["namespaceSelector"], t.info.namespaced, sel.objectValue?.isEmpty == false,
                        !selectorMatches(sel, nsLabels)
                    {
                        continue
                    }
                    if let sel = hook["objectSelector"], sel.objectValue?.isEmpty == false, !selectorMatches(sel, objectLabels) { continue }
                    guard let svc = hook["clientConfig"]?["service"] else { continue }
                    let svcNS = svc["namespace"]?.stringValue ?? "default", svcName = svc["name"]?.stringValue ?? ""
                    let up = serviceHasReadyEndpoint(namespace: svcNS, name: svcName) && !webhookDown(name)
                    if up || hook["failurePolicy"]?.stringValue == "Ignore" { continue }
                    let port = svc["port"]?.intValue ?? 443
                    let path = svc["path"]?.stringValue ?? "/"
                    let ip = object(R.services, svcNS, svcName)?.str("spec", "clusterIP") ?? "10.96.0.10"
                    let timeout = hook["timeoutSeconds"]?.intValue ?? 10
                    throw APIError(code: 500, reason: "InternalError",
                                   message: "Internal error occurred: failed calling webhook \"\(name)\": failed to call webhook: Post \"https://\(svcName).\(svcNS).svc:\(port)\(path)?timeout=\(timeout)s\": dial tcp \(ip):\(port): connect: connection refused")
                }
            }
        }
    }
}
