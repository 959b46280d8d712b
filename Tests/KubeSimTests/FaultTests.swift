import Testing
@testable import KubeSim

@Suite struct FaultTests {
    @Test func parsesSpecs() throws {
        let p = try FaultPlan.parse("errors=0.2, throttle=0.1,retry-after=3,reset=0.05,latency=50ms,watch-drop=3,seed=7")
        #expect(p.errorRate == 0.2 && p.throttleRate == 0.1 && p.retryAfterSeconds == 3)
        #expect(p.resetRate == 0.05 && p.latency == .milliseconds(50) && p.watchDropAfter == 3 && p.seed == 7)
        #expect(try FaultPlan.parse("").isEmpty)
    }

    @Test func rejectsBadSpecs() {
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("errors=2") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("explode=1") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("latency=fast") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("errors") }
    }

    @Test func sameSeedSameFaults() async {
        func run() async -> [Int] {
            var plan = FaultPlan()
            plan.errorRate = 0.3
            plan.throttleRate = 0.2
            plan.seed = 9
            var options = KubeSimOptions()
            options.faults = plan
            let sim = await KubeSim(options: options)
            var codes: [Int] = []
            for _ in 0..<50 {
                codes.append(await sim.handle(KubeRequest(method: "GET", target: "/api/v1/namespaces", headers: [:], body: [])).status)
            }
            return codes
        }
        let a = await run(), b = await run()
        #expect(a == b)
        #expect(a.contains(429) && a.contains(200) && a.contains { $0 >= 500 })
        // Health and version are never faulted.
        var plan = FaultPlan()
        plan.errorRate = 1
        var options = KubeSimOptions()
        options.faults = plan
        let sim = await KubeSim(options: options)
        #expect(await sim.handle(KubeRequest(method: "GET", target: "/version", headers: [:], body: [])).status == 200)
        #expect(await sim.handle(KubeRequest(method: "GET", target: "/api/v1/pods", headers: [:], body: [])).status >= 500)
    }
}
