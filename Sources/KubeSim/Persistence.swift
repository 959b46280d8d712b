import Foundation
import KubeModel

/// Failure to read or write the `--state` file, naming the file and the cause.
public struct StateFileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

extension KubeSim {
    /// The whole store as one JSON document (CRDs first so a restore can register them).
    public func snapshot() -> JSONValue {
        var items: [JSONValue] = []
        let crds = Self.crdResource
        let order = store.keys.sorted { a, b in
            if (a == crds) != (b == crds) { return a == crds }
            return (a.group, a.resource) < (b.group, b.resource)
        }
        for gr in order {
            for key in (store[gr] ?? [:]).keys.sorted() {
                guard let s = store[gr]?[key] else { continue }
                items.append(["group": .string(gr.group), "resource": .string(gr.resource), "object": s.object])
            }
        }
        return ["kind": "KubeSimState", "resourceVersion": .int(resourceVersion), "items": .array(items)]
    }

    /// Replaces the store with a snapshot.
    public func restore(_ state: JSONValue) throws(StateFileError) {
        guard state["kind"]?.stringValue == "KubeSimState", let items = state["items"]?.arrayValue else {
            throw StateFileError(path: "", message: "not a KubeSim state document")
        }
        store = [:]
        dependents = [:]
        registry = ResourceRegistry()
        for item in items {
            guard let g = item["group"]?.stringValue, let r = item["resource"]?.stringValue, let obj = item["object"] else { continue }
            let gr = GroupResource(group: g, resource: r)
            let key = Unstructured(obj).key
            store[gr, default: [:]][key] = StoredObject(object: obj, json: obj.encoded())
            updateOwnerIndex(gr, key, old: nil, new: obj)
            if gr == Self.crdResource { registerCRD(obj) }
        }
        resourceVersion = max(resourceVersion, state["resourceVersion"]?.intValue ?? 1)
        history = []
        historyStart = 0
        dirty = false
    }

    /// Writes the state atomically (temporary file, then rename) when it changed.
    public func save(to path: String) throws(StateFileError) {
        guard dirty else { return }
        let data = Data(snapshot().encoded())
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw StateFileError(path: path, message: "cannot write state: \(error.localizedDescription)")
        }
        dirty = false
    }

    public func load(from path: String) throws(StateFileError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let v = try JSONValue.parse([UInt8](data))
            try restore(v)
        } catch let e as StateFileError {
            throw StateFileError(path: path, message: e.message)
        } catch {
            throw StateFileError(path: path, message: "cannot read state: \(error)")
        }
    }

    /// A kubeconfig that points kubectl and client libraries at `server`.
    public static func kubeconfig(server: String, namespace: String = "default", certificateAuthorityPEM: String? = nil) -> String {
        let ca = certificateAuthorityPEM.map { "\n    certificate-authority-data: " + Data($0.utf8).base64EncodedString() } ?? ""
        // Over HTTPS kubectl prompts for a username when the user has no credentials; the
        // simulator accepts any bearer token, so the TLS kubeconfig carries a placeholder one.
        let user = certificateAuthorityPEM == nil ? "{}" : "\n    token: kubesim"
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: kubesim
          cluster:
            server: \(server)\(ca)
        contexts:
        - name: kubesim
          context:
            cluster: kubesim
            user: kubesim
            namespace: \(namespace)
        current-context: kubesim
        users:
        - name: kubesim
          user: \(user)
        preferences: {}

        """
    }
}
