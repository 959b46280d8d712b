// The lexer: Go's parse/lex.go state machine, run eagerly over UTF-8 bytes. Positions
// are byte offsets, as in Go, so error columns match. Lexing stops at the first error
// (an `.error` token), which the parser reports when it reaches it.

enum TokenKind: UInt8 {
    case error, bool, char, charConstant, comment, complex, assign, declare, eof, field
    case identifier, leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen
    case space, string, text, variable
    // keywords (Go: > itemKeyword)
    case block, `break`, `continue`, dot, define, `else`, end, `if`, `nil`, range, template, with

    var isKeyword: Bool { rawValue >= TokenKind.block.rawValue }
}

struct Token {
    var kind: TokenKind
    var pos: Int
    var value: String
    var line: Int
}

extension Token: CustomStringConvertible {
    /// Go's `item.String()`, used in parse error messages.
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        default:
            if kind.isKeyword { return "<\(value)>" }
            let scalars = Array(value.unicodeScalars)
            if scalars.count > 10 {
                return goQuote(String(String.UnicodeScalarView(scalars[0..<10]))) + "..."
            }
            return goQuote(value)
        }
    }
}

struct Lexer {
    let input: [UInt8]
    let leftDelim: [UInt8]
    let rightDelim: [UInt8]
    var breakOK = true
    var continueOK = true
    var tokens: [Token] = []
    var pos = 0
    var start = 0
    var line = 1
    var startLine = 1
    var insideAction = false
    var parenDepth = 0

    static let leftComment: [UInt8] = Array("/*".utf8)
    static let rightComment: [UInt8] = Array("*/".utf8)

    init(text: String, leftDelim: String = "{{", rightDelim: String = "}}") {
        self.input = Array(text.utf8)
        self.leftDelim = Array(leftDelim.utf8)
        self.rightDelim = Array(rightDelim.utf8)
    }

    enum State { case text, leftDelim, comment, rightDelim, insideAction, space, identifier, field, variable, char, number, quote, rawQuote, done }

    mutating func run() -> [Token] {
        var state = State.text
        while state != .done {
            switch state {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .comment: state = lexComment()
            case .rightDelim: state = lexRightDelim()
            case .insideAction: state = lexInsideAction()
            case .space: state = lexSpace()
            case .identifier: state = lexIdentifier()
            case .field: state = lexFieldOrVariable(.field)
            case .variable: state = lexVariable()
            case .char: state = lexChar()
            case .number: state = lexNumber()
            case .quote: state = lexQuote()
            case .rawQuote: state = lexRawQuote()
            case .done: break
            }
        }
        return tokens
    }

    // MARK: helpers

    static let eof: UInt32 = 0xFFFF_FFFF

