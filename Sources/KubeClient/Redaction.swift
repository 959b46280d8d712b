import Foundation

/// Helpers that keep secrets out of everything printed.
enum Redaction {
    static let placeholder = "<redacted>"

    /// A URL with any userinfo password replaced.
    static func url(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = placeholder
        return components.string ?? placeholder
    }
}
