// A port of the block-style subset of yaml.v2's emitter (emitterc.go, itself a port of
// libyaml) as driven by yaml.v2's encoder (encode.go). Only what `yaml.Marshal` of
// decoded JSON can produce is supported: implicit documents, block mappings and
// sequences, `{}`/`[]` for empty collections, untagged scalars. The state machine is
// unrolled into recursion, but the whitespace/indent bookkeeping is kept variable for
// variable so the output matches byte for byte, including yaml.v2 quirks (line folding
// at 80 columns, the BOM check that looks only at the start of a string).

/// A value as yaml.v2's encoder sees it after sigs.k8s.io/yaml's JSON round trip.
enum GoYAMLNode {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case float(Double)
    case string(String)
    case sequence([GoYAMLNode])
    /// Keys are already in yaml.v2's sorted order.
    case mapping([(String, GoYAMLNode)])
}

struct GoYAMLEmitter {
    private enum Style { case plain, singleQuoted, doubleQuoted, literal }

    private struct Analysis {
        var multiline = false
        var flowPlainAllowed = false
        var blockPlainAllowed = false
        var singleQuotedAllowed = false
        var blockAllowed = false
    }

    private(set) var out: [UInt8] = []
    private let bestIndent = 2
    private let bestWidth = 80
    private var indent = -1
    private var indents: [Int] = []
    private var column = 0
    private var whitespace = true
    private var indention = true
    private var flowLevel = 0
    private var rootContext = false
    private var sequenceContext = false
    private var mappingContext = false
    private var simpleKeyContext = false

    /// `yaml.Marshal(v)` of one value: an implicit document, ending in a newline.
    static func emitDocument(_ node: GoYAMLNode) -> String {
        var e = GoYAMLEmitter()
        e.emitNode(node, root: true, sequence: false, mapping: false, simpleKey: false)
        // DOCUMENT-END (implicit): just finish the line.
        e.writeIndent()
        return String(decoding: e.out, as: UTF8.self)
    }

    // MARK: Nodes

    private mutating func setContext(root: Bool, sequence: Bool, mapping: Bool, simpleKey: Bool) {
        rootContext = root
        sequenceContext = sequence
        mappingContext = mapping
        simpleKeyContext = simpleKey
    }

