import Testing
@testable import PlatformCLI

@Test func PlatformCLIModuleLinks() { #expect(Bool(true)) }
