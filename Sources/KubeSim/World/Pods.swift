import Foundation
import KubeModel

/// The default scheduler and the kubelets: binding Pods to nodes that fit, then moving
/// them through their phases on simulated time.
extension KubeSim {
    // MARK: - Requests and fit

    static func podRequests(_ pod: JSONValue) -> [String: Double] {
        func sum(_ containers: [JSONValue]) -> [String: Double] {
            var out: [String: Double] = [:]
            for c in containers {
                var res = c["resources"]?["requests"]?.objectValue ?? JSONObject()
                // Extended resources (and any limit without a request) are requested at their limit.
                for l in c["resources"]?["limits"]?.objectValue ?? JSONObject() where res[l.key] == nil { res[l.key] = l.value }
                for r in res { out[r.key, default: 0] += Quantity.parse(r.value) }
            }
            return out
        }
        var total = sum(pod["spec"]?["containers"]?.arrayValue ?? [])
        for c in pod["spec"]?["initContainers"]?.arrayValue ?? [] {
            for (k, v) in sum([c]) where v > total[k, default: 0] { total[k] = v }
        }
        return total
    }

    static func isTerminal(_ pod: JSONValue) -> Bool {
        let phase = pod.str("status", "phase")
        return phase == "Succeeded" || phase == "Failed"
    }

