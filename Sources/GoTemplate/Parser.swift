// The parser: Go's parse/parse.go, recursive descent over the token array. Messages
// and the line they report (the last token read) follow Go.

struct ParseFailure: Error {
    let message: String
    let line: Int
}

struct Parser {
    struct Result { var trees: [String: Tree] }

    let source: Source
    let name: String
    let tokens: [Token]
    var index = 0
    var maxRead = 0
    var vars: [String] = ["$"]
    var rangeDepth = 0
    var actionLine = 0
    /// Nesting of parenthesised pipelines and control structures. Go limits parentheses
    /// (maxStackDepth 10000) because its stacks grow; ours do not, so the limit is lower
    /// and also covers nested if/range/with/define.
    var stackDepth = 0
    static let maxStackDepth = 1000
    let hasFunction: (String) -> Bool
    var treeSet: [String: Tree] = [:]

    static func parse(name: String, text: String, functions: FunctionMap) throws -> Result {
        let source = Source(parseName: name, bytes: Array(text.utf8))
        let has: (String) -> Bool = { functions[$0] != nil || builtinFunctions[$0] != nil }
        var lexer = Lexer(text: text)
        lexer.breakOK = !has("break")
        lexer.continueOK = !has("continue")
        var p = Parser(source: source, name: name, tokens: lexer.run(), hasFunction: has)
        do {
            let root = try p.parseTop()
            try p.add(Tree(name: name, root: root, source: source))
        } catch let f as ParseFailure {
            throw TemplateParseError(templateName: name, line: f.line, message: f.message)
        }
        return Result(trees: p.treeSet)
    }

    // MARK: token stream

    mutating func next() -> Token {
        let t = tokens[min(index, tokens.count - 1)]
        if index < tokens.count { maxRead = max(maxRead, index) }
        index += 1
        return t
    }

    mutating func backup(_ n: Int = 1) { index -= n }

    mutating func peek() -> Token {
        let t = next()
        backup()
        return t
    }

