import Foundation
import Synchronization

/// Time as the simulator sees it; tests use `ManualClock` and advance it explicitly.
public protocol SimClock: Sendable {
    func now() -> Date
}

public struct SystemClock: SimClock {
    public init() {}
    public func now() -> Date { Date() }
}

public final class ManualClock: SimClock {
    private let current: Mutex<Date>
    public init(_ start: Date = Date(timeIntervalSince1970: 1_767_225_600)) { current = Mutex(start) }
    public func now() -> Date { current.withLock { $0 } }
    public func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
    /// Resumes at a given time (a simulated clock continuing a saved state's timeline).
    public func set(_ date: Date) { current.withLock { $0 = date } }
}

enum Timestamps {
    /// RFC 3339 with second precision in UTC, as metav1.Time marshals.
    static func rfc3339(_ d: Date) -> String {
        let t = Int64(d.timeIntervalSince1970.rounded(.down))
        var days = t / 86400
        var secs = t % 86400
        if secs < 0 { secs += 86400; days -= 1 }
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let dd = doy - (153 * mp + 2) / 5 + 1
        let mm = mp < 10 ? mp + 3 : mp - 9
        let year = mm <= 2 ? y + 1 : y
        func p2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(p2(mm))-\(p2(dd))T\(p2(secs / 3600)):\(p2(secs % 3600 / 60)):\(p2(secs % 60))Z"
    }

    static func parse(_ s: String) -> Date? {
        // yyyy-mm-ddThh:mm:ssZ only (what the simulator writes).
        let b = Array(s.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ r: Range<Int>) -> Int64? { Int64(String(decoding: b[r], as: UTF8.self)) }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), let hh = num(11..<13), let mi = num(14..<16),
            let ss = num(17..<19)
        else { return nil }
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = m > 2 ? m - 3 : m + 9
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + hh * 3600 + mi * 60 + ss))
    }

    /// Age as kubectl prints it (k8s.io/apimachinery/pkg/util/duration.HumanDuration).
    static func humanDuration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < -1 { return "<invalid>" }
        if s < 0 { return "0s" }
        if s < 120 { return "\(s)s" }
        let minutes = s / 60
        if minutes < 10 { return s % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(s % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = s / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = hours / 24
            return days % 365 == 0 ? "\(days / 365)y" : "\(days / 365)y\(days % 365)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
