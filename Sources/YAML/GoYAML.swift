/// Go-compatible YAML encoding and decoding as Helm does it through sigs.k8s.io/yaml.
extension GoYAML {
    /// sigs.k8s.io/yaml `Marshal` (= Helm's `toYaml` before Helm trims the final newline).
    ///
    /// The value goes through the same steps as in Go: `encoding/json` (so `.float(3)` prints
    /// `3`, `.float(1e6)` prints `1000000`, `.float(1e-7)` prints `1e-07`), yaml.v2 reading the JSON
    /// back, and yaml.v2's emitter (sorted keys, quoting, line folding at 80 columns). The result
    /// ends with a newline (`"{}\n"` for an empty mapping, `"null\n"` for null).
    ///
    /// Returns "" when Go would fail, which is what Helm's `toYaml` prints then: NaN or ±Inf anywhere
    /// (`json: unsupported value: NaN`), or a string holding DEL, a C1 control other than NEL, U+FFFE
    /// or U+FFFF (`yaml: control characters are not allowed`: JSON passes them raw, yaml.v2's reader
    /// refuses them). A NEL (U+0085) comes out folded into a space, as yaml.v2 reads the raw JSON
    /// character as a line break. Use `marshalChecked` to see the error.
    public static func marshal(_ value: YAMLValue) -> String {
        (try? marshalChecked(value)) ?? ""
    }

    /// As `marshal`, but throws Go's error (`json: unsupported value: NaN`) instead of returning "".
    public static func marshalChecked(_ value: YAMLValue) throws(GoEncodingError) -> String {
        if needsRealRoundTrip(value) {
            // Rare characters change meaning when yaml.v2 reads the JSON text back (NEL folds to a
            // space, DEL/C1/U+FFFE are refused): run the real JSON → YAML step.
            let json = try GoJSON.marshal(value)
            let root: Node?
            do {
                root = try Parser().parseFirst(json)?.root
            } catch {
                throw GoEncodingError(message: error.goMessage)
            }
            return GoYAMLEmitter.emitDocument(try root.map(readJSONNode) ?? .null)
        }
        return GoYAMLEmitter.emitDocument(try afterJSONRoundTrip(value))
    }

    /// True when a string holds a character that encoding/json leaves raw but yaml.v2 reads
    /// differently: NEL (a line break to YAML), DEL, other C1 controls, U+FFFE, U+FFFF.
    static func needsRealRoundTrip(_ value: YAMLValue) -> Bool {
        func risky(_ s: String) -> Bool {
            // Everything below DEL is safe; most strings end here.
            if s.utf8.allSatisfy({ $0 < 0x7F }) { return false }
            return s.unicodeScalars.contains { u in
                let v = u.value
                return v == 0x7F || (v >= 0x80 && v <= 0x9F) || v == 0xFFFE || v == 0xFFFF
            }
        }
        switch value {
        case .string(let s): return risky(s)
        case .sequence(let items): return items.contains(where: needsRealRoundTrip)
        case .mapping(let m): return m.contains { risky($0.key) || needsRealRoundTrip($0.value) }
        default: return false
        }
    }

    /// yaml.v2 decoding of JSON text into interface{}: quoted scalars are strings, plain ones resolve.
    private static func readJSONNode(_ node: Node) throws(GoEncodingError) -> GoYAMLNode {
        switch node.content {
        case .scalar(let text, let style):
            guard style == .plain else { return .string(text) }
            switch (try? GoResolve.resolve(tag: "", text))?.value {
            case .null?: return .null
            case .bool(let b)?: return .bool(b)
            case .int(let i)?: return .int(i)
            case .uint(let u)?: return .uint(u)
            case .float(let d)?, .bigInt(let d)?: return .float(d)
            default: return .string(text)
            }
        case .sequence(let items):
            var out: [GoYAMLNode] = []
            for item in items { out.append(try readJSONNode(item)) }
            return .sequence(out)
        case .mapping(let pairs):
            var entries: [(String, GoYAMLNode)] = []
            for pair in pairs { entries.append((pair.key.scalarValue ?? "", try readJSONNode(pair.value))) }
            return .mapping(GoKeyOrder.sorted(entries))
        }
    }

    /// sigs.k8s.io/yaml `Unmarshal` into `interface{}` (`.kubernetes` rules, first document only).
    public static func unmarshal(_ text: String, file: String? = nil) throws(YAMLError) -> YAMLValue {
        try YAMLValue.parse(text, file: file, rules: .kubernetes)
    }

    /// What yaml.v2 decodes from `json.Marshal(value)`: integral JSON numbers become ints
    /// (uint64 above Int64.max), others floats; mapping keys sorted as yaml.v2 sorts them.
    static func afterJSONRoundTrip(_ value: YAMLValue) throws(GoEncodingError) -> GoYAMLNode {
        switch value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f):
            guard let text = GoStrconv.formatJSONFloat(f) else {
                throw GoEncodingError(message: "json: unsupported value: " + GoStrconv.formatFloatG(f))
            }
            switch (try? GoResolve.resolve(tag: "", text))?.value {
            case .int(let i)?: return .int(i)
            case .uint(let u)?: return .uint(u)
            default: return .float(f)  // JSON text of a float64 always reads back as the same float64
            }
        case .string(let s): return .string(s)
        case .sequence(let items):
            var out: [GoYAMLNode] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try afterJSONRoundTrip(item)) }
            return .sequence(out)
        case .mapping(let m):
            var pairs: [(String, GoYAMLNode)] = []
            pairs.reserveCapacity(m.count)
            for entry in m { pairs.append((entry.key, try afterJSONRoundTrip(entry.value))) }
            return .mapping(GoKeyOrder.sorted(pairs))
        }
    }
}

