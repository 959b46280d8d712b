import Foundation
import KubeClient
import KubeModel
import Planning
import Stages

/// What the CLI prints while a rollout runs.
public enum RolloutEvent: Sendable {
    case stageStarted(stage: String)
    case step(stage: String, message: String)
    case object(stage: String, action: ChangeAction, ref: ObjectRef)
    case waiting(stage: String, message: String)
    case gate(stage: String, name: String, passed: Bool, detail: String)
    case warning(stage: String?, message: String)
    case stageFinished(stage: String, outcome: StageOutcome, seconds: Double)
}

public enum StageOutcome: String, Sendable {
    /// Applied, ready, gates green.
    case passed
    /// Nothing changed and the last apply of the same objects passed: skipped.
    case unchanged
    case failed
    /// Not selected by --only-stage / --from-stage.
    case skipped
}

/// Gates and waits of one stage, from the Stages module (not part of the saved plan:
/// they are derived from the profile again, whose digest the plan pins).
public struct StageSpec: Sendable {
    public var name: String
    public var readiness: [ReadinessRule]
    public var smoke: [SmokeGate]
    public var actions: [StageAction]
    public var timeout: Duration
    /// `chart version` per release, for status.
    public var releases: [String]
    public init(name: String, readiness: [ReadinessRule] = [], smoke: [SmokeGate] = [], actions: [StageAction] = [],
                timeout: Duration = .seconds(600), releases: [String] = []) {
        self.name = name
        self.readiness = readiness
        self.smoke = smoke
        self.actions = actions
        self.timeout = timeout
        self.releases = releases
    }
}

public struct RolloutOptions: Sendable {
    public var forceConflicts = false
    public var fromStage: String?
    public var onlyStage: String?
    public var keepFailed = false
    public var pruneCRDs = false
    /// Namespaces still holding objects are pruned only when the user confirmed.
    public var pruneNonEmptyNamespaces = false
    public var runGates = true
    /// `destroy --no-hooks`: skip the releases' pre/post-delete hooks (Helm's flag).
    public var noHooks = false
    /// Who holds the lock (host:pid).
    public var holder = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
    public var leaseSeconds = 300
    public var pollInterval: Duration = .seconds(2)
    /// Queues the scheduling gate submits through.
    public var smokeQueues = SmokeQueues()
    /// Set by `apply` while it holds the lock.
    var lease: LeaseLock?
    public init() {}
}

/// Executes a plan stage by stage. Effects go through `Cluster`; time through `RolloutClock`.
public struct RolloutEngine: Sendable {
    public let cluster: Cluster
    public let clock: any RolloutClock
    public let options: RolloutOptions
    public let emit: @Sendable (RolloutEvent) -> Void

    public init(cluster: Cluster, clock: any RolloutClock = WallClock(), options: RolloutOptions = RolloutOptions(),
                emit: @escaping @Sendable (RolloutEvent) -> Void = { _ in }) {
        self.cluster = cluster
        self.clock = clock
        self.options = options
        self.emit = emit
    }

    // MARK: apply

    public struct Result: Sendable {
        public var outcomes: [(stage: String, outcome: StageOutcome, seconds: Double)] = []
    }

    public func apply(_ plan: Plan, specs: [StageSpec]) async throws(RolloutError) -> Result {
        let lock = LeaseLock(cluster: cluster, clock: clock, name: "platform-\(plan.profileName)", holder: options.holder,
                             seconds: options.leaseSeconds)
        try await lock.acquire()
        var options = options
        options.lease = lock
        let engine = RolloutEngine(cluster: cluster, clock: clock, options: options, emit: emit)
        return try await engine.applyLocked(plan, specs: specs, lock: lock)
    }

