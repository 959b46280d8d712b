import Foundation
import KubeModel
import KubeSim
import Planning
@testable import Rollout
import Synchronization

enum FixtureWorld {
    static func make(nodes: String = "2xH100-80GB,1xcpu") async throws -> (KubeSim, StandInWorld, Cluster, SimulatedClock) {
        let manual = ManualClock()
        let (sim, world, clock) = await SimWorld.start(KubeSimOptions(nodes: try NodeSpec.parse(nodes), clock: manual), clock: manual)
        return (sim, world, Cluster.simulated(sim), clock)
    }
}

/// Collects events for assertions.
final class EventLog: Sendable {
    let events = Mutex<[RolloutEvent]>([])
    var emit: @Sendable (RolloutEvent) -> Void { { e in self.events.withLock { $0.append(e) } } }
    var lines: [String] { events.withLock { $0 }.map { "\($0)" } }
}
