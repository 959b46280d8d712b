// The value model: a Swift picture of the Go `reflect.Value`s that text/template
// and Sprig see. It keeps exactly the distinctions that change output or behaviour
// (invalid vs nil vs typed nil, int vs int64, float64, string vs []byte, slice and
// map element types, reference semantics of maps). See docs/gotemplate.md.

/// Go's integer kinds that are signed. The raw value is the Go type name.
public enum IntKind: String, Sendable, Hashable, CaseIterable {
    case int, int8, int16, int32, int64

    /// The representable range, used when converting constants and values.
    public var range: ClosedRange<Int64> {
        switch self {
        case .int, .int64: return Int64.min...Int64.max
        case .int8: return Int64(Int8.min)...Int64(Int8.max)
        case .int16: return Int64(Int16.min)...Int64(Int16.max)
        case .int32: return Int64(Int32.min)...Int64(Int32.max)
        }
    }
}

/// Go's unsigned integer kinds. The raw value is the Go type name.
public enum UIntKind: String, Sendable, Hashable, CaseIterable {
    case uint, uint8, uint16, uint32, uint64, uintptr

    public var max: UInt64 {
        switch self {
        case .uint, .uint64, .uintptr: return UInt64.max
        case .uint8: return UInt64(UInt8.max)
        case .uint16: return UInt64(UInt16.max)
        case .uint32: return UInt64(UInt32.max)
        }
    }
}

/// Go's `reflect.Kind`, as `kindOf` prints it (`Kind.String()` in Go).
public enum Kind: String, Sendable, Hashable {
    case invalid, bool
    case int, int8, int16, int32, int64
    case uint, uint8, uint16, uint32, uint64, uintptr
    case float32, float64, complex64, complex128
    case array, chan, `func`, interface, map, ptr, slice, string, `struct`
}

/// A Go type, enough of it to print `%T`/`typeOf`, answer `kindOf`, build zero values
/// and check assignability of function arguments.
public indirect enum GoType: Sendable, Hashable, CustomStringConvertible {
    /// `interface {}` (also `any`): accepts every value.
    case interface
    case bool
    case string
    case int(IntKind)
    case uint(UIntKind)
    case float64
    case slice(GoType)
    /// Maps always have string keys in this model (all Helm data does); `key` is kept
    /// so that `%T` prints faithfully.
    case map(key: GoType, value: GoType)
    case pointer(GoType)
    /// A function type; `signature` is what `%T` prints, e.g. `func(string) string`.
    case function(signature: String)
    /// A named (defined) type such as `chartutil.Capabilities` or `chartutil.VersionSet`;
    /// `kind` is its underlying kind.
    case named(String, kind: Kind)
    /// Go's predeclared `error` interface (a parameter type some functions use).
    case error

    /// `[]interface {}`
    public static let list = GoType.slice(.interface)
    /// `map[string]interface {}`
    public static let dict = GoType.map(key: .string, value: .interface)
    /// `[]string`
    public static let stringList = GoType.slice(.string)
    /// `map[string]string`
    public static let stringDict = GoType.map(key: .string, value: .string)
    /// `[]uint8` (Go's `[]byte`)
    public static let bytes = GoType.slice(.uint(.uint8))

    /// The type as Go's `reflect.Type.String()` prints it.
    public var description: String {
        switch self {
        case .interface: return "interface {}"
        case .bool: return "bool"
        case .string: return "string"
        case .int(let k): return k.rawValue
        case .uint(let k): return k.rawValue
        case .float64: return "float64"
        case .slice(let e): return "[]" + e.description
        case .map(let k, let v): return "map[\(k)]\(v)"
        case .pointer(let e): return "*" + e.description
        case .function(let sig): return sig
        case .named(let name, _): return name
        case .error: return "error"
        }
    }

    /// The type's kind, as `kindOf` prints it.
    public var kind: Kind {
        switch self {
        case .interface, .error: return .interface
        case .bool: return .bool
        case .string: return .string
        case .int(let k): return Kind(rawValue: k.rawValue) ?? .int
        case .uint(let k): return Kind(rawValue: k.rawValue) ?? .uint
        case .float64: return .float64
        case .slice: return .slice
        case .map: return .map
        case .pointer: return .ptr
        case .function: return .func
        case .named(_, let kind): return kind
        }
    }

    /// Whether a nil of this type exists (Go's `canBeNil`).
    public var canBeNil: Bool {
        switch kind {
        case .chan, .func, .interface, .map, .ptr, .slice: return true
        default: return false
        }
    }

    /// The zero value of the type (`reflect.Zero`). Interfaces give `.null`.
    public var zero: Value {
        switch self {
        case .interface, .error: return .null
        case .bool: return .bool(false)
        case .string: return .string("")
        case .int(let k): return .integer(0, k)
        case .uint(let k): return .unsigned(0, k)
        case .float64: return .float(0)
        case .slice, .map, .pointer, .function: return .typedNil(self)
        case .named(_, let kind):
            switch kind {
            case .bool: return .bool(false)
            case .string: return .string("")
            default: return .typedNil(self)
            }
        }
    }
}

