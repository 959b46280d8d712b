// Errors carry the pieces of Go's messages (template name, line, column, the action's
// text) and print exactly Go's text, so embedders such as Helm can reformat them.

/// A parse error: Go prints `template: NAME:LINE: MESSAGE`.
public struct TemplateParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The name the text was parsed under (Go's `ParseName`, Helm's file path).
    public let templateName: String
    /// 1-based line of the token where the error was found.
    public let line: Int
    /// Go's message, e.g. `unexpected EOF`, `function "foo" not defined`.
    public let message: String

    public init(templateName: String, line: Int, message: String) {
        self.templateName = templateName
        self.line = line
        self.message = message
    }

    public var description: String { "template: \(templateName):\(line): \(message)" }
}

/// An execution error. Go prints
/// `template: FILE:LINE:COL: executing "NAME" at <ACTION>: MESSAGE`, or
/// `template: NAME: MESSAGE` when no node is known.
public struct TemplateExecError: Error, CustomStringConvertible, Sendable {
    /// Name of the template being executed (a `define` name or the file name).
    public let templateName: String
    /// Where the failing node is: the name of the text it was parsed from, 1-based line,
    /// 0-based byte column (Go's convention). nil when Go prints no location.
    public let location: Location?
    /// The failing node as Go prints it (`.Values.x`, `include "a" .`).
    public let context: String?
    /// The message after `at <...>: `. For `error calling NAME: ...` it holds the whole
    /// text including the nested error's text.
    public let message: String
    /// The error a function threw, when the message is `error calling NAME: ...`.
    public let underlying: (any Error & Sendable)?

    public struct Location: Sendable, Equatable, CustomStringConvertible {
        public let parseName: String
        public let line: Int
        public let column: Int
        public var description: String { "\(parseName):\(line):\(column)" }
    }

    public init(templateName: String, location: Location?, context: String?, message: String,
                underlying: (any Error & Sendable)? = nil) {
        self.templateName = templateName
        self.location = location
        self.context = context
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let location, let context {
            return "template: \(location): executing \(goQuote(templateName)) at <\(context)>: \(message)"
        }
        return "template: \(templateName): \(message)"
    }
}

/// Errors from the template set API itself (Go's `ExecuteTemplate` lookups).
public struct TemplateError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The text of an error as Go's `err.Error()` would give it.
func errorText(_ error: any Error) -> String {
    if let e = error as? CustomStringConvertible { return e.description }
    return String(describing: error)
}