    static func tolerates(_ pod: JSONValue, _ taint: JSONValue) -> Bool {
        let effect = taint["effect"]?.stringValue ?? ""
        if effect == "PreferNoSchedule" { return true }
        for t in pod["spec"]?["tolerations"]?.arrayValue ?? [] {
            if let e = t["effect"]?.stringValue, !e.isEmpty, e != effect { continue }
            let op = t["operator"]?.stringValue ?? "Equal"
            let key = t["key"]?.stringValue ?? ""
            if key.isEmpty && op == "Exists" { return true }
            if key != taint["key"]?.stringValue { continue }
            if op == "Exists" || (t["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "") { return true }
        }
        return false
    }

    /// Whether the node's labels/name satisfy nodeSelector and required node affinity.
    static func nodeMatches(_ pod: JSONValue, _ node: JSONValue) -> Bool {
        let labels = node.labelMap
        for m in pod["spec"]?["nodeSelector"]?.objectValue ?? JSONObject() where labels[m.key]?.stringValue != m.value.stringValue {
            return false
        }
        guard let terms = pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?.arrayValue,
            !terms.isEmpty
        else { return true }
        let name = Unstructured(node).name
        return terms.contains { term in
            let exprs = term["matchExpressions"]?.arrayValue ?? []
            let fields = term["matchFields"]?.arrayValue ?? []
            if exprs.isEmpty && fields.isEmpty { return false }
            return exprs.allSatisfy { e in requirementMatches(e, value: e["key"]?.stringValue.flatMap { labels[$0]?.stringValue }) }
                && fields.allSatisfy { f in requirementMatches(f, value: f["key"]?.stringValue == "metadata.name" ? name : nil) }
        }
    }

    /// Resources used on each node by pods bound there and not finished.
    func nodeUsage() -> [String: [String: Double]] {
        var used: [String: [String: Double]] = [:]
        for pod in objects(R.pods) {
            guard let node = pod.str("spec", "nodeName"), !Self.isTerminal(pod) else { continue }
            for (k, v) in Self.podRequests(pod) { used[node, default: [:]][k, default: 0] += v }
            used[node, default: [:]]["pods", default: 0] += 1
        }
        return used
    }

    /// Why a pod does not fit a node (kube-scheduler wording), or nil when it fits.
    func unfitReasons(_ pod: JSONValue, _ node: JSONValue, used: [String: Double]) -> [String] {
        if node["spec"]?["unschedulable"]?.boolValue == true { return ["node(s) were unschedulable"] }
        for taint in node["spec"]?["taints"]?.arrayValue ?? [] where !Self.tolerates(pod, taint) {
            let effect = taint["effect"]?.stringValue ?? ""
            if effect == "NoSchedule" || effect == "NoExecute" {
                return ["node(s) had untolerated taint {\(taint["key"]?.stringValue ?? ""): \(taint["value"]?.stringValue ?? "")}"]
            }
        }
        if !Self.nodeMatches(pod, node) { return ["node(s) didn't match Pod's node affinity/selector"] }
        var reasons: [String] = []
        let alloc = node["status"]?["allocatable"]?.objectValue ?? JSONObject()
        if used["pods", default: 0] + 1 > Quantity.parse(alloc["pods"] ?? "110") { reasons.append("Too many pods") }
        for (res, want) in Self.podRequests(pod).sorted(by: { $0.key < $1.key }) where want > 0 {
            let have = Quantity.parse(alloc[res])
            if used[res, default: 0] + want > have + 1e-9 { reasons.append("Insufficient \(res)") }
        }
        return reasons
    }

    static func unschedulableMessage(total: Int, reasons: [String: Int]) -> String {
        let parts = reasons.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return "0/\(total) nodes are available: \(parts.joined(separator: ", ")). preemption: 0/\(total) nodes are available: "
            + "\(total) Preemption is not helpful for scheduling."
    }

    // MARK: - Scheduler

    func schedulePods() {
        let nodes = objects(R.nodes)
        var usage = nodeUsage()
        let pending = objects(R.pods).filter {
            $0.str("spec", "nodeName") == nil && !Self.isTerminal($0) && !$0.isDeleting
                && ($0["spec"]?["schedulingGates"]?.arrayValue ?? []).isEmpty
        }
        // Volcano gangs are placed together or not at all.
        var gangs: [String: [JSONValue]] = [:]
        for pod in pending {
            let scheduler = pod.str("spec", "schedulerName") ?? "default-scheduler"
            if scheduler == "volcano" {
                guard volcanoSchedulerReady() else {
                    continue
                }
                let group = pod.annotationMap["scheduling.k8s.io/group-name"]?.stringValue ?? Unstructured(pod).name
                gangs["\(Unstructured(pod).namespace)/\(group)", default: []].append(pod)
                continue
            }
            if scheduler != "default-scheduler" { continue }
            _ = bindOne(pod, nodes: nodes, usage: &usage, commitBinding: true)
        }
        for key in gangs.keys.sorted() {
            scheduleGang(key, gangs[key] ?? [], nodes: nodes, usage: &usage)
        }
    }

    /// Finds a node for one pod; binds it (and allocates its claims) when `commitBinding`.
    /// Returns the chosen node, or nil after recording why it is unschedulable.
    @discardableResult
    func bindOne(_ pod: JSONValue, nodes: [JSONValue], usage: inout [String: [String: Double]], commitBinding: Bool) -> String? {
        var reasons: [String: Int] = [:]
        var best: (name: String, score: Double)?
        let claims = podClaims(pod)
        if claims == nil {
            if commitBinding { markUnschedulable(pod, "0/\(nodes.count) nodes are available: waiting for resource claims to be created.") }
            return nil
        }
        for node in nodes {
            let name = Unstructured(node).name
            var why = unfitReasons(pod, node, used: usage[name] ?? [:])
            if why.isEmpty, let claims, !claims.isEmpty, draAllocation(claims, node: name) == nil {
                why = ["cannot allocate all claims"]
            }
            if !why.isEmpty {
                for r in why { reasons[r, default: 0] += 1 }
                continue
            }
            let cpuCap = max(1, Quantity.parse(node["status"]?["allocatable"]?["cpu"]))
            let score = (usage[name]?["cpu"] ?? 0) / cpuCap + (usage[name]?["pods"] ?? 0) / 1000
            if best == nil || score < (best?.score ?? 0) { best = (name, score) }
        }
        guard let best else {
            if commitBinding { markUnschedulable(pod, Self.unschedulableMessage(total: nodes.count, reasons: reasons)) }
            return nil
        }
        for (k, v) in Self.podRequests(pod) { usage[best.name, default: [:]][k, default: 0] += v }
        usage[best.name, default: [:]]["pods", default: 0] += 1
        if commitBinding { bind(pod, to: best.name, claims: claims ?? []) }
        return best.name
    }

    func bind(_ pod: JSONValue, to node: String, claims: [JSONValue]) {
        if !claims.isEmpty, let alloc = draAllocation(claims, node: node) { commitAllocation(alloc, pod: pod, node: node) }
        var p = pod
        p.set(path: ["spec", "nodeName"], to: .string(node))
        setCondition(&p, "PodScheduled", "True")
        put(R.pods, p)
    }

    func markUnschedulable(_ pod: JSONValue, _ message: String) {
        var p = pod
        setCondition(&p, "PodScheduled", "False", reason: "Unschedulable", message: message)
        put(R.pods, p)
    }

    /// Sets a status condition, keeping lastTransitionTime when the status is unchanged.
    func setCondition(_ obj: inout JSONValue, _ type: String, _ status: String, reason: String? = nil, message: String? = nil,
                      extra: JSONObject = JSONObject(), probeTime: Bool = true)
    {
        var conditions = obj["status"]?["conditions"]?.arrayValue ?? []
        let idx = conditions.firstIndex { $0["type"]?.stringValue == type }
        var c: JSONObject = ["type": .string(type), "status": .string(status)]
        if probeTime && obj["kind"]?.stringValue == "Pod" { c["lastProbeTime"] = .null }
        let old = idx.map { conditions[$0] }
        let keepTime = old?["status"]?.stringValue == status
        c["lastTransitionTime"] = keepTime ? (old?["lastTransitionTime"] ?? .string(nowString)) : .string(nowString)
        if let reason { c["reason"] = .string(reason) }
        if let message { c["message"] = .string(message) }
        for m in extra { c[m.key] = m.value }
        if keepTime, let old, old["reason"]?.stringValue == reason, old["message"]?.stringValue == message,
            extra.allSatisfy({ old[$0.key] == $0.value })
        {
            return
        }
        if let idx { conditions[idx] = .object(c) } else { conditions.append(.object(c)) }
        obj.set(path: ["status", "conditions"], to: .array(conditions))
    }

    func condition(_ obj: JSONValue, _ type: String) -> JSONValue? {
        obj["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    func conditionTime(_ obj: JSONValue, _ type: String) -> Date? {
        condition(obj, type)?["lastTransitionTime"]?.stringValue.flatMap(Timestamps.parse)
    }

    // MARK: - Kubelets

    func runKubelets() {
        let nodes = Dictionary(objects(R.nodes).map { (Unstructured($0).name, $0) }, uniquingKeysWith: { a, _ in a })
        let now = clockNow
        for pod in objects(R.pods) {
            guard let nodeName = pod.str("spec", "nodeName"), !Self.isTerminal(pod), !pod.isDeleting else { continue }
            guard let node = nodes[nodeName] else { continue }
            var p = pod
            let nodeReady = condition(node, "Ready")?["status"]?.stringValue == "True"
            if p["status"]?["startTime"] == nil {
                startPod(&p, node: node)
                put(R.pods, p)
                continue
            }
            let phase = p.str("status", "phase")
            if phase == "Pending" {
                guard nodeReady else { continue }
                if let image = imagePullFault(p) {
                    // Never pulls: ErrImagePull first, then ImagePullBackOff, as kubelet reports.
                    let backoff = (conditionTime(p, "PodScheduled").map { now.timeIntervalSince($0) } ?? 0) >= 2 * world.options.startSeconds
                    setWaiting(&p, reason: backoff ? "ImagePullBackOff" : "ErrImagePull",
                               message: backoff ? "Back-off pulling image \"\(image)\""
                                   : "failed to pull and unpack image \"\(image)\": failed to resolve reference \"\(image)\": \(image): not found")
                    put(R.pods, p)
                    continue
                }
                if let bad = crashReason(p, node: node) {
                    setWaiting(&p, reason: "CrashLoopBackOff", message: bad)
                    put(R.pods, p)
                    continue
                }
                let since = conditionTime(p, "PodScheduled") ?? now
                guard now.timeIntervalSince(since) >= world.options.startSeconds else { continue }
                runPod(&p, node: node)
                put(R.pods, p)
                podStarted(p, node: node)
                continue
            }
            if phase == "Running" {
                // Pods on a NotReady node are marked not ready, as the node lifecycle controller does.
                let ready = nodeReady ? "True" : "False"
                if condition(p, "Ready")?["status"]?.stringValue != ready {
                    setCondition(&p, "Ready", ready, reason: nodeReady ? nil : "NodeNotReady")
                    put(R.pods, p)
                    continue
                }
                let restart = p.str("spec", "restartPolicy") ?? "Always"
                guard restart != "Always", nodeReady,
                    let started = runningSince(p), now.timeIntervalSince(started) >= world.options.runSeconds
                else { continue }
                completePod(&p)
                put(R.pods, p)
            }
        }
    }

    func runningSince(_ pod: JSONValue) -> Date? {
        pod["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["running"]?["startedAt"]?.stringValue.flatMap(Timestamps.parse)
    }

    func containerNames(_ pod: JSONValue, init isInit: Bool = false) -> [(name: String, image: String)] {
        (pod["spec"]?[isInit ? "initContainers" : "containers"]?.arrayValue ?? []).map {
            ($0["name"]?.stringValue ?? "", $0["image"]?.stringValue ?? "")
        }
    }

    func startPod(_ p: inout JSONValue, node: JSONValue) {
        let hostIP = node["status"]?["addresses"]?.arrayValue?.first { $0["type"]?.stringValue == "InternalIP" }?["address"] ?? "10.0.0.10"
        let hostNetwork = p["spec"]?["hostNetwork"]?.boolValue == true
        let podIP: JSONValue
        if hostNetwork {
            podIP = hostIP
        } else {
            let n = world.nextPodIP
            world.nextPodIP += 1
            podIP = .string("10.244.\(n / 250).\(n % 250 + 2)")
        }
        p.set(path: ["status", "phase"], to: "Pending")
        p.set(path: ["status", "hostIP"], to: hostIP)
        p.set(path: ["status", "hostIPs"], to: [["ip": hostIP]])
        p.set(path: ["status", "podIP"], to: podIP)
        p.set(path: ["status", "podIPs"], to: [["ip": podIP]])
        p.set(path: ["status", "startTime"], to: .string(nowString))
        p.set(path: ["status", "qosClass"], to: Self.podRequests(p).isEmpty ? "BestEffort" : "Burstable")
        setCondition(&p, "PodReadyToStartContainers", "False")
        setCondition(&p, "Initialized", "True")
        setCondition(&p, "Ready", "False", reason: "ContainersNotReady", message: "containers with unready status: [\(containerNames(p).map(\.name).joined(separator: " "))]")
        setCondition(&p, "ContainersReady", "False", reason: "ContainersNotReady", message: "containers with unready status: [\(containerNames(p).map(\.name).joined(separator: " "))]")
        setCondition(&p, "PodScheduled", "True")
        setWaiting(&p, reason: "ContainerCreating", message: nil)
    }

    func setWaiting(_ p: inout JSONValue, reason: String, message: String?) {
        var waiting: JSONObject = ["reason": .string(reason)]
        if let message { waiting["message"] = .string(message) }
        let statuses: [JSONValue] = containerNames(p).map { c in
            ["name": .string(c.name), "image": .string(c.image), "imageID": "", "ready": false, "restartCount": 0, "started": false,
             "state": ["waiting": .object(waiting)], "lastState": [:]]
        }
        p.set(path: ["status", "containerStatuses"], to: .array(statuses))
    }

    func runPod(_ p: inout JSONValue, node: JSONValue) {
        let t = JSONValue.string(nowString)
        let statuses: [JSONValue] = containerNames(p).map { c in
            ["name": .string(c.name), "image": .string(c.image), "imageID": .string(c.image + "@sha256:" + shortHash(c.image, length: 16)),
             "containerID": .string("containerd://" + shortHash(Unstructured(p).name + c.name, length: 24)),
             "ready": true, "restartCount": 0, "started": true, "state": ["running": ["startedAt": t]], "lastState": [:]]
        }
        p.set(path: ["status", "phase"], to: "Running")
        p.set(path: ["status", "containerStatuses"], to: .array(statuses))
        if !containerNames(p, init: true).isEmpty {
            p.set(path: ["status", "initContainerStatuses"], to: .array(containerNames(p, init: true).map { c in
                ["name": .string(c.name), "image": .string(c.image), "ready": true, "restartCount": 0,
                 "state": ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": t, "finishedAt": t]]]
            }))
        }
        setCondition(&p, "PodReadyToStartContainers", "True")
        setCondition(&p, "ContainersReady", "True")
        setCondition(&p, "Ready", "True")
        world.logs["\(Unstructured(p).namespace)/\(Unstructured(p).name)"] = podOutput(p, node: node)
    }

    func completePod(_ p: inout JSONValue) {
        let t = JSONValue.string(nowString)
        let started = p["status"]?["containerStatuses"]?.arrayValue?.first?["state"]?["running"]?["startedAt"] ?? t
        let statuses: [JSONValue] = containerNames(p).map { c in
            ["name": .string(c.name), "image": .string(c.image), "imageID": .string(c.image + "@sha256:" + shortHash(c.image, length: 16)),
             "containerID": .string("containerd://" + shortHash(Unstructured(p).name + c.name, length: 24)),
             "ready": false, "restartCount": 0, "started": false,
             "state": ["terminated": ["exitCode": 0, "reason": "Completed", "startedAt": started, "finishedAt": t]], "lastState": [:]]
        }
        p.set(path: ["status", "phase"], to: "Succeeded")
        p.set(path: ["status", "containerStatuses"], to: .array(statuses))
        setCondition(&p, "PodReadyToStartContainers", "False")
        setCondition(&p, "ContainersReady", "False", reason: "PodCompleted")
        setCondition(&p, "Ready", "False", reason: "PodCompleted")
    }
}
