import Foundation
import KubeModel

/// JSON on the wire: a thin facade over KubeModel's codec (one JSON implementation for
/// the client, the simulator and planning), keeping key order and int/float apart.
public enum JSON {
    public typealias DecodingError = JSONParseError

    public static func decode(_ data: Data) throws(JSONParseError) -> JSONValue {
        try JSONValue.parse([UInt8](data))
    }

    public static func decode(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue.parse(text)
    }

    /// Compact JSON; objects keep their order.
    public static func encode(_ value: JSONValue) -> Data { Data(value.encoded()) }

    public static func encodeString(_ value: JSONValue) -> String { value.encodedString() }
}

// Internal accessors used by the decoders of server responses.
extension JSONValue {
    func member(_ key: String) -> JSONValue? { objectValue?[key] }
    var asString: String? { stringValue }
    var asInt: Int64? { intValue }
    var asBool: Bool? { boolValue }
    var asArray: [JSONValue]? { arrayValue }
    var asMapping: JSONObject? { objectValue }
}