    func applyLocked(_ plan: Plan, specs: [StageSpec], lock: LeaseLock) async throws(RolloutError) -> Result {
        var result = Result()
        do {
            var reached = options.fromStage == nil
            for stage in plan.stages {
                if stage.name == options.fromStage { reached = true }
                let selected = options.onlyStage.map { $0 == stage.name } ?? reached
                guard selected else {
                    result.outcomes.append((stage.name, .skipped, 0))
                    emit(.stageFinished(stage: stage.name, outcome: .skipped, seconds: 0))
                    continue
                }
                let spec = specs.first { $0.name == stage.name } ?? StageSpec(name: stage.name)
                let start = clock.now()
                let explicit = options.onlyStage != nil || options.fromStage != nil
                let outcome = try await applyStage(stage, spec: spec, profile: plan.profileName, explicit: explicit)
                let seconds = clock.now().timeIntervalSince(start)
                result.outcomes.append((stage.name, outcome, seconds))
                emit(.stageFinished(stage: stage.name, outcome: outcome, seconds: seconds))
                try await lock.renew()
            }
        } catch {
            await lock.release()
            throw error
        }
        await lock.release()
        return result
    }

    /// Digest of what a stage applies: equal digests + a passed record = nothing to do.
    static func digest(_ stage: PlannedStage) -> String {
        var bytes: [UInt8] = []
        for c in stage.changes where c.action != .prune { c.object?.encode(into: &bytes) }
        for h in stage.hooks { h.object.encode(into: &bytes) }
        return Normalizer.digest(bytes: bytes)
    }

    func applyStage(_ stage: PlannedStage, spec: StageSpec, profile: String, explicit: Bool) async throws(RolloutError) -> StageOutcome {
        let record = StageRecord(cluster: cluster, parent: stage.applySet)
        let digest = Self.digest(stage)
        let previous = try await record.read()
        if !stage.hasChanges, !explicit, previous["phase"] == "passed", previous["digest"] == digest {
            return .unchanged
        }
        emit(.stageStarted(stage: stage.name))
        let members = stage.changes.filter { $0.action != .prune }.map(\.ref)
        // Record first: an interrupted apply leaves "applying" and the objects it owns findable.
        try await record.write(members: members + stage.changes.filter { $0.action == .prune }.map(\.ref),
                               ["phase": "applying", "digest": digest, "startedAt": timestamp()])
        var gatesStarted = false
        do {
            try await applyObjects(stage, spec: spec)
            if stage.hasChanges || previous["phase"] != "passed" { try await runActions(spec) }
            try await prune(stage)
            try await record.write(members: members, ["phase": "applied", "digest": digest, "appliedAt": timestamp()])
            try await waitReady(stage.name, spec: spec, slices: Self.timeSlicingReplicas(stage))
            if options.runGates {
                gatesStarted = true
                let runner = SmokeRunner(cluster: cluster, clock: clock, options: options, emit: emit)
                for gate in spec.smoke { try await runner.run(gate, stage: stage.name, timeout: spec.timeout) }
            }
            try await record.write(members: members, ["phase": "passed", "digest": digest, "passedAt": timestamp(),
                                                      "gate": spec.smoke.isEmpty ? "none" : "passed"])
            return .passed
        } catch {
            // Keep the pruned kinds listed: the next apply must still find what it did not prune.
            try? await record.write(members: members + stage.changes.filter { $0.action == .prune }.map(\.ref),
                                    ["phase": "failed", "digest": digest, "failedAt": timestamp(),
                                     "gate": gatesStarted ? "failed" : "not reached", "error": String(error.description.prefix(1000))])
            throw error
        }
    }

    func timestamp() -> String { ISO8601DateFormatter().string(from: clock.now()) }

