import Foundation
import Helm
import Profiles
@testable import Stages
import Testing
import YAML

/// Chart values per setting, checked against the values the shared golden cases pass
/// (what the seed runbook set by hand).
struct CompilerTests {
    static func golden(_ name: String) throws -> YAMLMapping? {
        guard let shared = Fixture.shared else { return nil }
        let text = try String(contentsOfFile: "\(shared)/golden/charts/\(name)/values.json", encoding: .utf8)
        guard case .mapping(let m) = try YAMLDecoder(rules: .core).decode(text) else { return nil }
        return m
    }

    /// Every leaf of `expected` has the same value in `actual`.
    static func contains(_ actual: YAMLMapping, _ expected: YAMLMapping, path: String = "") -> [String] {
        var problems: [String] = []
        for e in expected {
            let p = path.isEmpty ? e.key : path + "." + e.key
            switch (e.value, actual[e.key]) {
            case (.mapping(let em), .mapping(let am)?): problems += contains(am, em, path: p)
            case (let ev, let av): if av != ev { problems.append("\(p): \(String(describing: av)) != \(ev)") }
            }
        }
        return problems
    }

    @Test func hostDriverMatchesTheGoldenCase() throws {
        var spec = ProfileSpec()
        spec.gpu.driver = .host
        let values = StageCompiler.gpuOperatorValues(spec)
        if let golden = try Self.golden("gpu-operator-host-driver") { #expect(Self.contains(values, golden) == []) }
        #expect(values.value(at: "driver.enabled") == .bool(false))
    }

    @Test func timeSlicingMatchesTheGoldenCase() throws {
        var spec = ProfileSpec()
        spec.gpu.driver = .host
        spec.sharing = SharingSpec(model: .timeSlicing, timeSlicing: TimeSlicing(replicas: 4))
        let values = StageCompiler.gpuOperatorValues(spec)
        if let golden = try Self.golden("gpu-operator-time-slicing") { #expect(Self.contains(values, golden) == []) }
    }

    @Test func migMixedMatchesTheGoldenCase() throws {
        var spec = ProfileSpec()
        spec.gpu.driver = .host
        spec.sharing = SharingSpec(model: .mig, mig: MIG(strategy: .mixed, config: "all-1g.10gb"))
        if let golden = try Self.golden("gpu-operator-mig-mixed") {
            #expect(Self.contains(StageCompiler.gpuOperatorValues(spec), golden) == [])
        }
    }

    @Test func draModeMatchesTheGoldenCases() throws {
        var spec = ProfileSpec()
        spec.sharing = SharingSpec(model: .dra, dra: DRA())
        if let golden = try Self.golden("gpu-operator-dra-mode") {
            #expect(Self.contains(StageCompiler.gpuOperatorValues(spec), golden) == [])
        }
        if let golden = try Self.golden("dra-driver-seed") {
            #expect(Self.contains(StageCompiler.draDriverValues(spec), golden) == [])
        }
    }

    @Test func networkMatchesTheGoldenCase() throws {
        var spec = ProfileSpec()
        spec.network = NetworkSpec(enabled: true, nfd: true)
        if let golden = try Self.golden("network-operator-seed") {
            #expect(Self.contains(StageCompiler.networkOperatorValues(spec), golden) == [])
        }
    }

    @Test func nfdIsOwnedByExactlyOneOperator() {
        var spec = ProfileSpec()
        spec.gpu.nfd = true
        spec.network = NetworkSpec(enabled: true, nfd: true)
        #expect(StageCompiler.gpuOperatorValues(spec).value(at: "nfd.enabled") == .bool(false))
        spec.network.nfd = false
        #expect(StageCompiler.gpuOperatorValues(spec).value(at: "nfd.enabled") == .bool(true))
        spec.network.enabled = false
        spec.network.nfd = true
        #expect(StageCompiler.gpuOperatorValues(spec).value(at: "nfd.enabled") == .bool(true))
    }

    @Test func rawValuesAreMergedLast() throws {
        var spec = ProfileSpec()
        spec.gpu.values = RawValues(YAMLMapping([("driver", .mapping(YAMLMapping([("enabled", .bool(true)), ("version", .string("580"))])))]))
        spec.gpu.driver = .host
        let values = StageCompiler.gpuOperatorValues(spec)
        #expect(values.value(at: "driver.enabled") == .bool(true))
        #expect(values.value(at: "driver.version") == .string("580"))
    }

    @Test func stagesFollowTheProfile() throws {
        var spec = ProfileSpec(charts: [.gpuOperator: ChartSpec(source: .path("x"), version: "1")])
        let ids = try StageCompiler.compile(Profile(metadata: .init(name: "p"), spec: spec)).map(\.id)
        #expect(ids == [.namespaces, .gpu, .scheduling])
        spec.charts = [:]
        #expect(throws: StageCompileError.self) { try StageCompiler.compile(Profile(metadata: .init(name: "p"), spec: spec)) }
    }

    @Test func quotaKeys() {
        #expect(TemplateContext.quotaKey(for: "nvidia.com/gpu") == "requests.nvidia.com/gpu")
        #expect(TemplateContext.quotaKey(for: "nvidia.com/mig-1g.10gb") == "requests.nvidia.com/mig-1g.10gb")
        #expect(TemplateContext.quotaKey(for: DRA.quotaResource(deviceClass: "gpu.nvidia.com"))
                == "gpu.nvidia.com.deviceclass.resource.k8s.io/devices")
    }
}

extension YAMLMapping {
    func value(at path: String) -> YAMLValue? {
        var cur: YAMLValue = .mapping(self)
        for k in path.split(separator: ".") {
            guard case .mapping(let m) = cur, let next = m[String(k)] else { return nil }
            cur = next
        }
        return cur
    }
}
