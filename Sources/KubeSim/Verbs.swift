import Foundation
import KubeModel
import YAML

extension KubeSim {
    // MARK: - Body decoding

    func decodeBody(_ req: KubeRequest) throws(APIError) -> JSONValue {
        let ct = (req.headers["content-type"] ?? "application/json").lowercased()
        if req.body.isEmpty { throw APIError.badRequest("the body of the request was empty") }
        if ct.contains("yaml") {
            let text = String(decoding: req.body, as: UTF8.self)
            do {
                let docs = try Parser().parseStream(text)
                guard let root = docs.first?.root else { throw APIError.badRequest("the body of the request was empty") }
                return try JSONValue(yaml: root)
            } catch let e as YAMLError {
                throw APIError.badRequest("error converting YAML to JSON: yaml: line \(e.mark.line): \(e.problem)")
            } catch let e as YAMLToJSONError {
                throw APIError.badRequest("error converting YAML to JSON: \(e.description)")
            } catch let e as APIError {
                throw e
            } catch {
                throw APIError.badRequest("error converting YAML to JSON: \(error)")
            }
        }
        if ct.contains("protobuf") { return try KubeProtobuf.decode(req.body) }
        if ct.contains("cbor") { throw APIError.unsupportedMediaType(ct) }
        do {
            return try JSONValue.parse(req.body)
        } catch {
            throw APIError.badRequest("couldn't get version/kind; json parse error: \(error.message)")
        }
    }

    func decodeObject(_ req: KubeRequest, _ t: Target) throws(APIError) -> JSONValue {
        let v = try decodeBody(req)
        guard case .object = v else {
            throw APIError.badRequest("json: cannot unmarshal \(v.typeName) into Go value of type map[string]interface {}")
        }
        var obj = v
        let expected = t.subresource == "scale" ? "Scale" : t.info.kind
        // Like kube-apiserver, a body without type information takes the endpoint's.
        if Unstructured(obj).kind.isEmpty { obj["kind"] = .string(expected) }
        if Unstructured(obj).apiVersion.isEmpty {
            obj["apiVersion"] = .string(t.subresource == "scale" ? "autoscaling/v1" : t.info.apiVersion)
        }
        let u = Unstructured(obj)
        if u.kind != expected || (!u.apiVersion.isEmpty && GroupVersion(apiVersion: u.apiVersion)?.group != t.info.group && t.subresource != "scale") {
            throw APIError.badRequest("the API version in the data (\(u.apiVersion)) does not match the expected API version (\(t.info.apiVersion))")
        }
        return obj
    }

    func dryRun(_ req: KubeRequest) throws(APIError) -> Bool {
        guard let values = req.query["dryRun"], !values.isEmpty else { return false }
        for v in values where v != "All" {
            throw APIError.badRequest("dryRun: Unsupported value: \"\(v)\": supported values: \"All\"")
        }
        return true
    }