    /// Namespaces, CRDs (then wait Established), pre hooks, everything else, post hooks.
    func applyObjects(_ stage: PlannedStage, spec: StageSpec) async throws(RolloutError) {
        let pending = stage.changes.filter { $0.action == .create || $0.action == .update }
        let namespaces = pending.filter { $0.ref.kind == "Namespace" }
        let crds = pending.filter { $0.ref.kind == "CustomResourceDefinition" }
        let rest = pending.filter { $0.ref.kind != "Namespace" && $0.ref.kind != "CustomResourceDefinition" }
        if !namespaces.isEmpty { emit(.step(stage: stage.name, message: "namespaces (\(namespaces.count))")) }
        for c in namespaces { try await applyOne(c, stage: stage.name) }
        if !crds.isEmpty {
            emit(.step(stage: stage.name, message: "CRDs (\(crds.count))"))
            for c in crds { try await applyOne(c, stage: stage.name) }
            try await waitEstablished(crds.map(\.ref), stage: stage.name)
            await cluster.invalidateDiscovery()
        }
        let hooks = HookRunner(cluster: cluster, clock: clock, options: options, emit: emit)
        // Helm: pre/post-install on first install, pre/post-upgrade afterwards.
        let install = !stage.changes.contains { $0.action == .update || $0.action == .unchanged }
        let (pre, post) = install ? ("pre-install", "post-install") : ("pre-upgrade", "post-upgrade")
        if stage.hasChanges { try await hooks.run(stage.hooks.filter { $0.hook.events.contains(pre) }, stage: stage.name, phase: pre) }
        // Custom resources go after the operators and webhooks that validate them are up.
        let builtin = Set(InstallOrder.kinds)
        let plain = rest.filter { builtin.contains($0.ref.kind) }, custom = rest.filter { !builtin.contains($0.ref.kind) }
        if !plain.isEmpty { emit(.step(stage: stage.name, message: "server-side apply (\(plain.count) objects)")) }
        for c in plain { try await applyOne(c, stage: stage.name) }
        if !custom.isEmpty {
            let serving = spec.readiness.filter {
                switch $0 {
                case .webhookServing, .workloadsReady: return true
                default: return false
                }
            }
            if !plain.isEmpty, !serving.isEmpty {
                var first = spec
                first.readiness = serving
                try await waitReady(stage.name, spec: first)
            }
            emit(.step(stage: stage.name, message: "custom resources (\(custom.count))"))
            let deadline = clock.now().addingTimeInterval(Double(spec.timeout.components.seconds))
            for c in custom { try await applyOne(c, stage: stage.name, retryWebhooksUntil: deadline) }
        }
        if stage.hasChanges { try await hooks.run(stage.hooks.filter { $0.hook.events.contains(post) }, stage: stage.name, phase: post) }
    }

