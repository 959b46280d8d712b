import Foundation
import GoTemplate

// Sprig's regex.go on ICU (NSRegularExpression). Go's regexp is RE2; the pieces that
// differ visibly are bridged here: RE2 syntax errors (checked before ICU sees the
// pattern, with Go's messages), ASCII-only `\d \s \w`, `$` meaning end of text, `.`
// stopping only at `\n`, Go's rule against empty matches right after a match, and
// Go's `$name`/`${name}` replacement expansion.
struct GoRegex: Sendable {
    let icu: NSRegularExpression
    /// The pattern as written (Go's `re.expr`).
    let source: String
    /// Capture group names by group number (index 0 is the whole match, "").
    let groupNames: [String]

    struct SyntaxError: Error, CustomStringConvertible {
        /// Go's `error parsing regexp: CODE: `EXPR``.
        let description: String
    }

    /// regexp.Compile.
    static func compile(_ pattern: String) throws -> GoRegex {
        let parsed = try RE2Syntax.check(pattern)
        do {
            // ICU refuses an empty pattern; RE2 matches the empty string everywhere.
            let icu = try NSRegularExpression(pattern: parsed.icuPattern.isEmpty ? "(?:)" : parsed.icuPattern,
                                              options: [.useUnixLineSeparators])
            return GoRegex(icu: icu, source: pattern, groupNames: parsed.groupNames)
        } catch {
            throw SyntaxError(description: "error parsing regexp: invalid or unsupported Perl syntax: `\(pattern)`")
        }
    }

    /// regexp.MustCompile's panic text, which a template reports for the non-must functions.
    static func mustCompile(_ pattern: String) throws -> GoRegex {
        do { return try compile(pattern) } catch let e as SyntaxError {
            let shown = canBackquote(pattern) ? "`" + pattern + "`" : goQuote(pattern)
            throw FunctionError("regexp: Compile(\(shown)): \(e.description)")
        }
    }

    private static func canBackquote(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in c == "\t" || (c.value >= 0x20 && c != "`" && c.value != 0x7f && c != "\u{FEFF}") }
    }

    /// Matches as Go's FindAll reports them (n < 0: all), as UTF-16 ranges.
    func matches(in s: String, limit n: Int = -1) -> [NSTextCheckingResult] {
        if n == 0 { return [] }
        var out: [NSTextCheckingResult] = []
        var previousEnd = -1
        for m in icu.matches(in: s, range: NSRange(location: 0, length: (s as NSString).length)) {
            let end = m.range.location + m.range.length
            // Go ignores an empty match that abuts the previous match.
            let accept = !(m.range.length == 0 && m.range.location == previousEnd)
            previousEnd = end
            if accept {
                out.append(m)
                if n > 0 && out.count == n { break }
            }
        }
        return out
    }

    func findAll(_ s: String, _ n: Int) -> [String] {
        let ns = s as NSString
        return matches(in: s, limit: n).map { ns.substring(with: $0.range) }
    }

    /// ReplaceAllString (`literal`: ReplaceAllLiteralString).
    func replaceAll(_ s: String, with template: String, literal: Bool) -> String {
        let ns = s as NSString
        var out = ""
        var last = 0
        for m in matches(in: s) {
            out += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            out += literal ? template : expand(template, match: m, in: ns)
            last = m.range.location + m.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    /// Regexp.Split.
    func split(_ s: String, _ n: Int) -> [String] {
        if n == 0 { return [] }
        if !source.isEmpty && s.isEmpty { return [""] }
        let ns = s as NSString
        var parts: [String] = []
        var begin = 0, end = 0
        for m in matches(in: s, limit: n) {
            if n > 0 && parts.count == n - 1 { break }
            end = m.range.location
            if m.range.location + m.range.length != 0 {
                parts.append(ns.substring(with: NSRange(location: begin, length: end - begin)))
            }
            begin = m.range.location + m.range.length
        }
        if end != ns.length { parts.append(ns.substring(from: begin)) }
        return parts
    }

    /// Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups give "".
    func expand(_ template: String, match m: NSTextCheckingResult, in source: NSString) -> String {
        func group(_ i: Int) -> String {
            guard i < m.numberOfRanges else { return "" }
            let r = m.range(at: i)
            return r.location == NSNotFound ? "" : source.substring(with: r)
        }
        let t = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || c.properties.isAlphabetic || c.properties.numericType == .decimal
        }
        while i < t.count {
            guard t[i] == "$", i + 1 < t.count else { out.append(t[i]); i += 1; continue }
            if t[i + 1] == "$" { out.append("$"); i += 2; continue }
            var j = i + 1
            let braced = t[j] == "{"
            if braced { j += 1 }
            let start = j
            while j < t.count, isNameChar(t[j]) { j += 1 }
            let name = String(String.UnicodeScalarView(t[start..<j]))
            if name.isEmpty || (braced && (j >= t.count || t[j] != "}")) {
                out.append("$"); i += 1; continue
            }
            if braced { j += 1 }
            i = j
            let text: String
            if let num = Self.groupNumber(name) {
                text = group(num)
            } else if let idx = groupNames.firstIndex(of: name) {
                text = group(idx)
            } else {
                text = ""
            }
            out.append(contentsOf: text.unicodeScalars)
        }
        return String(out)
    }

    /// A group number as Go reads one: ASCII digits, no leading zero, below 1e8.
    static func groupNumber(_ name: String) -> Int? {
        guard name.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.numericType == .decimal }),
              name.count < 9, !(name.hasPrefix("0") && name.count > 1) else { return nil }
        return Int(name)
    }
}

