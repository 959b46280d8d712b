import Testing
@testable import GoTemplate

@Test func GoTemplateModuleLinks() { #expect(Bool(true)) }