    func applyOne(_ change: PlannedChange, stage: String, retryWebhooksUntil deadline: Date? = nil) async throws(RolloutError) {
        guard let object = change.object else { return }
        var failure: KubeClientError?
        while true {
            do {
                _ = try await cluster.apply(object, force: options.forceConflicts)
                failure = nil
                break
            } catch {
                // A webhook whose pods are still starting refuses calls; it answers within the timeout.
                if let deadline, clock.now() < deadline, "\(error)".contains("failed calling webhook") {
                    emit(.waiting(stage: stage, message: "\(change.ref): admission webhook not answering yet"))
                    try await sleep()
                    continue
                }
                failure = error
                break
            }
        }
        if let error = failure {
            if let api = error.apiError, api.reason == .conflict, !api.conflictingManagers.isEmpty {
                throw RolloutError(stage: stage, object: change.ref.description,
                                   message: "apply conflict: fields are owned by \(api.conflictingManagers.map { "\"\($0)\"" }.joined(separator: ", ")) (\(api.causeFields.joined(separator: ", ")))",
                                   remedy: "re-run with --force-conflicts to take ownership, or stop the other manager from writing them")
            }
            if case .unknownKind = error {
                throw RolloutError(stage: stage, object: change.ref.description, message: "kind not served: \(error)",
                                   remedy: "its CRD must be installed in this or an earlier stage")
            }
            let text = "\(error)"
            throw RolloutError(stage: stage, object: change.ref.description, message: "apply failed: \(error)",
                               remedy: text.contains("failed calling webhook")
                                   ? "an admission webhook did not answer until the stage timeout: check its pods and Service endpoints, then run apply again"
                                   : nil)
        }
        emit(.object(stage: stage, action: change.action, ref: change.ref))
    }

    func waitEstablished(_ refs: [ObjectRef], stage: String) async throws(RolloutError) {
        let deadline = clock.now().addingTimeInterval(120)
        for ref in refs {
            while true {
                if let crd = try await cluster.get(ref), ReadinessCheck.crdEstablished(crd) { break }
                if clock.now() >= deadline {
                    throw RolloutError(stage: stage, object: ref.description, message: "CRD not Established after 120s",
                                       remedy: "kubectl describe crd \(ref.name) — a conflicting or invalid schema keeps it from being served")
                }
                try await sleep()
            }
        }
    }

    func sleep() async throws(RolloutError) {
        do { try await clock.sleep(for: options.pollInterval) } catch { throw RolloutError(message: "interrupted") }
        // Long waits keep the lock: renew it once a third of its duration has passed.
        if let lease = options.lease, clock.now().timeIntervalSince(lease.lastRenewed()) > Double(options.leaseSeconds) / 3 {
            try await lease.renew()
        }
    }

    // MARK: actions

    func runActions(_ spec: StageSpec) async throws(RolloutError) {
        for action in spec.actions {
            switch action {
            case .restartDaemonSet(let namespace, let name, let reason):
                emit(.step(stage: spec.name, message: "restart daemonset \(namespace)/\(name) (\(reason))"))
                let ref = ObjectRef(apiVersion: "apps/v1", kind: "DaemonSet", namespace: namespace, name: name)
                guard try await cluster.get(ref) != nil else {
                    emit(.warning(stage: spec.name, message: "daemonset \(namespace)/\(name) not there yet; nothing to restart"))
                    continue
                }
                // As `kubectl rollout restart`: a pod-template annotation, under its own manager so
                // our main apply never removes it.
                let patch: JSONValue = ["apiVersion": "apps/v1", "kind": "DaemonSet",
                                        "metadata": ["name": .string(name), "namespace": .string(namespace)],
                                        "spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": .string(timestamp())]]]]]
                do { _ = try await cluster.client.apply(KubeObject(patch), force: true) } catch {
                    throw RolloutError(stage: spec.name, object: ref.description, message: "restart failed: \(error)")
                }
            case .labelNodes(let selector, let labels, let reason):
                emit(.step(stage: spec.name, message: "label nodes \(labels.map { "\($0)=\($1)" }.sorted().joined(separator: ",")) (\(reason))"))
                let sel = (selector.isEmpty ? ["nvidia.com/gpu.present": "true"] : selector).map { "\($0)=\($1)" }.sorted().joined(separator: ",")
                var nodes = try await cluster.list(apiVersion: "v1", kind: "Node", labelSelector: sel)
                if nodes.isEmpty, selector.isEmpty {
                    nodes = try await cluster.list(apiVersion: "v1", kind: "Node").filter(ReadinessCheck.isGPUNode)
                }
                for node in nodes {
                    guard let name = node[path: ["metadata", "name"]]?.stringValue else { continue }
                    var l = JSONObject()
                    for k in labels.keys.sorted() { l[k] = .string(labels[k] ?? "") }
                    let patch: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(l)]]
                    do { _ = try await cluster.client.apply(KubeObject(patch), force: true) } catch {
                        throw RolloutError(stage: spec.name, object: "Node \(name)", message: "labelling failed: \(error)")
                    }
                }
            }
        }
    }

    // MARK: prune

    func prune(_ stage: PlannedStage) async throws(RolloutError) {
        let prunes = stage.changes.filter { $0.action == .prune }
        guard !prunes.isEmpty else { return }
        emit(.step(stage: stage.name, message: "prune (\(prunes.count))"))
        for c in prunes {
            if c.ref.kind == "CustomResourceDefinition", !options.pruneCRDs {
                emit(.warning(stage: stage.name, message: "kept \(c.ref): CRDs are pruned only with --prune-crds (deleting one deletes every object of its kind)"))
                continue
            }
            if c.ref.kind == "Namespace", !options.pruneNonEmptyNamespaces {
                let pods = try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: c.ref.name)
                let cms = try await cluster.list(apiVersion: "v1", kind: "ConfigMap", namespace: c.ref.name)
                    .filter { $0[path: ["metadata", "name"]]?.stringValue != "kube-root-ca.crt" }
                if !pods.isEmpty || !cms.isEmpty {
                    emit(.warning(stage: stage.name, message: "kept \(c.ref): it is not empty (\(pods.count) pods, \(cms.count) configmaps); confirm to delete it"))
                    continue
                }
            }
            try await cluster.delete(c.ref)
            emit(.object(stage: stage.name, action: .prune, ref: c.ref))
        }
    }

    // MARK: readiness

    public func evaluate(_ rule: ReadinessRule) async throws(RolloutError) -> [ReadinessResult] {
        switch rule {
        case .workloadsReady(let namespace):
            var out: [ReadinessResult] = []
            for kind in ["Deployment", "DaemonSet", "StatefulSet"] {
                for o in try await cluster.list(apiVersion: "apps/v1", kind: kind, namespace: namespace) {
                    out.append(ReadinessCheck.workload(o))
                }
            }
            return out
        case .resourceField(let apiVersion, let kind, let name, let path, let equals):
            let ref = ObjectRef(apiVersion: apiVersion, kind: kind, name: name)
            var result = ReadinessCheck.field(try await cluster.get(ref), path: path, equals: equals, name: ref.description)
            // An operator "ready" with no GPU node to serve is not a working GPU platform.
            if kind == "ClusterPolicy", result.state == .ready {
                let nodes = try await cluster.list(apiVersion: "v1", kind: "Node")
                let policy = try await cluster.get(ref)
                // With the device plugin off (DRA), capacity shows as ResourceSlices in the sharing stage.
                let pluginOn = policy?[path: ["spec", "devicePlugin", "enabled"]]?.boolValue ?? true
                let capacity = ReadinessCheck.gpuCapacity(nodes: nodes, requireAdvertised: pluginOn)
                if capacity.state == .failed { result = ReadinessResult(.failed, "\(ref) is ready but " + capacity.message, remedy: capacity.remedy) }
                else if capacity.state == .pending { result = capacity }
            }
            return [result]
        case .nodeResource(let resource):
            return [ReadinessCheck.nodeResource(resource, nodes: try await cluster.list(apiVersion: "v1", kind: "Node"))]
        case .resourceSlices(let driver):
            let slices = try await cluster.list(apiVersion: "resource.k8s.io/v1", kind: "ResourceSlice")
                .filter { $0[path: ["spec", "driver"]]?.stringValue == driver }
            return [slices.isEmpty ? ReadinessResult(.pending, "no ResourceSlices from \(driver) yet")
                                   : ReadinessResult(.ready, "\(slices.count) ResourceSlice(s) from \(driver)")]
        case .webhookServing(let namespace, let service):
            let slices = try await cluster.list(apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: namespace,
                                                labelSelector: "kubernetes.io/service-name=\(service)")
            return [ReadinessCheck.endpointsReady(slices, service: "\(namespace)/\(service)")]
        }
    }

    /// `replicas: N` of the rendered time-slicing ConfigMap, when the stage has one.
    static func timeSlicingReplicas(_ stage: PlannedStage) -> Int? {
        for change in stage.changes where change.ref.kind == "ConfigMap" && change.ref.name == "time-slicing-config" {
            for member in change.object?["data"]?.objectValue ?? JSONObject() {
                guard let text = member.value.stringValue,
                      let range = text.range(of: #"replicas:\s*(\d+)"#, options: .regularExpression),
                      let n = Int(text[range].split(whereSeparator: { $0 == ":" || $0 == " " }).last ?? "") else { continue }
                return n
            }
        }
        return nil
    }

    /// Time-slicing took effect: restarted DaemonSets rolled out, and every GPU node advertises
    /// GPUs × replicas (what the device plugin shows only after it re-read the config).
    func timeSlicingChecks(_ spec: StageSpec, replicas: Int?) async throws(RolloutError) -> [ReadinessResult] {
        var out: [ReadinessResult] = []
        for action in spec.actions {
            guard case .restartDaemonSet(let namespace, let name, _) = action,
                  let ds = try await cluster.get(ObjectRef(apiVersion: "apps/v1", kind: "DaemonSet", namespace: namespace, name: name)) else { continue }
            out.append(ReadinessCheck.workload(ds))
        }
        if let replicas {
            out += ReadinessCheck.timeSlicedCapacity(nodes: try await cluster.list(apiVersion: "v1", kind: "Node"), replicas: replicas)
        }
        return out
    }

    func waitReady(_ stage: String, spec: StageSpec, slices: Int? = nil) async throws(RolloutError) {
        guard !spec.readiness.isEmpty else { return }
        emit(.step(stage: stage, message: "readiness (\(spec.readiness.count) rules, timeout \(Int(spec.timeout.components.seconds))s)"))
        let seconds = Double(spec.timeout.components.seconds)
        let deadline = clock.now().addingTimeInterval(seconds)
        var lastPending: [ReadinessResult] = []
        while true {
            var pending: [ReadinessResult] = []
            var results: [ReadinessResult] = []
            for rule in spec.readiness { results += try await evaluate(rule) }
            results += try await timeSlicingChecks(spec, replicas: slices)
            for r in results {
                if r.state == .failed {
                    throw RolloutError(stage: stage, message: "readiness failed: \(r.message)", remedy: r.remedy)
                }
                if r.state == .pending { pending.append(r) }
            }
            if pending.isEmpty { return }
            if pending != lastPending { emit(.waiting(stage: stage, message: pending.map(\.message).joined(separator: "; "))) }
            lastPending = pending
            if clock.now() >= deadline {
                let nodes = try await cluster.list(apiVersion: "v1", kind: "Node")
                let timeSlicing = spec.actions.contains { if case .restartDaemonSet = $0 { return true } else { return false } }
                var wedges = ReadinessCheck.wedges(nodes: nodes, stage: stage, timeSlicing: timeSlicing)
                var pods: [JSONValue] = []
                var namespaces: [String] = []
                for rule in spec.readiness { if case .workloadsReady(let namespace) = rule { namespaces.append(namespace) } }
                for action in spec.actions { if case .restartDaemonSet(let namespace, _, _) = action { namespaces.append(namespace) } }
                for namespace in Set(namespaces).sorted() { pods += try await cluster.list(apiVersion: "v1", kind: "Pod", namespace: namespace) }
                let problems = ReadinessCheck.podProblems(pods) + ReadinessCheck.nodeProblems(nodes)
                wedges += ReadinessCheck.knownCauses(problems)
                if !problems.isEmpty {
                    throw RolloutError(stage: stage, message: "not ready after \(Int(spec.timeout.components.seconds))s: " + pending.map(\.message).joined(separator: "; ")
                                       + "\n  failing:\n" + problems.prefix(5).map { "    " + $0 }.joined(separator: "\n"),
                                       remedy: wedges.isEmpty ? "kubectl describe the failing pods above" : wedges.joined(separator: "\n  remedy: "))
                }
                throw RolloutError(stage: stage, message: "not ready after \(Int(spec.timeout.components.seconds))s: " + pending.map(\.message).joined(separator: "; "),
                                   remedy: wedges.isEmpty ? "raise spec.smoke.stageTimeouts.\(stage) if the cluster is just slow; `platform status` shows what is waiting"
                                                          : wedges.joined(separator: "\n  remedy: "))
            }
            try await sleep()
        }
    }
}
