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
        // The time it was saved at: a simulated clock resumes from it (`restore`).
        return ["kind": "KubeSimState", "resourceVersion": .int(resourceVersion), "clock": .double(clockNow.timeIntervalSince1970),
                "items": .array(items)]
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
        resumeClock(state)
    }

    /// A simulated clock (`ManualClock`) continues the saved timeline, one second after the save,
    /// instead of keeping the wall-clock time it started at. Simulated waits run far ahead of real
    /// time, so a process started from the wall clock can be behind, or in the same second as,
    /// times the state already records: a `rollout restart` then repeats an earlier
    /// `restartedAt` and restarts nothing, depending on how long the earlier runs took in real time.
    func resumeClock(_ state: JSONValue) {
        guard let manual = options.clock as? ManualClock else { return }
        let saved: Double
        switch state["clock"] {
        case .double(let d)?: saved = d
        case .int(let i)?: saved = Double(i)
        default: return  // a state written before the clock was recorded: keep the start time
        }
        manual.set(Date(timeIntervalSince1970: saved + 1))
        // Fault windows count from when this world (re)started.
        if world.enabled { world.startedAt = manual.now() }
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
