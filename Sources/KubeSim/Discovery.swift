import Foundation
import KubeModel

extension KubeSim {
    /// Which aggregated discovery version the Accept header asks for, if any.
    func aggregatedVersion(_ req: KubeRequest) -> String? {
        guard let accept = req.headers["accept"], accept.contains("as=APIGroupDiscoveryList") else { return nil }
        for part in accept.split(separator: ",") where part.contains("as=APIGroupDiscoveryList") && part.contains("g=apidiscovery.k8s.io") {
            if part.contains("v=v2beta1") { return "v2beta1" }
            if part.contains("v=v2") { return "v2" }
        }
        return nil
    }

    func aggregatedResponse(_ version: String, groups: [JSONValue]) -> KubeResponse {
        let body: JSONValue = ["kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"),
                               "metadata": [:], "items": .array(groups)]
        return .jsonBytes(200, body.encoded(),
                          contentType: "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList")
    }

    func discoveryCore(_ req: KubeRequest) -> KubeResponse {
        if let v = aggregatedVersion(req) {
            return aggregatedResponse(v, groups: [aggregatedGroup("")])
        }
        return .json(200, ["kind": "APIVersions", "versions": ["v1"],
                           "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(options.serverAddress)]]])
    }

    func groupNames() -> [String] {
        var seen = Set<String>()
        return registry.groupVersions.map(\.group).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    func versions(of group: String) -> [String] {
        registry.groupVersions.filter { $0.group == group }.map(\.version)
    }

    func groupJSON(_ group: String) -> JSONValue {
        let vs = versions(of: group)
        func gv(_ v: String) -> JSONValue { ["groupVersion": .string("\(group)/\(v)"), "version": .string(v)] }
        return ["name": .string(group), "versions": .array(vs.map(gv)), "preferredVersion": vs.first.map(gv) ?? .null]
    }

    func discoveryGroups(_ req: KubeRequest) -> KubeResponse {
        if let v = aggregatedVersion(req) {
            return aggregatedResponse(v, groups: groupNames().map(aggregatedGroup))
        }
        return .json(200, ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupNames().map(groupJSON))])
    }

    func discoveryGroup(_ group: String) throws(APIError) -> KubeResponse {
        guard groupNames().contains(group) else { throw APIError.pathNotFound }
        var g = groupJSON(group).objectValue ?? JSONObject()
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return .json(200, .object(g))
    }

    func aggregatedGroup(_ group: String) -> JSONValue {
        var versions: [JSONValue] = []
        for v in self.versions(of: group) {
            let gv = GroupVersion(group: group, version: v)
            var resources: [JSONValue] = []
            for r in registry.resources(in: gv).sorted(by: { $0.plural < $1.plural }) {
                var o: JSONObject = [
                    "resource": .string(r.plural),
                    "responseKind": ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)],
                    "scope": r.namespaced ? "Namespaced" : "Cluster",
                    "singularResource": .string(r.singular),
                    "verbs": .array(r.verbs.map { .string($0) }),
                ]
                if !r.shortNames.isEmpty { o["shortNames"] = .array(r.shortNames.map { .string($0) }) }
                if !r.categories.isEmpty { o["categories"] = .array(r.categories.map { .string($0) }) }
                var subs: [JSONValue] = []
                for (sub, kind, verbs) in subresources(r) {
                    subs.append(["subresource": .string(sub), "responseKind": kind, "verbs": .array(verbs.map { .string($0) })])
                }
                if !subs.isEmpty { o["subresources"] = .array(subs) }
                resources.append(.object(o))
            }
            versions.append(["version": .string(v), "resources": .array(resources), "freshness": "Current"])
        }
        var md = JSONObject()
        if !group.isEmpty { md["name"] = .string(group) }
        md["creationTimestamp"] = .null
        return ["metadata": .object(md), "versions": .array(versions)]
    }

    func subresources(_ r: ResourceInfo) -> [(String, JSONValue, [String])] {
        var out: [(String, JSONValue, [String])] = []
        let own: JSONValue = ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)]
        if r.hasStatus { out.append(("status", own, ["get", "patch", "update"])) }
        if r.hasScale { out.append(("scale", ["group": "autoscaling", "version": "v1", "kind": "Scale"], ["get", "patch", "update"])) }
        if r.hasLog { out.append(("log", ["group": "", "version": "v1", "kind": "Pod"], ["get"])) }
        if r.plural == "namespaces" && r.group.isEmpty { out.append(("finalize", own, ["update"])) }
        return out
    }

    func resourceList(_ gv: GroupVersion) throws(APIError) -> KubeResponse {
        let rs = registry.resources(in: gv)
        guard !rs.isEmpty else { throw APIError.pathNotFound }
        var list: [JSONValue] = []
        for r in rs.sorted(by: { $0.plural < $1.plural }) {
            var o: JSONObject = ["name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                                 "kind": .string(r.kind), "verbs": .array(r.verbs.map { .string($0) })]
            if !r.shortNames.isEmpty { o["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { o["categories"] = .array(r.categories.map { .string($0) }) }
            list.append(.object(o))
            for (sub, kind, verbs) in subresources(r) {
                var s: JSONObject = ["name": .string("\(r.plural)/\(sub)"), "singularName": "", "namespaced": .bool(r.namespaced),
                                     "kind": kind["kind"] ?? .string(r.kind), "verbs": .array(verbs.map { .string($0) })]
                if let g = kind["group"]?.stringValue, g != r.group {
                    s["group"] = .string(g)
                    s["version"] = kind["version"]
                }
                list.append(.object(s))
            }
        }
        return .json(200, ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv.apiVersion),
                           "resources": .array(list)])
    }

    // MARK: - OpenAPI

    func openAPI(_ segs: [String], _ req: KubeRequest) throws(APIError) -> KubeResponse {
        guard let version = segs.first else { throw APIError.pathNotFound }
        if version == "v3" {
            if segs.count == 1 {
                var paths = JSONObject()
                for gv in registry.groupVersions {
                    let p = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
                    paths[p] = ["serverRelativeURL": .string("/openapi/v3/\(p)?hash=\(hashFor(gv))")]
                }
                return .json(200, ["paths": .object(paths)])
            }
            let rest = Array(segs.dropFirst())
            let gv: GroupVersion
            if rest.count == 2 && rest[0] == "api" { gv = GroupVersion(group: "", version: rest[1]) }
            else if rest.count == 3 && rest[0] == "apis" { gv = GroupVersion(group: rest[1], version: rest[2]) }
            else { throw APIError.pathNotFound }
            let rs = registry.resources(in: gv)
            guard !rs.isEmpty else { throw APIError.pathNotFound }
            return .json(200, openAPIDocument(gv, rs))
        }
        // OpenAPI v2 is an empty protobuf document: kubectl uses v3 for validation and
        // explain, and its v2 fallback skips validation of kinds the document lacks.
        if version == "v2" && segs.count == 1 {
            return KubeResponse(status: 200, headers: [("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")], body: .bytes([]))
        }
        throw APIError.pathNotFound
    }

    func hashFor(_ gv: GroupVersion) -> String {
        // Changes whenever the resources of the group version change (CRD updates).
        var h: UInt64 = 1_469_598_103_934_665_603
        for r in registry.resources(in: gv) {
            for b in (r.plural + r.kind + (r.schema?.encodedString() ?? "")).utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        }
        return String(h, radix: 16, uppercase: true)
    }

    static let objectMetaSchemaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    static let objectMetaSchema: JSONValue = [
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "type": "object",
        "properties": [
            "name": ["description": "Name must be unique within a namespace.", "type": "string"],
            "namespace": ["description": "Namespace defines the space within which each name must be unique.", "type": "string"],
            "labels": ["description": "Map of string keys and values that can be used to organize and categorize objects.",
                       "type": "object", "additionalProperties": ["type": "string", "default": ""]],
            "annotations": ["description": "Annotations is an unstructured key value map stored with a resource.",
                            "type": "object", "additionalProperties": ["type": "string", "default": ""]],
            "uid": ["description": "UID is the unique in time and space value for this object.", "type": "string"],
            "resourceVersion": ["description": "An opaque value that represents the internal version of this object.", "type": "string"],
            "generation": ["description": "A sequence number representing a specific generation of the desired state.", "type": "integer", "format": "int64"],
            "creationTimestamp": ["description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "type": "string", "format": "date-time"],
            "finalizers": ["description": "Must be empty before the object is deleted from the registry.", "type": "array", "items": ["type": "string", "default": ""]],
        ],
    ]

    func schemaName(_ r: ResourceInfo) -> String {
        let g = r.group.isEmpty ? "io.k8s.api.core" : r.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(g).\(r.version).\(r.kind)"
    }

    func openAPIDocument(_ gv: GroupVersion, _ rs: [ResourceInfo]) -> JSONValue {
        var paths = JSONObject()
        var schemas = JSONObject()
        schemas[Self.objectMetaSchemaName] = Self.objectMetaSchema
        let prefix = gv.group.isEmpty ? "/api/\(gv.version)" : "/apis/\(gv.group)/\(gv.version)"
        for r in rs {
            let gvkExt: JSONValue = ["group": .string(r.group), "version": .string(r.version), "kind": .string(r.kind)]
            let name = schemaName(r)
            let ref: JSONValue = ["content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(name)")]]]]
            func param(_ n: String, _ d: String, type: String = "string") -> JSONValue {
                ["name": .string(n), "in": "query", "description": .string(d), "schema": ["type": .string(type), "uniqueItems": true]]
            }
            let patchOp: JSONValue = [
                "description": .string("partially update the specified \(r.kind)"),
                "operationId": .string("patch\(r.kind)"),
                "parameters": [
                    param("dryRun", "When present, indicates that modifications should not be persisted."),
                    param("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes."),
                    param("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields."),
                    param("force", "Force is going to \"force\" Apply requests.", type: "boolean"),
                ],
                "requestBody": ["content": ["application/json-patch+json": ["schema": ["type": "object"]],
                                            "application/merge-patch+json": ["schema": ["type": "object"]],
                                            "application/apply-patch+yaml": ["schema": ["type": "object"]]]],
                "responses": ["200": JSONValue.object(["description": "OK"]).merging(ref), "201": JSONValue.object(["description": "Created"]).merging(ref)],
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": gvkExt,
            ]
            let getOp: JSONValue = [
                "description": .string("read the specified \(r.kind)"), "operationId": .string("read\(r.kind)"),
                "responses": ["200": JSONValue.object(["description": "OK"]).merging(ref)],
                "x-kubernetes-action": "get", "x-kubernetes-group-version-kind": gvkExt,
            ]
            let path = r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.plural)/{name}" : "\(prefix)/\(r.plural)/{name}"
            paths[path] = ["get": getOp, "patch": patchOp,
                           "parameters": [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]]]
            // Built-in kinds get a skeleton schema; custom resources their CRD schema.
            var s = (r.schema ?? ["type": "object", "description": .string("\(r.kind) (schema not modelled by KubeSim)"),
                                  "x-kubernetes-preserve-unknown-fields": true]).objectValue ?? JSONObject()
            var props = s["properties"]?.objectValue ?? JSONObject()
            props["apiVersion"] = ["description": "APIVersion defines the versioned schema of this representation of an object.", "type": "string"]
            props["kind"] = ["description": "Kind is a string value representing the REST resource this object represents.", "type": "string"]
            props["metadata"] = ["description": "Standard object's metadata.", "default": [:],
                                 "allOf": [["$ref": .string("#/components/schemas/\(Self.objectMetaSchemaName)")]]]
            s["properties"] = .object(props)
            s["x-kubernetes-group-version-kind"] = [gvkExt]
            schemas[name] = .object(s)
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.34.1"], "paths": .object(paths),
                "components": ["schemas": .object(schemas)]]
    }
}

extension JSONValue {
    func merging(_ other: JSONValue) -> JSONValue {
        guard case .object(var a) = self, case .object(let b) = other else { return self }
        for m in b { a[m.key] = m.value }
        return .object(a)
    }
}