    mutating func nextNonSpace() -> Token {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    mutating func peekNonSpace() -> Token {
        let t = nextNonSpace()
        backup()
        return t
    }

    func errorf(_ message: String) -> ParseFailure {
        ParseFailure(message: message, line: tokens[min(maxRead, tokens.count - 1)].line)
    }

    mutating func expect(_ kind: TokenKind, _ context: String) throws -> Token {
        let t = nextNonSpace()
        if t.kind != kind { throw unexpected(t, context) }
        return t
    }

    func unexpected(_ t: Token, _ context: String) -> ParseFailure {
        if t.kind == .error {
            var extra = ""
            if actionLine != 0 && actionLine != t.line {
                extra = " in action started at \(name):\(actionLine)"
                if t.value.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
            }
            return errorf(t.value + extra)
        }
        return errorf("unexpected \(t) in \(context)")
    }

    mutating func add(_ tree: Tree) throws {
        if let existing = treeSet[tree.name], !existing.isEmpty {
            if !tree.isEmpty {
                throw errorf("template: multiple definition of template \(goQuote(tree.name))")
            }
            return
        }
        treeSet[tree.name] = tree
    }

    // MARK: grammar

    mutating func parseTop() throws -> ListNode {
        let root = ListNode(pos: peek().pos, source: source)
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let save = index
                _ = next()
                if nextNonSpace().kind == .define {
                    try parseDefinition()
                    continue
                }
                index = save
            }
            let n = try textOrAction()
            if n.kind == .end || n.kind == .else {
                throw errorf("unexpected \(n)")
            }
            root.nodes.append(n)
        }
        return root
    }

    mutating func parseDefinition() throws {
        let context = "define clause"
        let nameTok = nextNonSpace()
        guard nameTok.kind == .string || nameTok.kind == .rawString else {
            throw unexpected(nameTok, context)
        }
        let defName = try unquote(nameTok.value)
        _ = try expect(.rightDelim, context)
        let savedVars = vars
        let savedDepth = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        if end.kind != .end { throw errorf("unexpected \(end) in \(context)") }
        vars = savedVars
        rangeDepth = savedDepth
        try add(Tree(name: defName, root: list, source: source))
    }

    mutating func itemList() throws -> (ListNode, Node) {
        let list = ListNode(pos: peekNonSpace().pos, source: source)
        while peekNonSpace().kind != .eof {
            let n = try textOrAction()
            if n.kind == .end || n.kind == .else { return (list, n) }
            list.nodes.append(n)
        }
        throw errorf("unexpected EOF")
    }

    mutating func textOrAction() throws -> Node {
        let t = nextNonSpace()
        switch t.kind {
        case .text: return TextNode(pos: t.pos, text: t.value, source: source)
        case .leftDelim:
            actionLine = t.line
            defer { actionLine = 0 }
            return try action()
        default: throw unexpected(t, "input")
        }
    }

    mutating func action() throws -> Node {
        let t = nextNonSpace()
        switch t.kind {
        case .block: return try blockControl()
        case .break: return try breakControl(t)
        case .continue: return try continueControl(t)
        case .else: return try elseControl()
        case .end: return try endControl()
        case .if: return try parseControl(.if, "if")
        case .range: return try parseControl(.range, "range")
        case .template: return try templateControl()
        case .with: return try parseControl(.with, "with")
        default: break
        }
        backup()
        let tok = peek()
        let pipe = try pipeline("command", end: .rightDelim)
        return ActionNode(pos: tok.pos, line: tok.line, pipe: pipe, source: source)
    }

    mutating func breakControl(_ t: Token) throws -> Node {
        let n = nextNonSpace()
        if n.kind != .rightDelim { throw unexpected(n, "{{break}}") }
        if rangeDepth == 0 { throw errorf("{{break}} outside {{range}}") }
        return KeywordNode(.break, pos: t.pos, line: t.line, source: source)
    }

    mutating func continueControl(_ t: Token) throws -> Node {
        let n = nextNonSpace()
        if n.kind != .rightDelim { throw unexpected(n, "{{continue}}") }
        if rangeDepth == 0 { throw errorf("{{continue}} outside {{range}}") }
        return KeywordNode(.continue, pos: t.pos, line: t.line, source: source)
    }

    mutating func pipeline(_ context: String, end: TokenKind) throws -> PipeNode {
        let first = peekNonSpace()
        let pipe = PipeNode(pos: first.pos, line: first.line, source: source)
        decls: while true {
            let v = peekNonSpace()
            guard v.kind == .variable else { break }
            _ = nextNonSpace()
            let afterVarIndex = index
            let tokenAfterVariable = peek()
            let nxt = peekNonSpace()
            if nxt.kind == .assign || nxt.kind == .declare {
                pipe.isAssign = nxt.kind == .assign
                _ = nextNonSpace()
                pipe.decl.append(VariableNode(pos: v.pos, ident: [v.value], source: source))
                vars.append(v.value)
            } else if nxt.kind == .char && nxt.value == "," {
                _ = nextNonSpace()
                pipe.decl.append(VariableNode(pos: v.pos, ident: [v.value], source: source))
                vars.append(v.value)
                if context == "range" && pipe.decl.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen:
                        continue decls
                    default:
                        throw errorf("range can only initialize variables")
                    }
                }
                throw errorf("too many declarations in \(context)")
            } else if tokenAfterVariable.kind == .space {
                index = afterVarIndex - 1  // back before the variable (Go's backup3)
            } else {
                index = afterVarIndex - 1
            }
            break
        }
        while true {
            let t = nextNonSpace()
            switch t.kind {
            case end:
                try checkPipeline(pipe, context)
                return pipe
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nil,
                 .rawString, .string, .variable, .leftParen:
                backup()
                pipe.cmds.append(try command())
            default:
                throw unexpected(t, context)
            }
        }
    }

    func checkPipeline(_ pipe: PipeNode, _ context: String) throws {
        if pipe.cmds.isEmpty { throw errorf("missing value for \(context)") }
        for (i, c) in pipe.cmds.dropFirst().enumerated() {
            switch c.args[0].kind {
            case .bool, .dot, .nil, .number, .string:
                throw errorf("non executable command in pipeline stage \(i + 2)")
            default: break
            }
        }
    }

    mutating func parseControl(_ kind: NodeKind, _ context: String) throws -> Node {
        stackDepth += 1
        defer { stackDepth -= 1 }
        if stackDepth >= Parser.maxStackDepth { throw errorf("max expression depth exceeded") }
        let varCount = vars.count
        defer { vars.removeSubrange(min(varCount, vars.count)...) }
        let pipe = try pipeline(context, end: .rightDelim)
        if kind == .range { rangeDepth += 1 }
        var (list, next) = try itemList()
        if kind == .range { rangeDepth -= 1 }
        var elseList: ListNode? = nil
        if next.kind == .else {
            if kind == .if && peek().kind == .if {
                _ = self.next()
                let l = ListNode(pos: next.pos, source: source)
                l.nodes.append(try parseControl(.if, "if"))
                elseList = l
            } else if kind == .with && peek().kind == .with {
                _ = self.next()
                let l = ListNode(pos: next.pos, source: source)
                l.nodes.append(try parseControl(.with, "with"))
                elseList = l
            } else {
                let (l, n2) = try itemList()
                elseList = l
                next = n2
                if next.kind != .end { throw errorf("expected end; found \(next)") }
            }
        }
        _ = list
        return BranchNode(kind, pos: pipe.pos, line: pipe.line, pipe: pipe, list: list, elseList: elseList, source: source)
    }

    mutating func endControl() throws -> Node {
        let t = try expect(.rightDelim, "end")
        return KeywordNode(.end, pos: t.pos, line: t.line, source: source)
    }

    mutating func elseControl() throws -> Node {
        let p = peekNonSpace()
        if p.kind == .if || p.kind == .with {
            return KeywordNode(.else, pos: p.pos, line: p.line, source: source)
        }
        let t = try expect(.rightDelim, "else")
        return KeywordNode(.else, pos: t.pos, line: t.line, source: source)
    }

    mutating func blockControl() throws -> Node {
        let context = "block clause"
        let t = nextNonSpace()
        let blockName = try parseTemplateName(t, context)
        let pipe = try pipeline(context, end: .rightDelim)
        let savedVars = vars
        let savedDepth = rangeDepth
        vars = ["$"]
        rangeDepth = 0
        let (list, end) = try itemList()
        if end.kind != .end { throw errorf("unexpected \(end) in \(context)") }
        vars = savedVars
        rangeDepth = savedDepth
        try add(Tree(name: blockName, root: list, source: source))
        return TemplateNode(pos: t.pos, line: t.line, name: blockName, pipe: pipe, source: source)
    }

    mutating func templateControl() throws -> Node {
        let context = "template clause"
        let t = nextNonSpace()
        let tname = try parseTemplateName(t, context)
        var pipe: PipeNode? = nil
        if nextNonSpace().kind != .rightDelim {
            backup()
            pipe = try pipeline(context, end: .rightDelim)
        }
        return TemplateNode(pos: t.pos, line: t.line, name: tname, pipe: pipe, source: source)
    }

    func parseTemplateName(_ t: Token, _ context: String) throws -> String {
        switch t.kind {
        case .string, .rawString: return try unquote(t.value)
        default: throw unexpected(t, context)
        }
    }

    mutating func command() throws -> CommandNode {
        let cmd = CommandNode(pos: peekNonSpace().pos, source: source)
        while true {
            _ = peekNonSpace()
            if let operand = try operand() { cmd.args.append(operand) }
            let t = next()
            switch t.kind {
            case .space: continue
            case .error: throw errorf(t.value)
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw errorf("unexpected \(t) in operand")
            }
            break
        }
        if cmd.args.isEmpty { throw errorf("empty command") }
        return cmd
    }

    mutating func operand() throws -> Node? {
        guard let node = try term() else { return nil }
        if peek().kind == .field {
            let chain = ChainNode(pos: peek().pos, node: node, source: source)
            while peek().kind == .field {
                chain.fields.append(String(next().value.dropFirst()))
            }
            switch node.kind {
            case .field:
                let f = unsafeDowncast(node, to: FieldNode.self)
                return FieldNode(pos: chain.pos, ident: f.ident + chain.fields, source: source)
            case .variable:
                let v = unsafeDowncast(node, to: VariableNode.self)
                return VariableNode(pos: chain.pos, ident: v.ident + chain.fields, source: source)
            case .bool, .string, .number, .nil, .dot:
                throw errorf("unexpected . after term \(goQuote(node.description))")
            default:
                return chain
            }
        }
        return node
    }

    mutating func term() throws -> Node? {
        let t = nextNonSpace()
        switch t.kind {
        case .error:
            throw errorf(t.value)
        case .identifier:
            if !hasFunction(t.value) { throw errorf("function \(goQuote(t.value)) not defined") }
            return IdentifierNode(pos: t.pos, ident: t.value, source: source)
        case .dot:
            return DotNode(pos: t.pos, source: source)
        case .nil:
            return NilNode(pos: t.pos, source: source)
        case .variable:
            return try useVar(t.pos, t.value)
        case .field:
            return FieldNode(pos: t.pos, ident: [String(t.value.dropFirst())], source: source)
        case .bool:
            return BoolNode(pos: t.pos, value: t.value == "true", source: source)
        case .charConstant, .complex, .number:
            return try newNumber(t)
        case .leftParen:
            stackDepth += 1
            defer { stackDepth -= 1 }
            if stackDepth >= Parser.maxStackDepth { throw errorf("max expression depth exceeded") }
            return try pipeline("parenthesized pipeline", end: .rightParen)
        case .string, .rawString:
            return StringNode(pos: t.pos, quoted: t.value, text: try unquote(t.value), source: source)
        default:
            backup()
            return nil
        }
    }

    func useVar(_ pos: Int, _ name: String) throws -> Node {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let v = VariableNode(pos: pos, ident: parts, source: source)
        if vars.contains(parts[0]) { return v }
        throw errorf("undefined variable \(goQuote(parts[0]))")
    }

    func newNumber(_ t: Token) throws -> NumberNode {
        let n = NumberNode(pos: t.pos, text: t.value, source: source)
        let text = t.value
        if t.kind == .charConstant {
            let bytes = Array(text.utf8)
            guard let (r, after) = unquoteChar(bytes, from: 1, quote: 0x27) else {
                throw errorf("invalid syntax")
            }
            if after != bytes.count - 1 { throw errorf("malformed character constant: \(text)") }
            n.isInt = true; n.int64 = Int64(r)
            n.isUint = true; n.uint64 = UInt64(r)
            n.isFloat = true; n.float64 = Double(r)
            return n
        }
        if t.kind == .complex || text.hasSuffix("i") {
            throw errorf("complex numbers are not supported: \(goQuote(text))")
        }
        let u = parseGoUInt(text)
        if let u { n.isUint = true; n.uint64 = u }
        if let i = parseGoInt(text) {
            n.isInt = true; n.int64 = i
            if i == 0 { n.isUint = true; n.uint64 = u ?? 0 }
        }
        if n.isInt {
            n.isFloat = true; n.float64 = Double(n.int64)
        } else if n.isUint {
            n.isFloat = true; n.float64 = Double(n.uint64)
        } else if let f = parseGoFloat(text) {
            if !text.contains(where: { ".eEpP".contains($0) }) {
                throw errorf("integer overflow: \(goQuote(text))")
            }
            n.isFloat = true; n.float64 = f
            if f.isFinite, f >= -9.223372036854775808e18, f < 9.223372036854775808e18, Double(Int64(f)) == f {
                n.isInt = true; n.int64 = Int64(f)
            }
            if f.isFinite, f >= 0, f < 1.8446744073709551616e19, Double(UInt64(f)) == f {
                n.isUint = true; n.uint64 = UInt64(f)
            }
        }
        if !n.isInt && !n.isUint && !n.isFloat {
            throw errorf("illegal number syntax: \(goQuote(text))")
        }
        return n
    }

    func unquote(_ s: String) throws -> String {
        guard let r = goUnquote(s) else { throw errorf("invalid syntax") }
        return r
    }
}

