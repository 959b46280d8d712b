import Testing
@testable import Profiles

@Test func ProfilesModuleLinks() { #expect(Bool(true)) }
