import ArgumentParser
import Dispatch
import Foundation
import KubeSim

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim", abstract: "The simulated Kubernetes cluster (KubeSim).",
        subcommands: [SimServeCommand.self])
}

struct SimServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a simulated Kubernetes API on loopback (HTTP, or HTTPS with --tls) until SIGINT/SIGTERM.")

    @Option(help: "TCP port; 0 picks a free one.") var port: Int = 0
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for this server to FILE.") var kubeconfigOut: String?
    @Option(help: "Nodes to create, e.g. 2xH100-80GB,1xcpu (COUNTxMODEL[:GPUS]).") var nodes: String?
    @Option(name: .customLong("watch-history"), help: "Change events kept for watches resuming from a resourceVersion (older ones get 410 Gone).")
    var watchHistory: Int = 20_000
    @Option(help: "Load state from FILE at start and save it there (atomically) while running and at exit.") var state: String?
    @Option(help: "API faults to inject, e.g. errors=0.2,throttle=0.1,retry-after=1,reset=0.05,latency=50ms,watch-drop=3,seed=7.")
    var faults: String?
    @Option(help: "Seed for injected faults (same as seed= in --faults).") var seed: UInt64?
    @Option(name: .customLong("time-scale"), help: "Run simulated time this many times faster than real time (e.g. 10).") var timeScale: Double = 1
    @Option(name: .customLong("kubernetes-version"), help: "Kubernetes version the cluster reports, e.g. 1.34 or 1.33.5 (DRA needs 1.34+).")
    var kubernetesVersion: String = "1.34.1"
    @Flag(name: .customLong("world"), inversion: .prefixedNo, help: "Simulate the cluster's workloads: controllers, scheduler, kubelets, GPU/network operators, Volcano, Kueue.")
    var world = true
    @Flag(help: "Serve HTTPS with a fresh self-signed CA; the kubeconfig written by --kubeconfig-out trusts it.") var tls = false
    @Option(name: .customLong("tls-cert-file"), help: "Serve HTTPS with this PEM certificate chain (with --tls-private-key-file).") var tlsCertFile: String?
    @Option(name: .customLong("tls-private-key-file"), help: "PEM private key for --tls-cert-file.") var tlsKeyFile: String?
    @Option(name: .customLong("tls-ca-file"), help: "CA to put in the written kubeconfig for --tls-cert-file (default: the chain's last certificate).") var tlsCAFile: String?

    func tlsIdentity() throws -> TLSIdentity? {
        if let cert = tlsCertFile {
            guard let keyFile = tlsKeyFile else { throw CommandFailure("sim serve: --tls-cert-file needs --tls-private-key-file") }
            do {
                let chain = try String(contentsOfFile: cert, encoding: .utf8)
                let key = try String(contentsOfFile: keyFile, encoding: .utf8)
                let ca = try tlsCAFile.map { try String(contentsOfFile: $0, encoding: .utf8) } ?? chain
                return TLSIdentity(certificateChainPEM: chain, privateKeyPEM: key, caPEM: ca)
            } catch {
                throw CommandFailure("sim serve: cannot read TLS files: \(error.localizedDescription)")
            }
        }
        if tlsKeyFile != nil { throw CommandFailure("sim serve: --tls-private-key-file needs --tls-cert-file") }
        guard tls else { return nil }
        do { return try TLSIdentity.selfSigned(host: host) } catch {
            throw CommandFailure("sim serve: cannot create a TLS certificate: \(error)")
        }
    }

    func run() async throws {
        let specs: [NodeSpec]
        do {
            specs = try nodes.map { try NodeSpec.parse($0) } ?? []
        } catch {
            throw CommandFailure("sim serve: --nodes: \(error)")
        }
        guard timeScale > 0 else { throw CommandFailure("sim serve: --time-scale must be greater than 0") }
        var version = kubernetesVersion.hasPrefix("v") ? String(kubernetesVersion.dropFirst()) : kubernetesVersion
        let parts = version.split(separator: ".")
        guard (2...3).contains(parts.count), parts.allSatisfy({ Int($0) != nil }) else {
            throw CommandFailure("sim serve: --kubernetes-version \(kubernetesVersion): expected MAJOR.MINOR[.PATCH], e.g. 1.34")
        }
        if parts.count == 2 { version += ".0" }
        var options = KubeSimOptions(nodes: specs, clock: timeScale == 1 ? SystemClock() : ScaledClock(scale: timeScale),
                                     historyLimit: max(1, watchHistory), serverAddress: "\(host):\(port)")
        options.kubernetesVersion = version
        do {
            options.faults = try faults.map { try FaultPlan.parse($0) }
        } catch {
            throw CommandFailure("sim serve: --faults: \(error)")
        }
        if let seed { options.faults = options.faults ?? FaultPlan(); options.faults?.seed = seed }
        if world { options.world = WorldOptions() }
        let sim = await KubeSim(options: options)
        if let state {
            do { try await sim.load(from: state) } catch { throw CommandFailure("sim serve: --state \(error)") }
        }
        let server: KubeSimServer
        do {
            server = try await KubeSimServer(sim: sim, host: host, port: port, tls: try tlsIdentity())
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure("sim serve: cannot listen on \(host):\(port): \(error)")
        }
        if let kubeconfigOut {
            let text = server.kubeconfig
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: kubeconfigOut), options: .atomic)
            } catch {
                throw CommandFailure("sim serve: cannot write kubeconfig \(kubeconfigOut): \(error.localizedDescription)")
            }
        }
        var banner = "kubesim: serving on \(server.url)\n"
        if let kubeconfigOut { banner += "kubesim: kubeconfig written to \(kubeconfigOut)\n" }
        FileHandle.standardOutput.write(Data(banner.utf8))

        let stopSignal = AsyncStream<Int32>.makeStream()
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            src.setEventHandler { stopSignal.continuation.yield(sig) }
            src.resume()
            sources.append(src)
        }
        let saver: Task<Void, Never>? = state.map { path in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    try? await sim.save(to: path)
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                for await _ in stopSignal.stream { break }
                await server.stop()
            }
            try await group.next()
            group.cancelAll()
        }
        saver?.cancel()
        if let state {
            do { try await sim.save(to: state) } catch { throw CommandFailure("sim serve: --state \(error)") }
        }
        FileHandle.standardOutput.write(Data("kubesim: stopped\n".utf8))
        _ = sources
    }
}
