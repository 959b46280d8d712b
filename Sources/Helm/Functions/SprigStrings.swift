import Foundation
import GoTemplate

// Sprig's string functions (strings.go and the goutils/xstrings helpers it calls).
// Go strings are bytes: slicing functions (trunc, substr) work on UTF-8 bytes.
extension Sprig {
    static func stringFunctions(into f: inout FunctionMap) {
        f.add("trim", [.string], result: .string) { a, _ in .string(goTrimSpace(try a.string(0))) }
        f.add("upper", [.string], result: .string) { a, _ in .string(try a.string(0).uppercased()) }
        f.add("lower", [.string], result: .string) { a, _ in .string(try a.string(0).lowercased()) }
        f.add("title", [.string], result: .string) { a, _ in .string(title(try a.string(0))) }
        f.add("untitle", [.string], result: .string) { a, _ in .string(untitle(try a.string(0))) }
        f.add("substr", [.int(.int), .int(.int), .string], result: .string) { a, _ in
            .string(substring(try a.int(0), try a.int(1), try a.string(2)))
        }
        f.add("repeat", [.int(.int), .string], result: .string) { a, _ in
            let n = try a.int(0)
            if n < 0 { throw FunctionError("strings: negative Repeat count") }
            return .string(String(repeating: try a.string(1), count: n))
        }
        for name in ["trimAll", "trimall"] {
            f.add(name, [.string, .string], result: .string) { a, _ in .string(goTrim(try a.string(1), cutset: try a.string(0))) }
        }
        f.add("trimSuffix", [.string, .string], result: .string) { a, _ in
            let (suffix, s) = (try a.string(0), try a.string(1))
            return .string(!suffix.isEmpty && s.hasSuffix(suffix) ? String(decoding: Array(s.utf8).dropLast(suffix.utf8.count), as: UTF8.self) : s)
        }
        f.add("trimPrefix", [.string, .string], result: .string) { a, _ in
            let (prefix, s) = (try a.string(0), try a.string(1))
            return .string(!prefix.isEmpty && s.hasPrefix(prefix) ? String(decoding: Array(s.utf8).dropFirst(prefix.utf8.count), as: UTF8.self) : s)
        }
        f.add("nospace", [.string], result: .string) { a, _ in
            .string(String(String.UnicodeScalarView(try a.string(0).unicodeScalars.filter { !$0.properties.isWhitespace })))
        }
        f.add("initials", [.string], result: .string) { a, _ in
            .string(String(try a.string(0).split(whereSeparator: { $0.isWhitespace }).compactMap(\.first)))
        }
        f.add("swapcase", [.string], result: .string) { a, _ in .string(swapCase(try a.string(0))) }
        f.add("shuffle", [.string], result: .string) { a, _ in .string(String(try a.string(0).shuffled())) }
        f.add("snakecase", [.string], result: .string) { a, _ in .string(delimitedCase(try a.string(0), "_")) }
        f.add("kebabcase", [.string], result: .string) { a, _ in .string(delimitedCase(try a.string(0), "-")) }
        f.add("camelcase", [.string], result: .string) { a, _ in .string(camelCase(try a.string(0))) }
        f.add("wrap", [.int(.int), .string], result: .string) { a, _ in
            .string(wrap(try a.string(1), width: try a.int(0), newline: "\n", longWords: false))
        }
        f.add("wrapWith", [.int(.int), .string, .string], result: .string) { a, _ in
            .string(wrap(try a.string(2), width: try a.int(0), newline: try a.string(1), longWords: true))
        }
        f.add("contains", [.string, .string], result: .bool) { a, _ in
            let (sub, s) = (try a.string(0), try a.string(1))
            return .bool(sub.isEmpty || s.contains(sub))
        }
        f.add("hasPrefix", [.string, .string], result: .bool) { a, _ in .bool(try a.string(1).hasPrefix(try a.string(0))) }
        f.add("hasSuffix", [.string, .string], result: .bool) { a, _ in .bool(try a.string(1).hasSuffix(try a.string(0))) }
        f.add("quote", [], variadic: .interface, result: .string) { a, _ in
            .string(a.values.filter { !isNilInterface($0) }.map { quoted(strval($0)) }.joined(separator: " "))
        }
        f.add("squote", [], variadic: .interface, result: .string) { a, _ in
            .string(a.values.filter { !isNilInterface($0) }.map { "'" + goFormat($0) + "'" }.joined(separator: " "))
        }
        f.add("cat", [], variadic: .interface, result: .string) { a, _ in
            .string(a.values.filter { !isNilInterface($0) }.map(goFormat).joined(separator: " "))
        }
        f.add("indent", [.int(.int), .string], result: .string) { a, _ in .string(indent(try a.int(0), try a.string(1))) }
        f.add("nindent", [.int(.int), .string], result: .string) { a, _ in .string("\n" + indent(try a.int(0), try a.string(1))) }
        f.add("replace", [.string, .string, .string], result: .string) { a, _ in
            .string(goReplace(try a.string(2), try a.string(0), try a.string(1)))
        }
        f.add("plural", [.string, .string, .int(.int)], result: .string) { a, _ in
            .string(try a.int(2) == 1 ? try a.string(0) : try a.string(1))
        }
        f.add("trunc", [.int(.int), .string], result: .string) { a, _ in
            let (c, s) = (try a.int(0), try a.string(1))
            let b = Array(s.utf8)
            if c < 0 && b.count + c > 0 { return .string(String(decoding: b[(b.count + c)...], as: UTF8.self)) }
            if c >= 0 && b.count > c { return .string(String(decoding: b[..<c], as: UTF8.self)) }
            return .string(s)
        }
        f.add("abbrev", [.int(.int), .string], result: .string) { a, _ in
            let (w, s) = (try a.int(0), try a.string(1))
            if w < 4 || s.utf8.count <= w { return .string(s) }
            return .string(String(decoding: Array(s.utf8)[..<(w - 3)], as: UTF8.self) + "...")
        }
        f.add("abbrevboth", [.int(.int), .int(.int), .string], result: .string) { a, _ in
            .string(abbreviateFull(try a.string(2), offset: try a.int(0), width: try a.int(1)))
        }
        f.add("toString", [.interface], result: .string) { a, _ in .string(strval(a[0])) }
        f.add("split", [.string, .string], result: .stringDict) { a, _ in
            let parts = goSplit(try a.string(1), try a.string(0), limit: -1)
            return indexedParts(parts)
        }
        f.add("splitn", [.string, .int(.int), .string], result: .stringDict) { a, _ in
            indexedParts(goSplit(try a.string(2), try a.string(0), limit: try a.int(1)))
        }
        f.add("splitList", [.string, .string], result: .stringList) { a, _ in
            .stringList(goSplit(try a.string(1), try a.string(0), limit: -1))
        }
        f.add("toStrings", [.interface], result: .stringList) { a, _ in .stringList(strslice(a[0])) }
        f.add("join", [.string, .interface], result: .string) { a, _ in
            .string(strslice(a[1]).joined(separator: try a.string(0)))
        }
        f.add("sortAlpha", [.interface], result: .stringList) { a, _ in
            guard elements(a[0]) != nil else { return .stringList([strval(a[0])]) }
            return .stringList(strslice(a[0]).sorted(by: goStringLess))
        }
        f.add("seq", [], variadic: .int(.int), result: .string) { a, _ in
            let n = try a.indices.map { try a.int($0) }
            return .string(seq(n))
        }
    }

