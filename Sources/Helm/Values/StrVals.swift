import YAML

/// Helm's `pkg/strvals`: `--set a.b[0].c=v,x={1,2}` and its siblings.
///
/// Mirrors Go's parser closely (same error texts) because users and scripts rely on
/// its edge cases: `\` escapes, `{a,b}` lists, indices, `null`, integer typing.
public struct StrVals {
    public enum Mode: Sendable {
        /// `--set`: `true`/`false`/`null`/integers typed, the rest strings.
        case typed
        /// `--set-string`: always strings.
        case string
        /// `--set-json`: values are JSON.
        case json
        /// `--set-file`: values are file paths, read by the given closure.
        case file
        /// `--set-literal`: everything after `=` verbatim.
        case literal
    }

    public static let maxIndex = 65536
    public static let maxNestedNameLevel = 30

    private var s: [Character]
    private var pos = 0
    private let mode: Mode
    private let readFile: (String) throws -> YAMLValue

    private init(_ text: String, mode: Mode, readFile: @escaping (String) throws -> YAMLValue) {
        s = Array(text)
        self.mode = mode
        self.readFile = readFile
    }

    /// Parses `text` into `dest` (in place, like `ParseInto`).
    public static func parse(_ text: String, into dest: inout YAMLMapping, mode: Mode,
                             readFile: @escaping (String) throws -> YAMLValue = { _ in .null }) throws {
        var p = StrVals(text, mode: mode, readFile: readFile)
        while true {
            do { try p.key(&dest, 0) } catch is EOF { return }
        }
    }

    struct EOF: Error {}
    struct NotList: Error {}

    private mutating func readRune() -> Character? {
        guard pos < s.count else { return nil }
        defer { pos += 1 }
        return s[pos]
    }

    /// Reads until a stop rune; `\` escapes the next rune (not in literal mode).
    private mutating func runesUntil(_ stop: Set<Character>) -> (String, Character?, Bool) {
        var v = ""
        while true {
            guard let r = readRune() else { return (v, nil, true) }
            if stop.contains(r) { return (v, r, false) }
            if r == "\\" && mode != .literal {
                guard let next = readRune() else { return (v, nil, true) }
                v.append(next)
                continue
            }
            v.append(r)
        }
    }

    private func typed(_ v: String) throws -> YAMLValue {
        switch mode {
        case .string, .literal: return .string(v)
        case .file: return try readFile(v)
        case .json: return .string(v)
        case .typed:
            let lower = v.lowercased()
            if lower == "true" { return .bool(true) }
            if lower == "false" { return .bool(false) }
            if lower == "null" { return .null }
            if v == "0" { return .int(0) }
            if let f = v.first, f != "0", let i = Int64(v) { return .int(i) }
            return .string(v)
        }
    }

    private mutating func key(_ data: inout YAMLMapping, _ level: Int) throws {
        var level = level
        let stop: Set<Character> = mode == .literal ? ["=", "[", "."] : ["=", "[", ",", "."]
        let (k, last, eof) = runesUntil(stop)
        if eof {
            if k.isEmpty { throw EOF() }
            throw HelmError(.values, "key \"\(k)\" has no value")
        }
        switch last {
        case "[":
            let i = try keyIndex()
            var list: [YAMLValue] = []
            if let existing = data[k] {
                guard case .sequence(let l) = existing else {
                    throw HelmError(.values, "unable to parse key: interface conversion: interface {} is \(Values.goTypeName(existing)), not []interface {}")
                }
                list = l
            }
            let result = try listItem(list, i, level)
            if !k.isEmpty { data[k] = .sequence(result) }
        case "=":
            if mode == .literal {
                let (v, _, _) = runesUntil([])
                if !k.isEmpty { data[k] = .string(v) }
                return
            }
            if mode == .json {
                if try emptyValue() { if !k.isEmpty { data[k] = .null }; return }
                let v = try jsonValue()
                if !k.isEmpty { data[k] = v }
                _ = try emptyValue()
                return
            }
            do {
                let list = try valueList()
                if !k.isEmpty { data[k] = .sequence(list) }
            } catch is EOF {
                if !k.isEmpty { data[k] = .string("") }
                throw EOF()
            } catch is NotList {
                let (v, _, _) = runesUntil([","])
                let typedValue = try typed(v)
                if !k.isEmpty { data[k] = typedValue }
            }
        case ",":
            if !k.isEmpty { data[k] = .string("") }
            throw HelmError(.values, "key \"\(k)\" has no value (cannot end with ,)")
        case ".":
            level += 1
            if level > Self.maxNestedNameLevel {
                throw HelmError(.values, "value name nested level is greater than maximum supported nested level of \(Self.maxNestedNameLevel)")
            }
            var inner = YAMLMapping()
            if let existing = data[k] {
                guard case .mapping(let m) = existing else {
                    throw HelmError(.values, "unable to parse key: interface conversion: interface {} is \(Values.goTypeName(existing)), not map[string]interface {}")
                }
                inner = m
            }
            var failure: Error?
            do { try key(&inner, level) } catch { failure = error }
            if failure == nil && inner.isEmpty { throw HelmError(.values, "key map \"\(k)\" has no value") }
            if !inner.isEmpty && !k.isEmpty { data[k] = .mapping(inner) }
            if let failure { throw failure }
        default:
            break
        }
    }

