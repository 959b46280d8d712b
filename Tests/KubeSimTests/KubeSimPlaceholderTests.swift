import Testing
@testable import KubeSim

@Test func KubeSimModuleLinks() { #expect(Bool(true)) }
