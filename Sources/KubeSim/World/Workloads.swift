import Foundation
import KubeModel

/// Workload controllers: Deployment → ReplicaSet → Pods, DaemonSet, StatefulSet, Job, and
/// the endpoints controllers. Level-triggered: each pass compares desired with actual.
extension KubeSim {
    // MARK: - Pods from templates

    func podFromTemplate(_ template: JSONValue, owner: JSONValue, kind: String, apiVersion: String, name: String,
                         extraLabels: JSONObject = JSONObject(), nodeName: String? = nil) -> JSONValue
    {
        var labels = template["metadata"]?["labels"]?.objectValue ?? JSONObject()
        for m in extraLabels { labels[m.key] = m.value }
        var md: JSONObject = ["name": .string(name), "namespace": .string(Unstructured(owner).namespace), "labels": .object(labels),
                              "ownerReferences": [ownerRef(owner, kind: kind, apiVersion: apiVersion)]]
        if let a = template["metadata"]?["annotations"], a.objectValue?.isEmpty == false { md["annotations"] = a }
        var spec = template["spec"] ?? [:]
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["serviceAccountName"] == nil { spec["serviceAccountName"] = .string(spec["serviceAccount"]?.stringValue ?? "default") }
        if spec["securityContext"] == nil { spec["securityContext"] = [:] }
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        var defaults = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        if kind == "DaemonSet" {
            defaults += ["node.kubernetes.io/disk-pressure", "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure",
                         "node.kubernetes.io/unschedulable"]
        }
        for key in defaults where !tolerations.contains(where: { $0["key"]?.stringValue == key }) {
            let effect = key.hasSuffix("pressure") || key.hasSuffix("unschedulable") ? "NoSchedule" : "NoExecute"
            var t: JSONObject = ["key": .string(key), "operator": "Exists", "effect": .string(effect)]
            if kind != "DaemonSet" { t["tolerationSeconds"] = 300 }
            tolerations.append(.object(t))
        }
        spec["tolerations"] = .array(tolerations)
        if let nodeName { spec["nodeName"] = .string(nodeName) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(md), "spec": spec, "status": ["phase": "Pending"]]
    }

    static func templateHash(_ template: JSONValue?) -> String { shortHash((template ?? .null).encodedString(), length: 10) }

