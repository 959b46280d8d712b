import Foundation
import KubeModel

/// Volcano (gang scheduling of PodGroups, batch.volcano.sh Jobs) and Kueue (quota-based
/// admission of suspended batch/v1 Jobs through LocalQueue → ClusterQueue).
extension KubeSim {
    // MARK: - Volcano

    func volcanoSchedulerReady() -> Bool { deployments(named: "volcano-scheduler").contains(where: deploymentReady) }

    func scheduleGang(_ key: String, _ pending: [JSONValue], nodes: [JSONValue], usage: inout [String: [String: Double]]) {
        guard let first = pending.first else { return }
        let ns = Unstructured(first).namespace
        let groupName = first.annotationMap["scheduling.k8s.io/group-name"]?.stringValue
        let group = groupName.flatMap { object(R.podGroups, ns, $0) }
        if groupName != nil && group == nil { return }
        let minMember = group?.int("spec", "minMember") ?? 1
        let members = objects(R.pods, namespace: ns).filter {
            $0.annotationMap["scheduling.k8s.io/group-name"]?.stringValue == groupName && groupName != nil
        }
        let bound = members.filter { $0.str("spec", "nodeName") != nil && !Self.isTerminal($0) }.count
        var trial = usage
        var placed: [(JSONValue, String)] = []
        for pod in pending {
            if let node = bindOne(pod, nodes: nodes, usage: &trial, commitBinding: false) { placed.append((pod, node)) }
        }
        if bound + placed.count >= minMember {
            usage = trial
            for (pod, node) in placed { bind(pod, to: node, claims: []) }
            return
        }
        let message = "\(pending.count)/\(pending.count + bound) tasks in gang unschedulable: pod group is not ready, \(minMember) minAvailable, \(pending.count) Pending; Pending: \(pending.count - placed.count) Unschedulable"
        for pod in pending { markUnschedulable(pod, message) }
        if var g = group {
            g.set(path: ["status", "phase"], to: "Pending")
            setCondition(&g, "Unschedulable", "True", reason: "NotEnoughResources", message: message,
                         extra: ["transitionID": .string(shortHash(message, length: 8))])
            put(R.podGroups, g)
        }
    }

