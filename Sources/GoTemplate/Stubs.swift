// Temporary: replaced by the lexer, parser and executor.
final class Tree: @unchecked Sendable {
    let name: String
    var isEmpty: Bool { true }
    init(name: String) { self.name = name }
}
struct Parser {
    struct Result { var trees: [String: Tree] }
    static func parse(name: String, text: String, functions: FunctionMap) throws -> Result {
        throw TemplateParseError(templateName: name, line: 1, message: "parser not implemented yet")
    }
}
struct Executor {
    init(set: TemplateSet, options: ExecutionOptions, depth: Int) {}
    mutating func run(tree: Tree, data: Value) throws -> String { throw TemplateError("executor not implemented yet") }
}
func goQuote(_ s: String) -> String { "\"" + s + "\"" }