    static func isReady(_ pod: JSONValue) -> Bool {
        pod["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } ?? false
    }

    func livePods(_ owner: JSONValue) -> [JSONValue] {
        owned(R.pods, by: owner).filter { !Self.isTerminal($0) && !$0.isDeleting }
    }

    func uniquePodName(_ base: String, namespace: String, seed: String) -> String {
        var i = 0
        while true {
            let name = "\(base)-\(shortHash("\(seed)/\(i)", length: 5))"
            if object(R.pods, namespace, name) == nil { return name }
            i += 1
        }
    }

    // MARK: - Deployments

    func reconcileDeployments() {
        for d in objects(R.deployments) where !d.isDeleting {
            let hash = Self.templateHash(d["spec"]?["template"])
            let ns = Unstructured(d).namespace
            let name = "\(Unstructured(d).name)-\(hash)"
            let replicas = d.int("spec", "replicas") ?? 1
            let sets = owned(R.replicaSets, by: d)
            let revision = (sets.compactMap { $0.annotationMap["deployment.kubernetes.io/revision"]?.stringValue.flatMap(Int.init) }.max() ?? 0)
            if var current = sets.first(where: { Unstructured($0).name == name }) {
                if current.int("spec", "replicas") != replicas {
                    current.set(path: ["spec", "replicas"], to: .int(Int64(replicas)))
                    put(R.replicaSets, current)
                }
            } else {
                var template = d["spec"]?["template"] ?? [:]
                template.set(path: ["metadata", "labels", "pod-template-hash"], to: .string(hash))
                var selector = d["spec"]?["selector"] ?? [:]
                selector.set(path: ["matchLabels", "pod-template-hash"], to: .string(hash))
                var labels = template["metadata"]?["labels"]?.objectValue ?? JSONObject()
                labels["pod-template-hash"] = .string(hash)
                make(R.replicaSets, [
                    "apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": ["name": .string(name), "namespace": .string(ns), "labels": .object(labels),
                                 "annotations": ["deployment.kubernetes.io/desired-replicas": .string(String(replicas)),
                                                 "deployment.kubernetes.io/max-replicas": .string(String(replicas + 1)),
                                                 "deployment.kubernetes.io/revision": .string(String(revision + 1))],
                                 "ownerReferences": [ownerRef(d, kind: "Deployment", apiVersion: "apps/v1")]],
                    "spec": ["replicas": .int(Int64(replicas)), "selector": selector, "template": template],
                ])
                var dd = d
                dd.set(path: ["metadata", "annotations", "deployment.kubernetes.io/revision"], to: .string(String(revision + 1)))
                put(R.deployments, dd)
            }
            // Old ReplicaSets go to zero once the new one is fully available.
            guard let newRS = owned(R.replicaSets, by: d).first(where: { Unstructured($0).name == name }) else { continue }
            let newAvailable = newRS.int("status", "availableReplicas") ?? 0
            for var old in owned(R.replicaSets, by: d) where Unstructured(old).name != name && (old.int("spec", "replicas") ?? 0) > 0 {
                if newAvailable >= replicas {
                    old.set(path: ["spec", "replicas"], to: 0)
                    put(R.replicaSets, old)
                }
            }
        }
    }

    func reconcileReplicaSets() {
        for rs in objects(R.replicaSets) where !rs.isDeleting {
            let want = rs.int("spec", "replicas") ?? 1
            var pods = livePods(rs)
            if pods.count < want {
                for i in pods.count..<want {
                    let name = uniquePodName(Unstructured(rs).name, namespace: Unstructured(rs).namespace, seed: rs.uidString + "\(i)")
                    if let p = make(R.pods, podFromTemplate(rs["spec"]?["template"] ?? [:], owner: rs, kind: "ReplicaSet",
                                                            apiVersion: "apps/v1", name: name))
                    {
                        pods.append(p)
                    }
                }
            } else if pods.count > want {
                let victims = pods.sorted { (Self.isReady($0) ? 1 : 0, Unstructured($1).name) < (Self.isReady($1) ? 1 : 0, Unstructured($0).name) }
                for p in victims.prefix(pods.count - want) { destroy(R.pods, p) }
            }
        }
    }

    // MARK: - DaemonSets

    func daemonSetNodes(_ ds: JSONValue, nodes: [JSONValue]) -> [JSONValue] {
        let probe = podFromTemplate(ds["spec"]?["template"] ?? [:], owner: ds, kind: "DaemonSet", apiVersion: "apps/v1", name: "probe")
        return nodes.filter { node in
            guard Self.nodeMatches(probe, node) else { return false }
            for taint in node["spec"]?["taints"]?.arrayValue ?? [] where !Self.tolerates(probe, taint) {
                // The not-ready NoSchedule taint does not stop DaemonSet placement.
                if taint["key"]?.stringValue == "node.kubernetes.io/not-ready" { continue }
                if ["NoSchedule", "NoExecute"].contains(taint["effect"]?.stringValue ?? "") { return false }
            }
            return true
        }
    }

    func reconcileDaemonSets() {
        let nodes = objects(R.nodes)
        for ds in objects(R.daemonSets) where !ds.isDeleting {
            let hash = Self.templateHash(ds["spec"]?["template"])
            let eligible = daemonSetNodes(ds, nodes: nodes)
            let eligibleNames = Set(eligible.map { Unstructured($0).name })
            let pods = livePods(ds)
            var byNode: [String: [JSONValue]] = [:]
            for p in pods { byNode[p.str("spec", "nodeName") ?? "", default: []].append(p) }
            for (node, list) in byNode where !eligibleNames.contains(node) { list.forEach { destroy(R.pods, $0) } }
            var maxUnavailable = 1
            if let mu = ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"] {
                if let i = mu.intValue { maxUnavailable = max(1, Int(i)) }
                if let s = mu.stringValue, s.hasSuffix("%"), let pct = Double(s.dropLast()) {
                    maxUnavailable = max(1, Int((Double(eligible.count) * pct / 100).rounded(.down)))
                }
            }
            let onDelete = ds.str("spec", "updateStrategy", "type") == "OnDelete"
            var unavailable = eligible.filter { n in !(byNode[Unstructured(n).name] ?? []).contains(where: Self.isReady) }.count
            for node in eligible {
                let nodeName = Unstructured(node).name
                let existing = byNode[nodeName] ?? []
                if existing.isEmpty {
                    let name = uniquePodName(Unstructured(ds).name, namespace: Unstructured(ds).namespace, seed: ds.uidString + nodeName)
                    make(R.pods, podFromTemplate(ds["spec"]?["template"] ?? [:], owner: ds, kind: "DaemonSet", apiVersion: "apps/v1",
                                                 name: name, extraLabels: ["controller-revision-hash": .string(hash),
                                                                            "pod-template-generation": .string(String(ds.int("metadata", "generation") ?? 1))],
                                                 nodeName: nodeName))
                    continue
                }
                for p in existing where p.labelMap["controller-revision-hash"]?.stringValue != hash && !onDelete {
                    // Rolling update: replace outdated pods while the unavailable budget allows.
                    let counts = Self.isReady(p) ? 1 : 0
                    if unavailable + counts <= maxUnavailable || !Self.isReady(p) {
                        destroy(R.pods, p)
                        unavailable += counts
                    }
                }
            }
        }
    }