    func reconcileVolcanoJobs() {
        let controllersReady = deployments(named: "volcano-controllers").contains(where: deploymentReady)
        // PodGroup phases follow their pods.
        for g in objects(R.podGroups) where !g.isDeleting {
            let ns = Unstructured(g).namespace
            let pods = objects(R.pods, namespace: ns).filter {
                $0.annotationMap["scheduling.k8s.io/group-name"]?.stringValue == Unstructured(g).name
            }
            let running = pods.filter { $0.str("status", "phase") == "Running" }.count
            let succeeded = pods.filter { $0.str("status", "phase") == "Succeeded" }.count
            let minMember = g.int("spec", "minMember") ?? 1
            var gg = g
            gg.set(path: ["status", "running"], to: running == 0 ? nil : .int(Int64(running)))
            gg.set(path: ["status", "succeeded"], to: succeeded == 0 ? nil : .int(Int64(succeeded)))
            if running + succeeded >= minMember && !pods.isEmpty {
                gg.set(path: ["status", "phase"], to: running == 0 ? "Completed" : "Running")
                if condition(gg, "Unschedulable") != nil {
                    setCondition(&gg, "Unschedulable", "False", reason: "tasks in gang are ready to be scheduled", message: "")
                }
                setCondition(&gg, "Scheduled", "True", reason: "tasks in gang are ready to be scheduled", message: "")
            } else if gg["status"]?["phase"] == nil {
                gg.set(path: ["status", "phase"], to: "Pending")
            }
            put(R.podGroups, gg)
        }
        guard controllersReady else { return }
        for job in objects(R.volcanoJobs) where !job.isDeleting {
            let ns = Unstructured(job).namespace
            let jobName = Unstructured(job).name
            let groupName = "\(jobName)-\(job.uidString)"
            let minAvailable = job.int("spec", "minAvailable") ?? (job["spec"]?["tasks"]?.arrayValue ?? []).reduce(0) { $0 + Int($1["replicas"]?.intValue ?? 1) }
            let queue = job.str("spec", "queue") ?? "default"
            if object(R.podGroups, ns, groupName) == nil {
                make(R.podGroups, [
                    "apiVersion": "scheduling.volcano.sh/v1beta1", "kind": "PodGroup",
                    "metadata": ["name": .string(groupName), "namespace": .string(ns),
                                 "ownerReferences": [ownerRef(job, kind: "Job", apiVersion: "batch.volcano.sh/v1alpha1")]],
                    "spec": ["minMember": .int(Int64(minAvailable)), "queue": .string(queue)],
                    "status": ["phase": "Pending"],
                ])
            }
            var all: [JSONValue] = []
            for task in job["spec"]?["tasks"]?.arrayValue ?? [] {
                let taskName = task["name"]?.stringValue ?? "task"
                for i in 0..<Int(task["replicas"]?.intValue ?? 1) {
                    let podName = "\(jobName)-\(taskName)-\(i)"
                    if let p = object(R.pods, ns, podName) {
                        all.append(p)
                        continue
                    }
                    var tmpl = task["template"] ?? [:]
                    tmpl.set(path: ["metadata", "annotations", "scheduling.k8s.io/group-name"], to: .string(groupName))
                    tmpl.set(path: ["metadata", "annotations", "volcano.sh/job-name"], to: .string(jobName))
                    tmpl.set(path: ["metadata", "annotations", "volcano.sh/task-spec"], to: .string(taskName))
                    tmpl.set(path: ["metadata", "annotations", "volcano.sh/queue-name"], to: .string(queue))
                    tmpl.set(path: ["metadata", "labels", "volcano.sh/job-name"], to: .string(jobName))
                    tmpl.set(path: ["metadata", "labels", "volcano.sh/queue-name"], to: .string(queue))
                    tmpl.set(path: ["metadata", "labels", "volcano.sh/task-spec"], to: .string(taskName))
                    if tmpl["spec"]?["schedulerName"] == nil {
                        tmpl.set(path: ["spec", "schedulerName"], to: .string(job.str("spec", "schedulerName") ?? "volcano"))
                    }
                    if tmpl["spec"]?["restartPolicy"] == nil { tmpl.set(path: ["spec", "restartPolicy"], to: "OnFailure") }
                    if let p = make(R.pods, podFromTemplate(tmpl, owner: job, kind: "Job", apiVersion: "batch.volcano.sh/v1alpha1", name: podName)) {
                        all.append(p)
                    }
                }
            }
            let running = all.filter { $0.str("status", "phase") == "Running" }.count
            let succeeded = all.filter { $0.str("status", "phase") == "Succeeded" }.count
            let pending = all.filter { $0.str("status", "phase") == "Pending" || $0["status"]?["phase"] == nil }.count
            var j = job
            let phase: String
            if !all.isEmpty && succeeded == all.count { phase = "Completed" }
            else if running + succeeded >= minAvailable && running > 0 { phase = "Running" }
            else { phase = "Pending" }
            if j.str("status", "state", "phase") != phase {
                j.set(path: ["status", "state"], to: ["phase": .string(phase), "lastTransitionTime": .string(nowString)])
            }
            j.set(path: ["status", "minAvailable"], to: .int(Int64(minAvailable)))
            j.set(path: ["status", "pending"], to: pending == 0 ? nil : .int(Int64(pending)))
            j.set(path: ["status", "running"], to: running == 0 ? nil : .int(Int64(running)))
            j.set(path: ["status", "succeeded"], to: succeeded == 0 ? nil : .int(Int64(succeeded)))
            put(R.volcanoJobs, j)
        }
    }

    // MARK: - Kueue

    func kueueReady() -> Bool { deployments(named: "kueue-controller-manager").contains(where: deploymentReady) }

    static let queueLabel = "kueue.x-k8s.io/queue-name"

