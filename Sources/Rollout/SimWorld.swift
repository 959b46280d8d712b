import Foundation
import KubeModel
import KubeSim

/// The simulated GPU world behind `--sim`: KubeSim's own world (controllers, scheduler, GPU
/// operator reactions, DRA/MIG/time-slicing, Volcano/Kueue, webhooks, nvidia-smi logs), run
/// on simulated time that moves only while the rollout waits.
public enum SimWorld {
    /// Builds the simulator with its world and a clock whose sleeps advance the world.
    public static func start(_ options: KubeSimOptions, clock manual: ManualClock) async -> (KubeSim, SimulatedClock) {
        var options = options
        var world = options.world ?? WorldOptions()
        world.autoRun = false
        options.world = world
        options.clock = manual
        let sim = await KubeSim(options: options)
        await sim.settle()
        // KubeSim.advance moves the ManualClock itself (in 1 s steps, settling after each).
        let clock = SimulatedClock(start: manual.now(), advance: { seconds in await sim.advance(by: seconds) })
        return (sim, clock)
    }
}