    // MARK: - StatefulSets

    func reconcileStatefulSets() {
        for sts in objects(R.statefulSets) where !sts.isDeleting {
            let hash = "\(Unstructured(sts).name)-\(Self.templateHash(sts["spec"]?["template"]))"
            let replicas = sts.int("spec", "replicas") ?? 1
            let parallel = sts.str("spec", "podManagementPolicy") == "Parallel"
            let ns = Unstructured(sts).namespace
            let pods = livePods(sts)
            for p in pods {
                if let i = Int(Unstructured(p).name.split(separator: "-").last ?? ""), i >= replicas { destroy(R.pods, p) }
            }
            var allReadyBefore = true
            for i in 0..<replicas {
                let name = "\(Unstructured(sts).name)-\(i)"
                if let p = object(R.pods, ns, name), !p.isDeleting {
                    if p.labelMap["controller-revision-hash"]?.stringValue != hash && allReadyBefore
                        && pods.allSatisfy(Self.isReady) && sts.str("spec", "updateStrategy", "type") != "OnDelete"
                    {
                        destroy(R.pods, p)
                        allReadyBefore = false
                    }
                    if Self.isTerminal(p) { destroy(R.pods, p) }
                    if !Self.isReady(p) { allReadyBefore = false }
                    continue
                }
                if object(R.pods, ns, name) != nil { allReadyBefore = false; continue }
                guard parallel || allReadyBefore else { break }
                make(R.pods, podFromTemplate(sts["spec"]?["template"] ?? [:], owner: sts, kind: "StatefulSet", apiVersion: "apps/v1", name: name,
                                             extraLabels: ["controller-revision-hash": .string(hash),
                                                           "statefulset.kubernetes.io/pod-name": .string(name),
                                                           "apps.kubernetes.io/pod-index": .string(String(i))]))
                allReadyBefore = false
            }
        }
    }

    // MARK: - Jobs