    func reconcileKueue() {
        guard kueueReady() else { return }
        for job in objects(R.jobs) where !job.isDeleting {
            guard let queue = job.labelMap[Self.queueLabel]?.stringValue else { continue }
            let ns = Unstructured(job).namespace
            let wlName = "job-\(Unstructured(job).name)-\(shortHash(job.uidString, length: 5))"
            var wl = object(R.workloads, ns, wlName)
            if wl == nil {
                // Kueue's webhook suspends queued Jobs; admission un-suspends them.
                var j = job
                j.set(path: ["spec", "suspend"], to: true)
                put(R.jobs, j)
                let count = job.int("spec", "parallelism") ?? 1
                wl = make(R.workloads, [
                    "apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "Workload",
                    "metadata": ["name": .string(wlName), "namespace": .string(ns),
                                 "labels": ["kueue.x-k8s.io/job-uid": .string(job.uidString)],
                                 "ownerReferences": [ownerRef(job, kind: "Job", apiVersion: "batch/v1")]],
                    "spec": ["queueName": .string(queue), "active": true,
                             "podSets": [["name": "main", "count": .int(Int64(count)), "template": job["spec"]?["template"] ?? [:]]]],
                ])
            }
            guard var w = wl else { continue }
            let complete = condition(job, "Complete")?["status"]?.stringValue == "True"
            if complete {
                setCondition(&w, "Finished", "True", reason: "Succeeded", message: "Job finished successfully")
                put(R.workloads, w)
                continue
            }
            if condition(w, "Admitted")?["status"]?.stringValue == "True" { continue }
            switch admit(w, namespace: ns, queue: queue) {
            case .failure(let why):
                setCondition(&w, "QuotaReserved", "False", reason: "Pending", message: why.message)
                put(R.workloads, w)
            case .success(let admission):
                w.set(path: ["status", "admission"], to: admission.json)
                setCondition(&w, "QuotaReserved", "True", reason: "QuotaReserved", message: "Quota reserved in ClusterQueue \(admission.clusterQueue)")
                setCondition(&w, "Admitted", "True", reason: "Admitted", message: "The workload is admitted")
                put(R.workloads, w)
                var j = job
                j.set(path: ["spec", "suspend"], to: false)
                for (k, v) in admission.nodeLabels.sorted(by: { $0.key < $1.key }) {
                    j.set(path: ["spec", "template", "spec", "nodeSelector", k], to: .string(v))
                }
                put(R.jobs, j)
            }
        }
        reconcileQueueStatus()
    }

    struct KueueAdmission {
        var clusterQueue: String
        var flavors: [String: String]
        var usage: [String: Double]
        var count: Int
        var nodeLabels: [String: String]
        var json: JSONValue {
            var f = JSONObject(), u = JSONObject()
            for (k, v) in flavors.sorted(by: { $0.key < $1.key }) { f[k] = .string(v) }
            for (k, v) in usage.sorted(by: { $0.key < $1.key }) { u[k] = .string(Quantity.format(k, v)) }
            return ["clusterQueue": .string(clusterQueue),
                    "podSetAssignments": [["name": "main", "flavors": .object(f), "resourceUsage": .object(u), "count": .int(Int64(count))]]]
        }
    }

    struct AdmissionFailure: Error { var message: String }

    /// Usage of admitted, unfinished workloads of a ClusterQueue: flavor → resource → amount.
    func clusterQueueUsage(_ cq: String) -> [String: [String: Double]] {
        var used: [String: [String: Double]] = [:]
        for w in objects(R.workloads) where w.str("status", "admission", "clusterQueue") == cq
            && condition(w, "Finished")?["status"]?.stringValue != "True"
        {
            for a in w["status"]?["admission"]?["podSetAssignments"]?.arrayValue ?? [] {
                for f in a["flavors"]?.objectValue ?? JSONObject() {
                    used[f.value.stringValue ?? "", default: [:]][f.key, default: 0] += Quantity.parse(a["resourceUsage"]?[f.key])
                }
            }
        }
        return used
    }