// MARK: - Go literal syntax (strconv.ParseInt/ParseUint base 0, ParseFloat, Unquote)

/// Digits of a Go integer literal with base prefix and underscores; nil if invalid.
private func splitGoInt(_ text: Substring) -> (radix: Int, digits: String)? {
    var s = text
    var radix = 10
    var prefixed = false
    if s.hasPrefix("0x") || s.hasPrefix("0X") { radix = 16; s = s.dropFirst(2); prefixed = true }
    else if s.hasPrefix("0o") || s.hasPrefix("0O") { radix = 8; s = s.dropFirst(2); prefixed = true }
    else if s.hasPrefix("0b") || s.hasPrefix("0B") { radix = 2; s = s.dropFirst(2); prefixed = true }
    else if s.hasPrefix("0") && s.count > 1 { radix = 8; s = s.dropFirst(1); prefixed = true }
    guard !s.isEmpty else { return nil }
    // Underscores: only between digits, or after a base prefix (Go's underscoreOK).
    if s.contains("_") {
        let chars = Array(s)
        if chars.first == "_" && !prefixed { return nil }
        if chars.last == "_" { return nil }
        for i in 1..<max(chars.count, 1) where chars[i] == "_" && chars[i - 1] == "_" { return nil }
    }
    let digits = s.filter { $0 != "_" }
    guard !digits.isEmpty else { return nil }
    return (radix, String(digits))
}

