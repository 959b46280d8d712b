import GoTemplate
import Testing
@testable import Helm

/// Date parsing and duration errors with Go's time package texts.
@Suite struct FunctionsDateTests {
    func render(_ text: String) throws -> String {
        let set = TemplateSet(functions: SprigFunctions.all)
        try set.parse(name: "t", text: text)
        return try set.execute(name: "t", data: .null)
    }

    func failure(_ text: String) -> String {
        do { _ = try render(text); return "" } catch { return String(describing: error) }
    }

    @Test func parsingAndModifying() throws {
        #expect(try render("{{ toDate \"2006-01-02\" \"2024-05-06\" | date \"Jan 2, 2006\" }}") == "May 6, 2024")
        #expect(try render("{{ dateModify \"1h30m\" (toDate \"2006-01-02\" \"2024-05-06\") | date \"15:04\" }}") == "01:30")
        #expect(try render("{{ dateModify \"bad\" (toDate \"2006-01-02\" \"2024-05-06\") | date \"15:04\" }}") == "00:00")
        #expect(try render("{{ toDate \"02/01/06\" \"31/12/70\" | date \"2006-01-02\" }}") == "1970-12-31")
        #expect(try render("{{ toDate \"2006-01-02\" \"nope\" | unixEpoch }}") == "-62135596800")
    }

    @Test(arguments: [
        ("2024-13-01", "parsing time \"2024-13-01\": month out of range"),
        ("x", "parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\""),
        ("2024-01-0x", "parsing time \"2024-01-0x\" as \"2006-01-02\": cannot parse \"0x\" as \"02\""),
        ("2024/01/02", "parsing time \"2024/01/02\" as \"2006-01-02\": cannot parse \"/01/02\" as \"-\""),
        ("2023-02-29", "parsing time \"2023-02-29\": day out of range"),
        ("2024-01-02x", "parsing time \"2024-01-02x\": extra text: \"x\""),
    ])
    func parseErrors(_ value: String, _ message: String) {
        #expect(failure("{{ mustToDate \"2006-01-02\" \"\(value)\" }}").hasSuffix("error calling mustToDate: " + message))
    }

    @Test func durationErrors() {
        #expect(failure("{{ mustDateModify \"1x\" now }}").hasSuffix("time: unknown unit \"x\" in duration \"1x\""))
        #expect(failure("{{ mustDateModify \"1\" now }}").hasSuffix("time: missing unit in duration \"1\""))
        #expect(failure("{{ mustDateModify \"abc\" now }}").hasSuffix("time: invalid duration \"abc\""))
        #expect(failure("{{ mustDateModify \"\" now }}").hasSuffix("time: invalid duration \"\""))
    }
}
