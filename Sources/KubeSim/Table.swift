import Foundation
import KubeModel

extension KubeSim {
    func wantsTable(_ req: KubeRequest) -> Bool {
        guard let accept = req.headers["accept"] else { return false }
        return accept.contains("as=Table")
    }

    /// A `meta.k8s.io/v1` Table as kube-apiserver's table convertor builds it.
    func table(_ info: ResourceInfo, _ objects: [JSONValue], rv: Int64, includeHeaders: Bool) -> JSONValue {
        let columns = columnsFor(info)
        let now = options.clock.now()
        var rows: [JSONValue] = []
        for obj in objects {
            var cells: [JSONValue] = []
            for c in columns { cells.append(cell(c, obj, info, now: now)) }
            var partial = JSONObject()
            partial["kind"] = "PartialObjectMetadata"
            partial["apiVersion"] = "meta.k8s.io/v1"
            var md = obj["metadata"]?.objectValue ?? JSONObject()
            md["managedFields"] = nil
            partial["metadata"] = .object(md)
            rows.append(["cells": .array(cells), "object": .object(partial)])
        }
        var t: JSONObject = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(String(rv))]]
        t["columnDefinitions"] = includeHeaders ? .array(columns.map { c in
            ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format), "description": .string(c.description),
             "priority": .int(Int64(c.priority))]
        }) : .array([])
        t["rows"] = .array(rows)
        return .object(t)
    }

    func columnsFor(_ info: ResourceInfo) -> [PrinterColumn] {
        let name = PrinterColumn(name: "Name", type: "string", format: "name",
                                 description: "Name must be unique within a namespace.", priority: 0, jsonPath: nil)
        let age = PrinterColumn(name: "Age", type: "string", format: "",
                                description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
                                priority: 0, jsonPath: ".metadata.creationTimestamp")
        func col(_ n: String, _ path: String?, priority: Int = 0, type: String = "string") -> PrinterColumn {
            PrinterColumn(name: n, type: type, format: "", description: n, priority: priority, jsonPath: path)
        }
        if info.isCustom {
            if info.printerColumns.isEmpty { return [name, age] }
            var cols = [name] + info.printerColumns
            if !info.printerColumns.contains(where: { $0.jsonPath == ".metadata.creationTimestamp" }) && info.printerColumns.count < 1 {
                cols.append(age)
            }
            return cols
        }
        switch (info.group, info.plural) {
        case ("", "pods"): return [name, col("Ready", "#ready"), col("Status", "#podStatus"), col("Restarts", "#restarts", type: "string"), age,
                                   col("IP", ".status.podIP", priority: 1), col("Node", ".spec.nodeName", priority: 1)]
        case ("", "namespaces"): return [name, col("Status", ".status.phase"), age]
        case ("", "nodes"): return [name, col("Status", "#nodeStatus"), col("Roles", "#roles"), age, col("Version", ".status.nodeInfo.kubeletVersion")]
        case ("", "configmaps"): return [name, col("Data", "#dataCount", type: "integer"), age]
        case ("", "secrets"): return [name, col("Type", ".type"), col("Data", "#dataCount", type: "integer"), age]
        case ("", "services"): return [name, col("Type", ".spec.type"), col("Cluster-IP", ".spec.clusterIP"), col("External-IP", "#externalIP"),
                                       col("Port(s)", "#ports"), age]
        case ("", "serviceaccounts"): return [name, col("Secrets", "#secretCount", type: "integer"), age]
        case ("apps", "deployments"): return [name, col("Ready", "#deployReady"), col("Up-to-date", ".status.updatedReplicas", type: "integer"),
                                              col("Available", ".status.availableReplicas", type: "integer"), age]
        case ("apps", "daemonsets"): return [name, col("Desired", ".status.desiredNumberScheduled", type: "integer"),
                                             col("Current", ".status.currentNumberScheduled", type: "integer"),
                                             col("Ready", ".status.numberReady", type: "integer"), age]
        case ("apps", "statefulsets"): return [name, col("Ready", "#stsReady"), age]
        case ("batch", "jobs"): return [name, col("Status", "#jobStatus"), col("Completions", "#completions"), age]
        case ("apiextensions.k8s.io", "customresourcedefinitions"): return [name, col("Created At", ".metadata.creationTimestamp")]
        case ("scheduling.k8s.io", "priorityclasses"): return [name, col("Value", ".value", type: "integer"),
                                                              col("Global-Default", ".globalDefault", type: "boolean"), age]
        default: return [name, age]
        }
    }

    func cell(_ c: PrinterColumn, _ obj: JSONValue, _ info: ResourceInfo, now: Date) -> JSONValue {
        guard let path = c.jsonPath else { return .string(Unstructured(obj).name) }
        if path == ".metadata.creationTimestamp" && c.name == "Age" || (info.isCustom && c.type == "date") {
            let ts = evaluate(path, obj)?.stringValue ?? ""
            guard let d = Timestamps.parse(ts) else { return "<unknown>" }
            return .string(Timestamps.humanDuration(now.timeIntervalSince(d)))
        }
        if !path.hasPrefix("#") {
            guard let v = evaluate(path, obj) else { return c.type == "integer" && !info.isCustom ? 0 : (c.type == "string" ? "<none>" : .null) }
            if case .string = v { return v }
            if c.type == "string" { return .string(v.encodedString()) }
            return v
        }
        func int(_ p: [String]) -> Int64 { obj[path: p]?.intValue ?? 0 }
        switch path {
        case "#ready":
            let total = obj["spec"]?["containers"]?.arrayValue?.count ?? 0
            let ready = obj["status"]?["containerStatuses"]?.arrayValue?.filter { $0["ready"]?.boolValue == true }.count ?? 0
            return .string("\(ready)/\(total)")
        case "#podStatus":
            if obj["metadata"]?["deletionTimestamp"] != nil { return "Terminating" }
            return obj["status"]?["phase"] ?? "Pending"
        case "#restarts":
            let n = obj["status"]?["containerStatuses"]?.arrayValue?.reduce(Int64(0)) { $0 + ($1["restartCount"]?.intValue ?? 0) } ?? 0
            return .string(String(n))
        case "#nodeStatus":
            let ready = obj["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue
            var s = ready == "True" ? "Ready" : "NotReady"
            if obj["spec"]?["unschedulable"]?.boolValue == true { s += ",SchedulingDisabled" }
            return .string(s)
        case "#roles":
            let roles = (obj["metadata"]?["labels"]?.objectValue?.keys ?? []).filter { $0.hasPrefix("node-role.kubernetes.io/") }
                .map { String($0.dropFirst("node-role.kubernetes.io/".count)) }
            return .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ","))
        case "#dataCount":
            return .int(Int64((obj["data"]?.objectValue?.count ?? 0) + (obj["binaryData"]?.objectValue?.count ?? 0)))
        case "#secretCount": return .int(Int64(obj["secrets"]?.arrayValue?.count ?? 0))
        case "#externalIP":
            let t = obj["spec"]?["type"]?.stringValue
            return t == "LoadBalancer" ? "<pending>" : "<none>"
        case "#ports":
            let ports = obj["spec"]?["ports"]?.arrayValue ?? []
            if ports.isEmpty { return "<none>" }
            return .string(ports.map { p in
                let base = "\(p["port"]?.intValue ?? 0)"
                let np = p["nodePort"]?.intValue.map { ":\($0)" } ?? ""
                return base + np + "/" + (p["protocol"]?.stringValue ?? "TCP")
            }.joined(separator: ","))
        case "#deployReady":
            return .string("\(int(["status", "readyReplicas"]))/\(obj["spec"]?["replicas"]?.intValue ?? 1)")
        case "#stsReady":
            return .string("\(int(["status", "readyReplicas"]))/\(obj["spec"]?["replicas"]?.intValue ?? 1)")
        case "#jobStatus":
            let conds = obj["status"]?["conditions"]?.arrayValue ?? []
            if conds.contains(where: { $0["type"]?.stringValue == "Complete" && $0["status"]?.stringValue == "True" }) { return "Complete" }
            if conds.contains(where: { $0["type"]?.stringValue == "Failed" && $0["status"]?.stringValue == "True" }) { return "Failed" }
            return "Running"
        case "#completions":
            return .string("\(int(["status", "succeeded"]))/\(obj["spec"]?["completions"]?.intValue ?? 1)")
        default: return .null
        }
    }

    /// A JSONPath of the form `.a.b[0].c` or `.a.b[?(@.type=="Ready")].status` (what CRD
    /// printer columns use).
    func evaluate(_ path: String, _ obj: JSONValue) -> JSONValue? {
        var cur: JSONValue? = obj
        var p = path[...]
        if p.hasPrefix("{") && p.hasSuffix("}") { p = p.dropFirst().dropLast() }
        while !p.isEmpty {
            if p.hasPrefix(".") {
                p = p.dropFirst()
                let name = p.prefix { $0 != "." && $0 != "[" }
                p = p.dropFirst(name.count)
                if !name.isEmpty { cur = cur?[String(name)] }
            } else if p.hasPrefix("[") {
                guard let close = p.firstIndex(of: "]") else { return nil }
                let inner = p[p.index(after: p.startIndex)..<close]
                p = p[p.index(after: close)...]
                if let i = Int(inner) {
                    guard let a = cur?.arrayValue, a.indices.contains(i) else { return nil }
                    cur = a[i]
                } else if inner.hasPrefix("?(@."), inner.hasSuffix(")"), let eq = inner.range(of: "==") {
                    let field = inner[inner.index(inner.startIndex, offsetBy: 4)..<eq.lowerBound]
                    var value = String(inner[eq.upperBound...].dropLast())
                    value = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                    cur = cur?.arrayValue?.first { $0[String(field)]?.stringValue == value }
                } else {
                    return nil
                }
            } else {
                return nil
            }
            if cur == nil { return nil }
        }
        return cur
    }
}