/// An error Go's encoders report, with Go's text.
public struct GoEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Go's message, e.g. `json: unsupported value: +Inf`.
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// yaml.v2's `keyList.Less` for string keys: runs of digits compare by numeric value, letters
/// sort before non-letters, otherwise by code point; a shorter prefix sorts first.
enum GoKeyOrder {
    /// `pairs` in yaml.v2's key order. The same permutation as sorting by `less(Key, Key)`:
    /// ASCII keys (nearly all) are compared in place without building `Key`s, and input that
    /// is already in order (most manifests) costs one pass.
    static func sorted<V>(_ pairs: [(String, V)]) -> [(String, V)] {
        if pairs.count < 2 { return pairs }
        if pairs.allSatisfy({ $0.0.utf8.allSatisfy { $0 < 0x80 } }) {
            func less(_ a: String, _ b: String) -> Bool {
                withBytes(a) { ab in withBytes(b) { bb in lessASCII(ab, bb) } }
            }
            var inOrder = true
            for i in 1..<pairs.count where less(pairs[i].0, pairs[i - 1].0) {
                inOrder = false
                break
            }
            // A stable sort leaves ordered input as it is.
            if inOrder { return pairs }
            return pairs.sorted { less($0.0, $1.0) }
        }
        let keys = pairs.map { Key($0.0) }
        let order = keys.indices.sorted { less(keys[$0], keys[$1]) }
        return order.map { pairs[$0] }
    }

    @inline(__always)
    private static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        return Array(s.utf8).withUnsafeBufferPointer(body)
    }

    /// `less(Key(a), Key(b))` for ASCII strings: scalars are the bytes, letters are A-Z a-z.
    static func lessASCII(_ ar: UnsafeBufferPointer<UInt8>, _ br: UnsafeBufferPointer<UInt8>) -> Bool {
        @inline(__always) func letter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        @inline(__always) func digit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        var i = 0
        while i < ar.count && i < br.count {
            if ar[i] == br[i] { i += 1; continue }
            let al = letter(ar[i]), bl = letter(br[i])
            if al && bl { return ar[i] < br[i] }
            if al || bl { return bl }
            var an: Int64 = 0, bn: Int64 = 0
            let zero = UInt8(48)
            if ar[i] == zero || br[i] == zero {
                var j = i - 1
                while j >= 0 && digit(ar[j]) {
                    if ar[j] != zero {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            var ai = i
            while ai < ar.count && digit(ar[ai]) {
                an = an &* 10 &+ (Int64(ar[ai]) &- 48)
                ai += 1
            }
            var bi = i
            while bi < br.count && digit(br[bi]) {
                bn = bn &* 10 &+ (Int64(br[bi]) &- 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i] < br[i]
        }
        return ar.count < br.count
    }

    struct Key {
        var scalars: [UInt32]
        var isLetter: [Bool]
        var isDigit: [Bool]
        init(_ s: String) {
            scalars = s.unicodeScalars.map(\.value)
            var letters: [Bool] = []
            var digits: [Bool] = []
            for u in s.unicodeScalars {
                if u.isASCII {
                    let v = u.value
                    letters.append((v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A))
                    digits.append(v >= 0x30 && v <= 0x39)
                } else {
                    switch u.properties.generalCategory {
                    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
                        letters.append(true)
                    default:
                        letters.append(false)
                    }
                    digits.append(u.properties.generalCategory == .decimalNumber)
                }
            }
            isLetter = letters
            isDigit = digits
        }
    }

    static func less(_ a: Key, _ b: Key) -> Bool {
        let ar = a.scalars, br = b.scalars
        var i = 0
        while i < ar.count && i < br.count {
            if ar[i] == br[i] { i += 1; continue }
            let al = a.isLetter[i], bl = b.isLetter[i]
            if al && bl { return ar[i] < br[i] }
            if al || bl { return bl }
            var an: Int64 = 0, bn: Int64 = 0
            let zero = UInt32(48)
            if ar[i] == zero || br[i] == zero {
                var j = i - 1
                while j >= 0 && a.isDigit[j] {
                    if ar[j] != zero {
                        an = 1
                        bn = 1
                        break
                    }
                    j -= 1
                }
            }
            // Go's int64 arithmetic wraps; so does this.
            var ai = i
            while ai < ar.count && a.isDigit[ai] {
                an = an &* 10 &+ (Int64(ar[ai]) &- 48)
                ai += 1
            }
            var bi = i
            while bi < br.count && b.isDigit[bi] {
                bn = bn &* 10 &+ (Int64(br[bi]) &- 48)
                bi += 1
            }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i] < br[i]
        }
        return ar.count < br.count
    }
}
