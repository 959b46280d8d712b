import Foundation

/// Exponential backoff with jitter (client-go's `wait.Backoff` shape), bounded in
/// attempts and in total time.
public struct RetryPolicy: Sendable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// No retry starts once this much time has passed since the first attempt.
    public var maxElapsed: Duration
    public var initialDelay: Duration
    public var factor: Double
    public var maxDelay: Duration
    /// Each delay is stretched by a random fraction in [0, jitter).
    public var jitter: Double

    public init(maxAttempts: Int = 5, maxElapsed: Duration = .seconds(30), initialDelay: Duration = .milliseconds(200),
                factor: Double = 2, maxDelay: Duration = .seconds(10), jitter: Double = 0.2) {
        self.maxAttempts = maxAttempts
        self.maxElapsed = maxElapsed
        self.initialDelay = initialDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    public static let `default` = RetryPolicy()
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait before retry number `retry` (1 for the first retry), `random` in [0, 1).
    public func delay(beforeRetry retry: Int, random: Double) -> Duration {
        let base = initialDelay * pow(factor, Double(max(0, retry - 1)))
        let capped = min(base, maxDelay)
        return capped + capped * (jitter * random)
    }
}

/// How a request may be repeated.
public enum RequestKind: Sendable, Equatable {
    /// GET, HEAD, PUT, DELETE: repeating has the same effect.
    case idempotent
    /// Server-side apply: declarative, so repeating is safe; a create race (409 AlreadyExists) is retried.
    case apply
    /// POST create: repeated only when the server surely did not act (429, connection never made).
    case create
    /// Anything else (merge patches, subresource posts): repeated only when never sent.
    case other
}

enum RetryDecision: Equatable {
    case fail
    /// Retry after the server's `Retry-After`, or after the policy's backoff when nil.
    case retry(after: Duration?)
}

enum RetryClassifier {
    static func decide(_ error: KubeClientError, kind: RequestKind) -> RetryDecision {
        switch error {
        case .transport(let t):
            if t.kind == .cancelled || t.kind == .tlsVerificationFailed || t.kind == .tls { return .fail }
            if t.requestNotSent { return .retry(after: nil) }
            return kind == .idempotent || kind == .apply ? .retry(after: nil) : .fail
        case .api(let e):
            let code = e.status.code
            if code == 429 || e.reason == .tooManyRequests {
                return .retry(after: e.retryAfter.map { .seconds($0) })
            }
            if (500...599).contains(code), code != 501 {
                guard kind == .idempotent || kind == .apply else { return .fail }
                return .retry(after: e.retryAfter.map { .seconds($0) })
            }
            if kind == .apply, code == 409, e.reason == .alreadyExists { return .retry(after: nil) }
            return .fail
        default:
            return .fail
        }
    }
}

/// Time as the retry loop sees it; tests substitute a clock that does not wait.
public protocol RetryClock: Sendable {
    var now: ContinuousClock.Instant { get }
    func sleep(for duration: Duration) async throws
}

public struct SystemRetryClock: RetryClock {
    public init() {}
    public var now: ContinuousClock.Instant { ContinuousClock.now }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

extension RetryPolicy {
    /// Runs `operation` until it succeeds, fails for good, or the bounds are reached.
    func run<T: Sendable>(kind: RequestKind, clock: any RetryClock,
                          random: @Sendable () -> Double = { Double.random(in: 0..<1) },
                          _ operation: () async throws(KubeClientError) -> T) async throws(KubeClientError) -> T {
        let start = clock.now
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await operation()
            } catch {
                guard attempt < maxAttempts, case .retry(let serverDelay) = RetryClassifier.decide(error, kind: kind) else {
                    throw attempt > 1 ? .retriesExhausted(attempts: attempt, last: error) : error
                }
                let delay = (serverDelay.flatMap { $0 > .zero ? $0 : nil }) ?? delay(beforeRetry: attempt, random: random())
                let elapsed = clock.now - start
                guard elapsed + delay <= maxElapsed else {
                    throw .retriesExhausted(attempts: attempt, last: error)
                }
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw .transport(TransportError(kind: .cancelled, request: "retry", message: "cancelled while waiting to retry"))
                }
            }
        }
    }
}