    func reconcileJobs() {
        for job in objects(R.jobs) where !job.isDeleting {
            let pods = owned(R.pods, by: job)
            let active = pods.filter { !Self.isTerminal($0) && !$0.isDeleting }
            let succeeded = pods.filter { $0.str("status", "phase") == "Succeeded" }.count
            let failed = pods.filter { $0.str("status", "phase") == "Failed" }.count
            let completions = job.int("spec", "completions")
            let parallelism = job.int("spec", "parallelism") ?? 1
            let suspended = job["spec"]?["suspend"]?.boolValue == true
            let done = completions.map { succeeded >= $0 } ?? (succeeded >= 1 && active.isEmpty)
            var j = job
            let alreadyDone = condition(job, "Complete")?["status"]?.stringValue == "True"
            if suspended {
                active.forEach { destroy(R.pods, $0) }
                setCondition(&j, "Suspended", "True", reason: "JobSuspended", message: "Job suspended")
            } else if !done && !alreadyDone {
                if condition(j, "Suspended") != nil { setCondition(&j, "Suspended", "False", reason: "JobResumed", message: "Job resumed") }
                let want = min(parallelism, (completions ?? parallelism) - succeeded)
                if active.count < want {
                    var index = 0
                    let usedIndexes = Set(pods.compactMap { $0.annotationMap["batch.kubernetes.io/job-completion-index"]?.stringValue })
                    for k in 0..<(want - active.count) {
                        while usedIndexes.contains(String(index)) { index += 1 }
                        let name = uniquePodName(Unstructured(job).name, namespace: Unstructured(job).namespace, seed: job.uidString + "\(pods.count + k)")
                        var tmpl = job["spec"]?["template"] ?? [:]
                        if job.str("spec", "completionMode") == "Indexed" {
                            tmpl.set(path: ["metadata", "annotations", "batch.kubernetes.io/job-completion-index"], to: .string(String(index)))
                            index += 1
                        }
                        make(R.pods, podFromTemplate(tmpl, owner: job, kind: "Job", apiVersion: "batch/v1", name: name,
                                                     extraLabels: ["batch.kubernetes.io/job-name": .string(Unstructured(job).name),
                                                                   "job-name": .string(Unstructured(job).name),
                                                                   "batch.kubernetes.io/controller-uid": .string(job.uidString),
                                                                   "controller-uid": .string(job.uidString)]))
                    }
                }
                if j["status"]?["startTime"] == nil { j.set(path: ["status", "startTime"], to: .string(nowString)) }
            }
            let nowActive = owned(R.pods, by: job).filter { !Self.isTerminal($0) && !$0.isDeleting }
            j.set(path: ["status", "active"], to: nowActive.isEmpty ? nil : .int(Int64(nowActive.count)))
            j.set(path: ["status", "ready"], to: .int(Int64(nowActive.filter(Self.isReady).count)))
            j.set(path: ["status", "succeeded"], to: succeeded == 0 ? nil : .int(Int64(succeeded)))
            j.set(path: ["status", "failed"], to: failed == 0 ? nil : .int(Int64(failed)))
            j.set(path: ["status", "terminating"], to: 0)
            j.set(path: ["status", "uncountedTerminatedPods"], to: [:])
            if done && !alreadyDone && !suspended {
                setCondition(&j, "SuccessCriteriaMet", "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods")
                setCondition(&j, "Complete", "True", reason: "CompletionsReached", message: "Reached expected number of succeeded pods")
                j.set(path: ["status", "completionTime"], to: .string(nowString))
            }
            put(R.jobs, j)
        }
    }

    // MARK: - Rollout status

