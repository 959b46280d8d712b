import YAML

/// How bad a finding is: any error makes `platform validate` exit 1; warnings never do.
public enum Severity: String, Sendable, Equatable, Codable, Comparable {
    case error, warning

    public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
}

/// One problem found in a profile, located at the offending field.
///
/// Schema problems (decoding) and lint rules share this type so the CLI prints and
/// serialises both the same way; `code` tells them apart (see `FindingCode`).
public struct Finding: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    public var code: FindingCode
    /// Dotted field path such as `spec.tenants[0].gpus`; empty for syntax errors and the root.
    public var path: String
    public var message: String
    /// One line saying what to change; nil for schema errors whose message already says it.
    public var fix: String?

    public init(file: String, mark: Mark, severity: Severity, code: FindingCode, path: String,
                message: String, fix: String? = nil) {
        self.file = file
        self.line = mark.line
        self.column = mark.column
        self.severity = severity
        self.code = code
        self.path = path
        self.message = message
        self.fix = fix
    }

    /// The human form: schema errors read like compiler errors
    /// (`f.yaml:12:9: error: spec.x: message`); lint findings carry their code
    /// (`f.yaml:3:5: warning: PL002 spec.x: message`) and a `  fix:` line.
    public var description: String {
        var s = "\(file):\(line):\(column): \(severity.rawValue): "
        if code.isLint { s += "\(code.rawValue) " }
        if !path.isEmpty { s += "\(path): " }
        s += message
        if let fix { s += "\n  fix: \(fix)" }
        return s
    }
}

/// Stable codes. `PL000`–`PL099` are schema problems found while decoding;
/// `PL1xx` are lint rules. Codes are never reused for a different meaning.
public enum FindingCode: String, Sendable, Equatable, Codable, CaseIterable {
    // Schema (decoding).
    case yamlSyntax = "PL000"
    case unknownField = "PL001"
    case wrongType = "PL002"
    case missingField = "PL003"
    case notAllowed = "PL004"
    case badFormat = "PL005"
    case outOfRange = "PL006"
    case invalidName = "PL007"
    case duplicate = "PL008"
    case undefinedReference = "PL009"
    case duplicateKey = "PL010"

    // Lint rules.
    case hostDriverWithContainer = "PL101"
    case timeSlicingIsolation = "PL102"
    case draKubernetesVersion = "PL103"
    case draDevicePlugin = "PL104"
    case gangWithoutVolcano = "PL105"
    case kueueWithoutVolcano = "PL106"
    case nfdTwice = "PL107"
    case unpinnedChart = "PL108"
    case unpinnedImage = "PL109"
    case migStrategyResource = "PL110"
    case resourceNotExposed = "PL111"
    case tenantQuotaExceeded = "PL112"
    case kueueFlavorCoverage = "PL113"
    case chartMissing = "PL114"
    case localQueueNamespace = "PL115"
    case priorityClassDefault = "PL116"
    case twoDevicePlugins = "PL117"
    case rawValueOverride = "PL118"
    case unusedSharingConfig = "PL119"
    case stageTimeout = "PL120"
    case noNFD = "PL121"
    case queueWithoutQuota = "PL122"
    case draDriverRoot = "PL123"
    case networkWithoutDevices = "PL124"
    case kueueWithoutQueues = "PL125"
    case sharingWithoutOperator = "PL126"
    case productLabelRenamed = "PL127"

    /// Lint findings print their code in human output; schema errors do not.
    public var isLint: Bool { rawValue >= "PL100" }
}

extension [Finding] {
    /// Sorted by position; ties keep the order found (stable).
    public func sortedByPosition() -> [Finding] {
        enumerated().sorted { a, b in
            if a.element.line != b.element.line { return a.element.line < b.element.line }
            if a.element.column != b.element.column { return a.element.column < b.element.column }
            return a.offset < b.offset
        }.map(\.element)
    }

    public var errorCount: Int { filter { $0.severity == .error }.count }
    public var warningCount: Int { filter { $0.severity == .warning }.count }
}

/// Output formats for findings, shared by `platform validate` and the tests' goldens.
public enum FindingReport {
    /// `f.yaml: 0 errors, 2 warnings`.
    public static func summary(file: String, findings: [Finding]) -> String {
        let e = findings.errorCount, w = findings.warningCount
        return "\(file): \(e) \(e == 1 ? "error" : "errors"), \(w) \(w == 1 ? "warning" : "warnings")"
    }

    /// Every finding (sorted) then the summary line; ends with a newline.
    public static func human(file: String, findings: [Finding]) -> String {
        var out = ""
        for f in findings { out += f.description + "\n" }
        out += summary(file: file, findings: findings) + "\n"
        return out
    }

    /// The `--json` form: an array of objects with keys in this fixed order:
    /// file, line, column, severity, code, path, message, fix (null when absent).
    /// One finding per line so diffs of saved output stay readable.
    public static func json(_ findings: [Finding]) -> String {
        if findings.isEmpty { return "[]\n" }
        var out = "[\n"
        for (i, f) in findings.enumerated() {
            out += "  {\"file\": \(quote(f.file)), \"line\": \(f.line), \"column\": \(f.column), "
            out += "\"severity\": \(quote(f.severity.rawValue)), \"code\": \(quote(f.code.rawValue)), "
            out += "\"path\": \(quote(f.path)), \"message\": \(quote(f.message)), "
            out += "\"fix\": \(f.fix.map(quote) ?? "null")}"
            out += i == findings.count - 1 ? "\n" : ",\n"
        }
        return out + "]\n"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
