// The parse tree (Go's parse/node.go). Nodes are classes so the executor can remember
// "the node being evaluated" cheaply for error messages; `kind` lets it dispatch with
// a switch instead of dynamic casts. `description` is Go's `Node.String()`, which
// appears in error messages as `at <...>`.

/// The text a tree was parsed from, shared by its nodes for error locations.
final class Source: Sendable {
    let parseName: String
    let bytes: [UInt8]
    init(parseName: String, bytes: [UInt8]) {
        self.parseName = parseName
        self.bytes = bytes
    }

    /// Go's `ErrorContext` location: 1-based line, 0-based byte column.
    func location(of pos: Int) -> TemplateExecError.Location {
        let p = min(max(pos, 0), bytes.count)
        var line = 1
        var lastNewline = -1
        var i = 0
        while i < p {
            if bytes[i] == 0x0A { line += 1; lastNewline = i }
            i += 1
        }
        let column = lastNewline == -1 ? p : p - (lastNewline + 1)
        return TemplateExecError.Location(parseName: parseName, line: line, column: column)
    }
}

enum NodeKind {
    case list, text, action, pipe, command, identifier, variable, dot, `nil`, field, chain
    case bool, number, string, `if`, range, with, template, `break`, `continue`, end, `else`
}

class Node: @unchecked Sendable, CustomStringConvertible {
    let kind: NodeKind
    let pos: Int
    let source: Source

    init(_ kind: NodeKind, pos: Int, source: Source) {
        self.kind = kind
        self.pos = pos
        self.source = source
    }

    var description: String {
        var s = ""
        write(to: &s)
        return s
    }

    func write(to s: inout String) {}
}

final class ListNode: Node, @unchecked Sendable {
    var nodes: [Node] = []
    init(pos: Int, source: Source) { super.init(.list, pos: pos, source: source) }
    override func write(to s: inout String) { for n in nodes { n.write(to: &s) } }
}