    func reconcileWorkloadStatus() {
        for rs in objects(R.replicaSets) {
            let pods = livePods(rs)
            var r = rs
            let ready = pods.filter(Self.isReady).count
            r.set(path: ["status", "replicas"], to: .int(Int64(pods.count)))
            r.set(path: ["status", "fullyLabeledReplicas"], to: .int(Int64(pods.count)))
            r.set(path: ["status", "readyReplicas"], to: ready == 0 ? nil : .int(Int64(ready)))
            r.set(path: ["status", "availableReplicas"], to: ready == 0 ? nil : .int(Int64(ready)))
            r.set(path: ["status", "observedGeneration"], to: rs["metadata"]?["generation"] ?? 1)
            put(R.replicaSets, r)
        }
        for d in objects(R.deployments) where !d.isDeleting {
            let hash = Self.templateHash(d["spec"]?["template"])
            let sets = owned(R.replicaSets, by: d)
            let newRS = sets.first { Unstructured($0).name == "\(Unstructured(d).name)-\(hash)" }
            let want = d.int("spec", "replicas") ?? 1
            let total = sets.reduce(0) { $0 + ($1.int("status", "replicas") ?? 0) }
            let ready = sets.reduce(0) { $0 + ($1.int("status", "readyReplicas") ?? 0) }
            let updated = newRS?.int("status", "replicas") ?? 0
            let newReady = newRS?.int("status", "availableReplicas") ?? 0
            var dd = d
            dd.set(path: ["status", "observedGeneration"], to: d["metadata"]?["generation"] ?? 1)
            dd.set(path: ["status", "replicas"], to: total == 0 ? nil : .int(Int64(total)))
            dd.set(path: ["status", "updatedReplicas"], to: updated == 0 ? nil : .int(Int64(updated)))
            dd.set(path: ["status", "readyReplicas"], to: ready == 0 ? nil : .int(Int64(ready)))
            dd.set(path: ["status", "availableReplicas"], to: ready == 0 ? nil : .int(Int64(ready)))
            dd.set(path: ["status", "unavailableReplicas"], to: max(0, want - ready) == 0 ? nil : .int(Int64(max(0, want - ready))))
            let available = ready >= want
            setCondition(&dd, "Available", available ? "True" : "False",
                         reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                         message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.",
                         extra: ["lastUpdateTime": .string(nowString)])
            let complete = newReady >= want && total == updated
            let rsName = newRS.map { Unstructured($0).name } ?? Unstructured(d).name
            setCondition(&dd, "Progressing", "True", reason: complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
                         message: complete ? "ReplicaSet \"\(rsName)\" has successfully progressed." : "ReplicaSet \"\(rsName)\" is progressing.",
                         extra: ["lastUpdateTime": .string(nowString)])
            put(R.deployments, keepConditionUpdateTimes(dd, old: d))
        }
        let nodes = objects(R.nodes)
        for ds in objects(R.daemonSets) where !ds.isDeleting {
            let hash = Self.templateHash(ds["spec"]?["template"])
            let eligible = Set(daemonSetNodes(ds, nodes: nodes).map { Unstructured($0).name })
            let pods = livePods(ds)
            let scheduled = pods.filter { eligible.contains($0.str("spec", "nodeName") ?? "") }
            let ready = scheduled.filter(Self.isReady).count
            var d = ds
            d.set(path: ["status", "desiredNumberScheduled"], to: .int(Int64(eligible.count)))
            d.set(path: ["status", "currentNumberScheduled"], to: .int(Int64(Set(scheduled.compactMap { $0.str("spec", "nodeName") }).count)))
            d.set(path: ["status", "numberMisscheduled"], to: .int(Int64(pods.count - scheduled.count)))
            d.set(path: ["status", "numberReady"], to: .int(Int64(ready)))
            d.set(path: ["status", "numberAvailable"], to: ready == 0 ? nil : .int(Int64(ready)))
            d.set(path: ["status", "numberUnavailable"], to: eligible.count - ready == 0 ? nil : .int(Int64(max(0, eligible.count - ready))))
            d.set(path: ["status", "updatedNumberScheduled"], to: .int(Int64(scheduled.filter { $0.labelMap["controller-revision-hash"]?.stringValue == hash }.count)))
            d.set(path: ["status", "observedGeneration"], to: ds["metadata"]?["generation"] ?? 1)
            put(R.daemonSets, d)
        }
        for sts in objects(R.statefulSets) where !sts.isDeleting {
            let hash = "\(Unstructured(sts).name)-\(Self.templateHash(sts["spec"]?["template"]))"
            let pods = livePods(sts)
            let ready = pods.filter(Self.isReady).count
            let updated = pods.filter { $0.labelMap["controller-revision-hash"]?.stringValue == hash }.count
            var s = sts
            s.set(path: ["status", "observedGeneration"], to: sts["metadata"]?["generation"] ?? 1)
            s.set(path: ["status", "replicas"], to: .int(Int64(pods.count)))
            s.set(path: ["status", "readyReplicas"], to: ready == 0 ? nil : .int(Int64(ready)))
            s.set(path: ["status", "availableReplicas"], to: .int(Int64(ready)))
            s.set(path: ["status", "currentReplicas"], to: updated == 0 ? nil : .int(Int64(updated)))
            s.set(path: ["status", "updatedReplicas"], to: updated == 0 ? nil : .int(Int64(updated)))
            s.set(path: ["status", "currentRevision"], to: .string(hash))
            s.set(path: ["status", "updateRevision"], to: .string(hash))
            s.set(path: ["status", "collisionCount"], to: 0)
            put(R.statefulSets, s)
        }
    }

    /// Conditions carry lastUpdateTime; it only moves when something else in them moved.
    func keepConditionUpdateTimes(_ new: JSONValue, old: JSONValue) -> JSONValue {
        guard let conds = new["status"]?["conditions"]?.arrayValue else { return new }
        let oldConds = old["status"]?["conditions"]?.arrayValue ?? []
        var out = new
        out.set(path: ["status", "conditions"], to: .array(conds.map { c in
            guard let o = oldConds.first(where: { $0["type"] == c["type"] }) else { return c }
            var a = c, b = o
            a["lastUpdateTime"] = nil
            b["lastUpdateTime"] = nil
            return a == b ? o : c
        }))
        return out
    }

    // MARK: - Endpoints

