import Foundation
import KubeModel

/// A parsed label selector (`a=b,c!=d,e in (x,y),f notin (z),g,!h`).
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }
    var requirements: [Requirement] = []

    static func parse(_ text: String) throws(APIError) -> LabelSelector {
        var sel = LabelSelector()
        var chars = Array(text)[...]
        func skipSpaces() { while chars.first == " " { chars.removeFirst() } }
        func readKey() -> String {
            skipSpaces()
            var s = ""
            while let c = chars.first, !" =!,()".contains(c) { s.append(c); chars.removeFirst() }
            return s
        }
        func readValue() -> String {
            skipSpaces()
            var s = ""
            while let c = chars.first, !" ,()".contains(c) { s.append(c); chars.removeFirst() }
            return s
        }
        func bad(_ why: String) -> APIError {
            APIError.badRequest("unable to parse requirement: \(why)")
        }
        while true {
            skipSpaces()
            if chars.isEmpty { break }
            if chars.first == "!" {
                chars.removeFirst()
                let k = readKey()
                if k.isEmpty { throw bad("found '\(String(chars.prefix(1)))', expected: identifier") }
                sel.requirements.append(.doesNotExist(k))
            } else {
                let k = readKey()
                if k.isEmpty { throw bad("found '\(String(chars.prefix(1)))', expected: identifier") }
                skipSpaces()
                if chars.starts(with: "==") {
                    chars.removeFirst(2)
                    sel.requirements.append(.equals(k, readValue()))
                } else if chars.starts(with: "!=") {
                    chars.removeFirst(2)
                    sel.requirements.append(.notEquals(k, readValue()))
                } else if chars.first == "=" {
                    chars.removeFirst()
                    sel.requirements.append(.equals(k, readValue()))
                } else if chars.starts(with: "in") || chars.starts(with: "notin") {
                    let negate = chars.starts(with: "notin")
                    chars.removeFirst(negate ? 5 : 2)
                    skipSpaces()
                    guard chars.first == "(" else { throw bad("found '\(String(chars.prefix(1)))', expected: '('") }
                    chars.removeFirst()
                    var values = Set<String>()
                    while true {
                        let v = readValue()
                        if !v.isEmpty { values.insert(v) }
                        skipSpaces()
                        if chars.first == "," { chars.removeFirst(); continue }
                        if chars.first == ")" { chars.removeFirst(); break }
                        throw bad("found '\(String(chars.prefix(1)))', expected: ',' or ')'")
                    }
                    sel.requirements.append(negate ? .notIn(k, values) : .isIn(k, values))
                } else {
                    sel.requirements.append(.exists(k))
                }
            }
            skipSpaces()
            if chars.first == "," { chars.removeFirst(); continue }
            if chars.isEmpty { break }
            throw bad("found '\(String(chars.prefix(1)))', expected: ','")
        }
        return sel
    }

    func matches(_ labels: JSONObject?) -> Bool {
        func get(_ k: String) -> String? { labels?[k]?.stringValue }
        for r in requirements {
            switch r {
            case .equals(let k, let v): if get(k) != v { return false }
            case .notEquals(let k, let v): if get(k) == v { return false }
            case .isIn(let k, let vs): guard let v = get(k), vs.contains(v) else { return false }
            case .notIn(let k, let vs): if let v = get(k), vs.contains(v) { return false }
            case .exists(let k): if get(k) == nil { return false }
            case .doesNotExist(let k): if get(k) != nil { return false }
            }
        }
        return true
    }
}

/// A field selector (`metadata.name=x,status.phase!=Running`). Any dotted path is accepted;
/// the real server restricts the fields per kind (a documented leniency).
struct FieldSelector: Sendable {
    var requirements: [(path: [String], value: String, equal: Bool)] = []

    static func parse(_ text: String) throws(APIError) -> FieldSelector {
        var sel = FieldSelector()
        for part in text.split(separator: ",") {
            let p = String(part).trimmingSpaces()
            if p.isEmpty { continue }
            let (key, value, equal): (Substring, Substring, Bool)
            if let r = p.range(of: "!=") {
                (key, value, equal) = (p[..<r.lowerBound], p[r.upperBound...], false)
            } else if let r = p.range(of: "==") {
                (key, value, equal) = (p[..<r.lowerBound], p[r.upperBound...], true)
            } else if let r = p.range(of: "=") {
                (key, value, equal) = (p[..<r.lowerBound], p[r.upperBound...], true)
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(p)'")
            }
            sel.requirements.append((key.split(separator: ".").map(String.init), String(value), equal))
        }
        return sel
    }

    func matches(_ object: JSONValue) -> Bool {
        for r in requirements {
            let actual: String
            switch object[path: r.path] {
            case .string(let s): actual = s
            case .int(let i): actual = String(i)
            case .bool(let b): actual = b ? "true" : "false"
            case nil, .null?: actual = ""
            case let v?: actual = v.encodedString()
            }
            if (actual == r.value) != r.equal { return false }
        }
        return true
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = self[...]
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
