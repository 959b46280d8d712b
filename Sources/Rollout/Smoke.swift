import Foundation
import KubeModel
import Planning
import Stages

/// Where the scheduling and DRA gates submit (from the profile).
public struct SmokeQueues: Sendable {
    public var volcanoQueue: String?
    public var localQueue: (namespace: String, name: String)?
    /// A tenant namespace (holds the DRA ResourceClaimTemplate `gpu`).
    public var tenantNamespace: String?
    public init(volcanoQueue: String? = nil, localQueue: (namespace: String, name: String)? = nil, tenantNamespace: String? = nil) {
        self.volcanoQueue = volcanoQueue
        self.localQueue = localQueue
        self.tenantNamespace = tenantNamespace
    }
}

/// Runs a stage's smoke gates as real workloads with unique names and judges them.
public struct SmokeRunner: Sendable {
    let cluster: Cluster
    let clock: any RolloutClock
    let options: RolloutOptions
    let emit: @Sendable (RolloutEvent) -> Void

    public init(cluster: Cluster, clock: any RolloutClock, options: RolloutOptions, emit: @escaping @Sendable (RolloutEvent) -> Void) {
        self.cluster = cluster
        self.clock = clock
        self.options = options
        self.emit = emit
    }

    static let smokeLabel = "platform.gpu/smoke"

    static func uniqueName(_ base: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return base + "-" + String((0..<5).map { _ in alphabet.randomElement() ?? "x" })
    }

    /// What the log must contain for the gate to pass.
    static func expectedOutput(_ gate: SmokeGate) -> String? {
        switch gate.name {
        case "cuda-smoke": return "NVIDIA-SMI"
        case "rdma-smoke": return "uverbs"
        case "mig-smoke": return "MIG"
        case "time-slicing-smoke", "dra-smoke": return "GPU 0"
        default: return nil
        }
    }

    public func run(_ gate: SmokeGate, stage: String, timeout: Duration) async throws(RolloutError) {
        emit(.step(stage: stage, message: "gate \(gate.name): \(gate.expectation)"))
        let seconds = Double(Self.parseDuration(gate.timeout)?.components.seconds ?? timeout.components.seconds)
        switch gate.name {
        case "gang-smoke": try await gang(gate, stage: stage, seconds: seconds)
        case "kueue-smoke": try await kueue(gate, stage: stage, seconds: seconds)
        default: try await pod(gate, stage: stage, seconds: seconds)
        }
    }

    func podSpec(_ gate: SmokeGate) -> JSONObject {
        var container: JSONObject = ["name": "smoke", "image": .string(gate.image), "command": .array(gate.command.map { .string($0) })]
        var spec: JSONObject = ["restartPolicy": "Never"]
        var limits = JSONObject()
        for (k, v) in gate.resources.sorted(by: { $0.key < $1.key }) where k != "resourceClaimTemplate" { limits[k] = .string(v) }
        if let template = gate.resources["resourceClaimTemplate"] {
            spec["resourceClaims"] = [["name": "gpu", "resourceClaimTemplateName": .string(template)]]
            container["resources"] = ["claims": [["name": "gpu"]]]
        } else if !limits.isEmpty {
            container["resources"] = ["limits": .object(limits)]
        }
        spec["containers"] = [.object(container)]
        return spec
    }

