import Foundation
import GoTemplate

/// A Go `time.Time` value (Sprig's `now`, `toDate`, `dateModify`). Zones other than UTC
/// print their abbreviation; "Local" is the process zone (UTC on build machines and CI).
final class GoTime: GoObject, @unchecked Sendable {
    let date: Date
    let zone: TimeZone

    init(_ date: Date, zone: TimeZone) {
        self.date = date
        self.zone = zone
    }

    var goType: GoType { .named("time.Time", kind: .struct) }
    /// `%v` of a time.Time: `2006-01-02 15:04:05.999999999 -0700 MST`.
    var stringValue: String? { Sprig.formatTime(date, zone: zone, layout: "2006-01-02 15:04:05.999999999 -0700 MST") }

    func member(named name: String) -> GoMember? {
        let cal = Sprig.calendar(zone)
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        switch name {
        case "Unix": return .method(Function("Unix", parameters: [], result: .int(.int64)) { _, _ in .int64(Int64(self.date.timeIntervalSince1970.rounded(.down))) })
        case "Year": return .method(Function("Year", parameters: [], result: .int(.int)) { _, _ in .int(c.year ?? 0) })
        case "Month": return .method(Function("Month", parameters: [], result: .int(.int)) { _, _ in .int(c.month ?? 0) })
        case "Day": return .method(Function("Day", parameters: [], result: .int(.int)) { _, _ in .int(c.day ?? 0) })
        case "Hour": return .method(Function("Hour", parameters: [], result: .int(.int)) { _, _ in .int(c.hour ?? 0) })
        case "Minute": return .method(Function("Minute", parameters: [], result: .int(.int)) { _, _ in .int(c.minute ?? 0) })
        case "Second": return .method(Function("Second", parameters: [], result: .int(.int)) { _, _ in .int(c.second ?? 0) })
        case "Format":
            return .method(Function("Format", parameters: [.string], result: .string) { a, _ in
                .string(Sprig.formatTime(self.date, zone: self.zone, layout: try a.string(0)))
            })
        case "UTC": return .method(Function("UTC", parameters: []) { _, _ in .object(GoTime(self.date, zone: TimeZone(identifier: "UTC") ?? .current)) })
        default: return nil
        }
    }
}

extension Sprig {
    /// The clock Sprig's `now` reads; tests pin it.
    nonisolated(unsafe) static var now: @Sendable () -> Date = { Date() }

    static func calendar(_ zone: TimeZone) -> Calendar {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }

    static func localZone() -> TimeZone { TimeZone.current }

    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current

    static func zone(named name: String) throws -> TimeZone {
        if name == "Local" || name.isEmpty { return localZone() }
        if name == "UTC" { return TimeZone(identifier: "UTC") ?? .current }
        guard let z = TimeZone(identifier: name) else { throw FunctionError("unknown time zone \(name)") }
        return z
    }

    /// A date argument as Sprig's `date` accepts it: time.Time, or Unix seconds.
    static func timeArgument(_ v: Value) -> Date {
        switch v.underlyingValue {
        case .object(let o as GoTime): return o.date
        case .integer(let n, let k) where k == .int || k == .int64 || k == .int32: return Date(timeIntervalSince1970: Double(n))
        default: return now()
        }
    }

