// Go's number and value formatting where the decoder needs it: strconv.FormatFloat
// with 'g' and shortest precision (map keys that were floats, string coercion), and
// fmt's %#v for the values yaml.v2 and sigs.k8s.io/yaml quote in error messages.

enum GoFormat {
    /// strconv.FormatFloat(f, 'g', -1, bits) with yaml.v2's spellings of the specials
    /// (`.inf`, `-.inf`, `.nan`) when `yamlSpecials` is set, Go's (`+Inf`, ...) otherwise.
    static func formatG(_ value: Double, bits32: Bool = false, yamlSpecials: Bool = false) -> String {
        if value.isNaN { return yamlSpecials ? ".nan" : "NaN" }
        if value.isInfinite {
            if yamlSpecials { return value < 0 ? "-.inf" : ".inf" }
            return value < 0 ? "-Inf" : "+Inf"
        }
        let (negative, digits, pointPosition) = bits32 ? shortestDigits(Float(value)) : shortestDigits(value)
        var out = negative ? "-" : ""
        let nd = digits.count
        // Go: %e when the exponent is < -4 or >= 6 (shortest precision uses eprec = 6).
        let exp = nd == 0 ? 0 : pointPosition - 1
        if nd > 0 && (exp < -4 || exp >= 6) {
            out.append(Character(Unicode.Scalar(digits[0])))
            if nd > 1 {
                out.append(".")
                for d in digits[1...] { out.append(Character(Unicode.Scalar(d))) }
            }
            out.append("e")
            out.append(exp < 0 ? "-" : "+")
            let magnitude = abs(exp)
            if magnitude < 10 { out.append("0") }
            out += String(magnitude)
            return out
        }
        // %f with exactly the digits needed.
        if pointPosition <= 0 {
            out.append("0")
        } else {
            for k in 0..<pointPosition {
                out.append(k < nd ? Character(Unicode.Scalar(digits[k])) : "0")
            }
        }
        if nd > pointPosition {
            out.append(".")
            var k = pointPosition
            while k < 0 { out.append("0"); k += 1 }
            while k < nd { out.append(Character(Unicode.Scalar(digits[k]))); k += 1 }
        }
        return out
    }

    /// Shortest round-trip decimal digits (ASCII, no leading or trailing zeros) and the
    /// position of the decimal point relative to them: value = 0.d1d2... * 10^pointPosition.
    /// Swift's `description` already produces the shortest round-trip digits; this only
    /// reads them back out of whichever notation it chose.
    static func shortestDigits<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) -> (Bool, [UInt8], Int) {
        let negative = value.sign == .minus
        if value == 0 { return (negative, [], 0) }
        var text = Substring(value.magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var digits: [UInt8] = []
        var point: Int?
        for c in text.utf8 {
            if c == UInt8(ascii: ".") { point = digits.count; continue }
            digits.append(c)
        }
        var pointPosition = (point ?? digits.count) + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            pointPosition -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (negative, digits, pointPosition)
    }

    /// strconv.Quote: a double-quoted Go string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x7F {
                    out += "\\x" + hex(v, width: 2)
                } else if v >= 0x80 && !isGoPrintable(scalar) {
                    out += v > 0xFFFF ? "\\U" + hex(v, width: 8) : "\\u" + hex(v, width: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func isGoPrintable(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        case .spaceSeparator:
            return s == " "
        default:
            return true
        }
    }

    static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A yaml.v2 value as Go holds it before the JSON step (`interface{}` trees with
/// `map[interface{}]interface{}`), kept so error messages can print it as Go's `%#v` does.
indirect enum GoValue {
    case scalar(GoScalar)
    case sequence([GoValue])
    case mapping([(key: GoValue, value: GoValue, mark: Mark)])

    /// fmt's `%#v` (and `%+#v`, identical for these types). `nested` is set inside
    /// containers, where a nil prints as `interface {}(nil)`.
    func goSyntax(nested: Bool = false) -> String {
        switch self {
        case .scalar(let s):
            switch s {
            case .null: return nested ? "interface {}(nil)" : "<nil>"
            case .bool(let b): return b ? "true" : "false"
            case .int(let i): return String(i)
            case .uint(let u): return "0x" + String(u, radix: 16)
            case .bigInt(let d): return GoFormat.formatG(d)
            case .float(let d): return GoFormat.formatG(d)
            case .string(let str): return GoFormat.quote(str)
            }
        case .sequence(let items):
            return "[]interface {}{" + items.map { $0.goSyntax(nested: true) }.joined(separator: ", ") + "}"
        case .mapping(let pairs):
            let entries = pairs.map { ($0.key.goSyntax(nested: true), $0.value.goSyntax(nested: true)) }
                .sorted { $0.0 < $1.0 }
            return "map[interface {}]interface {}{" + entries.map { "\($0.0):\($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    /// Go's reflect.TypeOf(v).String(), as sigs.k8s.io/yaml prints it with `%s`.
    var goTypeName: String {
        switch self {
        case .scalar(let s):
            switch s {
            case .null: return "%!s(<nil>)"
            case .bool: return "bool"
            case .int: return "int"
            case .uint: return "uint64"
            case .bigInt: return "*big.Int"
            case .float: return "float64"
            case .string: return "string"
            }
        case .sequence: return "[]interface {}"
        case .mapping: return "map[interface {}]interface {}"
        }
    }
}
