import GoTemplate
import Testing
@testable import Helm

/// semver/semverCompare against Masterminds semver v3's rules.
@Suite struct FunctionsSemverTests {
    func render(_ text: String) throws -> String {
        let set = TemplateSet(functions: SprigFunctions.all)
        try set.parse(name: "t", text: text)
        return try set.execute(name: "t", data: .null)
    }

    @Test(arguments: [
        (">=1.21-0", "v1.30.0", true), (">=1.21-0", "v1.30.0-gke.100", true), (">=1.21", "v1.30.0-gke.1", false),
        (">=1.21.0-0", "1.21.0-rc.1", true), ("<1.25", "1.24.9", true), ("<1.25", "1.25.0", false),
        ("^1.2.3", "1.9.9", true), ("^1.2.3", "2.0.0", false), ("^0.2.3", "0.2.9", true), ("^0.2.3", "0.3.0", false),
        ("~1.2.3", "1.2.9", true), ("~1.2.3", "1.3.0", false), ("~1", "1.9.0", true),
        ("1.2.3 - 1.4.5", "1.4.5", true), ("1.2.3 - 1.4.5", "1.4.6", false),
        (">1.0 <2.0 || >=3.0", "3.1.0", true), (">1.0 <2.0 || >=3.0", "2.5.0", false),
        ("1.x", "1.5.0", true), ("1.x", "2.0.0", false), ("!=1.2.3", "1.2.4", true), ("=1.2.3", "1.2.3", true),
        (">= 1.2.3, < 2.0.0", "1.5.0", true), ("1.2", "1.2.7", true), (">=1.2.3-beta.2", "1.2.3-beta.10", true),
        (">=1.2.3-beta.2", "1.2.3-alpha", false), ("*", "4.5.6", true),
    ])
    func constraints(_ c: String, _ v: String, _ expected: Bool) throws {
        #expect(try render("{{ semverCompare \"\(c)\" \"\(v)\" }}") == String(expected), "\(c) vs \(v)")
    }

    @Test func versionsAndErrors() throws {
        #expect(try render("{{ $v := semver \"v1.2.3-rc.1+b5\" }}{{ $v.Major }}.{{ $v.Minor }}.{{ $v.Patch }} {{ $v.Prerelease }} {{ $v.Metadata }} {{ $v.Original }} {{ $v }}")
            == "1.2.3 rc.1 b5 v1.2.3-rc.1+b5 1.2.3-rc.1+b5")
        #expect(try render("{{ semver \"1.2\" }}") == "1.2.0")
        #expect(try render("{{ (semver \"1.0.0-alpha.1\").Compare (semver \"1.0.0-alpha.beta\") }}") == "-1")
        #expect(throws: (any Error).self) { try render("{{ semverCompare \">1\" \"foo\" }}") }
        do { _ = try render("{{ semverCompare \">1\" \"foo\" }}") } catch {
            #expect(String(describing: error).hasSuffix("error calling semverCompare: Invalid Semantic Version"))
        }
        do { _ = try render("{{ semverCompare \"!!1\" \"1.0.0\" }}") } catch {
            #expect(String(describing: error).hasSuffix("error calling semverCompare: improper constraint: !!1"))
        }
    }
}