final class TextNode: Node, @unchecked Sendable {
    let text: String
    init(pos: Int, text: String, source: Source) {
        self.text = text
        super.init(.text, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += goQuote(text) }
}

final class ActionNode: Node, @unchecked Sendable {
    let line: Int
    let pipe: PipeNode
    init(pos: Int, line: Int, pipe: PipeNode, source: Source) {
        self.line = line
        self.pipe = pipe
        super.init(.action, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        s += "{{"
        pipe.write(to: &s)
        s += "}}"
    }
}

final class PipeNode: Node, @unchecked Sendable {
    let line: Int
    var isAssign = false
    var decl: [VariableNode] = []
    var cmds: [CommandNode] = []
    init(pos: Int, line: Int, source: Source) {
        self.line = line
        super.init(.pipe, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        if !decl.isEmpty {
            for (i, v) in decl.enumerated() {
                if i > 0 { s += ", " }
                v.write(to: &s)
            }
            s += isAssign ? " = " : " := "
        }
        for (i, c) in cmds.enumerated() {
            if i > 0 { s += " | " }
            c.write(to: &s)
        }
    }
}

final class CommandNode: Node, @unchecked Sendable {
    var args: [Node] = []
    init(pos: Int, source: Source) { super.init(.command, pos: pos, source: source) }
    override func write(to s: inout String) {
        for (i, a) in args.enumerated() {
            if i > 0 { s += " " }
            if a.kind == .pipe {
                s += "("
                a.write(to: &s)
                s += ")"
            } else {
                a.write(to: &s)
            }
        }
    }
}

final class IdentifierNode: Node, @unchecked Sendable {
    let ident: String
    init(pos: Int, ident: String, source: Source) {
        self.ident = ident
        super.init(.identifier, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += ident }
}

final class VariableNode: Node, @unchecked Sendable {
    let ident: [String]
    init(pos: Int, ident: [String], source: Source) {
        self.ident = ident
        super.init(.variable, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += ident.joined(separator: ".") }
}

final class DotNode: Node, @unchecked Sendable {
    init(pos: Int, source: Source) { super.init(.dot, pos: pos, source: source) }
    override func write(to s: inout String) { s += "." }
}

final class NilNode: Node, @unchecked Sendable {
    init(pos: Int, source: Source) { super.init(.nil, pos: pos, source: source) }
    override func write(to s: inout String) { s += "nil" }
}

final class FieldNode: Node, @unchecked Sendable {
    let ident: [String]
    init(pos: Int, ident: [String], source: Source) {
        self.ident = ident
        super.init(.field, pos: pos, source: source)
    }
    override func write(to s: inout String) { for f in ident { s += "."; s += f } }
}

final class ChainNode: Node, @unchecked Sendable {
    let node: Node
    var fields: [String] = []
    init(pos: Int, node: Node, source: Source) {
        self.node = node
        super.init(.chain, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        if node.kind == .pipe {
            s += "("
            node.write(to: &s)
            s += ")"
        } else {
            node.write(to: &s)
        }
        for f in fields { s += "."; s += f }
    }
}

final class BoolNode: Node, @unchecked Sendable {
    let value: Bool
    init(pos: Int, value: Bool, source: Source) {
        self.value = value
        super.init(.bool, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += value ? "true" : "false" }
}

final class NumberNode: Node, @unchecked Sendable {
    var isInt = false, isUint = false, isFloat = false, isComplex = false
    var int64: Int64 = 0
    var uint64: UInt64 = 0
    var float64: Double = 0
    let text: String
    init(pos: Int, text: String, source: Source) {
        self.text = text
        super.init(.number, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += text }
}

final class StringNode: Node, @unchecked Sendable {
    let quoted: String
    let text: String
    init(pos: Int, quoted: String, text: String, source: Source) {
        self.quoted = quoted
        self.text = text
        super.init(.string, pos: pos, source: source)
    }
    override func write(to s: inout String) { s += quoted }
}

/// `if`, `range` and `with`.
final class BranchNode: Node, @unchecked Sendable {
    let line: Int
    let pipe: PipeNode
    let list: ListNode
    let elseList: ListNode?
    init(_ kind: NodeKind, pos: Int, line: Int, pipe: PipeNode, list: ListNode, elseList: ListNode?, source: Source) {
        self.line = line
        self.pipe = pipe
        self.list = list
        self.elseList = elseList
        super.init(kind, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        let name: String
        switch kind {
        case .if: name = "if"
        case .range: name = "range"
        default: name = "with"
        }
        s += "{{\(name) "
        pipe.write(to: &s)
        s += "}}"
        list.write(to: &s)
        if let e = elseList {
            s += "{{else}}"
            e.write(to: &s)
        }
        s += "{{end}}"
    }
}

final class TemplateNode: Node, @unchecked Sendable {
    let line: Int
    let name: String
    let pipe: PipeNode?
    init(pos: Int, line: Int, name: String, pipe: PipeNode?, source: Source) {
        self.line = line
        self.name = name
        self.pipe = pipe
        super.init(.template, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        s += "{{template \(goQuote(name))"
        if let p = pipe {
            s += " "
            p.write(to: &s)
        }
        s += "}}"
    }
}

/// `{{break}}`, `{{continue}}`, and the parser-internal `{{end}}` / `{{else}}`.
final class KeywordNode: Node, @unchecked Sendable {
    let line: Int
    init(_ kind: NodeKind, pos: Int, line: Int, source: Source) {
        self.line = line
        super.init(kind, pos: pos, source: source)
    }
    override func write(to s: inout String) {
        switch kind {
        case .break: s += "{{break}}"
        case .continue: s += "{{continue}}"
        case .end: s += "{{end}}"
        default: s += "{{else}}"
        }
    }
}

/// A parsed template.
final class Tree: @unchecked Sendable {
    let name: String
    let root: ListNode
    let source: Source
    init(name: String, root: ListNode, source: Source) {
        self.name = name
        self.root = root
        self.source = source
    }

    /// Go's `IsEmptyTree`: nothing but space text.
    var isEmpty: Bool { Tree.isEmpty(root) }

    static func isEmpty(_ n: Node) -> Bool {
        switch n.kind {
        case .list:
            return unsafeDowncast(n, to: ListNode.self).nodes.allSatisfy { isEmpty($0) }
        case .text:
            return unsafeDowncast(n, to: TextNode.self).text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
        default:
            return false
        }
    }
}