    static func timeFunctions(into f: inout FunctionMap) {
        f.add("now", [], result: .named("time.Time", kind: .struct)) { _, _ in .object(GoTime(now(), zone: localZone())) }
        f.add("date", [.string, .interface], result: .string) { a, _ in
            .string(formatTime(timeArgument(a[1]), zone: localZone(), layout: try a.string(0)))
        }
        for name in ["dateInZone", "date_in_zone"] {
            f.add(name, [.string, .interface, .string], result: .string) { a, _ in
                // An unknown zone falls back to UTC, as Sprig's dateInZone does.
                .string(formatTime(timeArgument(a[1]), zone: (try? zone(named: try a.string(2))) ?? utc, layout: try a.string(0)))
            }
        }
        f.add("htmlDate", [.interface], result: .string) { a, _ in
            .string(formatTime(timeArgument(a[0]), zone: localZone(), layout: "2006-01-02"))
        }
        f.add("htmlDateInZone", [.interface, .string], result: .string) { a, _ in
            .string(formatTime(timeArgument(a[0]), zone: (try? zone(named: try a.string(1))) ?? utc, layout: "2006-01-02"))
        }
        for (name, must) in [("toDate", false), ("mustToDate", true)] {
            f.add(name, [.string, .string], result: .named("time.Time", kind: .struct)) { a, _ in
                do {
                    return .object(GoTime(try parseTime(try a.string(1), layout: try a.string(0), zone: localZone()), zone: localZone()))
                } catch {
                    if must { throw error }
                    return .object(GoTime(Date(timeIntervalSince1970: -62135596800), zone: TimeZone(identifier: "UTC") ?? .current))
                }
            }
        }
        for (name, must) in [("dateModify", false), ("date_modify", false), ("mustDateModify", true), ("must_date_modify", true)] {
            f.add(name, [.string, .interface]) { a, _ in
                let base = a[1].underlyingValue
                guard case .object(let t as GoTime) = base else { throw FunctionError("wrong type for value; expected time.Time; got \(a[1].typeName)") }
                let d: Double
                do { d = try parseDurationChecked(try a.string(0)) } catch {
                    if must { throw error }
                    return .object(t)
                }
                return .object(GoTime(t.date.addingTimeInterval(d), zone: t.zone))
            }
        }
        f.add("unixEpoch", [.interface], result: .string) { a, _ in
            .string(String(Int64(timeArgument(a[0]).timeIntervalSince1970.rounded(.down))))
        }
        f.add("ago", [.interface], result: .string) { a, _ in
            .string(formatDuration((now().timeIntervalSince(timeArgument(a[0]))).rounded()))
        }
        f.add("duration", [.interface], result: .string) { a, _ in
            var n: Int64 = 0
            switch a[0] {
            case .string(let s): n = Int64(s) ?? 0
            case .integer(let v, .int64): n = v
            default: n = 0
            }
            return .string(formatDuration(Double(n)))
        }
        f.add("durationRound", [.interface], result: .string) { a, _ in
            var seconds: Double = 0
            switch a[0].underlyingValue {
            case .string(let s): seconds = parseDuration(s) ?? 0
            case .integer(let v, .int64): seconds = Double(v) / 1e9
            case .object(let t as GoTime): seconds = now().timeIntervalSince(t.date)
            default: seconds = 0
            }
            let u = abs(seconds)
            let units: [(Double, String)] = [(365 * 86400, "y"), (30 * 86400, "mo"), (86400, "d"), (3600, "h"), (60, "m"), (1, "s")]
            for (size, suffix) in units where u > size { return .string(String(Int64(u / size)) + suffix) }
            return .string("0s")
        }
    }

    /// Go's time.Duration.String() for whole or fractional seconds.
    static func formatDuration(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        let neg = seconds < 0
        var rest = abs(seconds)
        var out = ""
        if rest < 1 {
            let ns = (rest * 1e9).rounded()
            if ns < 1000 { out = "\(Int64(ns))ns" }
            else if ns < 1e6 { out = trimFloat(ns / 1e3) + "µs" }
            else { out = trimFloat(ns / 1e6) + "ms" }
            return (neg ? "-" : "") + out
        }
        let h = Int64(rest / 3600); rest -= Double(h) * 3600
        let m = Int64(rest / 60); rest -= Double(m) * 60
        if h > 0 { out += "\(h)h" }
        if h > 0 || m > 0 { out += "\(m)m" }
        out += trimFloat(rest) + "s"
        return (neg ? "-" : "") + out
    }

