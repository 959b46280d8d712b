import Testing
@testable import YAML

@Test func YAMLModuleLinks() { #expect(Bool(true)) }