    func pod(_ gate: SmokeGate, stage: String, seconds: Double) async throws(RolloutError) {
        let namespace = gate.resources["resourceClaimTemplate"] != nil ? (options.smokeQueues.tenantNamespace ?? "default") : "default"
        let name = Self.uniqueName(gate.name)
        let ref = ObjectRef(apiVersion: "v1", kind: "Pod", namespace: namespace, name: name)
        let pod: JSONValue = ["apiVersion": "v1", "kind": "Pod",
                              "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": [.init(stringLiteral: Self.smokeLabel): .string(gate.name)]],
                              "spec": .object(podSpec(gate))]
        do { _ = try await cluster.apply(pod, force: true) } catch {
            throw RolloutError(stage: stage, object: ref.description, message: "gate \(gate.name): could not create the pod: \(error)")
        }
        let deadline = clock.now().addingTimeInterval(seconds)
        var failure: String?
        while true {
            let live = try await cluster.get(ref)
            let phase = live?[path: ["status", "phase"]]?.stringValue ?? "Pending"
            if phase == "Succeeded" {
                let log = await cluster.logs(pod: name, namespace: namespace)
                if let expected = Self.expectedOutput(gate), !log.contains(expected) {
                    failure = "the pod succeeded but its log lacks \"\(expected)\""
                } else {
                    emit(.gate(stage: stage, name: gate.name, passed: true, detail: "pod \(namespace)/\(name) succeeded"))
                    try? await cluster.delete(ref)
                    return
                }
                break
            }
            if phase == "Failed" { failure = "the pod failed"; break }
            if let reason = Self.stuckReason(live) { failure = reason; break }
            if clock.now() >= deadline { failure = "not finished after \(Int(seconds))s (phase \(phase))"; break }
            do { try await clock.sleep(for: options.pollInterval) } catch { throw RolloutError(message: "interrupted") }
        }
        let detail = await diagnose(ref)
        emit(.gate(stage: stage, name: gate.name, passed: false, detail: detail))
        if !options.keepFailed { try? await cluster.delete(ref) }
        throw RolloutError(stage: stage, object: ref.description, message: "gate \(gate.name) failed: \(failure ?? "")\n" + detail,
                           remedy: options.keepFailed ? "the pod was kept: kubectl -n \(namespace) describe pod \(name)"
                                                      : "re-run with --keep-failed to keep the pod for inspection")
    }

    /// Waiting reasons that will not resolve by waiting.
    static func stuckReason(_ pod: JSONValue?) -> String? {
        for status in pod?[path: ["status", "containerStatuses"]]?.arrayValue ?? [] {
            if let reason = status[path: ["state", "waiting", "reason"]]?.stringValue,
               ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError"].contains(reason) {
                let message = status[path: ["state", "waiting", "message"]]?.stringValue ?? ""
                return "container \(status["name"]?.stringValue ?? "") is waiting: \(reason)" + (message.isEmpty ? "" : " (\(message))")
            }
        }
        return nil
    }

    /// Phase, conditions, events and logs of a failed smoke pod.
    func diagnose(_ ref: ObjectRef) async -> String {
        var out = ""
        let live = try? await cluster.get(ref)
        out += "  phase: \(live?[path: ["status", "phase"]]?.stringValue ?? "unknown")\n"
        for c in live?[path: ["status", "conditions"]]?.arrayValue ?? [] where c["status"]?.stringValue != "True" {
            out += "  condition \(c["type"]?.stringValue ?? ""): \(c["reason"]?.stringValue ?? "") \(c["message"]?.stringValue ?? "")\n"
        }
        let events = (try? await cluster.list(apiVersion: "v1", kind: "Event", namespace: ref.namespace)) ?? []
        for e in events where e[path: ["involvedObject", "name"]]?.stringValue == ref.name {
            out += "  event \(e["type"]?.stringValue ?? "") \(e["reason"]?.stringValue ?? ""): \(e["message"]?.stringValue ?? "")\n"
        }
        let log = await cluster.logs(pod: ref.name, namespace: ref.namespace)
        out += "  logs:\n" + log.split(separator: "\n").suffix(30).map { "    " + $0 }.joined(separator: "\n")
        return out
    }

    func gang(_ gate: SmokeGate, stage: String, seconds: Double) async throws(RolloutError) {
        let name = Self.uniqueName("gang-smoke")
        let replicas: Int64 = 2
        var podTemplate = podSpec(gate)
        podTemplate["schedulerName"] = "volcano"
        let job: JSONValue = ["apiVersion": "batch.volcano.sh/v1alpha1", "kind": "Job",
                              "metadata": ["name": .string(name), "namespace": "default"],
                              "spec": ["minAvailable": .int(replicas), "schedulerName": "volcano",
                                       "queue": .string(options.smokeQueues.volcanoQueue ?? "default"),
                                       "tasks": [["name": "worker", "replicas": .int(replicas),
                                                  "template": ["spec": .object(podTemplate)]]]]]
        let ref = ObjectRef(apiVersion: "batch.volcano.sh/v1alpha1", kind: "Job", namespace: "default", name: name)
        do { _ = try await cluster.apply(job, force: true) } catch {
            throw RolloutError(stage: stage, object: ref.description, message: "gate gang-smoke: could not create the Volcano job: \(error)")
        }
        let deadline = clock.now().addingTimeInterval(seconds)
        while true {
            let pods = try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: "default", labelSelector: "volcano.sh/job-name=\(name)")
            let running = pods.filter { ["Running", "Succeeded"].contains($0[path: ["status", "phase"]]?.stringValue ?? "") }
            if running.count >= Int(replicas) {
                emit(.gate(stage: stage, name: gate.name, passed: true, detail: "\(running.count)/\(replicas) gang pods ran together"))
                try? await cluster.delete(ref)
                return
            }
            if clock.now() >= deadline {
                let detail = "  \(pods.count) pod(s) created, \(running.count) running; minAvailable \(replicas)"
                emit(.gate(stage: stage, name: gate.name, passed: false, detail: detail))
                if !options.keepFailed { try? await cluster.delete(ref) }
                throw RolloutError(stage: stage, object: ref.description, message: "gate gang-smoke failed: the gang did not run all-or-nothing within \(Int(seconds))s\n" + detail,
                                   remedy: "check the volcano-scheduler logs and the queue's capacity")
            }
            do { try await clock.sleep(for: options.pollInterval) } catch { throw RolloutError(message: "interrupted") }
        }
    }

    func kueue(_ gate: SmokeGate, stage: String, seconds: Double) async throws(RolloutError) {
        guard let queue = options.smokeQueues.localQueue else {
            emit(.warning(stage: stage, message: "gate kueue-smoke skipped: the profile defines no LocalQueue"))
            return
        }
        let name = Self.uniqueName("kueue-smoke")
        let job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job",
                              "metadata": ["name": .string(name), "namespace": .string(queue.namespace),
                                           "labels": ["kueue.x-k8s.io/queue-name": .string(queue.name)]],
                              "spec": ["suspend": true, "template": ["spec": .object(podSpec(gate))]]]
        let ref = ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: queue.namespace, name: name)
        do { _ = try await cluster.apply(job, force: true) } catch {
            throw RolloutError(stage: stage, object: ref.description, message: "gate kueue-smoke: could not create the job: \(error)")
        }
        let deadline = clock.now().addingTimeInterval(seconds)
        while true {
            // Kueue admits a job by unsuspending it.
            if let live = try await cluster.get(ref), live[path: ["spec", "suspend"]]?.boolValue == false {
                emit(.gate(stage: stage, name: gate.name, passed: true, detail: "job admitted through LocalQueue \(queue.namespace)/\(queue.name)"))
                try? await cluster.delete(ref)
                return
            }
            if clock.now() >= deadline {
                emit(.gate(stage: stage, name: gate.name, passed: false, detail: "still suspended"))
                if !options.keepFailed { try? await cluster.delete(ref) }
                throw RolloutError(stage: stage, object: ref.description,
                                   message: "gate kueue-smoke failed: the job was not admitted through LocalQueue \(queue.namespace)/\(queue.name) within \(Int(seconds))s",
                                   remedy: "kubectl -n \(queue.namespace) get workloads; check the ClusterQueue's quota and flavors")
            }
            do { try await clock.sleep(for: options.pollInterval) } catch { throw RolloutError(message: "interrupted") }
        }
    }

    /// Go durations as the profile writes them: `10m`, `1h30m`, `90s`.
    public static func parseDuration(_ text: String) -> Duration? {
        var total = 0.0, number = ""
        var any = false
        for ch in text {
            if ch.isNumber || ch == "." { number.append(ch); continue }
            guard let n = Double(number) else { return nil }
            switch ch {
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            default: return nil
            }
            number = ""
            any = true
        }
        if !number.isEmpty { return nil }
        return any ? .seconds(total) : nil
    }
}