    private mutating func keyIndex() throws -> Int {
        let (v, _, eof) = runesUntil(["]"])
        if eof { throw EOF() }
        guard let i = Int(v) else {
            throw HelmError(.values, "error parsing index: strconv.Atoi: parsing \"\(v)\": invalid syntax")
        }
        return i
    }

    private static func setIndex(_ list: [YAMLValue], _ index: Int, _ val: YAMLValue) throws -> [YAMLValue] {
        if index < 0 { throw HelmError(.values, "negative \(index) index not allowed") }
        if index > maxIndex { throw HelmError(.values, "index of \(index) is greater than maximum supported index of \(maxIndex)") }
        var list = list
        while list.count <= index { list.append(.null) }
        list[index] = val
        return list
    }

    private mutating func listItem(_ list: [YAMLValue], _ i: Int, _ level: Int) throws -> [YAMLValue] {
        if i < 0 { throw HelmError(.values, "negative \(i) index not allowed") }
        let (k, last, eof) = runesUntil(["[", ".", "="])
        if !k.isEmpty { throw HelmError(.values, "unexpected data at end of array index: \"\(k)\"") }
        if eof { throw EOF() }
        switch last {
        case "=":
            if mode == .literal {
                let (v, _, _) = runesUntil([])
                return try Self.setIndex(list, i, .string(v))
            }
            if mode == .json {
                if try emptyValue() { return try Self.setIndex(list, i, .null) }
                let v = try jsonValue()
                let out = try Self.setIndex(list, i, v)
                _ = try emptyValue()
                return out
            }
            do {
                return try Self.setIndex(list, i, .sequence(try valueList()))
            } catch is EOF {
                return try Self.setIndex(list, i, .string(""))
            } catch is NotList {
                let (v, _, _) = runesUntil([","])
                return try Self.setIndex(list, i, try typed(v))
            }
        case "[":
            let next = try keyIndex()
            var current: [YAMLValue] = []
            if i < list.count, list[i] != .null {
                guard case .sequence(let l) = list[i] else {
                    throw HelmError(.values, "unable to parse key: interface conversion: interface {} is \(Values.goTypeName(list[i])), not []interface {}")
                }
                current = l
            }
            return try Self.setIndex(list, i, .sequence(try listItem(current, next, level)))
        case ".":
            var inner = YAMLMapping()
            if i < list.count, case .mapping(let m) = list[i] { inner = m }
            try key(&inner, level)
            return try Self.setIndex(list, i, .mapping(inner))
        default:
            throw HelmError(.values, "parse error: unexpected token \(last.map(String.init) ?? "")")
        }
    }

    /// Consumes whitespace; true when the value is empty (end or `,`).
    private mutating func emptyValue() throws -> Bool {
        while let r = readRune() {
            if r == "," { return true }
            if !r.isWhitespace { pos -= 1; return false }
        }
        return true
    }

    private mutating func jsonValue() throws -> YAMLValue {
        let rest = String(s[pos...])
        do {
            let (v, used) = try JSONReader.parsePrefix(rest)
            pos += String(decoding: Array(rest.utf8)[0..<used], as: UTF8.self).count
            return v
        } catch let f as JSONReader.Failure {
            throw HelmError(.values, f.message)
        }
    }

    private mutating func valueList() throws -> [YAMLValue] {
        guard let r = readRune() else { throw EOF() }
        if r != "{" { pos -= 1; throw NotList() }
        var list: [YAMLValue] = []
        while true {
            let (rs, last, eof) = runesUntil([",", "}"])
            if eof { throw HelmError(.values, "list must terminate with '}'") }
            if last == "}" {
                if let r = readRune(), r != "," { pos -= 1 }
                list.append(try typed(rs))
                return list
            }
            list.append(try typed(rs))
        }
    }
}