    func fieldManager(_ req: KubeRequest, apply: Bool) throws(APIError) -> String {
        if let m = req.queryValue("fieldManager"), !m.isEmpty {
            if m.count > 128 {
                throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "PatchOptions"), "",
                                       [.init(reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes", field: "fieldManager")])
            }
            return m
        }
        if apply {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "PatchOptions"), "",
                                   [.required("fieldManager", "is required for apply patch")])
        }
        let ua = req.headers["user-agent"] ?? "unknown"
        return String(ua.prefix(while: { $0 != "/" }))
    }

    // MARK: - get / list

    func get(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: t.name ?? "")
        guard let s = stored(t.gr, key) else { throw APIError.notFound(t.gr, key.name) }
        if wantsTable(req) {
            return .json(200, table(t.info, [s.object], rv: resourceVersion, includeHeaders: true))
        }
        return .jsonBytes(200, encodeForVersion(s, t.info))
    }

    func encodeForVersion(_ s: StoredObject, _ info: ResourceInfo) -> [UInt8] {
        if s.object["apiVersion"]?.stringValue == info.apiVersion { return s.json }
        var o = s.object
        o["apiVersion"] = .string(info.apiVersion)
        return o.encoded()
    }

    func matchingObjects(_ t: Target, _ req: KubeRequest) throws(APIError) -> [(ObjectKey, StoredObject)] {
        let label = try req.queryValue("labelSelector").map(LabelSelector.parse)
        let field = try req.queryValue("fieldSelector").map(FieldSelector.parse)
        let ns = t.info.namespaced ? t.namespace : nil
        var out: [(ObjectKey, StoredObject)] = []
        for (k, s) in store[t.gr] ?? [:] {
            if let ns, k.namespace != ns { continue }
            if let label, !label.matches(s.object["metadata"]?["labels"]?.objectValue) { continue }
            if let field, !field.matches(s.object) { continue }
            out.append((k, s))
        }
        out.sort { $0.0 < $1.0 }
        return out
    }

    func list(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        var items = try matchingObjects(t, req)
        var continueToken: String?
        var remaining: Int?
        if let c = req.queryValue("continue"), !c.isEmpty {
            guard let data = Data(base64Encoded: c), let tok = try? JSONValue.parse([UInt8](data)),
                let start = tok["start"]?.stringValue
            else {
                throw APIError.badRequest("continue key is not valid: illegal base64 data at input byte 0")
            }
            items = items.filter { "\($0.0.namespace)/\($0.0.name)" > start }
        }
        if let l = req.queryValue("limit"), let limit = Int(l), limit > 0, items.count > limit {
            let last = items[limit - 1].0
            remaining = items.count - limit
            items = Array(items.prefix(limit))
            let tok: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string("\(last.namespace)/\(last.name)")]
            continueToken = Data(tok.encoded()).base64EncodedString()
        }
        if wantsTable(req) {
            var table = table(t.info, items.map(\.1.object), rv: resourceVersion, includeHeaders: true)
            if let continueToken { table.set(path: ["metadata", "continue"], to: .string(continueToken)) }
            return .json(200, table)
        }
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(128) { $0 + $1.1.json.count + 1 })
        out += Array("{\"kind\":\"\(t.info.listKind)\",\"apiVersion\":\"\(t.info.apiVersion)\",\"metadata\":{\"resourceVersion\":\"\(resourceVersion)\"".utf8)
        if let continueToken { out += Array(",\"continue\":\"\(continueToken)\"".utf8) }
        if let remaining { out += Array(",\"remainingItemCount\":\(remaining)".utf8) }
        out += Array("},\"items\":[".utf8)
        var first = true
        for (_, s) in items {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += encodeForVersion(s, t.info)
        }
        out += Array("]}".utf8)
        return .jsonBytes(200, out)
    }

    // MARK: - create

    func create(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        var obj = try decodeObject(req, t)
        let isDry = try dryRun(req)
        let manager = try fieldManager(req, apply: false)
        if t.info.namespaced {
            let bodyNS = Unstructured(obj).namespace
            let ns = t.namespace ?? ""
            if !bodyNS.isEmpty && bodyNS != ns {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj.set(path: ["metadata", "namespace"], to: .string(ns))
        }
        var warnings: [String] = []
        let created = try createObject(t.info, obj, manager: manager, dryRun: isDry, validation: req.queryValue("fieldValidation"),
                                       warnings: &warnings)
        return .json(201, created, headers: warningHeaders(warnings))
    }

    func warningHeaders(_ warnings: [String]) -> [(String, String)] {
        warnings.map { ("Warning", "299 - \(JSONValue.string($0).encodedString())") }
    }

    /// Creates an object from inside the simulator (seed objects, controllers).
    @discardableResult
    func createInternal(_ gr: GroupResource, _ object: JSONValue) throws(APIError) -> JSONValue {
        guard let info = registry.resources.first(where: { $0.groupResource == gr }) else { throw APIError.pathNotFound }
        var w: [String] = []
        return try createObject(info, object, manager: "kubesim", dryRun: false, validation: "Ignore", warnings: &w)
    }

    func createObject(_ info: ResourceInfo, _ input: JSONValue, manager: String, dryRun: Bool, validation: String?,
                      warnings: inout [String], managedFields: [ManagedFieldsEntry]? = nil) throws(APIError) -> JSONValue
    {
        var obj = input
        obj["apiVersion"] = .string(info.apiVersion)
        var u = Unstructured(obj)
        if u.name.isEmpty, let gen = u.metadataString("generateName"), !gen.isEmpty {
            let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
            var suffix = ""
            for _ in 0..<5 { suffix.append(alphabet.randomElement() ?? "x") }
            obj.set(path: ["metadata", "name"], to: .string(gen + suffix))
            u = Unstructured(obj)
        }
        let key = ObjectKey(namespace: info.namespaced ? u.namespace : "", name: u.name)
        if !info.namespaced { obj["metadata"]?["namespace"] = nil }
        try validateMetadata(info, obj, key: key)
        if info.namespaced {
            guard let ns = stored(GroupResource(group: "", resource: "namespaces"), ObjectKey(name: key.namespace)) else {
                throw APIError.notFound(GroupResource(group: "", resource: "namespaces"), key.namespace)
            }
            if ns.object["metadata"]?["deletionTimestamp"] != nil {
                var e = APIError.forbidden(info.groupResource, key.name,
                                           "unable to create new content in namespace \(key.namespace) because it is being terminated")
                e.causes = [.init(reason: "NamespaceTerminating", message: "namespace \(key.namespace) is being terminated", field: "metadata.namespace")]
                throw e
            }
        }
        if stored(info.groupResource, key) != nil { throw APIError.alreadyExists(info.groupResource, key.name) }

        if info.hasStatus && info.isCustom { obj["status"] = nil }
        obj = try admit(info, obj, old: nil, validation: validation, warnings: &warnings)

        var md = obj["metadata"]?.objectValue ?? JSONObject()
        md["uid"] = .string(UUID().uuidString.lowercased())
        md["creationTimestamp"] = .string(now)
        md["resourceVersion"] = nil
        md["deletionTimestamp"] = nil
        md["selfLink"] = nil
        if info.isCustom || info.hasStatus { md["generation"] = 1 } else { md["generation"] = nil }
        if let managedFields {
            md["managedFields"] = .array(managedFields.map(\.json))
        } else if md["managedFields"] == nil {
            let (changed, _) = FieldPaths.compare(nil, obj, .root(info))
            let set = FieldStrip.strip(changed, hasStatus: info.hasStatus, subresource: "")
            md["managedFields"] = set.isEmpty ? nil : .array([ManagedFieldsEntry(
                manager: manager, operation: "Update", apiVersion: info.apiVersion, time: now, subresource: "", fields: set).json])
        }
        obj["metadata"] = .object(reorderMetadata(md))
        if dryRun { return obj }
        let committed = commit(info.groupResource, obj, old: nil)
        afterWrite(info, committed, old: nil)
        return committed
    }

    func reorderMetadata(_ md: JSONObject) -> JSONObject {
        let order = ["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                     "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
                     "managedFields"]
        var out = JSONObject()
        for k in order { if let v = md[k] { out[k] = v } }
        for m in md where out[m.key] == nil { out[m.key] = m.value }
        return out
    }

    func validateMetadata(_ info: ResourceInfo, _ obj: JSONValue, key: ObjectKey) throws(APIError) {
        var causes: [APIError.Cause] = []
        if key.name.isEmpty {
            causes.append(.required("metadata.name", "name or generateName is required"))
        } else if info.plural == "namespaces" || info.plural == "services" {
            if !NameValidation.isDNS1123Label(key.name) {
                causes.append(.invalid("metadata.name", .string(key.name), NameValidation.labelMessage))
            }
        } else if info.plural == "rbac" || info.group == "rbac.authorization.k8s.io" {
            if key.name.contains("/") || key.name.contains("%") || key.name == "." || key.name == ".." {
                causes.append(.invalid("metadata.name", .string(key.name), "may not contain '/'"))
            }
        } else if !NameValidation.isDNS1123Subdomain(key.name) && info.plural != "nodes" {
            causes.append(.invalid("metadata.name", .string(key.name), NameValidation.subdomainMessage))
        }
        for field in ["labels", "annotations"] {
            if let v = obj["metadata"]?[field], !v.isNull {
                guard let o = v.objectValue else {
                    throw APIError.badRequest("json: cannot unmarshal \(v.typeName) into Go struct field ObjectMeta.metadata.\(field) of type map[string]string")
                }
                for m in o where m.value.stringValue == nil {
                    throw APIError.badRequest("json: cannot unmarshal \(m.value.typeName) into Go struct field ObjectMeta.metadata.\(field) of type string")
                }
            }
        }
        if let labels = obj["metadata"]?["labels"]?.objectValue {
            for m in labels {
                if let v = m.value.stringValue, v.count > 63 || !(v.isEmpty || v.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })) {
                    causes.append(.invalid("metadata.labels", .string(v),
                                           "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
                }
            }
        }
        if !causes.isEmpty { throw APIError.invalid(info.groupKind, key.name, causes) }
    }

    /// Defaulting and validation every write goes through (the admission chain, reduced).
    func admit(_ info: ResourceInfo, _ input: JSONValue, old: JSONValue?, validation: String?, warnings: inout [String]) throws(APIError) -> JSONValue {
        var obj = input
        let name = Unstructured(obj).name
        if info.isCustom, let schema = info.schema {
            var v = SchemaValidator()
            v.validateObject(&obj, schema: schema)
            if !v.causes.isEmpty { throw APIError.invalid(info.groupKind, name, v.causes) }
            if !v.pruned.isEmpty {
                let mode = validation ?? "Warn"
                if mode == "Strict" {
                    let list = v.pruned.map { "unknown field \"\($0)\"" }
                    throw APIError.badRequest("strict decoding error: " + list.joined(separator: ", "))
                } else if mode == "Warn" {
                    warnings += v.pruned.map { "unknown field \"\($0)\"" }
                }
            }
        } else if !info.isCustom {
            try BuiltinSchema.check(info, &obj, kubernetesVersion: options.kubernetesVersion, validation: validation, warnings: &warnings)
        }
        try Defaults.apply(info, &obj, old: old, sim: self)
        if info.groupResource == GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions") {
            obj = try validateCRD(obj, old: old)
        }
        return obj
    }

    // MARK: - update

    func update(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        var obj = try decodeObject(req, t)
        let isDry = try dryRun(req)
        let manager = try fieldManager(req, apply: false)
        let u = Unstructured(obj)
        let name = t.name ?? ""
        if u.name != name {
            throw APIError.badRequest("the name of the object (\(u.name)) does not match the name on the URL (\(name))")
        }
        if t.info.namespaced {
            if !u.namespace.isEmpty && u.namespace != t.namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj.set(path: ["metadata", "namespace"], to: .string(t.namespace ?? ""))
        }
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: name)
        guard let current = stored(t.gr, key) else {
            if t.subresource == nil && t.info.isCustom == false && ["services", "namespaces"].contains(t.info.plural) == false {
                var w: [String] = []
                let created = try createObject(t.info, obj, manager: manager, dryRun: isDry, validation: req.queryValue("fieldValidation"), warnings: &w)
                return .json(201, created)
            }
            throw APIError.notFound(t.gr, name)
        }
        if let rv = u.resourceVersion, !rv.isEmpty, rv != current.object["metadata"]?["resourceVersion"]?.stringValue {
            throw APIError.conflict(t.gr, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        var warnings: [String] = []
        let result = try updateObject(t.info, current: current.object, proposed: obj, subresource: t.subresource, manager: manager,
                                      operation: .update, dryRun: isDry, validation: req.queryValue("fieldValidation"),
                                      warnings: &warnings)
        return .json(200, result, headers: warningHeaders(warnings))
    }

    enum WriteOperation {
        case update
        case apply(manager: String, fields: FieldSet, force: Bool)
    }

    /// The shared tail of update, patch and apply: keeps server-owned metadata, resets the
    /// part a subresource does not own, tracks managed fields, bumps generation, skips no-ops.
    func updateObject(_ info: ResourceInfo, current: JSONValue, proposed input: JSONValue, subresource: String?, manager: String,
                      operation: WriteOperation, dryRun: Bool, validation: String?, warnings: inout [String]) throws(APIError) -> JSONValue
    {
        var obj = input
        obj["apiVersion"] = .string(info.apiVersion)
        obj["kind"] = .string(info.kind)
        if info.hasStatus || subresource == "status" {
            if subresource == "status" {
                var base = current
                base["status"] = obj["status"]
                // Status writers may still change labels and annotations? No: kube-apiserver
                // resets everything but status (and metadata it owns) on the status subresource.
                base.set(path: ["metadata", "managedFields"], to: obj["metadata"]?["managedFields"] ?? current["metadata"]?["managedFields"])
                obj = base
            } else if info.plural != "namespaces" || true {
                obj["status"] = current["status"]
            }
        }
        let curMeta = current["metadata"]?.objectValue ?? JSONObject()
        var md = obj["metadata"]?.objectValue ?? JSONObject()
        for k in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
            md[k] = curMeta[k]
        }
        if curMeta["deletionTimestamp"] != nil {
            // Finalizers can only be removed once deletion started.
            let before = Set(curMeta["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            let after = md["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if !Set(after).isSubset(of: before) {
                throw APIError.invalid(info.groupKind, md["name"]?.stringValue ?? "",
                                       [.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted")])
            }
        }
        obj["metadata"] = .object(md)
        obj = try admit(info, obj, old: current, validation: validation, warnings: &warnings)
        md = obj["metadata"]?.objectValue ?? JSONObject()

        // Generation moves when anything but metadata and status changes.
        if md["generation"] != nil {
            var a = current, b = obj
            for k in ["metadata", "status"] { a[k] = nil; b[k] = nil }
            if !a.semanticallyEquals(b), let g = md["generation"]?.intValue { md["generation"] = .int(g + 1) }
        }

        // Managed fields.
        let sub = subresource == "status" ? "status" : ""
        var entries = ManagedFieldsEntry.decode(current)
        switch operation {
        case .update:
            let provided = input["metadata"]?["managedFields"]
            if let provided, !provided.semanticallyEquals(current["metadata"]?["managedFields"] ?? .null) {
                entries = provided.arrayValue?.compactMap(ManagedFieldsEntry.init) ?? []
            } else {
                var a = current, b = obj
                a["metadata"]?["managedFields"] = nil
                b["metadata"] = .object(md)
                b["metadata"]?["managedFields"] = nil
                let (c, r) = FieldPaths.compare(a, b, .root(info))
                let changed = FieldStrip.strip(c, hasStatus: info.hasStatus, subresource: sub)
                let removed = FieldStrip.strip(r, hasStatus: info.hasStatus, subresource: sub)
                if !changed.isEmpty || !removed.isEmpty {
                    for i in entries.indices { entries[i].fields = entries[i].fields.subtracting(changed).subtracting(removed) }
                    if let i = entries.firstIndex(where: { $0.manager == manager && $0.operation == "Update" && $0.subresource == sub }) {
                        entries[i].fields = entries[i].fields.union(changed)
                        entries[i].time = now
                        entries[i].apiVersion = info.apiVersion
                    } else {
                        entries.append(ManagedFieldsEntry(manager: manager, operation: "Update", apiVersion: info.apiVersion,
                                                          time: now, subresource: sub, fields: changed))
                    }
                    entries.removeAll { $0.fields.isEmpty }
                }
            }
        case .apply(let m, let fields, _):
            // The apply path already took forced fields from other managers (in `input`).
            entries = ManagedFieldsEntry.decode(input)
            if let i = entries.firstIndex(where: { $0.manager == m && $0.operation == "Apply" && $0.subresource == sub }) {
                if entries[i].fields != fields {
                    entries[i].fields = fields
                    entries[i].time = now
                }
                entries[i].apiVersion = info.apiVersion
            } else {
                entries.append(ManagedFieldsEntry(manager: m, operation: "Apply", apiVersion: info.apiVersion, time: now,
                                                  subresource: sub, fields: fields))
            }
            entries.removeAll { $0.fields.isEmpty && !($0.manager == m && $0.operation == "Apply") }
        }
        md["managedFields"] = entries.isEmpty ? nil : .array(entries.map(\.json))
        md["resourceVersion"] = curMeta["resourceVersion"]
        obj["metadata"] = .object(reorderMetadata(md))

        // A write that changes nothing keeps the resourceVersion and sends no event.
        if obj.semanticallyEquals(current) { return current }
        if sameIgnoringManagedFieldTimes(obj, current) { return current }
        if dryRun { return obj }

        let finalizers = obj["metadata"]?["finalizers"]?.arrayValue ?? []
        if md["deletionTimestamp"] != nil && finalizers.isEmpty {
            let committed = commit(info.groupResource, obj, old: current)
            _ = remove(info.groupResource, Unstructured(committed).key)
            afterDelete(info, committed)
            return committed
        }
        let committed = commit(info.groupResource, obj, old: current)
        afterWrite(info, committed, old: current)
        return committed
    }

    func sameIgnoringManagedFieldTimes(_ a: JSONValue, _ b: JSONValue) -> Bool {
        func strip(_ v: JSONValue) -> JSONValue {
            var v = v
            if let mf = v["metadata"]?["managedFields"]?.arrayValue {
                v["metadata"]?["managedFields"] = .array(mf.map { var e = $0; e["time"] = nil; return e })
            }
            return v
        }
        return strip(a).semanticallyEquals(strip(b))
    }

    // MARK: - patch

    func patch(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let ct = (req.headers["content-type"] ?? "").lowercased()
        let isDry = try dryRun(req)
        let name = t.name ?? ""
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: name)
        let current = stored(t.gr, key)
        var warnings: [String] = []
        if ct.hasPrefix("application/apply-patch") {
            let manager = try fieldManager(req, apply: true)
            let force = req.queryBool("force")
            let config = try decodeBody(req)
            let result = try apply(t, key: key, current: current?.object, config: config, manager: manager, force: force,
                                   dryRun: isDry, validation: req.queryValue("fieldValidation"), warnings: &warnings)
            return .json(current == nil ? 201 : 200, result, headers: warningHeaders(warnings))
        }
        let manager = try fieldManager(req, apply: false)
        guard let current else { throw APIError.notFound(t.gr, name) }
        let patchBody = try decodeBody(req)
        var patched: JSONValue
        if ct.hasPrefix("application/json-patch+json") {
            patched = try Patches.jsonPatch(current.object, patchBody)
        } else if ct.hasPrefix("application/merge-patch+json") {
            guard case .object = patchBody else { throw APIError.badRequest("json: cannot unmarshal \(patchBody.typeName) into Go value of type map[string]interface {}") }
            patched = Patches.mergePatch(current.object, patchBody)
        } else if ct.hasPrefix("application/strategic-merge-patch+json") {
            if t.info.isCustom {
                throw APIError(code: 415, reason: "UnsupportedMediaType",
                               message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
            }
            guard case .object = patchBody else { throw APIError.badRequest("json: cannot unmarshal \(patchBody.typeName) into Go value of type map[string]interface {}") }
            patched = Patches.strategicMerge(current.object, patchBody)
        } else {
            throw APIError.unsupportedMediaType(ct)
        }
        guard case .object = patched else { throw APIError.badRequest("patched object is not a JSON object") }
        if let rv = patchBody["metadata"]?["resourceVersion"]?.stringValue,
            rv != current.object["metadata"]?["resourceVersion"]?.stringValue
        {
            throw APIError.conflict(t.gr, name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        if Unstructured(patched).name != name {
            throw APIError.badRequest("the name of the object (\(Unstructured(patched).name)) does not match the name on the URL (\(name))")
        }
        let result = try updateObject(t.info, current: current.object, proposed: patched, subresource: t.subresource, manager: manager,
                                      operation: .update, dryRun: isDry, validation: req.queryValue("fieldValidation"), warnings: &warnings)
        return .json(200, result, headers: warningHeaders(warnings))
    }

    // MARK: - server-side apply

    func apply(_ t: Target, key: ObjectKey, current: JSONValue?, config input: JSONValue, manager: String, force: Bool,
               dryRun: Bool, validation: String?, warnings: inout [String]) throws(APIError) -> JSONValue
    {
        guard case .object = input else {
            throw APIError.badRequest("error decoding YAML: json: cannot unmarshal \(input.typeName) into Go value of type map[string]interface {}")
        }
        var config = input
        let u = Unstructured(config)
        if u.kind.isEmpty || u.apiVersion.isEmpty {
            throw APIError.badRequest("invalid object type: \(u.apiVersion), Kind=\(u.kind)")
        }
        guard u.kind == t.info.kind, GroupVersion(apiVersion: u.apiVersion)?.group == t.info.group else {
            throw APIError.badRequest("the API version in the data (\(u.apiVersion)) does not match the expected API version (\(t.info.apiVersion))")
        }
        if u.name != key.name {
            throw APIError.badRequest("the name of the object (\(u.name)) does not match the name on the URL (\(key.name))")
        }
        if t.info.namespaced {
            if !u.namespace.isEmpty && u.namespace != key.namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            config.set(path: ["metadata", "namespace"], to: .string(key.namespace))
        }
        if let rv = u.resourceVersion, let current, rv != current["metadata"]?["resourceVersion"]?.stringValue {
            throw APIError.conflict(t.gr, key.name, "the object has been modified; please apply your changes to the latest version and try again")
        }
        config["metadata"]?["managedFields"] = nil
        config["metadata"]?["resourceVersion"] = nil
        Defaults.normalizeForApply(t.info, &config)
        let sub = t.subresource == "status" ? "status" : ""
        let ctx = TypeContext.root(t.info)
        let applySet = FieldStrip.strip(FieldPaths.applied(config, ctx), hasStatus: t.info.hasStatus, subresource: sub)

        guard let current else {
            if sub == "status" { throw APIError.notFound(t.gr, key.name) }
            let entry = ManagedFieldsEntry(manager: manager, operation: "Apply", apiVersion: t.info.apiVersion, time: now,
                                           subresource: "", fields: applySet)
            return try createObject(t.info, config, manager: manager, dryRun: dryRun, validation: validation, warnings: &warnings,
                                    managedFields: [entry])
        }

        var entries = ManagedFieldsEntry.decode(current)
        // Conflicts: fields another manager owns whose value this configuration changes.
        var conflicts: [(manager: String, apiVersion: String, path: [String])] = []
        for (i, e) in entries.enumerated() where !(e.manager == manager && e.operation == "Apply" && e.subresource == sub) {
            let common = e.fields.intersection(applySet)
            var lost = FieldSet()
            for path in common.leafPaths() {
                let live = FieldPaths.value(at: path[...], in: current)
                let want = FieldPaths.value(at: path[...], in: config)
                let same: Bool
                switch (live, want) {
                case (nil, nil): same = true
                case (let a?, let b?): same = a.semanticallyEquals(b)
                default: same = false
                }
                if !same {
                    conflicts.append((e.manager, e.apiVersion, path))
                    lost.insert(path: path[...])
                }
            }
            if force { entries[i].fields = entries[i].fields.subtracting(lost) }
        }
        if !conflicts.isEmpty && !force {
            throw applyConflict(conflicts)
        }
        var merged = ApplyMerge.merge(current, config, ctx)
        if let previous = entries.first(where: { $0.manager == manager && $0.operation == "Apply" && $0.subresource == sub }) {
            var others = FieldSet()
            for e in entries where !(e.manager == manager && e.operation == "Apply" && e.subresource == sub) {
                others = others.union(e.fields)
            }
            let toRemove = previous.fields.subtracting(applySet).subtracting(others)
            if !toRemove.isEmpty { merged = FieldPaths.remove(toRemove, from: merged) }
        }
        merged.set(path: ["metadata", "managedFields"], to: .array(entries.map(\.json)))
        return try updateObject(t.info, current: current, proposed: merged, subresource: t.subresource, manager: manager,
                                operation: .apply(manager: manager, fields: applySet, force: force), dryRun: dryRun,
                                validation: validation, warnings: &warnings)
    }

    func applyConflict(_ conflicts: [(manager: String, apiVersion: String, path: [String])]) -> APIError {
        var causes: [APIError.Cause] = []
        var byManager: [(String, String, [String])] = []
        for c in conflicts {
            let field = FieldPaths.describe(c.path)
            causes.append(.init(reason: "FieldManagerConflict", message: "conflict with \"\(c.manager)\" using \(c.apiVersion)", field: field))
            if let i = byManager.firstIndex(where: { $0.0 == c.manager && $0.1 == c.apiVersion }) {
                byManager[i].2.append(field)
            } else {
                byManager.append((c.manager, c.apiVersion, [field]))
            }
        }
        let text: String
        if conflicts.count == 1, let c = causes.first {
            text = "\(c.message): \(c.field)"
        } else {
            text = byManager.map { m in
                "conflicts with \"\(m.0)\" using \(m.1):\n" + m.2.map { "- \($0)" }.joined(separator: "\n")
            }.joined(separator: "\n")
        }
        let n = conflicts.count
        var e = APIError(code: 409, reason: "Conflict", message: "Apply failed with \(n) conflict\(n == 1 ? "" : "s"): \(text)")
        e.causes = causes
        return e
    }

    // MARK: - delete

    struct DeleteOptions {
        var propagation: String?
        var preconditionUID: String?
        var preconditionRV: String?
        var dryRun = false
    }

    func deleteOptions(_ req: KubeRequest) throws(APIError) -> DeleteOptions {
        var o = DeleteOptions()
        o.dryRun = try dryRun(req)
        o.propagation = req.queryValue("propagationPolicy")
        if !req.body.isEmpty, let body = try? decodeBody(req) {
            if let p = body["propagationPolicy"]?.stringValue { o.propagation = p }
            if body["orphanDependents"]?.boolValue == true { o.propagation = "Orphan" }
            o.preconditionUID = body["preconditions"]?["uid"]?.stringValue
            o.preconditionRV = body["preconditions"]?["resourceVersion"]?.stringValue
            if let d = body["dryRun"]?.arrayValue, d.contains(.string("All")) { o.dryRun = true }
        }
        if let p = o.propagation, !["Orphan", "Background", "Foreground"].contains(p) {
            throw APIError.invalid(GroupKind(group: "meta.k8s.io", kind: "DeleteOptions"), "",
                                   [.notSupported("propagationPolicy", .string(p), ["Foreground", "Background", "Orphan", "nil"])])
        }
        return o
    }

    func delete(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let opts = try deleteOptions(req)
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: t.name ?? "")
        guard let current = stored(t.gr, key) else { throw APIError.notFound(t.gr, key.name) }
        if let uid = opts.preconditionUID, uid != current.object["metadata"]?["uid"]?.stringValue {
            throw APIError.conflict(t.gr, key.name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.object["metadata"]?["uid"]?.stringValue ?? "")")
        }
        if let rv = opts.preconditionRV, rv != current.object["metadata"]?["resourceVersion"]?.stringValue {
            throw APIError.conflict(t.gr, key.name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.object["metadata"]?["resourceVersion"]?.stringValue ?? "")")
        }
        let (result, gone) = deleteObject(t.info, current.object, propagation: opts.propagation, dryRun: opts.dryRun)
        if gone {
            let status: JSONValue = [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": ["name": .string(key.name), "group": .string(t.info.group), "kind": .string(t.info.plural),
                            "uid": current.object["metadata"]?["uid"] ?? .null],
            ]
            if t.info.plural == "pods" || t.info.isCustom { return .json(200, result) }
            return .json(200, status)
        }
        return .json(200, result)
    }

    /// Deletes or starts deleting an object. Returns the last state and whether it is gone.
    @discardableResult
    func deleteObject(_ info: ResourceInfo, _ object: JSONValue, propagation: String?, dryRun: Bool) -> (JSONValue, Bool) {
        let key = Unstructured(object).key
        var finalizers = Unstructured(object).finalizers
        let isNamespace = info.groupResource == GroupResource(group: "", resource: "namespaces")
        let policy = propagation ?? "Background"
        if policy == "Foreground" && !finalizers.contains("foregroundDeletion") && hasDependents(object) {
            finalizers.append("foregroundDeletion")
        }
        if policy == "Orphan" && !finalizers.contains("orphan") && hasDependents(object) {
            finalizers.append("orphan")
        }
        if isNamespace || !finalizers.isEmpty {
            var obj = object
            if obj["metadata"]?["deletionTimestamp"] == nil {
                obj.set(path: ["metadata", "deletionTimestamp"], to: .string(now))
                obj.set(path: ["metadata", "deletionGracePeriodSeconds"], to: 0)
            }
            obj.set(path: ["metadata", "finalizers"], to: finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }))
            if isNamespace {
                obj.set(path: ["spec", "finalizers"], to: ["kubernetes"])
                obj.set(path: ["status", "phase"], to: "Terminating")
            }
            if dryRun { return (obj, false) }
            var md = obj["metadata"]?.objectValue ?? JSONObject()
            md = reorderMetadata(md)
            obj["metadata"] = .object(md)
            let committed = obj.semanticallyEquals(object) ? object : commit(info.groupResource, obj, old: object)
            runFinalizers(info, committed)
            if let still = stored(info.groupResource, key) { return (still.object, false) }
            return (committed, true)
        }
        if dryRun { return (object, true) }
        let last = remove(info.groupResource, key) ?? object
        afterDelete(info, last)
        return (last, true)
    }

    func hasDependents(_ object: JSONValue) -> Bool {
        guard let uid = object["metadata"]?["uid"]?.stringValue else { return false }
        return !(dependents[uid]?.isEmpty ?? true)
    }

    func deleteCollection(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let opts = try deleteOptions(req)
        let items = try matchingObjects(t, req)
        var out: [JSONValue] = []
        for (_, s) in items {
            let (last, _) = deleteObject(t.info, s.object, propagation: opts.propagation, dryRun: opts.dryRun)
            out.append(last)
        }
        return .json(200, ["kind": .string(t.info.listKind), "apiVersion": .string(t.info.apiVersion),
                           "metadata": ["resourceVersion": .string(String(resourceVersion))], "items": .array(out)])
    }

    // MARK: - scale and log

    func scaleObject(_ info: ResourceInfo, _ obj: JSONValue) -> JSONValue {
        let u = Unstructured(obj)
        var status: JSONObject = ["replicas": obj[path: info.scaleStatusPath] ?? 0]
        let selectorPath = info.scaleSelectorPath ?? ["spec", "selector"]
        if let sel = obj[path: selectorPath] {
            if let s = sel.stringValue { status["selector"] = .string(s) }
            else if let ml = sel["matchLabels"]?.objectValue {
                status["selector"] = .string(ml.map { "\($0.key)=\($0.value.stringValue ?? "")" }.joined(separator: ","))
            }
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": .string(u.name), "namespace": .string(u.namespace), "uid": .string(u.uid ?? ""),
                         "resourceVersion": .string(u.resourceVersion ?? ""),
                         "creationTimestamp": obj["metadata"]?["creationTimestamp"] ?? .null],
            "spec": ["replicas": obj[path: info.scaleSpecPath] ?? 0],
            "status": .object(status),
        ]
    }

    func getScale(_ t: Target) throws(APIError) -> KubeResponse {
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: t.name ?? "")
        guard let s = stored(t.gr, key) else { throw APIError.notFound(t.gr, key.name) }
        return .json(200, scaleObject(t.info, s.object))
    }

    func updateScale(_ t: Target, _ req: KubeRequest, patch: KubeRequest?) throws(APIError) -> KubeResponse {
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: t.name ?? "")
        guard let s = stored(t.gr, key) else { throw APIError.notFound(t.gr, key.name) }
        let body = try decodeBody(req)
        var scale = scaleObject(t.info, s.object)
        if patch != nil {
            let ct = (req.headers["content-type"] ?? "").lowercased()
            if ct.hasPrefix("application/json-patch+json") { scale = try Patches.jsonPatch(scale, body) }
            else { scale = Patches.mergePatch(scale, body) }
        } else {
            if let rv = body["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != Unstructured(s.object).resourceVersion {
                throw APIError.conflict(t.gr, key.name, "the object has been modified; please apply your changes to the latest version and try again")
            }
            scale = body
        }
        guard let replicas = scale["spec"]?["replicas"]?.intValue else {
            throw APIError.invalid(GroupKind(group: "autoscaling", kind: "Scale"), key.name, [.required("spec.replicas")])
        }
        var obj = s.object
        obj.set(path: t.info.scaleSpecPath, to: .int(replicas))
        var w: [String] = []
        let updated = try updateObject(t.info, current: s.object, proposed: obj, subresource: nil,
                                       manager: try fieldManager(req, apply: false), operation: .update, dryRun: try dryRun(req),
                                       validation: nil, warnings: &w)
        return .json(200, scaleObject(t.info, updated))
    }

    func podLog(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let key = ObjectKey(namespace: namespaceKey(t.info, t.namespace), name: t.name ?? "")
        guard let s = stored(t.gr, key) else { throw APIError.notFound(t.gr, key.name) }
        let containers = (s.object["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        let container: String
        if let c = req.queryValue("container"), !c.isEmpty {
            let all = containers + (s.object["spec"]?["initContainers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            guard all.contains(c) else {
                throw APIError.badRequest("container \(c) is not valid for pod \(key.name)")
            }
            container = c
        } else if containers.count == 1, let only = containers.first {
            container = only
        } else if let first = containers.first {
            if containers.count > 1 {
                throw APIError.badRequest("a container name must be specified for pod \(key.name), choose one of: [\(containers.joined(separator: " "))]")
            }
            container = first
        } else {
            throw APIError.badRequest("a container name must be specified for pod \(key.name)")
        }
        var text = options.podLog?(key.namespace, key.name, container)
            ?? (world.enabled ? world.logs["\(key.namespace)/\(key.name)"] : nil)
            ?? s.object["metadata"]?["annotations"]?["kubesim.platform.gpu/log"]?.stringValue
            ?? "kubesim: container \(container) of pod \(key.namespace)/\(key.name) started\n"
        if let tail = req.queryValue("tailLines").flatMap(Int.init), tail >= 0 {
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.last == "" { lines.removeLast() }
            text = lines.suffix(tail).joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        }
        return .text(200, text)
    }
}