    static func isNilInterface(_ v: Value) -> Bool {
        switch v { case .null, .noValue: return true; default: return false }
    }

    static func indexedParts(_ parts: [String]) -> Value {
        var d: [String: Value] = [:]
        for (i, p) in parts.enumerated() { d["_\(i)"] = .string(p) }
        return .map(GoMap(d, valueType: .string))
    }

    static func indent(_ spaces: Int, _ v: String) -> String {
        let pad = String(repeating: " ", count: max(0, spaces))
        return pad + goReplace(v, "\n", "\n" + pad)
    }

    /// strings.Replace(s, old, new, -1) on bytes (Go semantics, including an empty `old`).
    static func goReplace(_ s: String, _ old: String, _ new: String) -> String {
        if old.isEmpty {
            var out = new
            for ch in s.unicodeScalars { out.unicodeScalars.append(ch); out += new }
            return out
        }
        let src = Array(s.utf8), pat = Array(old.utf8), rep = Array(new.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(src.count)
        var i = 0
        while i < src.count {
            if src[i] == pat[0], i + pat.count <= src.count, src[i..<(i + pat.count)].elementsEqual(pat) {
                out.append(contentsOf: rep)
                i += pat.count
            } else {
                out.append(src[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// strings.SplitN (limit < 0: all; 0: nil).
    static func goSplit(_ s: String, _ sep: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        if sep.isEmpty {
            var parts = s.unicodeScalars.map { String($0) }
            if limit > 0 && parts.count > limit {
                let tail = parts[(limit - 1)...].joined()
                parts = Array(parts[..<(limit - 1)]) + [tail]
            }
            return parts
        }
        var parts: [String] = []
        var rest = Substring(s)
        while limit < 0 || parts.count < limit - 1, let r = rest.range(of: sep) {
            parts.append(String(rest[..<r.lowerBound]))
            rest = rest[r.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }

    static func goTrimSpace(_ s: String) -> String {
        String(s.unicodeScalars.drop(while: \.properties.isWhitespace).reversed().drop(while: \.properties.isWhitespace).reversed()
            .reduce(into: "") { $0.unicodeScalars.append($1) })
    }

    static func goTrim(_ s: String, cutset: String) -> String {
        let set = Set(cutset.unicodeScalars)
        let scalars = Array(s.unicodeScalars)
        var lo = 0, hi = scalars.count
        while lo < hi, set.contains(scalars[lo]) { lo += 1 }
        while hi > lo, set.contains(scalars[hi - 1]) { hi -= 1 }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[lo..<hi])
        return out
    }

    /// strings.Title: upper-case letters that follow a separator.
    static func title(_ s: String) -> String {
        var out = ""
        var prevSeparator = true
        for ch in s.unicodeScalars {
            if prevSeparator, ch.properties.isLowercase || ch.properties.changesWhenTitlecased {
                out += String(ch).uppercased()
            } else {
                out.unicodeScalars.append(ch)
            }
            prevSeparator = isSeparator(ch)
        }
        return out
    }

    private static func isSeparator(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value
            if (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) || v == 0x5F { return false }
            return true
        }
        if c.properties.isAlphabetic || c.properties.numericType != nil { return false }
        return c.properties.isWhitespace
    }

    /// goutils.Uncapitalize: lower-case the first letter of each space-delimited word.
    static func untitle(_ s: String) -> String {
        var out = ""
        var start = true
        for ch in s.unicodeScalars {
            if start { out += String(ch).lowercased() } else { out.unicodeScalars.append(ch) }
            start = ch.properties.isWhitespace
        }
        return out
    }

    static func swapCase(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            if ch.properties.isUppercase { out += String(ch).lowercased() }
            else if ch.properties.isLowercase { out += String(ch).uppercased() }
            else { out.unicodeScalars.append(ch) }
        }
        return out
    }

    /// xstrings.ToSnakeCase / ToKebabCase: words split at case changes and non-alphanumerics.
    static func delimitedCase(_ s: String, _ delimiter: String) -> String {
        var words: [String] = []
        var current = ""
        let chars = Array(s)
        for (i, c) in chars.enumerated() {
            if !(c.isLetter || c.isNumber) {
                if !current.isEmpty { words.append(current); current = "" }
                continue
            }
            if c.isUppercase, !current.isEmpty {
                let prev = chars[i - 1]
                let next = i + 1 < chars.count ? chars[i + 1] : nil
                if prev.isLowercase || prev.isNumber || (prev.isUppercase && (next?.isLowercase ?? false)) {
                    words.append(current); current = ""
                }
            }
            current.append(c)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }.joined(separator: delimiter)
    }

    /// xstrings.ToCamelCase: `_`-separated words joined with upper-cased first letters.
    static func camelCase(_ s: String) -> String {
        var out = ""
        var upperNext = true
        for c in s {
            if c == "_" || c == " " || c == "-" { upperNext = true; continue }
            if upperNext { out += String(c).uppercased(); upperNext = false } else { out.append(c) }
        }
        return out
    }

    static func substring(_ start: Int, _ end: Int, _ s: String) -> String {
        let b = Array(s.utf8)
        if start < 0 { return String(decoding: b[..<min(max(end, 0), b.count)], as: UTF8.self) }
        if end < 0 || end > b.count { return start <= b.count ? String(decoding: b[start...], as: UTF8.self) : "" }
        guard start <= end else { return "" }
        return String(decoding: b[start..<end], as: UTF8.self)
    }

    static func abbreviateFull(_ s: String, offset: Int, width: Int) -> String {
        let b = Array(s.utf8)
        if width < 4 || (offset > 0 && width < 7) || b.count <= width { return s }
        var off = min(max(offset, 0), b.count)
        if b.count - off < width - 3 { off = b.count - (width - 3) }
        if off <= 4 { return String(decoding: b[..<(width - 3)], as: UTF8.self) + "..." }
        if off + width - 3 < b.count {
            return "..." + abbreviateFull(String(decoding: b[off...], as: UTF8.self), offset: 0, width: width - 3)
        }
        return "..." + String(decoding: b[(b.count - (width - 3))...], as: UTF8.self)
    }

    /// goutils.WrapCustom.
    static func wrap(_ s: String, width: Int, newline: String, longWords: Bool) -> String {
        let str = Array(s.utf8)
        if str.isEmpty { return "" }
        let nl = Array((newline.isEmpty ? "\n" : newline).utf8)
        let w = max(width, 1)
        var out: [UInt8] = []
        var offset = 0
        while str.count - offset > w {
            if str[offset] == 0x20 { offset += 1; continue }
            let end = min(w + offset + 1, str.count)
            if let space = str[offset..<end].lastIndex(of: 0x20), space >= offset {
                out += str[offset..<space]; out += nl; offset = space + 1
            } else if longWords {
                out += str[offset..<(w + offset)]; out += nl; offset += w
            } else if let space = str[(w + offset)...].firstIndex(of: 0x20) {
                out += str[offset..<space]; out += nl; offset = space + 1
            } else {
                out += str[offset...]; offset = str.count
            }
        }
        if offset < str.count { out += str[offset...] }
        return String(decoding: out, as: UTF8.self)
    }

    static func seq(_ params: [Int]) -> String {
        func run(_ start: Int, _ step: Int, _ end: Int) -> String {
            var out: [String] = []
            if step > 0 { var i = start; while i <= end { out.append(String(i)); i += step } }
            else if step < 0 { var i = start; while i >= end { out.append(String(i)); i += step } }
            return out.joined(separator: " ")
        }
        switch params.count {
        case 1: let end = params[0]; return end == 0 ? "" : (end > 0 ? run(1, 1, end) : run(1, -1, end))
        case 2: let (s, e) = (params[0], params[1]); return s < e ? run(s, 1, e) : run(s, -1, e)
        case 3:
            let (s, step, e) = (params[0], params[1], params[2])
            if e > s && step <= 0 || e < s && step >= 0 { return "" }
            return run(s, step, e)
        default: return ""
        }
    }
}
