import YAML

/// The result of checking one profile: the typed profile when it decoded without
/// errors, and every finding (schema errors, then lint) sorted by position.
public struct ProfileValidation: Sendable {
    public var profile: Profile?
    public var findings: [Finding]
    public var sourceMap: SourceMap

    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
}

/// A profile that cannot be used; `description` is the full human report.
public struct ProfileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var findings: [Finding]
    public var description: String { FindingReport.human(file: file, findings: findings) }
}

/// Entry points. Pure: the caller reads the file and passes its text; `file` is
/// only used in locations (pass the path the user typed).
public enum ProfileLoader {
    /// Decodes and lints. Lint rules run only when decoding found no errors, because
    /// they reason about the whole profile and would misfire on a half-decoded one.
    public static func validate(_ text: String, file: String) -> ProfileValidation {
        let root: Node?
        do {
            root = try Parser().parseSingle(text, file: file)
        } catch {
            var message = error.problem
            if let context = error.context, !context.isEmpty { message += " (\(context))" }
            let finding = Finding(file: file, mark: clamp(error.mark, to: text), severity: .error, code: .yamlSyntax, path: "",
                                  message: "invalid YAML: " + message)
            return ProfileValidation(profile: nil, findings: [finding], sourceMap: SourceMap())
        }
        let decoder = ProfileDecoder(file: file)
        let profile = decoder.decode(root: root)
        var findings = decoder.r.findings
        if let profile {
            var linter = Linter(profile: profile, map: decoder.r.sourceMap, file: file)
            findings += linter.run()
        }
        return ProfileValidation(profile: profile, findings: findings.sortedByPosition(), sourceMap: decoder.r.sourceMap)
    }

    /// libyaml reports problems at the end of input one line past the last line when the
    /// text has no final newline; point at the end of the last line instead.
    static func clamp(_ mark: Mark, to text: String) -> Mark {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line > lines.count, let last = lines.last else { return mark }
        return Mark(line: lines.count, column: last.count + 1)
    }

    /// The profile for commands that act on it; throws when there is any error
    /// (warnings are returned for the caller to print).
    public static func load(_ text: String, file: String) throws(ProfileError) -> (profile: Profile, warnings: [Finding]) {
        let v = validate(text, file: file)
        guard let profile = v.profile, !v.hasErrors else { throw ProfileError(file: file, findings: v.findings) }
        return (profile, v.findings)
    }
}