/// A small RE2 syntax pass: rejects what Go rejects (with Go's error text) and writes
/// the ICU pattern with RE2's meaning.
enum RE2Syntax {
    struct Parsed {
        var icuPattern: String
        var groupNames: [String]
    }

    static func check(_ pattern: String) throws -> Parsed {
        func fail(_ code: String, _ expr: String) -> GoRegex.SyntaxError {
            GoRegex.SyntaxError(description: "error parsing regexp: \(code): `\(expr)`")
        }
        let p = Array(pattern.unicodeScalars)
        var out = ""
        var names = [""]
        var depth = 0
        // Whether the previous item can take a repetition operator, and whether it was one.
        var canRepeat = false
        var lastWasRepeat = false
        var multiline = false
        var i = 0
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(p[range])) }
        while i < p.count {
            let c = p[i]
            switch c {
            case "\\":
                guard i + 1 < p.count else { throw fail("trailing backslash at end of expression", "") }
                let e = p[i + 1]
                // \1..\9 alone are backreferences, which RE2 refuses.
                if "123456789".unicodeScalars.contains(e),
                   !(e != "8" && e != "9" && i + 2 < p.count && "01234567".unicodeScalars.contains(p[i + 2])) {
                    throw fail("invalid escape sequence", text(i..<(i + 2)))
                }
                if e == "Q" {
                    // \Q...\E: literal text, passed through (ICU knows the syntax).
                    var j = i + 2
                    while j < p.count, !(p[j] == "\\" && j + 1 < p.count && p[j + 1] == "E") { j += 1 }
                    out += text(i..<min(j + 2, p.count))
                    i = min(j + 2, p.count)
                    canRepeat = true; lastWasRepeat = false
                    continue
                }
                if e.isASCII, e.properties.isAlphabetic || e.properties.numericType == .decimal,
                   !"aftnrvxAzbBdDsSwWpPC01234567".unicodeScalars.contains(e) {
                    throw fail("invalid escape sequence", text(i..<(i + 2)))
                }
                if let cls = asciiClass(e) { out += cls.outside } else { out += "\\" + String(e) }
                i += 2
                canRepeat = true; lastWasRepeat = false
            case "[":
                let (icu, next) = try characterClass(p, from: i, fail: fail)
                out += icu
                i = next
                canRepeat = true; lastWasRepeat = false
            case "(":
                if i + 1 < p.count, p[i + 1] == "?" {
                    let rest = text(i..<p.count)
                    if rest.hasPrefix("(?P<") || rest.hasPrefix("(?<") {
                        let nameStart = rest.hasPrefix("(?P<") ? i + 4 : i + 3
                        guard let close = p[nameStart...].firstIndex(of: ">") else {
                            throw fail("invalid named capture", rest)
                        }
                        let name = text(nameStart..<close)
                        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || $0.properties.numericType == .decimal }) else {
                            throw fail("invalid named capture", text(i..<(close + 1)))
                        }
                        if names.contains(name) { throw fail("duplicate capture group name", text(i..<(close + 1))) }
                        names.append(name)
                        out += "(?<" + name + ">"
                        i = close + 1
                    } else {
                        // Flags: (?flags) or (?flags:...), flags from imsU with an optional '-'.
                        var j = i + 2
                        var sawFlag = false
                        while j < p.count, "imsU-".unicodeScalars.contains(p[j]) {
                            if p[j] == "m" { multiline = true }
                            sawFlag = sawFlag || p[j] != "-"
                            j += 1
                        }
                        guard j < p.count, p[j] == ")" || p[j] == ":", sawFlag || p[j] == ":" else {
                            throw fail("invalid or unsupported Perl syntax", text(i..<min(i + 3, p.count)))
                        }
                        if p[i + 2..<j].contains("U") {
                            throw fail("invalid or unsupported Perl syntax", text(i..<(j + 1)))  // ICU has no ungreedy flag
                        }
                        out += text(i..<(j + 1))
                        if p[j] == ")" {
                            i = j + 1
                            canRepeat = false; lastWasRepeat = false
                            continue
                        }
                        i = j + 1
                    }
                } else {
                    names.append("")
                    out += "("
                    i += 1
                }
                depth += 1
                canRepeat = false; lastWasRepeat = false
            case ")":
                guard depth > 0 else { throw fail("unexpected )", pattern) }
                depth -= 1
                out += ")"
                i += 1
                canRepeat = true; lastWasRepeat = false
            case "|":
                out += "|"; i += 1
                canRepeat = false; lastWasRepeat = false
            case "*", "+", "?", "{":
                var j = i + 1
                if c == "{" {
                    // A counted repetition {n}, {n,}, {n,m}; otherwise a literal brace.
                    var k = i + 1
                    while k < p.count, p[k].properties.numericType == .decimal { k += 1 }
                    let hasMin = k > i + 1
                    if hasMin, k < p.count, p[k] == "," { k += 1; while k < p.count, p[k].properties.numericType == .decimal { k += 1 } }
                    guard hasMin, k < p.count, p[k] == "}" else {
                        out += "\\{"; i += 1
                        canRepeat = true; lastWasRepeat = false
                        continue
                    }
                    let body = text((i + 1)..<k).split(separator: ",", omittingEmptySubsequences: false)
                    let lo = Int(body[0]) ?? 1001
                    let hi = body.count > 1 ? (body[1].isEmpty ? lo : Int(body[1]) ?? 1001) : lo
                    if lo > 1000 || hi > 1000 || hi < lo { throw fail("invalid repeat count", text(i..<(k + 1))) }
                    j = k + 1
                }
                if j < p.count, p[j] == "?" { j += 1 }  // non-greedy
                let op = text(i..<j)
                if lastWasRepeat {
                    // Go reports the previous operator and this one together.
                    throw fail("invalid nested repetition operator", previousOperator(out) + op)
                }
                guard canRepeat else { throw fail("missing argument to repetition operator", op) }
                out += op
                i = j
                lastWasRepeat = true
            case "$":
                // Without (?m) Go's `$` is end of text; ICU's also matches before a final newline.
                out += multiline ? "$" : "\\z"
                i += 1
                canRepeat = true; lastWasRepeat = false
            default:
                out.unicodeScalars.append(c)
                i += 1
                canRepeat = true; lastWasRepeat = false
            }
        }
        if depth > 0 { throw fail("missing closing )", pattern) }
        return Parsed(icuPattern: out, groupNames: names)
    }

    private static func previousOperator(_ out: String) -> String {
        let ops = Set("*+?".unicodeScalars)
        if out.hasSuffix("}"), let open = out.lastIndex(of: "{") { return String(out[open...]) }
        return String(String.UnicodeScalarView(out.unicodeScalars.reversed().prefix(while: { ops.contains($0) }).reversed()))
    }

    /// RE2's Perl classes are ASCII-only; ICU's are Unicode.
    private static func asciiClass(_ e: Unicode.Scalar) -> (outside: String, inside: String)? {
        switch e {
        case "d": return ("[0-9]", "0-9")
        case "D": return ("[^0-9]", "[^0-9]")
        case "s": return ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r ")
        case "S": return ("[^\\t\\n\\f\\r ]", "[^\\t\\n\\f\\r ]")
        case "w": return ("[0-9A-Za-z_]", "0-9A-Za-z_")
        case "W": return ("[^0-9A-Za-z_]", "[^0-9A-Za-z_]")
        default: return nil
        }
    }

    /// A bracketed class from `[` (at `start`); returns its ICU text and the index after `]`.
    private static func characterClass(
        _ p: [Unicode.Scalar], from start: Int, fail: (String, String) -> GoRegex.SyntaxError
    ) throws -> (String, Int) {
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(p[range])) }
        var out = "["
        var i = start + 1
        if i < p.count, p[i] == "^" { out += "^"; i += 1 }
        var first = true
        while i < p.count {
            let c = p[i]
            if c == "]" && !first { return (out + "]", i + 1) }
            first = false
            if c == "[", i + 1 < p.count, p[i + 1] == ":" {
                // [:alpha:] and friends: ICU knows them, except RE2's [:word:].
                var close = i + 2
                while close + 1 < p.count, !(p[close] == ":" && p[close + 1] == "]") { close += 1 }
                if close + 1 < p.count {
                    let whole = text(i..<(close + 2))
                    let negated = p[i + 2] == "^"
                    let name = text((negated ? i + 3 : i + 2)..<close)
                    let known = ["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit"]
                    guard known.contains(name) else { throw fail("invalid character class range", whole) }
                    out += name == "word" ? (negated ? "[^0-9A-Za-z_]" : "0-9A-Za-z_") : whole
                    i = close + 2
                    continue
                }
            }
            if c == "\\" {
                guard i + 1 < p.count else { break }
                let e = p[i + 1]
                if let cls = asciiClass(e) { out += cls.inside } else { out += "\\" + String(e) }
                i += 2
                continue
            }
            // ICU gives '[' '&' '-' '-' more meaning inside sets than RE2 does.
            if c == "[" || c == "&" { out += "\\" + String(c); i += 1; continue }
            out.unicodeScalars.append(c)
            i += 1
        }
        throw fail("missing closing ]", text(start..<p.count))
    }
}