/// A value as Go's text/template sees it.
///
/// Cases map onto Go as follows:
/// - `noValue`: an invalid `reflect.Value` ("no value"): a missing map key under
///   `missingkey=default`, the result of a pipeline that produced a nil interface.
///   Printed as `<no value>`. Functions never receive it (the executor converts it to
///   `.null` or a typed nil, as Go's `validateType` does).
/// - `null`: a nil `interface{}`: YAML `null`, `nil` literal, `dict` entries set to nil.
///   `%v` prints `<nil>`; `typeOf` prints `<nil>`.
/// - `typedNil(T)`: a nil pointer, map, slice or func of type `T`. A nil map prints
///   `map[]`, a nil slice `[]`, a nil pointer `<nil>`.
/// - `integer(v, kind)`: Go `int`, `int64`, `int32`… (`.int(3)` builds a Go `int`).
/// - `unsigned(v, kind)`: Go `uint`, `uint8`…
/// - `float(v)`: Go `float64` (every YAML/JSON number in Helm values is one).
/// - `string`: Go `string`. `bytes`: Go `[]byte` (`[]uint8`).
/// - `list`: a Go slice (`[]interface{}`, `[]string`, …). Value semantics, like a Go slice
///   header copied by Sprig's `append`.
/// - `map`: a Go map with string keys. Reference semantics: mutations through one
///   `Value` are seen through every other `Value` holding the same `GoMap`.
/// - `object`: a Go struct/pointer/named type with fields and methods, implemented by a
///   `GoObject` (Helm's `.Capabilities`, `.Chart`, `.Files`…).
/// - `function`: a Go func value (for `call`).
public enum Value: Sendable {
    case noValue
    case null
    case bool(Bool)
    case integer(Int64, IntKind)
    case unsigned(UInt64, UIntKind)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case list(GoList)
    case map(GoMap)
    case object(any GoObject)
    case function(Function)
    case typedNil(GoType)

    // MARK: Convenience constructors

    /// A Go `int`.
    public static func int(_ v: Int) -> Value { .integer(Int64(v), .int) }
    /// A Go `int64`.
    public static func int64(_ v: Int64) -> Value { .integer(v, .int64) }
    /// A `[]interface{}` of the given elements.
    public static func list(_ elements: [Value]) -> Value { .list(GoList(elements)) }
    /// A `[]string`.
    public static func stringList(_ elements: [String]) -> Value {
        .list(GoList(elements.map(Value.string), elementType: .string))
    }
    /// A new `map[string]interface{}` holding the entries.
    public static func dict(_ entries: [String: Value]) -> Value { .map(GoMap(entries)) }

    // MARK: Type information

    /// The Go type, or nil for `noValue` and `null` (which have none).
    public var goType: GoType? {
        switch self {
        case .noValue, .null: return nil
        case .bool: return .bool
        case .integer(_, let k): return .int(k)
        case .unsigned(_, let k): return .uint(k)
        case .float: return .float64
        case .string: return .string
        case .bytes: return .bytes
        case .list(let l): return .slice(l.elementType)
        case .map(let m): return .map(key: .string, value: m.valueType)
        case .object(let o): return o.goType
        case .function(let f): return .function(signature: f.signature)
        case .typedNil(let t): return t
        }
    }

    /// The type as `%T` and Sprig's `typeOf` print it (`<nil>` for nil and no value).
    public var typeName: String { goType?.description ?? "<nil>" }

    /// The kind as Sprig's `kindOf` prints it (`invalid` for nil and no value).
    public var kindName: String { (goType?.kind ?? .invalid).rawValue }

    /// The kind (`.invalid` for nil and no value).
    public var kind: Kind { goType?.kind ?? .invalid }

