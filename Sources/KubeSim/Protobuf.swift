import Foundation
import KubeModel

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) for the few kinds
/// kubectl's typed client writes as protobuf (`kubectl create namespace|configmap|secret|
/// serviceaccount`). Other kinds answer 415 (see docs/kubesim.md).
enum KubeProtobuf {
    indirect enum FieldType: Sendable {
        case string, bytes, int, bool
        case message([Int: Field])
        case map(FieldType)
    }
    struct Field: Sendable {
        var name: String
        var type: FieldType
        var repeated = false
        init(_ name: String, _ type: FieldType, repeated: Bool = false) {
            self.name = name
            self.type = type
            self.repeated = repeated
        }
    }

    static let ownerReference: FieldType = .message([
        1: Field("kind", .string), 3: Field("name", .string), 4: Field("uid", .string), 5: Field("apiVersion", .string),
        6: Field("controller", .bool), 7: Field("blockOwnerDeletion", .bool),
    ])
    static let objectMeta: FieldType = .message([
        1: Field("name", .string), 2: Field("generateName", .string), 3: Field("namespace", .string), 5: Field("uid", .string),
        6: Field("resourceVersion", .string), 7: Field("generation", .int), 11: Field("labels", .map(.string)),
        12: Field("annotations", .map(.string)), 13: Field("ownerReferences", ownerReference, repeated: true),
        14: Field("finalizers", .string, repeated: true),
    ])
    static let kinds: [String: [Int: Field]] = [
        "ConfigMap": [1: Field("metadata", objectMeta), 2: Field("data", .map(.string)), 3: Field("binaryData", .map(.bytes)),
                      4: Field("immutable", .bool)],
        "Secret": [1: Field("metadata", objectMeta), 2: Field("data", .map(.bytes)), 3: Field("type", .string),
                   4: Field("stringData", .map(.string)), 5: Field("immutable", .bool)],
        "Namespace": [1: Field("metadata", objectMeta), 2: Field("spec", .message([1: Field("finalizers", .string, repeated: true)]))],
        "ServiceAccount": [1: Field("metadata", objectMeta),
                           2: Field("secrets", .message([1: Field("kind", .string), 2: Field("namespace", .string), 3: Field("name", .string)]), repeated: true),
                           3: Field("imagePullSecrets", .message([1: Field("name", .string)]), repeated: true),
                           4: Field("automountServiceAccountToken", .bool)],
    ]

    struct Reader {
        let bytes: [UInt8]
        var i: Int
        let end: Int
        mutating func varint() throws(APIError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while i < end {
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw APIError.badRequest("protobuf: truncated varint")
        }
        mutating func lengthDelimited() throws(APIError) -> Range<Int> {
            let n = Int(try varint())
            guard n >= 0, i + n <= end else { throw APIError.badRequest("protobuf: truncated field") }
            defer { i += n }
            return i..<(i + n)
        }
    }

    static func decode(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard body.count >= 4, body[0] == 0x6B, body[1] == 0x38, body[2] == 0x73, body[3] == 0 else {
            throw APIError.badRequest("provided protobuf data does not have the Kubernetes prefix")
        }
        var r = Reader(bytes: body, i: 4, end: body.count)
        var apiVersion = "", kind = ""
        var raw: Range<Int>?
        while r.i < r.end {
            let tag = try r.varint()
            switch (tag >> 3, tag & 7) {
            case (1, 2):
                let tm = try r.lengthDelimited()
                var t = Reader(bytes: body, i: tm.lowerBound, end: tm.upperBound)
                while t.i < t.end {
                    let tt = try t.varint()
                    let range = try t.lengthDelimited()
                    let s = String(decoding: body[range], as: UTF8.self)
                    if tt >> 3 == 1 { apiVersion = s } else if tt >> 3 == 2 { kind = s }
                }
            case (2, 2): raw = try r.lengthDelimited()
            default: try skip(&r, wireType: tag & 7)
            }
        }
        guard let fields = kinds[kind], let raw else {
            throw APIError(code: 415, reason: "UnsupportedMediaType",
                           message: "KubeSim does not decode protobuf for \(kind.isEmpty ? "this object" : kind); send application/json")
        }
        var obj = try message(body, raw, fields)
        obj["apiVersion"] = .string(apiVersion)
        obj["kind"] = .string(kind)
        return .object(reorder(obj))
    }

    static func reorder(_ o: JSONObject) -> JSONObject {
        var out: JSONObject = [:]
        for k in ["apiVersion", "kind", "metadata"] { if let v = o[k] { out[k] = v } }
        for m in o where out[m.key] == nil { out[m.key] = m.value }
        return out
    }

    static func skip(_ r: inout Reader, wireType: UInt64) throws(APIError) {
        switch wireType {
        case 0: _ = try r.varint()
        case 1: r.i += 8
        case 2: _ = try r.lengthDelimited()
        case 5: r.i += 4
        default: throw APIError.badRequest("protobuf: unsupported wire type \(wireType)")
        }
    }

    static func message(_ bytes: [UInt8], _ range: Range<Int>, _ fields: [Int: Field]) throws(APIError) -> JSONObject {
        var r = Reader(bytes: bytes, i: range.lowerBound, end: range.upperBound)
        var out = JSONObject()
        while r.i < r.end {
            let tag = try r.varint()
            guard let f = fields[Int(tag >> 3)] else {
                try skip(&r, wireType: tag & 7)
                continue
            }
            switch f.type {
            case .map(let valueType):
                let entry = try r.lengthDelimited()
                var e = Reader(bytes: bytes, i: entry.lowerBound, end: entry.upperBound)
                var key = "", value: JSONValue = valueType.isBytes ? .string("") : .string("")
                while e.i < e.end {
                    let et = try e.varint()
                    let rr = try e.lengthDelimited()
                    if et >> 3 == 1 { key = String(decoding: bytes[rr], as: UTF8.self) }
                    else if valueType.isBytes { value = .string(Data(bytes[rr]).base64EncodedString()) }
                    else { value = .string(String(decoding: bytes[rr], as: UTF8.self)) }
                }
                var m = out[f.name]?.objectValue ?? JSONObject()
                m[key] = value
                out[f.name] = .object(m)
            default:
                let v = try scalar(bytes, &r, f.type, wireType: tag & 7)
                // Protobuf always carries scalars; JSON omits the empty ones.
                if !f.repeated && (v == .string("") || v == .int(0) || v == .bool(false)) { continue }
                if f.repeated {
                    out[f.name] = .array((out[f.name]?.arrayValue ?? []) + [v])
                } else {
                    out[f.name] = v
                }
            }
        }
        return out
    }

    static func scalar(_ bytes: [UInt8], _ r: inout Reader, _ type: FieldType, wireType: UInt64) throws(APIError) -> JSONValue {
        switch type {
        case .string: return .string(String(decoding: bytes[try r.lengthDelimited()], as: UTF8.self))
        case .bytes: return .string(Data(bytes[try r.lengthDelimited()]).base64EncodedString())
        case .int: return .int(Int64(bitPattern: try r.varint()))
        case .bool: return .bool(try r.varint() != 0)
        case .message(let fields): return .object(try message(bytes, try r.lengthDelimited(), fields))
        case .map: return .null
        }
    }
}

extension KubeProtobuf.FieldType {
    var isBytes: Bool { if case .bytes = self { return true } else { return false } }
}