    private static func trimFloat(_ d: Double) -> String {
        var s = String(format: "%.9f", d)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Go's time.ParseDuration, in seconds (nil when Go reports an error).
    static func parseDuration(_ text: String) -> Double? { try? parseDurationChecked(text) }

    /// Go's time.ParseDuration with its error texts.
    static func parseDurationChecked(_ text: String) throws -> Double {
        let quotedText = "\"" + text + "\""
        func invalid() -> FunctionError { FunctionError("time: invalid duration " + quotedText) }
        var s = Substring(text)
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        if s == "0" { return 0 }
        guard !s.isEmpty else { throw invalid() }
        let units: [String: Double] = ["ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600]
        var total = 0.0
        while !s.isEmpty {
            guard let first = s.first, first == "." || first.isASCII && first.isNumber else { throw invalid() }
            let num = s.prefix(while: { $0 == "." || ($0.isASCII && $0.isNumber) })
            guard num != ".", num.filter({ $0 == "." }).count <= 1, let v = Double(num.hasPrefix(".") ? "0" + num : String(num)) else {
                throw invalid()
            }
            s = s.dropFirst(num.count)
            let unit = s.prefix(while: { $0 != "." && !($0.isASCII && $0.isNumber) })
            if unit.isEmpty { throw FunctionError("time: missing unit in duration " + quotedText) }
            guard let scale = units[String(unit)] else {
                throw FunctionError("time: unknown unit \"\(unit)\" in duration " + quotedText)
            }
            total += v * scale
            s = s.dropFirst(unit.count)
        }
        return sign * total
    }

    // MARK: Go reference-time layouts

    private static let layoutTokens = [
        "January", "Monday", "2006", "-07:00:00", "-0700", "-07:00", "Z07:00:00", "Z0700", "Z07:00", "-07",
        "Jan", "Mon", "MST", "002", "_2", "01", "02", "03", "04", "05", "06", "15", "PM", "pm", "Z07", "1", "2", "3", "4", "5",
    ]

    static func tokenize(_ layout: String) -> [(token: String, literal: Bool)] {
        var out: [(String, Bool)] = []
        var s = Substring(layout)
        while !s.isEmpty {
            if s.hasPrefix(".0") || s.hasPrefix(".9") || s.hasPrefix(",0") || s.hasPrefix(",9") {
                let digit = s[s.index(after: s.startIndex)]
                let run = s.dropFirst().prefix(while: { $0 == digit })
                if !(s.dropFirst(1 + run.count).first?.isNumber ?? false) {
                    out.append((String(s.prefix(1 + run.count)), false))
                    s = s.dropFirst(1 + run.count)
                    continue
                }
            }
            if let t = layoutTokens.first(where: { s.hasPrefix($0) }) {
                out.append((t, false)); s = s.dropFirst(t.count)
            } else if let c = s.first {
                out.append((String(c), true)); s = s.dropFirst()
            }
        }
        return out
    }

    static func formatTime(_ date: Date, zone: TimeZone, layout: String) -> String {
        let cal = calendar(zone)
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday, .dayOfYear], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let (year, month, day) = (c.year ?? 1, c.month ?? 1, c.day ?? 1)
        let (hour, minute, second) = (c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        let nanos = c.nanosecond ?? 0
        let offset = zone.secondsFromGMT(for: date)
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        func tz(_ colon: Bool, _ seconds: Bool, z: Bool) -> String {
            if z && offset == 0 { return "Z" }
            let sign = offset < 0 ? "-" : "+"
            let o = abs(offset)
            var s = sign + pad(o / 3600, 2) + (colon ? ":" : "") + pad(o % 3600 / 60, 2)
            if seconds { s += (colon ? ":" : "") + pad(o % 60, 2) }
            return s
        }
        var out = ""
        for (t, literal) in tokenize(layout) {
            if literal { out += t; continue }
            switch t {
            case "2006": out += pad(year, 4)
            case "06": out += pad(year % 100, 2)
            case "January": out += months[month - 1]
            case "Jan": out += String(months[month - 1].prefix(3))
            case "01": out += pad(month, 2)
            case "1": out += String(month)
            case "Monday": out += days[(c.weekday ?? 1) - 1]
            case "Mon": out += String(days[(c.weekday ?? 1) - 1].prefix(3))
            case "02": out += pad(day, 2)
            case "_2": out += day < 10 ? " \(day)" : String(day)
            case "2": out += String(day)
            case "002": out += pad(c.dayOfYear ?? 1, 3)
            case "15": out += pad(hour, 2)
            case "03": out += pad(hour % 12 == 0 ? 12 : hour % 12, 2)
            case "3": out += String(hour % 12 == 0 ? 12 : hour % 12)
            case "04": out += pad(minute, 2)
            case "4": out += String(minute)
            case "05": out += pad(second, 2)
            case "5": out += String(second)
            case "PM": out += hour >= 12 ? "PM" : "AM"
            case "pm": out += hour >= 12 ? "pm" : "am"
            case "MST": out += offset == 0 && (zone.identifier == "UTC" || zone.identifier == "GMT") ? "UTC" : (zone.abbreviation(for: date) ?? tz(false, false, z: false))
            case "-0700": out += tz(false, false, z: false)
            case "-07:00": out += tz(true, false, z: false)
            case "-07": out += String(tz(false, false, z: false).prefix(3))
            case "-07:00:00": out += tz(true, true, z: false)
            case "Z0700": out += tz(false, false, z: true)
            case "Z07:00": out += tz(true, false, z: true)
            case "Z07": out += offset == 0 ? "Z" : String(tz(false, false, z: false).prefix(3))
            case "Z07:00:00": out += tz(true, true, z: true)
            default:
                // Fractional seconds: .000 (fixed) or .999 (trailing zeros trimmed).
                let sep = String(t.prefix(1))
                let digits = t.count - 1
                var frac = pad(nanos, 9)
                frac = String(frac.prefix(digits))
                if t.dropFirst().first == "9" {
                    while frac.hasSuffix("0") { frac.removeLast() }
                    if !frac.isEmpty { out += sep + frac }
                } else {
                    out += sep + frac
                }
            }
        }
        return out
    }

    /// Go's time.ParseError text.
    struct TimeParseError: Error, CustomStringConvertible {
        let value: String, layout: String
        var valueElem = "", layoutElem = "", message = ""
        var description: String {
            func q(_ s: String) -> String { "\"" + s + "\"" }
            if !message.isEmpty { return "parsing time " + q(value) + message }
            return "parsing time \(q(value)) as \(q(layout)): cannot parse \(q(valueElem)) as \(q(layoutElem))"
        }
    }

    /// time.ParseInLocation for the common layout elements.
    static func parseTime(_ value: String, layout: String, zone: TimeZone) throws -> Date {
        var c = DateComponents()
        c.year = 1; c.month = 1; c.day = 1; c.hour = 0; c.minute = 0; c.second = 0
        var s = Substring(value)
        var offset: Int?
        var pm: Bool?
        var element = ""
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        func bad() -> TimeParseError { TimeParseError(value: value, layout: layout, valueElem: String(s), layoutElem: element) }
        func outOfRange(_ what: String) -> TimeParseError {
            TimeParseError(value: value, layout: layout, message: ": \(what) out of range")
        }
        /// Go's getnum: one or two digits (exactly two when `fixed`).
        func number(_ fixed: Bool) throws -> Int {
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber }).prefix(2)
            guard let n = Int(digits), !(fixed && digits.count < 2) else { throw bad() }
            s = s.dropFirst(digits.count)
            return n
        }
        func number(_ min: Int, _ max: Int) throws -> Int {
            let digits = s.prefix(while: { $0.isASCII && $0.isNumber }).prefix(max)
            guard digits.count >= min, let n = Int(digits) else { throw bad() }
            s = s.dropFirst(digits.count)
            return n
        }
        // Go compares runs of literal layout text at once and names the whole run in errors.
        var tokens: [(String, Bool)] = []
        for (t, literal) in tokenize(layout) {
            if literal, let last = tokens.last, last.1 { tokens[tokens.count - 1].0 += t } else { tokens.append((t, literal)) }
        }
        for (t, literal) in tokens {
            element = t
            if literal {
                guard s.hasPrefix(t) else { throw bad() }
                s = s.dropFirst(t.count); continue
            }
            switch t {
            case "2006": c.year = try number(4, 4)
            case "06": let y = try number(2, 2); c.year = y >= 69 ? 1900 + y : 2000 + y
            case "01", "1":
                let m = try number(t == "01")
                guard (1...12).contains(m) else { throw outOfRange("month") }
                c.month = m
            case "January", "Jan":
                guard let i = months.firstIndex(where: { s.hasPrefix(t == "Jan" ? String($0.prefix(3)) : $0) }) else { throw bad() }
                s = s.dropFirst(t == "Jan" ? 3 : months[i].count); c.month = i + 1
            case "02", "2", "_2":
                if t == "_2", s.hasPrefix(" ") { s = s.dropFirst() }
                let d = try number(t == "02")
                guard (1...31).contains(d) else { throw outOfRange("day") }
                c.day = d
            case "15", "03", "3":
                let h = try number(t == "03")
                guard h < (t == "15" ? 24 : 13) else { throw outOfRange("hour") }
                c.hour = h
            case "04", "4":
                let m = try number(t == "04")
                guard m < 60 else { throw outOfRange("minute") }
                c.minute = m
            case "05", "5":
                let sec = try number(t == "05")
                guard sec < 60 else { throw outOfRange("second") }
                c.second = sec
            case "PM", "pm":
                let v = s.prefix(2).uppercased()
                guard v == "AM" || v == "PM" else { throw bad() }
                pm = v == "PM"; s = s.dropFirst(2)
            case "Z0700", "Z07:00", "Z07", "-0700", "-07:00", "-07":
                if t.hasPrefix("Z"), s.hasPrefix("Z") { s = s.dropFirst(); offset = 0; continue }
                guard let signChar = s.first, signChar == "+" || signChar == "-" else { throw bad() }
                s = s.dropFirst()
                let h = try number(2, 2)
                if s.hasPrefix(":") { s = s.dropFirst() }
                let m = t.hasSuffix("07") ? 0 : try number(2, 2)
                offset = (signChar == "-" ? -1 : 1) * (h * 3600 + m * 60)
            case "MST":
                let abbr = s.prefix(while: \.isLetter)
                s = s.dropFirst(abbr.count)
                if abbr == "UTC" || abbr == "GMT" { offset = 0 }
            case "Monday", "Mon":
                let word = s.prefix(while: \.isLetter); s = s.dropFirst(word.count)
            default:
                if s.hasPrefix(".") || s.hasPrefix(",") {
                    s = s.dropFirst()
                    let digits = s.prefix(while: \.isNumber)
                    s = s.dropFirst(digits.count)
                    c.nanosecond = Int((digits + String(repeating: "0", count: max(0, 9 - digits.count))).prefix(9)) ?? 0
                }
            }
        }
        guard s.isEmpty else { throw TimeParseError(value: value, layout: layout, message: ": extra text: \"\(s)\"") }
        if let pm, let h = c.hour { c.hour = pm ? (h % 12) + 12 : h % 12 }
        var cal = calendar(zone)
        if let offset, let tz = TimeZone(secondsFromGMT: offset) { cal.timeZone = tz }
        // Go checks the day against the month's length (February 29 only in leap years).
        let y = c.year ?? 1, m = c.month ?? 1
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        guard (c.day ?? 1) <= monthDays else { throw outOfRange("day") }
        guard let date = cal.date(from: c) else { throw outOfRange("day") }
        return date
    }
}
