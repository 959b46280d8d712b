import Foundation
import KubeModel
import KubeSim

/// The simulated GPU world behind `--sim`: KubeSim's own world (controllers, scheduler, GPU
/// operator reactions, DRA/MIG/time-slicing, Volcano/Kueue, webhooks, nvidia-smi logs), run
/// on simulated time that moves only while the rollout waits.
public enum SimWorld {
    /// Builds the simulator with its world and a clock whose sleeps advance the world.
    /// With `state` (an existing `--sim-state` file) the objects are loaded and simulated time
    /// continues from when that state was saved, so every run of a resumed sequence sees the
    /// same times whatever the wall clock did between the processes.
    public static func start(_ options: KubeSimOptions, clock manual: ManualClock,
                             state: String? = nil) async throws(StateFileError) -> (KubeSim, SimulatedClock) {
        var options = options
        var world = options.world ?? WorldOptions()
        world.autoRun = false
        options.world = world
        options.clock = manual
        let sim = await KubeSim(options: options)
        await sim.settle()
        if let state { try await sim.load(from: state) }
        // Read only now: loading a state moves the simulator's clock to the state's timeline.
        // KubeSim.advance moves the ManualClock itself (in 1 s steps, settling after each).
        let clock = SimulatedClock(start: manual.now(), advance: { seconds in await sim.advance(by: seconds) })
        return (sim, clock)
    }
}