func parseGoUInt(_ text: String) -> UInt64? {
    var s = Substring(text)
    if s.hasPrefix("+") { s = s.dropFirst() }  // ParseUint rejects signs; ParseInt handles "+"
    if text.hasPrefix("+") || text.hasPrefix("-") { return nil }
    guard let (radix, digits) = splitGoInt(s) else { return nil }
    return UInt64(digits, radix: radix)
}

func parseGoInt(_ text: String) -> Int64? {
    var s = Substring(text)
    var neg = false
    if s.hasPrefix("+") { s = s.dropFirst() } else if s.hasPrefix("-") { neg = true; s = s.dropFirst() }
    guard let (radix, digits) = splitGoInt(s), let mag = UInt64(digits, radix: radix) else { return nil }
    if neg {
        if mag == UInt64(Int64.max) + 1 { return Int64.min }
        guard mag <= UInt64(Int64.max) else { return nil }
        return -Int64(mag)
    }
    guard mag <= UInt64(Int64.max) else { return nil }
    return Int64(mag)
}

func parseGoFloat(_ text: String) -> Double? {
    let cleaned = text.filter { $0 != "_" }
    if cleaned.lowercased().hasPrefix("0x") || cleaned.lowercased().hasPrefix("-0x") || cleaned.lowercased().hasPrefix("+0x") {
        return Double(cleaned)  // Swift accepts hex floats with p exponents
    }
    // Reject forms Swift accepts but Go does not (inf, nan words are not lexed as numbers anyway).
    guard let d = Double(cleaned) else { return nil }
    return d
}

