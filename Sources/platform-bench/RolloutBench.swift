import ChartSources
import Foundation
import KubeSim
import Planning
import Profiles
import Rollout
import Stages

/// Plan time per example profile against the in-process simulator (target < 1 s): observe
/// (GET + server-side dry-run per object, ApplySet listing) and classify, on an empty cluster
/// and on one where the profile is applied (every object unchanged). Render is not included
/// (the stages section measures it). Apply time is printed too (simulated waits cost nothing).
enum RolloutBench {
    static func run(iterations: Int = 5) async {
        guard let shared = HelmBench.sharedDirectory() else {
            print("rollout: shared/ not found (set SHARED_DIR); skipped")
            return
        }
        let root = FileManager.default.currentDirectoryPath
        let profiles = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Profiles")) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        print("rollout: plan each example profile against --sim (2xH100-80GB,1xcpu), best of \(iterations)")
        for file in profiles {
            do {
                let path = root + "/Profiles/" + file
                let profile = try ProfileLoader.load(try String(contentsOfFile: path, encoding: .utf8), file: path).profile
                let render = try StageRenderer(charts: LocalChartProvider(mirror: shared + "/charts")).render(profile)
                let input = PlanInput(profileName: profile.metadata.name, stages: StageInput.stages(render))
                let manual = ManualClock()
                let (sim, clock) = try await SimWorld.start(KubeSimOptions(nodes: try NodeSpec.parse("2xH100-80GB,1xcpu"), clock: manual), clock: manual)
                let cluster = Cluster.simulated(sim)
                func plan() async throws -> (Plan, Double) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let prepared = try Planner.prepare(input)
                    let observed = try await Observer(cluster: cluster).observe(prepared)
                    let plan = Planner.plan(input, prepared: prepared, observed: observed)
                    return (plan, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                var empty = Double.infinity, unchanged = Double.infinity
                var first: Plan?
                for _ in 0..<iterations {
                    let (p, t) = try await plan()
                    first = p
                    empty = min(empty, t)
                }
                guard let first else { continue }
                var options = RolloutOptions()
                options.smokeQueues = StageInput.queues(profile)
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try await RolloutEngine(cluster: cluster, clock: clock, options: options).apply(first, specs: StageInput.specs(render, profile: profile))
                let applySeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                var objects = 0
                for _ in 0..<iterations {
                    let (p, t) = try await plan()
                    objects = p.count(.unchanged)
                    unchanged = min(unchanged, t)
                }
                print("  " + file.padding(toLength: 24, withPad: " ", startingAt: 0)
                      + String(format: "%4d objects  plan empty %6.3f s  plan applied (all unchanged) %6.3f s  apply+gates %6.3f s",
                               objects, empty, unchanged, applySeconds))
            } catch {
                print("  \(file): failed: \(error)")
            }
        }
    }
}