    /// Go template truth (`if`, `with`, `and`, `or`, `not`): false for the zero value of
    /// the type, empty strings/slices/maps and nils. nil when the value has no truth
    /// value (Go's `if/with can't use` error).
    public var truth: Bool? {
        switch self {
        case .noValue, .null, .typedNil: return false
        case .bool(let b): return b
        case .integer(let v, _): return v != 0
        case .unsigned(let v, _): return v != 0
        case .float(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .bytes(let b): return !b.isEmpty
        case .list(let l): return !l.elements.isEmpty
        case .map(let m): return m.count > 0
        case .function: return true
        case .object(let o):
            if let u = o.underlying { return u.truth }
            return true  // struct values and non-nil pointers are true
        }
    }

    /// Whether this is `noValue`, `null` or a typed nil.
    public var isNil: Bool {
        switch self {
        case .noValue, .null, .typedNil: return true
        default: return false
        }
    }

    /// The value an object stands for when it is a named slice/map/string type,
    /// otherwise the value itself. Used by `range`, `index`, `len` and printing.
    public var underlyingValue: Value {
        if case .object(let o) = self, let u = o.underlying { return u }
        return self
    }
}

// MARK: - Slices and maps

/// A Go slice: elements plus the element type (`interface {}` for `[]interface{}`).
public struct GoList: Sendable {
    public var elements: [Value]
    public var elementType: GoType

    public init(_ elements: [Value] = [], elementType: GoType = .interface) {
        self.elements = elements
        self.elementType = elementType
    }

    public var count: Int { elements.count }
}

/// A Go map with string keys. A reference type: Sprig's `set`, `unset` and `merge`
/// mutate the map in place and every holder sees it, as in Go.
///
/// Not synchronised, like a Go map: one template execution uses it at a time.
public final class GoMap: @unchecked Sendable {
    public var entries: [String: Value]
    /// The element type: `.interface` for `map[string]interface{}`, `.string` for
    /// `map[string]string`.
    public let valueType: GoType

    public init(_ entries: [String: Value] = [:], valueType: GoType = .interface) {
        self.entries = entries
        self.valueType = valueType
    }

    public var count: Int { entries.count }

    public subscript(key: String) -> Value? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    /// Keys in Go's order for printing and `range` (byte-wise ascending).
    public var sortedKeys: [String] { entries.keys.sorted(by: goStringLess) }

    /// A shallow copy (a new map holding the same values), like Go's `maps.Clone`.
    public func copy() -> GoMap { GoMap(entries, valueType: valueType) }
}

/// Go compares strings byte-wise; Swift's `<` on String compares Unicode scalars
/// canonically, which differs for some inputs. Compare UTF-8 bytes as Go does.
@inlinable
public func goStringLess(_ a: String, _ b: String) -> Bool {
    var ia = a.utf8.makeIterator()
    var ib = b.utf8.makeIterator()
    while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?):
            if x != y { return x < y }
        }
    }
}

// MARK: - Objects

/// A member found on an object by name: a field value or a method.
public enum GoMember: Sendable {
    case field(Value)
    case method(Function)
}

/// A Go struct, pointer or named type with fields and methods, resolved by name.
///
/// The executor asks `member(named:)` for `.X` (methods first, then fields, as Go does)
/// and reports Go's `can't evaluate field X in type T` when it returns nil.
/// Class-bound so that a `Value` stays small; implementations must not be mutated while
/// a template executes.
public protocol GoObject: AnyObject, Sendable {
    /// The Go type, e.g. `.pointer(.named("chartutil.Capabilities", kind: .struct))`.
    var goType: GoType { get }
    /// The field or method with this exact (case-sensitive) name.
    func member(named name: String) -> GoMember?
    /// For named slice/map/string types (e.g. `chartutil.VersionSet` is a `[]string`,
    /// Helm's `files` is a `map[string][]byte`): the plain value used by `range`,
    /// `index`, `len`, truth and printing. nil for structs.
    var underlying: Value? { get }
    /// The result of the type's `String()` method (Go's `fmt.Stringer`), used by
    /// `%v`, `%s`, `%q` and `print`. nil when the type has none.
    var stringValue: String? { get }
    /// Struct fields in declaration order, for printing a struct without `String()`:
    /// `%v` gives `{v1 v2}`, `%+v` gives `{Name1:v1 Name2:v2}`, pointers add `&`.
    var printedFields: [(name: String, value: Value)] { get }
}

extension GoObject {
    public var underlying: Value? { nil }
    public var stringValue: String? { nil }
    public var printedFields: [(name: String, value: Value)] { [] }
}

// MARK: - Literals (handy in tests and when building data by hand)

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is a Go `int`.
    public init(integerLiteral value: Int) { self = .integer(Int64(value), .int) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array literal is a `[]interface{}`.
    public init(arrayLiteral elements: Value...) { self = .list(GoList(elements)) }
    /// A dictionary literal is a new `map[string]interface{}`.
    public init(dictionaryLiteral elements: (String, Value)...) {
        var d: [String: Value] = [:]
        for (k, v) in elements { d[k] = v }
        self = .map(GoMap(d))
    }
    /// `nil` is Go's untyped nil (`.null`).
    public init(nilLiteral: ()) { self = .null }
}