/// Decodes one (possibly escaped) character of a Go quoted literal starting at `i`.
/// Returns the scalar value and the index after it, or nil on bad syntax.
func unquoteChar(_ b: [UInt8], from i: Int, quote: UInt8) -> (UInt32, Int)? {
    guard i < b.count else { return nil }
    let c = b[i]
    if c == quote && (quote == 0x27 || quote == 0x22) { return nil }
    if c >= 0x80 {
        let s = String(decoding: b[i...], as: UTF8.self)
        guard let first = s.unicodeScalars.first else { return nil }
        return (first.value, i + String(first).utf8.count)
    }
    if c != 0x5C { return (UInt32(c), i + 1) }
    guard i + 1 < b.count else { return nil }
    let e = b[i + 1]
    switch e {
    case UInt8(ascii: "a"): return (7, i + 2)
    case UInt8(ascii: "b"): return (8, i + 2)
    case UInt8(ascii: "f"): return (12, i + 2)
    case UInt8(ascii: "n"): return (10, i + 2)
    case UInt8(ascii: "r"): return (13, i + 2)
    case UInt8(ascii: "t"): return (9, i + 2)
    case UInt8(ascii: "v"): return (11, i + 2)
    case UInt8(ascii: "\\"): return (0x5C, i + 2)
    case 0x27, 0x22:
        if e != quote { return nil }
        return (UInt32(e), i + 2)
    case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
        let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
        guard i + 2 + n <= b.count,
              let v = UInt32(String(decoding: b[(i + 2)..<(i + 2 + n)], as: UTF8.self), radix: 16) else { return nil }
        if e != UInt8(ascii: "x") && (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)) { return nil }
        return (v, i + 2 + n)
    case UInt8(ascii: "0")...UInt8(ascii: "7"):
        guard i + 4 <= b.count,
              let v = UInt32(String(decoding: b[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8), v <= 255 else { return nil }
        return (v, i + 4)
    default:
        return nil
    }
}

/// Go's `strconv.Unquote` for "..." and `...` literals (nil on bad syntax).
/// `\x` and octal escapes give bytes; invalid UTF-8 that results decodes with U+FFFD.
func goUnquote(_ s: String) -> String? {
    let b = Array(s.utf8)
    guard b.count >= 2, let q = b.first, b.last == q else { return nil }
    if q == 0x60 {
        let inner = b[1..<(b.count - 1)]
        if inner.contains(0x60) { return nil }
        return String(decoding: inner.filter { $0 != 0x0D }, as: UTF8.self)
    }
    guard q == 0x22 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(b.count)
    var i = 1
    let end = b.count - 1
    while i < end {
        let c = b[i]
        if c == 0x0A { return nil }
        if c != 0x5C {
            if c == q { return nil }
            out.append(c)
            i += 1
            continue
        }
        guard let (v, nextI) = unquoteChar(Array(b[0..<end]), from: i, quote: q) else { return nil }
        let e = b[i + 1]
        if e == UInt8(ascii: "x") || (e >= UInt8(ascii: "0") && e <= UInt8(ascii: "7")) {
            out.append(UInt8(v))
        } else if let sc = Unicode.Scalar(v) {
            out.append(contentsOf: Array(String(Character(sc)).utf8))
        } else {
            return nil
        }
        i = nextI
    }
    return String(decoding: out, as: UTF8.self)
}