extension Sprig {
    static func regexFunctions(into f: inout FunctionMap) {
        // The non-must forms panic (MustCompile) on a bad pattern, except regexMatch.
        func both(_ name: String, _ params: [GoType], result: GoType,
                  _ body: @escaping @Sendable (Arguments, GoRegex) throws -> Value) {
            f.add(name, params, result: result) { a, _ in try body(a, try GoRegex.mustCompile(try a.string(0))) }
            f.add("must" + name.prefix(1).uppercased() + name.dropFirst(), params, result: result) { a, _ in
                let re: GoRegex
                do { re = try GoRegex.compile(try a.string(0)) } catch let e as GoRegex.SyntaxError { throw FunctionError(e.description) }
                return try body(a, re)
            }
        }
        f.add("regexMatch", [.string, .string], result: .bool) { a, _ in
            let s = try a.string(1)
            guard let re = try? GoRegex.compile(try a.string(0)) else { return .bool(false) }
            return .bool(!re.matches(in: s, limit: 1).isEmpty)
        }
        f.add("mustRegexMatch", [.string, .string], result: .bool) { a, _ in
            let s = try a.string(1)
            do { return .bool(!(try GoRegex.compile(try a.string(0))).matches(in: s, limit: 1).isEmpty) } catch let e as GoRegex.SyntaxError {
                throw FunctionError(e.description)
            }
        }
        both("regexFindAll", [.string, .string, .int(.int)], result: .stringList) { a, re in
            let found = re.findAll(try a.string(1), try a.int(2))
            // Go returns a nil slice when nothing matched.
            return found.isEmpty ? .typedNil(.stringList) : .stringList(found)
        }
        both("regexFind", [.string, .string], result: .string) { a, re in
            .string(re.findAll(try a.string(1), 1).first ?? "")
        }
        both("regexReplaceAll", [.string, .string, .string], result: .string) { a, re in
            .string(re.replaceAll(try a.string(1), with: try a.string(2), literal: false))
        }
        both("regexReplaceAllLiteral", [.string, .string, .string], result: .string) { a, re in
            .string(re.replaceAll(try a.string(1), with: try a.string(2), literal: true))
        }
        both("regexSplit", [.string, .string, .int(.int)], result: .stringList) { a, re in
            let n = try a.int(2)
            return n == 0 ? .typedNil(.stringList) : .stringList(re.split(try a.string(1), n))
        }
        f.add("regexQuoteMeta", [.string], result: .string) { a, _ in
            let special = Set("\\.+*?()|[]{}^$".unicodeScalars)
            var out = String.UnicodeScalarView()
            for c in try a.string(0).unicodeScalars {
                if special.contains(c) { out.append("\\") }
                out.append(c)
            }
            return .string(String(out))
        }
    }
}