    /// Decodes the scalar at `pos` (bytes of invalid UTF-8 decode as U+FFFD, width 1).
    func scalar(at p: Int) -> (UInt32, Int) {
        guard p < input.count else { return (Lexer.eof, 0) }
        let b0 = input[p]
        if b0 < 0x80 { return (UInt32(b0), 1) }
        var width = 0
        var value: UInt32 = 0
        if b0 & 0xE0 == 0xC0 { width = 2; value = UInt32(b0 & 0x1F) }
        else if b0 & 0xF0 == 0xE0 { width = 3; value = UInt32(b0 & 0x0F) }
        else if b0 & 0xF8 == 0xF0 { width = 4; value = UInt32(b0 & 0x07) }
        else { return (0xFFFD, 1) }
        guard p + width <= input.count else { return (0xFFFD, 1) }
        for i in 1..<width {
            let b = input[p + i]
            guard b & 0xC0 == 0x80 else { return (0xFFFD, 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        return (value, width)
    }

    var lastWidth = 0

    mutating func next() -> UInt32 {
        guard pos < input.count else { lastWidth = 0; return Lexer.eof }
        let (r, w) = scalar(at: pos)
        lastWidth = w
        pos += w
        if r == 0x0A { line += 1 }
        return r
    }

    mutating func backup() {
        guard lastWidth > 0 else { return }
        pos -= lastWidth
        if input[pos] == 0x0A { line -= 1 }
        lastWidth = 0
    }

    func peek() -> UInt32 { scalar(at: pos).0 }

    func text(_ a: Int, _ b: Int) -> String {
        String(decoding: input[a..<b], as: UTF8.self)
    }

    mutating func thisToken(_ kind: TokenKind) -> Token {
        let t = Token(kind: kind, pos: start, value: text(start, pos), line: startLine)
        start = pos
        startLine = line
        return t
    }

    mutating func emit(_ kind: TokenKind) -> State {
        tokens.append(thisToken(kind))
        return kind == .eof ? .done : .insideAction
    }


    mutating func errorf(_ message: String) -> State {
        tokens.append(Token(kind: .error, pos: start, value: message, line: startLine))
        return .done
    }

    func hasPrefix(_ p: [UInt8], at i: Int) -> Bool {
        guard i >= 0, i + p.count <= input.count else { return false }
        for k in 0..<p.count where input[i + k] != p[k] { return false }
        return true
    }

    static func isSpace(_ r: UInt32) -> Bool { r == 0x20 || r == 0x09 || r == 0x0D || r == 0x0A }
    static func isSpaceByte(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    static func isAlphaNumeric(_ r: UInt32) -> Bool {
        if r == 0x5F { return true }
        if r < 0x80 {
            return (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5A) || (r >= 0x61 && r <= 0x7A)
        }
        guard r != Lexer.eof, let s = Unicode.Scalar(r) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber:
            return true
        default: return false
        }
    }

    func hasLeftTrimMarker(at i: Int) -> Bool {
        i + 1 < input.count && input[i] == 0x2D && Lexer.isSpaceByte(input[i + 1])
    }

    func hasRightTrimMarker(at i: Int) -> Bool {
        i >= 0 && i + 1 < input.count && Lexer.isSpaceByte(input[i]) && input[i + 1] == 0x2D
    }

    /// Whether a right delimiter (optionally preceded by " -") starts at pos.
    func atRightDelim() -> (delim: Bool, trimSpace: Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix(rightDelim, at: pos + 2) { return (true, true) }
        if hasPrefix(rightDelim, at: pos) { return (true, false) }
        return (false, false)
    }

    func rightTrimLength(_ a: Int, _ b: Int) -> Int {
        var i = b
        while i > a, Lexer.isSpaceByte(input[i - 1]) { i -= 1 }
        return b - i
    }

    func leftTrimLength(from a: Int) -> Int {
        var i = a
        while i < input.count, Lexer.isSpaceByte(input[i]) { i += 1 }
        return i - a
    }

    func countNewlines(_ a: Int, _ b: Int) -> Int {
        var n = 0
        var i = a
        while i < b { if input[i] == 0x0A { n += 1 }; i += 1 }
        return n
    }

    func indexOf(_ needle: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, needle.count <= input.count else { return nil }
        var i = from
        let first = needle[0]
        let last = input.count - needle.count
        while i <= last {
            if input[i] == first && hasPrefix(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    // MARK: states

    mutating func lexText() -> State {
        if let x = indexOf(leftDelim, from: pos) {
            if x > pos {
                pos = x
                var trimLength = 0
                let delimEnd = pos + leftDelim.count
                if hasLeftTrimMarker(at: delimEnd) {
                    trimLength = rightTrimLength(start, pos)
                }
                pos -= trimLength
                line += countNewlines(start, pos)
                let t = thisToken(.text)
                pos += trimLength
                line += countNewlines(start, pos)
                start = pos
                startLine = line
                if !t.value.isEmpty { tokens.append(t) }
            }
            return .leftDelim
        }
        pos = input.count
        if pos > start {
            line += countNewlines(start, pos)
            tokens.append(thisToken(.text))
        }
        tokens.append(thisToken(.eof))
        return .done
    }

    mutating func lexLeftDelim() -> State {
        pos += leftDelim.count
        let trimSpace = hasLeftTrimMarker(at: pos)
        let afterMarker = trimSpace ? 2 : 0
        if hasPrefix(Lexer.leftComment, at: pos + afterMarker) {
            pos += afterMarker
            start = pos
            startLine = line
            return .comment
        }
        let t = thisToken(.leftDelim)
        tokens.append(t)
        insideAction = true
        pos += afterMarker
        start = pos
        startLine = line
        parenDepth = 0
        return .insideAction
    }

    mutating func lexComment() -> State {
        pos += Lexer.leftComment.count
        guard let x = indexOf(Lexer.rightComment, from: pos) else {
            return errorf("unclosed comment")
        }
        line += countNewlines(pos, x + Lexer.rightComment.count)
        pos = x + Lexer.rightComment.count
        let (delim, trimSpace) = atRightDelim()
        if !delim { return errorf("comment ends before closing delimiter") }
        if trimSpace { pos += 2 }
        pos += rightDelim.count
        if trimSpace {
            let n = leftTrimLength(from: pos)
            line += countNewlines(pos, pos + n)
            pos += n
        }
        start = pos
        startLine = line
        return .text
    }

    mutating func lexRightDelim() -> State {
        let (_, trimSpace) = atRightDelim()
        if trimSpace {
            pos += 2
            start = pos
            startLine = line
        }
        pos += rightDelim.count
        tokens.append(thisToken(.rightDelim))
        if trimSpace {
            let n = leftTrimLength(from: pos)
            line += countNewlines(pos, pos + n)
            pos += n
            start = pos
            startLine = line
        }
        insideAction = false
        return .text
    }

    mutating func lexInsideAction() -> State {
        let (delim, _) = atRightDelim()
        if delim {
            if parenDepth == 0 { return .rightDelim }
            return errorf("unclosed left paren")
        }
        let r = next()
        switch r {
        case Lexer.eof:
            return errorf("unclosed action")
        case _ where Lexer.isSpace(r):
            backup()
            return .space
        case 0x3D:  // =
            return emit(.assign)
        case 0x3A:  // :
            if next() != 0x3D { return errorf("expected :=") }
            return emit(.declare)
        case 0x7C:  // |
            return emit(.pipe)
        case 0x22:  // "
            return .quote
        case 0x60:  // `
            return .rawQuote
        case 0x24:  // $
            return .variable
        case 0x27:  // '
            return .char
        case 0x2E:  // .
            if pos < input.count {
                let c = input[pos]
                if c < 0x30 || c > 0x39 { return .field }
            }
            backup()
            return .number
        case 0x2B, 0x2D, 0x30...0x39:
            backup()
            return .number
        case _ where Lexer.isAlphaNumeric(r):
            backup()
            return .identifier
        case 0x28:  // (
            parenDepth += 1
            return emit(.leftParen)
        case 0x29:  // )
            parenDepth -= 1
            if parenDepth < 0 { return errorf("unexpected right paren") }
            return emit(.rightParen)
        case 0x20...0x7E:
            return emit(.char)
        default:
            return errorf("unrecognized character in action: \(goRuneU(r))")
        }
    }

    mutating func lexSpace() -> State {
        var numSpaces = 0
        while true {
            let r = peek()
            if !Lexer.isSpace(r) { break }
            _ = next()
            numSpaces += 1
        }
        if hasRightTrimMarker(at: pos - 1) && hasPrefix(rightDelim, at: pos - 1 + 2) {
            backup()
            if numSpaces == 1 { return .insideAction }
        }
        return emit(.space)
    }

    func atTerminator() -> Bool {
        let r = peek()
        if Lexer.isSpace(r) { return true }
        switch r {
        case Lexer.eof, 0x2E, 0x2C, 0x7C, 0x3A, 0x29, 0x28: return true
        default: return hasPrefix(rightDelim, at: pos)
        }
    }

    static let keywords: [String: TokenKind] = [
        "block": .block, "break": .break, "continue": .continue, "define": .define,
        "else": .else, "end": .end, "if": .if, "range": .range, "nil": .nil,
        "template": .template, "with": .with,
    ]

    mutating func lexIdentifier() -> State {
        while true {
            let r = next()
            if Lexer.isAlphaNumeric(r) { continue }
            backup()
            let word = text(start, pos)
            if !atTerminator() { return errorf("bad character \(goRuneU(r))") }
            if let k = Lexer.keywords[word] {
                if (k == .break && !breakOK) || (k == .continue && !continueOK) {
                    return emit(.identifier)
                }
                return emit(k)
            }
            if word == "true" || word == "false" { return emit(.bool) }
            return emit(.identifier)
        }
    }

    mutating func lexVariable() -> State {
        if atTerminator() { return emit(.variable) }
        return lexFieldOrVariable(.variable)
    }

    mutating func lexFieldOrVariable(_ kind: TokenKind) -> State {
        if atTerminator() {
            return emit(kind == .variable ? .variable : .dot)
        }
        var r: UInt32
        while true {
            r = next()
            if !Lexer.isAlphaNumeric(r) { backup(); break }
        }
        if !atTerminator() { return errorf("bad character \(goRuneU(r))") }
        return emit(kind)
    }

    mutating func lexChar() -> State {
        while true {
            let r = next()
            if r == 0x5C {
                let r2 = next()
                if r2 != Lexer.eof && r2 != 0x0A { continue }
                return errorf("unterminated character constant")
            }
            if r == Lexer.eof || r == 0x0A { return errorf("unterminated character constant") }
            if r == 0x27 { break }
        }
        return emit(.charConstant)
    }

    mutating func accept(_ valid: String) -> Bool {
        let r = next()
        if r != Lexer.eof, r < 0x80, valid.utf8.contains(UInt8(r)) { return true }
        backup()
        return false
    }

    mutating func acceptRun(_ valid: String) {
        while true {
            let r = next()
            if r != Lexer.eof, r < 0x80, valid.utf8.contains(UInt8(r)) { continue }
            backup()
            return
        }
    }

    mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") { digits = "0123456789abcdefABCDEF_" }
            else if accept("oO") { digits = "01234567_" }
            else if accept("bB") { digits = "01_" }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if Lexer.isAlphaNumeric(peek()) {
            _ = next()
            return false
        }
        return true
    }

    mutating func lexNumber() -> State {
        if !scanNumber() {
            return errorf("bad number syntax: \(goQuote(text(start, pos)))")
        }
        let sign = peek()
        if sign == 0x2B || sign == 0x2D {
            if !scanNumber() || input[pos - 1] != 0x69 {
                return errorf("bad number syntax: \(goQuote(text(start, pos)))")
            }
            return emit(.complex)
        }
        return emit(.number)
    }

    mutating func lexQuote() -> State {
        while true {
            let r = next()
            if r == 0x5C {
                let r2 = next()
                if r2 != Lexer.eof && r2 != 0x0A { continue }
                return errorf("unterminated quoted string")
            }
            if r == Lexer.eof || r == 0x0A { return errorf("unterminated quoted string") }
            if r == 0x22 { break }
        }
        return emit(.string)
    }

    mutating func lexRawQuote() -> State {
        while true {
            let r = next()
            if r == Lexer.eof { return errorf("unterminated raw quoted string") }
            if r == 0x60 { break }
        }
        return emit(.rawString)
    }
}

/// Go's `%#U` of a rune: `U+0041 'A'`.
func goRuneU(_ r: UInt32) -> String {
    var hex = String(r, radix: 16, uppercase: true)
    while hex.count < 4 { hex = "0" + hex }
    if let s = Unicode.Scalar(r), isGoPrint(s) {
        return "U+\(hex) '\(Character(s))'"
    }
    return "U+\(hex)"
}
