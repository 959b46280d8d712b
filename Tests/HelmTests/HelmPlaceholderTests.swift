import Testing
@testable import Helm

@Test func HelmModuleLinks() { #expect(Bool(true)) }