    private mutating func emitNode(_ node: GoYAMLNode, root: Bool, sequence: Bool, mapping: Bool, simpleKey: Bool) {
        setContext(root: root, sequence: sequence, mapping: mapping, simpleKey: simpleKey)
        switch node {
        case .null: emitScalar(Array("null".utf8), requested: .plain)
        case .bool(let b): emitScalar(Array((b ? "true" : "false").utf8), requested: .plain)
        case .int(let i): emitScalar(Array(String(i).utf8), requested: .plain)
        case .uint(let u): emitScalar(Array(String(u).utf8), requested: .plain)
        case .float(let f):
            var s = GoStrconv.formatFloatG(f)
            switch s {
            case "+Inf": s = ".inf"
            case "-Inf": s = "-.inf"
            case "NaN": s = ".nan"
            default: break
            }
            emitScalar(Array(s.utf8), requested: .plain)
        case .string(let s):
            emitScalar(Array(s.utf8), requested: Self.requestedStyle(s))
        case .sequence(let items):
            if flowLevel > 0 || items.isEmpty {
                emitEmptyFlow(open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
            } else {
                emitBlockSequence(items)
            }
        case .mapping(let pairs):
            if flowLevel > 0 || pairs.isEmpty {
                emitEmptyFlow(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
            } else {
                emitBlockMapping(pairs)
            }
        }
    }

    /// yaml.v2 `stringv`: literal for multi-line text, plain when the text would read back as
    /// the same string, otherwise double-quoted. The emitter may still downgrade plain.
    private static func requestedStyle(_ s: String) -> Style {
        if s.utf8.contains(UInt8(ascii: "\n")) { return .literal }
        let canUsePlain = GoResolve.kind(ofPlain: s) == .string && !isBase60Float(s)
        return canUsePlain ? .plain : .doubleQuoted
    }

    /// yaml.v2 `isBase60Float` (`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`): YAML 1.1
    /// sexagesimal numbers are not resolved by yaml.v2 but still quoted on output.
    static func isBase60Float(_ s: String) -> Bool {
        // Most strings fail the first two conditions; check them before copying the bytes.
        guard let first = s.utf8.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")),
              s.utf8.contains(UInt8(ascii: ":")) else { return false }
        let b = Array(s.utf8)
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
        guard let c = b.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || isDigit(c),
              b.contains(UInt8(ascii: ":")) else { return false }
        var i = 0
        if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { return false }
        i += 1
        while i < b.count, isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
        var groups = 0
        while i < b.count, b[i] == UInt8(ascii: ":") {
            i += 1
            // [0-5]?[0-9]: two digits only when the first is at most 5.
            guard i < b.count, isDigit(b[i]) else { return false }
            i += (i + 1 < b.count && isDigit(b[i + 1]) && b[i] <= UInt8(ascii: "5")) ? 2 : 1
            groups += 1
        }
        guard groups > 0 else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, isDigit(b[i]) || b[i] == UInt8(ascii: "_") { i += 1 }
        }
        return i == b.count
    }

    private mutating func increaseIndent(flow: Bool, indentless: Bool) {
        indents.append(indent)
        if indent < 0 {
            indent = flow ? bestIndent : 0
        } else if !indentless {
            indent += bestIndent
        }
    }

    private mutating func popIndent() {
        indent = indents.removeLast()
    }

    /// Only empty collections are written in flow style by yaml.v2's encoder.
    private mutating func emitEmptyFlow(open: UInt8, close: UInt8) {
        writeIndicator(open, needWhitespace: true, isWhitespace: true, isIndention: false)
        increaseIndent(flow: true, indentless: false)
        flowLevel += 1
        flowLevel -= 1
        popIndent()
        writeIndicator(close, needWhitespace: false, isWhitespace: false, isIndention: false)
    }

    private mutating func emitBlockSequence(_ items: [GoYAMLNode]) {
        increaseIndent(flow: false, indentless: mappingContext && !indention)
        for item in items {
            writeIndent()
            writeIndicator(UInt8(ascii: "-"), needWhitespace: true, isWhitespace: false, isIndention: true)
            emitNode(item, root: false, sequence: true, mapping: false, simpleKey: false)
        }
        popIndent()
    }

    private mutating func emitBlockMapping(_ pairs: [(String, GoYAMLNode)]) {
        increaseIndent(flow: false, indentless: false)
        for (key, value) in pairs {
            writeIndent()
            let keyBytes = Array(key.utf8)
            let analysis = Self.analyze(keyBytes)
            let style = Self.requestedStyle(key)
            // check_simple_key: single-line and at most 128 bytes.
            if !analysis.multiline && keyBytes.count <= 128 {
                setContext(root: false, sequence: false, mapping: true, simpleKey: true)
                emitScalar(keyBytes, requested: style, analysis: analysis)
                writeIndicator(UInt8(ascii: ":"), needWhitespace: false, isWhitespace: false, isIndention: false)
            } else {
                writeIndicator(UInt8(ascii: "?"), needWhitespace: true, isWhitespace: false, isIndention: true)
                setContext(root: false, sequence: false, mapping: true, simpleKey: false)
                emitScalar(keyBytes, requested: style, analysis: analysis)
                writeIndent()
                writeIndicator(UInt8(ascii: ":"), needWhitespace: true, isWhitespace: false, isIndention: true)
            }
            emitNode(value, root: false, sequence: false, mapping: true, simpleKey: false)
        }
        popIndent()
    }

    private mutating func emitScalar(_ value: [UInt8], requested: Style, analysis known: Analysis? = nil) {
        let analysis = known ?? Self.analyze(value)
        // yaml_emitter_select_scalar_style
        var style = requested
        if simpleKeyContext && analysis.multiline { style = .doubleQuoted }
        if style == .plain {
            if flowLevel > 0 && !analysis.flowPlainAllowed || flowLevel == 0 && !analysis.blockPlainAllowed {
                style = .singleQuoted
            }
            if value.isEmpty && (flowLevel > 0 || simpleKeyContext) { style = .singleQuoted }
        }
        if style == .singleQuoted && !analysis.singleQuotedAllowed { style = .doubleQuoted }
        if style == .literal && (!analysis.blockAllowed || flowLevel > 0 || simpleKeyContext) {
            style = .doubleQuoted
        }
        increaseIndent(flow: true, indentless: false)
        switch style {
        case .plain: writePlain(value, allowBreaks: !simpleKeyContext)
        case .singleQuoted: writeSingleQuoted(value, allowBreaks: !simpleKeyContext)
        case .doubleQuoted: writeDoubleQuoted(value, allowBreaks: !simpleKeyContext)
        case .literal: writeLiteral(value)
        }
        popIndent()
    }

    // MARK: Analysis (yaml_emitter_analyze_scalar)

    private static func analyze(_ value: [UInt8]) -> Analysis {
        var a = Analysis()
        if value.isEmpty {
            a.multiline = false
            a.flowPlainAllowed = false
            a.blockPlainAllowed = true
            a.singleQuotedAllowed = true
            a.blockAllowed = false
            return a
        }
        var blockIndicators = false
        var flowIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false
        var leadingBreak = false
        var trailingSpace = false
        var trailingBreak = false
        var breakSpace = false
        var spaceBreak = false
        var previousSpace = false
        var previousBreak = false

        if value.count >= 3 && (value[0] == UInt8(ascii: "-") && value[1] == UInt8(ascii: "-") && value[2] == UInt8(ascii: "-")
            || value[0] == UInt8(ascii: ".") && value[1] == UInt8(ascii: ".") && value[2] == UInt8(ascii: ".")) {
            blockIndicators = true
            flowIndicators = true
        }
        var precededByWhitespace = true
        var i = 0
        while i < value.count {
            let w = Bytes.width(value[i])
            let followedByWhitespace = i + w >= value.count || Bytes.isBlank(value, i + w)
            let c = value[i]
            if i == 0 {
                switch c {
                case UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
                     UInt8(ascii: "}"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
                     UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
                     UInt8(ascii: "`"):
                    flowIndicators = true
                    blockIndicators = true
                case UInt8(ascii: "?"), UInt8(ascii: ":"):
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case UInt8(ascii: "-"):
                    if followedByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                default: break
                }
            } else {
                switch c {
                case UInt8(ascii: ","), UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
                     UInt8(ascii: "}"):
                    flowIndicators = true
                case UInt8(ascii: ":"):
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case UInt8(ascii: "#"):
                    if precededByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                default: break
                }
            }
            // The emitter runs with unicode output on, so only non-printables are special
            // (printable ASCII, the common case, decided without the multi-byte checks).
            if !(c >= 0x20 && c <= 0x7E) && !Bytes.isPrintable(value, i) { specialCharacters = true }
            if Bytes.isSpace(value, i) {
                if i == 0 { leadingSpace = true }
                if i + w == value.count { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if Bytes.isBreak(value, i) {
                lineBreaks = true
                if i == 0 { leadingBreak = true }
                if i + w == value.count { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }
            precededByWhitespace = Bytes.isBlankz(value, i)
            i += max(w, 1)
        }
        a.multiline = lineBreaks
        a.flowPlainAllowed = true
        a.blockPlainAllowed = true
        a.singleQuotedAllowed = true
        a.blockAllowed = true
        if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
            a.flowPlainAllowed = false
            a.blockPlainAllowed = false
        }
        if trailingSpace { a.blockAllowed = false }
        if breakSpace {
            a.flowPlainAllowed = false
            a.blockPlainAllowed = false
            a.singleQuotedAllowed = false
        }
        if spaceBreak || specialCharacters {
            a.flowPlainAllowed = false
            a.blockPlainAllowed = false
            a.singleQuotedAllowed = false
            a.blockAllowed = false
        }
        if lineBreaks {
            a.flowPlainAllowed = false
            a.blockPlainAllowed = false
        }
        if flowIndicators { a.flowPlainAllowed = false }
        if blockIndicators { a.blockPlainAllowed = false }
        return a
    }

    // MARK: Low-level writing (put / write / write_break / indent / indicator)

    private mutating func put(_ b: UInt8) {
        out.append(b)
        column += 1
    }

    private mutating func putBreak() {
        out.append(UInt8(ascii: "\n"))
        column = 0
    }

    /// Copies one UTF-8 character; the column counts characters, not bytes.
    private mutating func write(_ s: [UInt8], _ i: inout Int) {
        let c = s[i]
        if c < 0x80 {
            out.append(c)
            column += 1
            i += 1
            return
        }
        let w = max(Bytes.width(c), 1)
        out.append(contentsOf: s[i..<min(i + w, s.count)])
        column += 1
        i += w
    }

    private mutating func writeBreak(_ s: [UInt8], _ i: inout Int) {
        if s[i] == UInt8(ascii: "\n") {
            putBreak()
            i += 1
        } else {
            write(s, &i)
            column = 0
        }
    }

    private mutating func writeIndent() {
        let indent = max(self.indent, 0)
        if !indention || column > indent || (column == indent && !whitespace) {
            putBreak()
        }
        while column < indent { put(UInt8(ascii: " ")) }
        whitespace = true
        indention = true
    }

    /// Every indicator yaml.v2's encoder writes is one ASCII character.
    private mutating func writeIndicator(_ indicator: UInt8, needWhitespace: Bool, isWhitespace: Bool, isIndention: Bool) {
        if needWhitespace && !whitespace { put(UInt8(ascii: " ")) }
        put(indicator)
        whitespace = isWhitespace
        indention = indention && isIndention
    }

    // MARK: Scalar writers

    private mutating func writePlain(_ value: [UInt8], allowBreaks: Bool) {
        if !whitespace { put(UInt8(ascii: " ")) }
        var spaces = false
        var breaks = false
        var i = 0
        while i < value.count {
            if Bytes.isSpace(value, i) {
                if allowBreaks && !spaces && column > bestWidth && !Bytes.isSpace(value, i + 1) {
                    writeIndent()
                    i += 1
                } else {
                    write(value, &i)
                }
                spaces = true
            } else if Bytes.isBreak(value, i) {
                if !breaks && value[i] == UInt8(ascii: "\n") { putBreak() }
                writeBreak(value, &i)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                write(value, &i)
                indention = false
                spaces = false
                breaks = false
            }
        }
        whitespace = false
        indention = false
    }

    private mutating func writeSingleQuoted(_ value: [UInt8], allowBreaks: Bool) {
        writeIndicator(UInt8(ascii: "'"), needWhitespace: true, isWhitespace: false, isIndention: false)
        var spaces = false
        var breaks = false
        var i = 0
        while i < value.count {
            if Bytes.isSpace(value, i) {
                if allowBreaks && !spaces && column > bestWidth && i > 0 && i < value.count - 1 && !Bytes.isSpace(value, i + 1) {
                    writeIndent()
                    i += 1
                } else {
                    write(value, &i)
                }
                spaces = true
            } else if Bytes.isBreak(value, i) {
                if !breaks && value[i] == UInt8(ascii: "\n") { putBreak() }
                writeBreak(value, &i)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                if value[i] == UInt8(ascii: "'") { put(UInt8(ascii: "'")) }
                write(value, &i)
                indention = false
                spaces = false
                breaks = false
            }
        }
        writeIndicator(UInt8(ascii: "'"), needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private mutating func writeDoubleQuoted(_ value: [UInt8], allowBreaks: Bool) {
        var spaces = false
        writeIndicator(UInt8(ascii: "\""), needWhitespace: true, isWhitespace: false, isIndention: false)
        var i = 0
        while i < value.count {
            if !Bytes.isPrintable(value, i) || Bytes.isBOMQuirk(value) || Bytes.isBreak(value, i)
                || value[i] == UInt8(ascii: "\"") || value[i] == UInt8(ascii: "\\") {
                var octet = value[i]
                var w: Int
                var v: UInt32
                if octet & 0x80 == 0 {
                    w = 1; v = UInt32(octet & 0x7F)
                } else if octet & 0xE0 == 0xC0 {
                    w = 2; v = UInt32(octet & 0x1F)
                } else if octet & 0xF0 == 0xE0 {
                    w = 3; v = UInt32(octet & 0x0F)
                } else {
                    w = 4; v = UInt32(octet & 0x07)
                }
                for k in 1..<max(w, 1) where i + k < value.count {
                    octet = value[i + k]
                    v = (v << 6) + UInt32(octet & 0x3F)
                }
                i += w
                put(UInt8(ascii: "\\"))
                switch v {
                case 0x00: put(UInt8(ascii: "0"))
                case 0x07: put(UInt8(ascii: "a"))
                case 0x08: put(UInt8(ascii: "b"))
                case 0x09: put(UInt8(ascii: "t"))
                case 0x0A: put(UInt8(ascii: "n"))
                case 0x0B: put(UInt8(ascii: "v"))
                case 0x0C: put(UInt8(ascii: "f"))
                case 0x0D: put(UInt8(ascii: "r"))
                case 0x1B: put(UInt8(ascii: "e"))
                case 0x22: put(UInt8(ascii: "\""))
                case 0x5C: put(UInt8(ascii: "\\"))
                case 0x85: put(UInt8(ascii: "N"))
                case 0xA0: put(UInt8(ascii: "_"))
                case 0x2028: put(UInt8(ascii: "L"))
                case 0x2029: put(UInt8(ascii: "P"))
                default:
                    if v <= 0xFF {
                        put(UInt8(ascii: "x")); w = 2
                    } else if v <= 0xFFFF {
                        put(UInt8(ascii: "u")); w = 4
                    } else {
                        put(UInt8(ascii: "U")); w = 8
                    }
                    var k = (w - 1) * 4
                    while k >= 0 {
                        put(Self.hexDigits[Int((v >> UInt32(k)) & 0x0F)])
                        k -= 4
                    }
                }
                spaces = false
            } else if Bytes.isSpace(value, i) {
                if allowBreaks && !spaces && column > bestWidth && i > 0 && i < value.count - 1 {
                    writeIndent()
                    if Bytes.isSpace(value, i + 1) { put(UInt8(ascii: "\\")) }
                    i += 1
                } else {
                    write(value, &i)
                }
                spaces = true
            } else {
                write(value, &i)
                spaces = false
            }
        }
        writeIndicator(UInt8(ascii: "\""), needWhitespace: false, isWhitespace: false, isIndention: false)
        whitespace = false
        indention = false
    }

    private mutating func writeBlockScalarHints(_ value: [UInt8]) {
        if Bytes.isSpace(value, 0) || Bytes.isBreak(value, 0) {
            writeIndicator(UInt8(ascii: "0") + UInt8(bestIndent), needWhitespace: false, isWhitespace: false, isIndention: false)
        }
        var chomp: UInt8 = 0
        if value.isEmpty {
            chomp = UInt8(ascii: "-")
        } else {
            var i = value.count - 1
            while i > 0, value[i] & 0xC0 == 0x80 { i -= 1 }
            if !Bytes.isBreak(value, i) {
                chomp = UInt8(ascii: "-")
            } else if i == 0 {
                chomp = UInt8(ascii: "+")
            } else {
                i -= 1
                while i > 0, value[i] & 0xC0 == 0x80 { i -= 1 }
                if Bytes.isBreak(value, i) { chomp = UInt8(ascii: "+") }
            }
        }
        if chomp != 0 {
            writeIndicator(chomp, needWhitespace: false, isWhitespace: false, isIndention: false)
        }
    }

    private mutating func writeLiteral(_ value: [UInt8]) {
        writeIndicator(UInt8(ascii: "|"), needWhitespace: true, isWhitespace: false, isIndention: false)
        writeBlockScalarHints(value)
        putBreak()
        indention = true
        whitespace = true
        var breaks = true
        var i = 0
        while i < value.count {
            if Bytes.isBreak(value, i) {
                writeBreak(value, &i)
                indention = true
                breaks = true
            } else {
                if breaks { writeIndent() }
                write(value, &i)
                indention = false
                breaks = false
            }
        }
    }
}

/// yaml.v2's byte-class predicates (yamlprivateh.go); out-of-range reads count as NUL.
enum Bytes {
    @inline(__always) static func at(_ b: [UInt8], _ i: Int) -> UInt8 { i < b.count ? b[i] : 0 }

    static func width(_ c: UInt8) -> Int {
        if c & 0x80 == 0x00 { return 1 }
        if c & 0xE0 == 0xC0 { return 2 }
        if c & 0xF0 == 0xE0 { return 3 }
        if c & 0xF8 == 0xF0 { return 4 }
        return 0
    }

    static func isSpace(_ b: [UInt8], _ i: Int) -> Bool { at(b, i) == UInt8(ascii: " ") }

    static func isBlank(_ b: [UInt8], _ i: Int) -> Bool {
        let c = at(b, i)
        return c == UInt8(ascii: " ") || c == UInt8(ascii: "\t")
    }

    static func isBreak(_ b: [UInt8], _ i: Int) -> Bool {
        let c = at(b, i)
        return c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n")
            || c == 0xC2 && at(b, i + 1) == 0x85
            || c == 0xE2 && at(b, i + 1) == 0x80 && (at(b, i + 2) == 0xA8 || at(b, i + 2) == 0xA9)
    }

    static func isBlankz(_ b: [UInt8], _ i: Int) -> Bool {
        isBlank(b, i) || isBreak(b, i) || at(b, i) == 0
    }

    static func isPrintable(_ b: [UInt8], _ i: Int) -> Bool {
        let c = at(b, i)
        let c1 = at(b, i + 1)
        let c2 = at(b, i + 2)
        return c == 0x0A
            || (c >= 0x20 && c <= 0x7E)
            || (c == 0xC2 && c1 >= 0xA0)
            || (c > 0xC2 && c < 0xED)
            || (c == 0xED && c1 < 0xA0)
            || c == 0xEE
            || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)))
    }

    /// yaml.v2's `is_bom(b, i)` ignores `i` and tests the start of the string, so a string that
    /// begins with U+FEFF has every character escaped in double quotes.
    static func isBOMQuirk(_ b: [UInt8]) -> Bool {
        at(b, 0) == 0xEF && at(b, 1) == 0xBB && at(b, 2) == 0xBF
    }
}