    func admit(_ w: JSONValue, namespace: String, queue: String) -> Result<KueueAdmission, AdmissionFailure> {
        guard let lq = object(R.localQueues, namespace, queue) else {
            return .failure(AdmissionFailure(message: "LocalQueue \(queue) doesn't exist"))
        }
        let cqName = lq.str("spec", "clusterQueue") ?? ""
        guard let cq = object(R.clusterQueues, "", cqName) else {
            return .failure(AdmissionFailure(message: "ClusterQueue \(cqName) doesn't exist"))
        }
        guard let podSet = w["spec"]?["podSets"]?.arrayValue?.first else { return .failure(AdmissionFailure(message: "no pod sets")) }
        let count = Int(podSet["count"]?.intValue ?? 1)
        let perPod = Self.podRequests(["spec": podSet["template"]?["spec"] ?? [:]])
        let request = perPod.mapValues { $0 * Double(count) }.filter { $0.value > 0 }
        let used = clusterQueueUsage(cqName)
        var flavors: [String: String] = [:]
        var nodeLabels: [String: String] = [:]
        for (res, amount) in request.sorted(by: { $0.key < $1.key }) {
            guard let group = (cq["spec"]?["resourceGroups"]?.arrayValue ?? []).first(where: {
                ($0["coveredResources"]?.arrayValue ?? []).contains(.string(res))
            }) else {
                if ["cpu", "memory"].contains(res) { continue }  // not covered by this queue: not limited
                return .failure(AdmissionFailure(message: "couldn't assign flavors to pod set main: resource \(res) unavailable in ClusterQueue"))
            }
            var reasons: [String] = []
            var chosen: String?
            for f in group["flavors"]?.arrayValue ?? [] {
                let fname = f["name"]?.stringValue ?? ""
                let nominal = Quantity.parse((f["resources"]?.arrayValue ?? []).first { $0["name"]?.stringValue == res }?["nominalQuota"])
                let inUse = used[fname]?[res] ?? 0
                if amount > nominal {
                    reasons.append("insufficient quota for \(res) in flavor \(fname), request > maximum capacity (\(Quantity.format(res, amount)) > \(Quantity.format(res, nominal)))")
                } else if inUse + amount > nominal {
                    reasons.append("insufficient unused quota for \(res) in flavor \(fname), \(Quantity.format(res, inUse + amount - nominal)) more needed")
                } else {
                    chosen = fname
                    break
                }
            }
            guard let chosen else {
                return .failure(AdmissionFailure(message: "couldn't assign flavors to pod set main: \(reasons.joined(separator: ", "))"))
            }
            flavors[res] = chosen
            for m in object(R.resourceFlavors, "", chosen)?["spec"]?["nodeLabels"]?.objectValue ?? JSONObject() {
                nodeLabels[m.key] = m.value.stringValue
            }
        }
        return .success(KueueAdmission(clusterQueue: cqName, flavors: flavors, usage: request.filter { flavors[$0.key] != nil },
                                       count: count, nodeLabels: nodeLabels))
    }

    func reconcileQueueStatus() {
        let workloads = objects(R.workloads)
        for cq in objects(R.clusterQueues) where !cq.isDeleting {
            let name = Unstructured(cq).name
            let mine = workloads.filter { w in
                let lq = object(R.localQueues, Unstructured(w).namespace, w.str("spec", "queueName") ?? "")
                return lq?.str("spec", "clusterQueue") == name && condition(w, "Finished")?["status"]?.stringValue != "True"
            }
            let admitted = mine.filter { condition($0, "Admitted")?["status"]?.stringValue == "True" }.count
            var c = cq
            c.set(path: ["status", "admittedWorkloads"], to: .int(Int64(admitted)))
            c.set(path: ["status", "reservingWorkloads"], to: .int(Int64(admitted)))
            c.set(path: ["status", "pendingWorkloads"], to: .int(Int64(mine.count - admitted)))
            setCondition(&c, "Active", "True", reason: "Ready", message: "Can admit new workloads")
            put(R.clusterQueues, c)
        }
    }
}