    func reconcileEndpoints() {
        for svc in objects(R.services) where !svc.isDeleting {
            guard let selector = svc["spec"]?["selector"]?.objectValue, !selector.isEmpty else { continue }
            let ns = Unstructured(svc).namespace
            let name = Unstructured(svc).name
            let pods = objects(R.pods, namespace: ns).filter { p in
                !Self.isTerminal(p) && !p.isDeleting && p.str("status", "podIP") != nil
                    && selector.allSatisfy { p.labelMap[$0.key]?.stringValue == $0.value.stringValue }
            }
            func addr(_ p: JSONValue) -> JSONValue {
                ["ip": p["status"]?["podIP"] ?? "", "nodeName": p["spec"]?["nodeName"] ?? "",
                 "targetRef": ["kind": "Pod", "namespace": .string(ns), "name": .string(Unstructured(p).name), "uid": .string(p.uidString)]]
            }
            let ports: [JSONValue] = (svc["spec"]?["ports"]?.arrayValue ?? []).map { port in
                var target = port["targetPort"] ?? port["port"] ?? 0
                if let named = target.stringValue {
                    let found = pods.lazy.compactMap { p in
                        (p["spec"]?["containers"]?.arrayValue ?? []).lazy.compactMap { c in
                            c["ports"]?.arrayValue?.first { $0["name"]?.stringValue == named }?["containerPort"]
                        }.first
                    }.first
                    target = found ?? port["port"] ?? 0
                }
                var o: JSONObject = ["port": target, "protocol": port["protocol"] ?? "TCP"]
                if let n = port["name"] { o["name"] = n }
                return .object(o)
            }
            let ready = pods.filter(Self.isReady), notReady = pods.filter { !Self.isReady($0) }
            var subset: JSONObject = ["ports": .array(ports)]
            if !ready.isEmpty { subset["addresses"] = .array(ready.map(addr)) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady.map(addr)) }
            let subsets: JSONValue = pods.isEmpty ? .null : [.object(subset)]
            if var ep = object(R.endpoints, ns, name) {
                ep["subsets"] = pods.isEmpty ? nil : subsets
                put(R.endpoints, ep)
            } else {
                var ep: JSONValue = ["apiVersion": "v1", "kind": "Endpoints",
                                     "metadata": ["name": .string(name), "namespace": .string(ns), "labels": svc["metadata"]?["labels"] ?? [:]]]
                if !pods.isEmpty { ep["subsets"] = subsets }
                make(R.endpoints, ep)
            }
            let sliceName = "\(name)-\(shortHash(svc.uidString, length: 5))"
            let endpoints: [JSONValue] = pods.map { p in
                ["addresses": [p["status"]?["podIP"] ?? ""],
                 "conditions": ["ready": .bool(Self.isReady(p)), "serving": .bool(Self.isReady(p)), "terminating": false],
                 "nodeName": p["spec"]?["nodeName"] ?? "",
                 "targetRef": ["kind": "Pod", "namespace": .string(ns), "name": .string(Unstructured(p).name), "uid": .string(p.uidString)]]
            }
            if var slice = object(R.endpointSlices, ns, sliceName) {
                slice["endpoints"] = .array(endpoints)
                slice["ports"] = .array(ports)
                put(R.endpointSlices, slice)
            } else {
                make(R.endpointSlices, [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": ["name": .string(sliceName), "namespace": .string(ns),
                                 "labels": ["kubernetes.io/service-name": .string(name),
                                            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"],
                                 "ownerReferences": [ownerRef(svc, kind: "Service", apiVersion: "v1")]],
                    "addressType": "IPv4", "endpoints": .array(endpoints), "ports": .array(ports),
                ])
            }
        }
    }

    /// Whether a Service has at least one ready endpoint (what webhook calls need).
    func serviceHasReadyEndpoint(namespace: String, name: String) -> Bool {
        guard let svc = object(R.services, namespace, name), let selector = svc["spec"]?["selector"]?.objectValue, !selector.isEmpty else {
            return false
        }
        return objects(R.pods, namespace: namespace).contains { p in
            Self.isReady(p) && !p.isDeleting && selector.allSatisfy { p.labelMap[$0.key]?.stringValue == $0.value.stringValue }
        }
    }

    /// A Deployment is ready when its status says all replicas are available at its generation.
    func deploymentReady(_ d: JSONValue?) -> Bool {
        guard let d else { return false }
        let want = d.int("spec", "replicas") ?? 1
        return (d.int("status", "availableReplicas") ?? 0) >= want && want > 0
            && (d.int("status", "observedGeneration") ?? 0) >= (d.int("metadata", "generation") ?? 1)
    }

    func deployments(named name: String) -> [JSONValue] {
        objects(R.deployments).filter { Unstructured($0).name == name }
    }
}
