import Synchronization

/// API faults the simulator injects, deterministically for a seed: server errors and
/// throttling on a fraction of requests, added latency, connections reset mid-response,
/// and watch streams dropped after a number of events. Health and version endpoints are
/// never faulted, so clients can always tell the server is up.
///
/// Spec syntax (`platform sim serve --faults SPEC`): comma-separated `key=value`:
/// `errors=0.2` (500/503), `throttle=0.1` (429), `retry-after=1` (seconds),
/// `reset=0.05` (connection reset after the response head), `latency=50ms`,
/// `watch-drop=3` (close watch streams after 3 events), `seed=7`.
public struct FaultPlan: Sendable, Equatable {
    public var errorRate: Double = 0
    public var throttleRate: Double = 0
    public var retryAfterSeconds: Int = 1
    public var resetRate: Double = 0
    public var latency: Duration = .zero
    public var watchDropAfter: Int?
    public var seed: UInt64 = 1
    /// Faults of the simulated world (node NotReady, image pulls, webhooks, rollouts).
    public var world = WorldFaultPlan()

    public init() {}

    public var isEmpty: Bool {
        errorRate == 0 && throttleRate == 0 && resetRate == 0 && latency == .zero && watchDropAfter == nil
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func parse(_ spec: String) throws(ParseError) -> FaultPlan {
        var plan = FaultPlan()
        for item in spec.split(separator: ",") where !item.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw ParseError(description: "fault \"\(item)\": expected key=value") }
            let (key, value) = (parts[0], parts[1])
            func rate() throws(ParseError) -> Double {
                guard let r = Double(value), r >= 0, r <= 1 else {
                    throw ParseError(description: "fault \(key)=\(value): expected a fraction between 0 and 1")
                }
                return r
            }
            func count() throws(ParseError) -> Int {
                guard let n = Int(value), n >= 0 else { throw ParseError(description: "fault \(key)=\(value): expected a whole number") }
                return n
            }
            switch key {
            case "errors": plan.errorRate = try rate()
            case "throttle": plan.throttleRate = try rate()
            case "reset": plan.resetRate = try rate()
            case "retry-after": plan.retryAfterSeconds = try count()
            case "watch-drop": plan.watchDropAfter = try count()
            case "seed": plan.seed = UInt64(try count())
            case "latency":
                let digits = value.prefix(while: \.isNumber)
                guard let n = Int(digits) else { throw ParseError(description: "fault latency=\(value): expected e.g. 50ms or 1s") }
                switch value.dropFirst(digits.count) {
                case "ms": plan.latency = .milliseconds(n)
                case "s", "": plan.latency = .seconds(n)
                default: throw ParseError(description: "fault latency=\(value): expected e.g. 50ms or 1s")
                }
            case _ where WorldFaultPlan.keys.contains(key):
                try plan.world.add(key: key, value: value)
            default:
                throw ParseError(description: "unknown fault \"\(key)\" (known: errors, throttle, retry-after, reset, latency, watch-drop, seed, node-notready, image-pull, webhook-down, stuck-rollout)")
            }
        }
        return plan
    }
}

/// Draws fault decisions from a seeded generator; counts what it injected.
public final class FaultInjector: Sendable {
    public struct Counts: Sendable, Equatable {
        public var errors = 0, throttles = 0, resets = 0, watchDrops = 0
    }

    public let plan: FaultPlan
    private let state: Mutex<(rng: UInt64, counts: Counts)>

    public init(plan: FaultPlan) {
        self.plan = plan
        state = Mutex((plan.seed, Counts()))
    }

    public var counts: Counts { state.withLock { $0.counts } }

    /// SplitMix64: small, fast, and the same sequence for the same seed.
    private func draw() -> Double {
        state.withLock { s in
            s.rng &+= 0x9E37_79B9_7F4A_7C15
            var z = s.rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
    }

    static func exempt(_ req: KubeRequest) -> Bool {
        ["/version", "/healthz", "/readyz", "/livez"].contains(req.path)
    }

    /// A 500/503/429 response to send instead of the real one, or nil.
    public func response(for req: KubeRequest) -> KubeResponse? {
        guard !Self.exempt(req), plan.errorRate > 0 || plan.throttleRate > 0 else { return nil }
        let x = draw()
        if x < plan.throttleRate {
            state.withLock { $0.counts.throttles += 1 }
            let e = APIError(code: 429, reason: "TooManyRequests", message: "the server has received too many requests and has asked us to try again later")
            var r = e.response
            r.headers.append(("Retry-After", String(plan.retryAfterSeconds)))
            return r
        }
        if x < plan.throttleRate + plan.errorRate {
            state.withLock { $0.counts.errors += 1 }
            let unavailable = draw() < 0.5
            let e = unavailable
                ? APIError(code: 503, reason: "ServiceUnavailable", message: "the server is currently unable to handle the request")
                : APIError(code: 500, reason: "InternalError", message: "an error on the server (\"injected fault\") has prevented the request from succeeding")
            return e.response
        }
        return nil
    }

    /// Whether to reset this connection after the response head.
    public func shouldReset(_ req: KubeRequest) -> Bool {
        guard !Self.exempt(req), plan.resetRate > 0, draw() < plan.resetRate else { return false }
        state.withLock { $0.counts.resets += 1 }
        return true
    }

    func countWatchDrop() { state.withLock { $0.counts.watchDrops += 1 } }
}

/// The connection is dropped on purpose (fault injection).
struct InjectedReset: Error {}
