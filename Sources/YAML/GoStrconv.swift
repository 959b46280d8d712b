// Go's float printing as the encoders need it: strconv's %e/%f with shortest digits and
// encoding/json's float64 format (digits come from GoFormat.shortestDigits).

enum GoStrconv {
    // MARK: Formatting

    /// Shortest round-trip digits of a double: value = 0.d1d2d3... × 10^point; zero is ("0", 1).
    struct Decimal {
        var digits: [UInt8]  // ASCII digits, no leading/trailing zeros (except "0")
        var point: Int
    }

    static func shortest(_ f: Double) -> Decimal {
        let (_, digits, point) = GoFormat.shortestDigits(f)
        return digits.isEmpty ? Decimal(digits: [UInt8(ascii: "0")], point: 1) : Decimal(digits: digits, point: point)
    }

    /// Go `strconv.FormatFloat(f, 'g', -1, bitSize)`. NaN → "NaN", ±Inf → "+Inf"/"-Inf".
    static func formatFloatG(_ f: Double, bitSize: Int = 64) -> String {
        GoFormat.formatG(f, bits32: bitSize == 32)
    }

    /// Go's `%e` with shortest digits: `d.ddde±XX` (exponent at least two digits).
    static func formatE(_ dec: Decimal) -> String {
        var out = [UInt8]()
        out.append(dec.digits[0])
        if dec.digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: dec.digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        let isZero = dec.digits == [UInt8(ascii: "0")]
        var exp = isZero ? 0 : dec.point - 1
        if exp < 0 { out.append(UInt8(ascii: "-")); exp = -exp } else { out.append(UInt8(ascii: "+")) }
        if exp < 10 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "0") + UInt8(exp))
        } else {
            out.append(contentsOf: Array(String(exp).utf8))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `%f` with shortest digits (no trailing zeros, no point for integers).
    static func formatF(_ dec: Decimal) -> String {
        var out = [UInt8]()
        if dec.point <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -dec.point))
            out.append(contentsOf: dec.digits)
        } else if dec.point >= dec.digits.count {
            out.append(contentsOf: dec.digits)
            if dec.digits != [UInt8(ascii: "0")] {
                out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: dec.point - dec.digits.count))
            }
        } else {
            out.append(contentsOf: dec.digits[..<dec.point])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: dec.digits[dec.point...])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// encoding/json's float64 text (ES6 style): `'f'` for 1e-6 <= |f| < 1e21, else `'e'` with
    /// `e-07` shortened to `e-7`. Nil for NaN and ±Inf, which encoding/json refuses.
    static func formatJSONFloat(_ f: Double) -> String? {
        guard f.isFinite else { return nil }
        let negative = f.sign == .minus
        let dec = shortest(f)
        let a = abs(f)
        var s: String
        if a != 0 && (a < 1e-6 || a >= 1e21) {
            s = formatE(dec)
            // clean up e-09 to e-9
            var b = Array(s.utf8)
            let n = b.count
            if n >= 4, b[n - 4] == UInt8(ascii: "e"), b[n - 3] == UInt8(ascii: "-"), b[n - 2] == UInt8(ascii: "0") {
                b[n - 2] = b[n - 1]
                b.removeLast()
                s = String(decoding: b, as: UTF8.self)
            }
        } else {
            s = formatF(dec)
        }
        return (negative ? "-" : "") + s
    }
}
