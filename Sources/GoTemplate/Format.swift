// Go's fmt, as far as templates reach it: Sprint, Sprintln, Sprintf with verbs,
// flags, width, precision, argument indexes and Go's error forms (%!d(string=x),
// %!v(MISSING), %!(EXTRA ...)). Floats print like strconv.FormatFloat.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `fmt.Sprint`.
public func goSprint(_ args: [Value]) -> String {
    var p = Printer()
    var prevString = false
    for (i, a) in args.enumerated() {
        let isString = a.kind == .string
        if i > 0 && !isString && !prevString { p.buf += " " }
        p.printArg(a, "v")
        prevString = isString
    }
    return p.buf
}

/// Go's `fmt.Sprintln`.
public func goSprintln(_ args: [Value]) -> String {
    var p = Printer()
    for (i, a) in args.enumerated() {
        if i > 0 { p.buf += " " }
        p.printArg(a, "v")
    }
    p.buf += "\n"
    return p.buf
}

/// Go's `fmt.Sprintf`.
public func goSprintf(_ format: String, _ args: [Value]) -> String {
    var p = Printer()
    p.doPrintf(Array(format.utf8), args)
    return p.buf
}

/// `%v` of one value (what a template action prints, after its own `<no value>` rule).
public func goFormat(_ v: Value) -> String {
    switch v {
    case .string(let s): return s
    case .integer(let n, _): return String(n)
    case .bool(let b): return b ? "true" : "false"
    case .float(let d): return formatFloatShortest(d, verb: "g")
    default:
        var p = Printer()
        p.printArg(v, "v")
        return p.buf
    }
}

struct Printer {
    var buf = ""
    // flags
    var plus = false, minus = false, sharp = false, space = false, zero = false
    var plusV = false, sharpV = false
    var wid = 0, widPresent = false
    var prec = 0, precPresent = false
    var erroring = false
    var reordered = false
    var goodArgNum = true

    mutating func clearFlags() {
        plus = false; minus = false; sharp = false; space = false; zero = false
        plusV = false; sharpV = false
        wid = 0; widPresent = false; prec = 0; precPresent = false
    }

    // MARK: padding

    mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        let c: Character = (zero && !minus) ? "0" : " "
        buf += String(repeating: c, count: n)
    }

    mutating func pad(_ s: String) {
        guard widPresent && wid != 0 else { buf += s; return }
        let width = wid - s.unicodeScalars.count
        if !minus {
            writePadding(width)
            buf += s
        } else {
            buf += s
            writePadding(width)
        }
    }

    // MARK: printArg

    mutating func printArg(_ arg: Value, _ verb: Character) {
        switch arg {
        case .noValue, .null:
            switch verb {
            case "T", "v": pad("<nil>")
            default: badVerb(verb, arg)
            }
            return
        default: break
        }
        if verb == "T" { fmtS(arg.typeName); return }
        if verb == "p" { fmtPointer(arg, verb); return }
        switch arg {
        case .bool(let b): fmtBool(b, verb, arg)
        case .float(let d): fmtFloat(d, verb, arg)
        case .integer(let n, _): fmtInteger(UInt64(bitPattern: n), signed: true, verb, arg)
        case .unsigned(let n, _): fmtInteger(n, signed: false, verb, arg)
        case .string(let s): fmtString(s, verb, arg)
        case .bytes(let b): fmtBytes(b, verb, arg)
        default:
            if !handleMethods(arg, verb) { printValue(arg, verb, depth: 0) }
        }
    }

    mutating func handleMethods(_ arg: Value, _ verb: Character) -> Bool {
        if erroring { return false }
        guard case .object(let o) = arg, let s = o.stringValue else { return false }
        if sharpV { return false }
        switch verb {
        case "v", "s", "x", "X", "q":
            fmtString(s, verb, .string(s))
            return true
        default: return false
        }
    }

    mutating func printValue(_ value: Value, _ verb: Character, depth: Int) {
        if depth > 0 {
            switch value {
            case .noValue, .null:
                if verb == "v" { buf += "<nil>" } else { badVerb(verb, value) }
                return
            case .bool, .float, .integer, .unsigned, .string, .bytes:
                printArg(value, verb)
                return
            default:
                if handleMethods(value, verb) { return }
            }
        }
        switch value {
        case .noValue, .null:
            if depth == 0 { buf += "<invalid reflect.Value>" } else { buf += "<nil>" }
        case .bool, .float, .integer, .unsigned, .string, .bytes:
            printArg(value, verb)
        case .map(let m):
            if sharpV {
                buf += value.typeName + "{"
                for (i, k) in m.sortedKeys.enumerated() {
                    if i > 0 { buf += ", " }
                    printValue(.string(k), verb, depth: depth + 1)
                    buf += ":"
                    printValue(m.entries[k] ?? .null, verb, depth: depth + 1)
                }
                buf += "}"
                return
            }
            buf += "map["
            for (i, k) in m.sortedKeys.enumerated() {
                if i > 0 { buf += " " }
                printValue(.string(k), verb, depth: depth + 1)
                buf += ":"
                printValue(m.entries[k] ?? .null, verb, depth: depth + 1)
            }
            buf += "]"
        case .list(let l):
            if case .uint(.uint8) = l.elementType, "sqxX".contains(verb) {
                let bytes = l.elements.map { v -> UInt8 in
                    if case .unsigned(let n, _) = v { return UInt8(truncatingIfNeeded: n) }
                    return 0
                }
                fmtBytes(bytes, verb, value)
                return
            }
            if sharpV {
                buf += value.typeName + "{"
                for (i, e) in l.elements.enumerated() {
                    if i > 0 { buf += ", " }
                    printValue(e, verb, depth: depth + 1)
                }
                buf += "}"
                return
            }
            buf += "["
            for (i, e) in l.elements.enumerated() {
                if i > 0 { buf += " " }
                printValue(e, verb, depth: depth + 1)
            }
            buf += "]"
        case .typedNil(let t):
            switch t.kind {
            case .map: buf += sharpV ? "\(t)(nil)" : "map[]"
            case .slice: buf += sharpV ? "\(t)(nil)" : "[]"
            default:
                if sharpV { buf += "(\(t))(nil)" } else if verb == "v" { pad("<nil>") } else { badVerb(verb, value) }
            }
        case .function:
            fmtPointer(value, verb)
        case .object(let o):
            if let u = o.underlying {
                printValue(u, verb, depth: depth + 1)
                return
            }
            let isPointer = o.goType.kind == .ptr
            if isPointer && depth > 0 {
                fmtPointer(value, verb)
                return
            }
            if isPointer { buf += "&" }
            buf += "{"
            for (i, f) in o.printedFields.enumerated() {
                if i > 0 { buf += " " }
                if plusV || sharpV { buf += f.name + ":" }
                printValue(f.value, verb, depth: depth + 1)
            }
            buf += "}"
        }
    }

    /// Prints an object as a template action does: pointers are dereferenced first.
    mutating func printDereferenced(_ o: any GoObject) {
        if o.stringValue != nil || o.underlying != nil || o.goType.kind != .ptr {
            printArg(.object(o), "v")
            return
        }
        buf += "{"
        for (i, f) in o.printedFields.enumerated() {
            if i > 0 { buf += " " }
            printValue(f.value, "v", depth: 1)
        }
        buf += "}"
    }

    mutating func fmtPointer(_ value: Value, _ verb: Character) {
        switch verb {
        case "v":
            if sharpV { buf += "(\(value.typeName))(0xc000010000)" } else { pad("0xc000010000") }
        case "p":
            pad("0xc000010000")
        case "b", "o", "d", "x", "X":
            fmtInteger(0xc000010000, signed: false, verb, value)
        default:
            badVerb(verb, value)
        }
    }

    mutating func badVerb(_ verb: Character, _ arg: Value) {
        erroring = true
        buf += "%!"
        buf.append(verb)
        buf += "("
        switch arg {
        case .noValue, .null:
            buf += "<nil>"
        default:
            buf += arg.typeName
            buf += "="
            let saved = (plus, minus, sharp, space, zero, plusV, sharpV, wid, widPresent, prec, precPresent)
            printArg(arg, "v")
            (plus, minus, sharp, space, zero, plusV, sharpV, wid, widPresent, prec, precPresent) = saved
        }
        buf += ")"
        erroring = false
    }

    // MARK: basic kinds

    mutating func fmtBool(_ b: Bool, _ verb: Character, _ arg: Value) {
        switch verb {
        case "t", "v": pad(b ? "true" : "false")
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtS(_ s: String) {
        pad(truncate(s))
    }

    func truncate(_ s: String) -> String {
        guard precPresent else { return s }
        let scalars = s.unicodeScalars
        if scalars.count <= prec { return s }
        return String(String.UnicodeScalarView(scalars.prefix(prec)))
    }

    mutating func fmtString(_ s: String, _ verb: Character, _ arg: Value) {
        switch verb {
        case "v": if sharpV { fmtQ(s) } else { fmtS(s) }
        case "s": fmtS(s)
        case "x": fmtSx(Array(s.utf8), upper: false)
        case "X": fmtSx(Array(s.utf8), upper: true)
        case "q": fmtQ(s)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtQ(_ s: String) {
        let t = truncate(s)
        if sharp && canBackquote(t) {
            pad("`" + t + "`")
        } else {
            pad(goQuote(t, asciiOnly: plus))
        }
    }

    mutating func fmtSx(_ bytes: [UInt8], upper: Bool) {
        let digits: [Character] = upper ? Array("0123456789ABCDEF") : Array("0123456789abcdef")
        var length = bytes.count
        if precPresent && prec < length { length = prec }
        var width = 2 * length
        if width > 0 {
            if space {
                if sharp { width *= 2 }
                width += length - 1
            } else if sharp {
                width += 2
            }
        } else {
            if widPresent { writePadding(wid) }
            return
        }
        if widPresent && wid > width && !minus { writePadding(wid - width) }
        var out = ""
        if sharp { out += upper ? "0X" : "0x" }
        for i in 0..<length {
            if space && i > 0 {
                out += " "
                if sharp { out += upper ? "0X" : "0x" }
            }
            let b = bytes[i]
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        buf += out
        if widPresent && wid > width && minus { writePadding(wid - width) }
    }

    mutating func fmtBytes(_ b: [UInt8], _ verb: Character, _ arg: Value) {
        switch verb {
        case "v", "d":
            if sharpV {
                buf += "[]byte{"
                for (i, c) in b.enumerated() {
                    if i > 0 { buf += ", " }
                    buf += "0x" + String(c, radix: 16)
                }
                buf += "}"
                return
            }
            buf += "["
            for (i, c) in b.enumerated() {
                if i > 0 { buf += " " }
                fmtIntegerBase(UInt64(c), base: 10, signed: false, verb: verb, upper: false)
            }
            buf += "]"
        case "s": fmtS(String(decoding: b, as: UTF8.self))
        case "x": fmtSx(b, upper: false)
        case "X": fmtSx(b, upper: true)
        case "q": fmtQ(String(decoding: b, as: UTF8.self))
        default:
            printValue(.list(GoList(b.map { .unsigned(UInt64($0), .uint8) }, elementType: .uint(.uint8))), verb, depth: 0)
        }
    }

    mutating func fmtInteger(_ v: UInt64, signed: Bool, _ verb: Character, _ arg: Value) {
        switch verb {
        case "v":
            if sharpV && !signed {
                buf += "0x" + String(v, radix: 16)
            } else {
                fmtIntegerBase(v, base: 10, signed: signed, verb: verb, upper: false)
            }
        case "d": fmtIntegerBase(v, base: 10, signed: signed, verb: verb, upper: false)
        case "b": fmtIntegerBase(v, base: 2, signed: signed, verb: verb, upper: false)
        case "o", "O": fmtIntegerBase(v, base: 8, signed: signed, verb: verb, upper: false)
        case "x": fmtIntegerBase(v, base: 16, signed: signed, verb: verb, upper: false)
        case "X": fmtIntegerBase(v, base: 16, signed: signed, verb: verb, upper: true)
        case "c":
            let r = (signed && Int64(bitPattern: v) < 0) || v > 0x10FFFF ? 0xFFFD : UInt32(v)
            let sc = Unicode.Scalar(r) ?? "\u{FFFD}"
            pad(String(Character(sc)))
        case "q":
            let r = v > 0x10FFFF ? 0xFFFD : UInt32(v)
            let sc = Unicode.Scalar(r) ?? "\u{FFFD}"
            pad(goQuoteRune(sc, asciiOnly: plus))
        case "U":
            var hex = String(v, radix: 16, uppercase: true)
            let minDigits = precPresent && prec > 4 ? prec : 4
            while hex.count < minDigits { hex = "0" + hex }
            var s = "U+" + hex
            if sharp, v <= 0x10FFFF, let sc = Unicode.Scalar(UInt32(v)), isGoPrint(sc) {
                s += " '" + String(Character(sc)) + "'"
            }
            let oldZero = zero
            zero = false
            pad(s)
            zero = oldZero
        default:
            badVerb(verb, arg)
        }
    }

    mutating func fmtIntegerBase(_ value: UInt64, base: Int, signed: Bool, verb: Character, upper: Bool) {
        var u = value
        let negative = signed && Int64(bitPattern: value) < 0
        if negative { u = 0 &- u }
        var precision = 0
        if precPresent {
            precision = prec
            if precision == 0 && u == 0 {
                let oldZero = zero
                zero = false
                writePadding(wid)
                zero = oldZero
                return
            }
        } else if zero && !minus && widPresent {
            precision = wid
            if negative || plus || space { precision -= 1 }
        }
        var digits = String(u, radix: base, uppercase: upper)
        if digits.count < precision {
            digits = String(repeating: "0", count: precision - digits.count) + digits
        }
        if sharp {
            switch base {
            case 2: digits = "0b" + digits
            case 8: if !digits.hasPrefix("0") { digits = "0" + digits }
            case 16: digits = (upper ? "0X" : "0x") + digits
            default: break
            }
        }
        if verb == "O" { digits = "0o" + digits }
        if negative { digits = "-" + digits } else if plus { digits = "+" + digits } else if space { digits = " " + digits }
        let oldZero = zero
        zero = false
        pad(digits)
        zero = oldZero
    }

    mutating func fmtFloat(_ v: Double, _ verb: Character, _ arg: Value) {
        switch verb {
        case "v": fmtFloatFormatted(v, verb: "g", defaultPrec: -1)
        case "b", "g", "G", "x", "X": fmtFloatFormatted(v, verb: verb, defaultPrec: -1)
        case "f", "e", "E", "F": fmtFloatFormatted(v, verb: verb, defaultPrec: 6)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtFloatFormatted(_ v: Double, verb: Character, defaultPrec: Int) {
        let p = precPresent ? prec : defaultPrec
        var num = formatFloat(v, verb: verb, prec: p)
        if num.hasPrefix("-") || num.hasPrefix("+") {
        } else {
            num = "+" + num
        }
        if space && num.hasPrefix("+") && !plus {
            num = " " + num.dropFirst()
        }
        let second = num.dropFirst().first
        if second == "I" || second == "N" {
            let oldZero = zero
            zero = false
            if second == "N" && !space && !plus { num = String(num.dropFirst()) }
            pad(num)
            zero = oldZero
            return
        }
        if sharp && verb != "b" && !num.contains(".") && !num.contains("e") && !num.contains("E") {
            // %#g and friends keep a decimal point.
            if let eIndex = num.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                num.insert(".", at: eIndex)
            } else {
                num += "."
            }
        }
        if plus || !num.hasPrefix("+") {
            if zero && !minus && widPresent && wid > num.count {
                buf.append(num.first ?? "+")
                writePadding(wid - num.count)
                buf += num.dropFirst()
                return
            }
            pad(num)
            return
        }
        pad(String(num.dropFirst()))
    }

    // MARK: Printf

    mutating func parseNum(_ f: [UInt8], _ start: Int, _ end: Int) -> (Int, Bool, Int) {
        var i = start
        var num = 0
        var found = false
        while i < end, f[i] >= 0x30, f[i] <= 0x39 {
            if num > 1_000_000 { return (0, false, end) }  // Go's tooLarge
            num = num * 10 + Int(f[i] - 0x30)
            found = true
            i += 1
        }
        return (num, found, i)
    }

    mutating func argNumber(_ argNum: Int, _ f: [UInt8], _ i: Int, _ numArgs: Int) -> (Int, Int, Bool) {
        guard i < f.count, f[i] == 0x5B else { return (argNum, i, false) }
        reordered = true
        // parseArgNumber
        var index = 0, wid = 0, ok = false
        if f.count - i >= 3 {
            var j = i + 1
            while j < f.count {
                if f[j] == 0x5D {
                    let (w, okNum, newi) = parseNum(f, i + 1, j)
                    if !okNum || newi != j {
                        index = 0; wid = j - i + 1; ok = false
                    } else {
                        index = w - 1; wid = j - i + 1; ok = true
                    }
                    break
                }
                j += 1
            }
            if j == f.count { index = 0; wid = 1; ok = false }
        } else {
            index = 0; wid = 1; ok = false
        }
        if ok && 0 <= index && index < numArgs { return (index, i + wid, true) }
        goodArgNum = false
        return (argNum, i + wid, ok)
    }

    func intFromArg(_ a: [Value], _ argNum: Int) -> (Int, Bool, Int) {
        var n = argNum
        var num = 0
        var isInt = false
        if argNum < a.count {
            switch a[argNum] {
            case .integer(let v, _): num = Int(v); isInt = true
            case .unsigned(let v, _):
                if v <= UInt64(Int64.max) { num = Int(v); isInt = true }
            default: break
            }
            n = argNum + 1
            if abs(num) > 1_000_000 { num = 0; isInt = false }
        }
        return (num, isInt, n)
    }

    mutating func doPrintf(_ f: [UInt8], _ a: [Value]) {
        let end = f.count
        var argNum = 0
        var afterIndex = false
        reordered = false
        var i = 0
        formatLoop: while i < end {
            goodArgNum = true
            let lasti = i
            while i < end && f[i] != 0x25 { i += 1 }
            if i > lasti { buf += String(decoding: f[lasti..<i], as: UTF8.self) }
            if i >= end { break }
            i += 1
            clearFlags()
            simple: while i < end {
                let c = f[i]
                switch c {
                case 0x23: sharp = true
                case 0x30: zero = !minus
                case 0x2B: plus = true
                case 0x2D: minus = true; zero = false
                case 0x20: space = true
                default:
                    if c >= 0x61 && c <= 0x7A && argNum < a.count {
                        if c == 0x76 {
                            sharpV = sharp; sharp = false
                            plusV = plus; plus = false
                        }
                        printArg(a[argNum], Character(Unicode.Scalar(c)))
                        argNum += 1
                        i += 1
                        continue formatLoop
                    }
                    break simple
                }
                i += 1
            }
            (argNum, i, afterIndex) = argNumber(argNum, f, i, a.count)
            if i < end && f[i] == 0x2A {
                i += 1
                (wid, widPresent, argNum) = intFromArg(a, argNum)
                if !widPresent { buf += "%!(BADWIDTH)" }
                if wid < 0 { wid = -wid; minus = true; zero = false }
                afterIndex = false
            } else {
                (wid, widPresent, i) = parseNum(f, i, end)
                if afterIndex && widPresent { goodArgNum = false }
            }
            if i + 1 < end && f[i] == 0x2E {
                i += 1
                if afterIndex { goodArgNum = false }
                (argNum, i, afterIndex) = argNumber(argNum, f, i, a.count)
                if i < end && f[i] == 0x2A {
                    i += 1
                    (prec, precPresent, argNum) = intFromArg(a, argNum)
                    if prec < 0 { prec = 0; precPresent = false }
                    if !precPresent { buf += "%!(BADPREC)" }
                    afterIndex = false
                } else {
                    (prec, precPresent, i) = parseNum(f, i, end)
                    if !precPresent { prec = 0; precPresent = true }
                }
            }
            if !afterIndex { (argNum, i, afterIndex) = argNumber(argNum, f, i, a.count) }
            if i >= end {
                buf += "%!(NOVERB)"
                break
            }
            // Decode the verb (may be multi-byte).
            let verbScalar: Unicode.Scalar
            var size = 1
            if f[i] < 0x80 {
                verbScalar = Unicode.Scalar(f[i])
            } else {
                let s = String(decoding: f[i..<min(end, i + 4)], as: UTF8.self)
                verbScalar = s.unicodeScalars.first ?? "\u{FFFD}"
                size = verbScalar == "\u{FFFD}" ? 1 : String(verbScalar).utf8.count
            }
            i += size
            let verb = Character(verbScalar)
            if verb == "%" {
                buf += "%"
            } else if !goodArgNum {
                buf += "%!"; buf.append(verb); buf += "(BADINDEX)"
            } else if argNum >= a.count {
                buf += "%!"; buf.append(verb); buf += "(MISSING)"
            } else {
                if verb == "v" {
                    sharpV = sharp; sharp = false
                    plusV = plus; plus = false
                }
                printArg(a[argNum], verb)
                argNum += 1
            }
        }
        if !reordered && argNum < a.count {
            clearFlags()
            buf += "%!(EXTRA "
            for (k, arg) in a[argNum...].enumerated() {
                if k > 0 { buf += ", " }
                switch arg {
                case .noValue, .null: buf += "<nil>"
                default:
                    buf += arg.typeName
                    buf += "="
                    printArg(arg, "v")
                }
            }
            buf += ")"
        }
    }
}

// MARK: - strconv

/// Go's `strconv.Quote` (or `QuoteToASCII`).
public func goQuote(_ s: String, asciiOnly: Bool = false) -> String {
    var out = "\""
    for sc in s.unicodeScalars {
        appendEscaped(sc, quote: "\"", asciiOnly: asciiOnly, to: &out)
    }
    out += "\""
    return out
}

func goQuoteRune(_ sc: Unicode.Scalar, asciiOnly: Bool) -> String {
    var out = "'"
    appendEscaped(sc, quote: "'", asciiOnly: asciiOnly, to: &out)
    out += "'"
    return out
}

private func appendEscaped(_ sc: Unicode.Scalar, quote: Unicode.Scalar, asciiOnly: Bool, to out: inout String) {
    if sc == quote || sc == "\\" {
        out += "\\"
        out.unicodeScalars.append(sc)
        return
    }
    if asciiOnly {
        if sc.value < 0x80 && isGoPrint(sc) { out.unicodeScalars.append(sc); return }
    } else if isGoPrint(sc) {
        out.unicodeScalars.append(sc)
        return
    }
    switch sc {
    case "\u{07}": out += "\\a"
    case "\u{08}": out += "\\b"
    case "\u{0C}": out += "\\f"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    case "\u{0B}": out += "\\v"
    default:
        let v = sc.value
        if v < 0x20 || v == 0x7F {
            out += "\\x" + hex2(v)
        } else if v < 0x10000 {
            var h = String(v, radix: 16)
            while h.count < 4 { h = "0" + h }
            out += "\\u" + h
        } else {
            var h = String(v, radix: 16)
            while h.count < 8 { h = "0" + h }
            out += "\\U" + h
        }
    }
}

private func hex2(_ v: UInt32) -> String {
    let h = String(v, radix: 16)
    return h.count < 2 ? "0" + h : h
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and U+0020.
func isGoPrint(_ sc: Unicode.Scalar) -> Bool {
    let v = sc.value
    if v < 0x80 { return v >= 0x20 && v < 0x7F }
    switch sc.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark,
         .decimalNumber, .letterNumber, .otherNumber,
         .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation,
         .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

func canBackquote(_ s: String) -> Bool {
    for sc in s.unicodeScalars {
        if sc == "`" || sc == "\u{FEFF}" { return false }
        if sc.value < 0x20 && sc != "\t" { return false }
        if sc.value == 0x7F { return false }
    }
    return true
}

/// The shortest decimal digits and decimal-point position of |d| (d finite, nonzero):
/// value = 0.DIGITS × 10^dp.
func shortestDigits(_ d: Double) -> (digits: [UInt8], dp: Int) {
    let s = abs(d).description  // Swift prints the shortest round-tripping digits
    var mantissa = Substring(s)
    var exp = 0
    if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = s[..<e]
        exp = Int(s[s.index(after: e)...]) ?? 0
    }
    var intPart = mantissa
    var frac: Substring = ""
    if let dot = mantissa.firstIndex(of: ".") {
        intPart = mantissa[..<dot]
        frac = mantissa[mantissa.index(after: dot)...]
    }
    var digits = Array((intPart + frac).utf8).map { $0 - 0x30 }
    var dp = intPart.count + exp
    while let f = digits.first, f == 0 { digits.removeFirst(); dp -= 1 }
    while let l = digits.last, l == 0 { digits.removeLast() }
    return (digits, dp)
}

/// strconv.FormatFloat(d, 'g' or 'e' or 'f', -1, 64).
func formatFloatShortest(_ d: Double, verb: Character) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    let neg = d.sign == .minus
    var digs: [UInt8]
    var dp: Int
    if d == 0 {
        digs = []
        dp = 0
    } else {
        (digs, dp) = shortestDigits(d)
    }
    var out = neg ? "-" : ""
    let nd = digs.count
    func fmtE(_ prec: Int, _ e: Character) {
        out.append(Character(Unicode.Scalar(nd == 0 ? 0x30 : digs[0] + 0x30)))
        if prec > 0 {
            out += "."
            var i = 1
            let m = min(nd, prec + 1)
            while i < m { out.append(Character(Unicode.Scalar(digs[i] + 0x30))); i += 1 }
            while i <= prec { out += "0"; i += 1 }
        }
        out.append(e)
        var exp = dp - 1
        if nd == 0 { exp = 0 }
        if exp < 0 { out += "-"; exp = -exp } else { out += "+" }
        if exp < 10 { out += "0" + String(exp) } else { out += String(exp) }
    }
    func fmtF(_ prec: Int) {
        if dp > 0 {
            var m = min(nd, dp)
            for i in 0..<m { out.append(Character(Unicode.Scalar(digs[i] + 0x30))) }
            while m < dp { out += "0"; m += 1 }
        } else {
            out += "0"
        }
        if prec > 0 {
            out += "."
            for i in 1...prec {
                let j = dp + i - 1
                let ch: UInt8 = (j >= 0 && j < nd) ? digs[j] : 0
                out.append(Character(Unicode.Scalar(ch + 0x30)))
            }
        }
    }
    switch verb {
    case "e", "E":
        fmtE(max(nd - 1, 0), verb)
    case "f", "F":
        fmtF(max(nd - dp, 0))
    default:
        let exp = dp - 1
        if nd != 0 && (exp < -4 || exp >= 6) {
            fmtE(max(nd - 1, 0), verb == "G" ? "E" : "e")
        } else if nd == 0 {
            out += "0"
        } else {
            fmtF(max(nd - dp, 0))
        }
    }
    return out
}

/// strconv.FormatFloat(d, verb, prec, 64) for %e %f %g with or without precision.
func formatFloat(_ d: Double, verb: Character, prec: Int) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    var v = verb
    if v == "F" { v = "f" }
    if v == "x" || v == "X" || v == "b" { v = "g" }  // hex/binary float forms are not supported
    if prec < 0 { return formatFloatShortest(d, verb: v) }
    // C's printf rounds exactly like strconv for these verbs (and %g strips zeros alike).
    let spec = "%.\(prec)" + String(v)
    var buffer = [CChar](repeating: 0, count: 512 + max(prec, 0))
    let n = withVaList([d]) { args in
        buffer.withUnsafeMutableBufferPointer { bp in
            vsnprintf(bp.baseAddress, bp.count, spec, args)
        }
    }
    if n < 0 { return formatFloatShortest(d, verb: v) }
    if Int(n) >= buffer.count {
        buffer = [CChar](repeating: 0, count: Int(n) + 1)
        _ = withVaList([d]) { args in
            buffer.withUnsafeMutableBufferPointer { bp in vsnprintf(bp.baseAddress, bp.count, spec, args) }
        }
    }
    return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
