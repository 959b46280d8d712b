import YAML

/// Turns YAML text into plain values with Helm's rules (Go yaml.v2 resolution seen
/// through sigs.k8s.io/yaml: YAML 1.1 booleans, every number a float64, keys as strings).
///
/// Kept small and internal: when the YAML module's `.kubernetes` resolver covers the
/// same ground this becomes a thin forwarder.
enum HelmYAML {
    /// All documents of a stream; empty documents become `.null`.
    static func documents(_ text: String, file: String? = nil) throws(YAMLError) -> [YAMLValue] {
        try YAMLDecoder(rules: .kubernetes).decodeAll(text, file: file)
    }

    /// A single mapping document as Helm reads values files: several documents merge,
    /// an empty file is an empty map.
    static func mapping(_ text: String, file: String? = nil) throws(YAMLError) -> YAMLMapping {
        var out = YAMLMapping()
        for doc in try documents(text, file: file) {
            if case .mapping(let m) = doc { out = Values.mergeMaps(out, m) }
        }
        return out
    }

    /// `mapping` with YAML errors turned into a Helm error whose text `message` builds.
    static func mapping(_ text: String, file: String? = nil, message: (YAMLError) -> String) throws -> YAMLMapping {
        let result = Result<YAMLMapping, YAMLError> { () throws(YAMLError) -> YAMLMapping in try mapping(text, file: file) }
        switch result {
        case .success(let m): return m
        case .failure(let e): throw HelmError(.load, message(e), path: file)
        }
    }

    /// One document's root node, YAML errors turned into a Helm error.
    static func node(_ text: String, file: String? = nil, message: (YAMLError) -> String) throws -> Node? {
        let result = Result<Node?, YAMLError> { () throws(YAMLError) -> Node? in try Parser().parseSingle(text, file: file) }
        switch result {
        case .success(let n): return n
        case .failure(let e): throw HelmError(.load, message(e), path: file)
        }
    }

    static func value(_ node: Node) -> YAMLValue {
        switch node.content {
        case .scalar(let s, let style):
            return scalar(s, style: style, tag: node.tag)
        case .sequence(let items):
            return .sequence(items.map(value))
        case .mapping(let pairs):
            var m = YAMLMapping()
            for p in pairs {
                let key = keyString(p.key)
                if key == "<<", case .mapping(let merged) = value(p.value) {
                    // Merge keys: explicit keys win over merged ones.
                    for e in merged where m[e.key] == nil { m[e.key] = e.value }
                    continue
                }
                m[key] = value(p.value)
            }
            return .mapping(m)
        }
    }

    /// Map keys become strings the way sigs.k8s.io/yaml does it (`on:` is "true").
    static func keyString(_ node: Node) -> String {
        switch value(node) {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .int(let i): return String(i)
        case .float(let d): return GoFloat.format(d)
        default: return node.scalarValue ?? ""
        }
    }

    static func scalar(_ s: String, style: ScalarStyle, tag: String?) -> YAMLValue {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str", "!!str": return .string(s)
            case "tag:yaml.org,2002:bool", "!!bool":
                if let b = bool(s) { return .bool(b) }
            case "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "!!int", "!!float":
                if let d = number(s) { return .float(d) }
            case "tag:yaml.org,2002:null", "!!null": return .null
            default: break
            }
        }
        guard style == .plain else { return .string(s) }
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let b = bool(s) { return .bool(b) }
        if let d = number(s) { return .float(d) }
        return .string(s)
    }

    static func bool(_ s: String) -> Bool? {
        switch s {
        case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// yaml.v2 number forms: decimal, 0x hex, 0 octal, 0b binary, underscores, floats, .inf/.nan.
    static func number(_ raw: String) -> Double? {
        guard let first = raw.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        switch raw {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let plain = raw.replacingOccurrences(of: "_", with: "")
        var body = Substring(plain)
        var negative = false
        if body.first == "-" || body.first == "+" { negative = body.first == "-"; body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        func signed(_ v: Double) -> Double { negative ? -v : v }
        if body.hasPrefix("0x") { return UInt64(body.dropFirst(2), radix: 16).map { signed(Double($0)) } }
        if body.hasPrefix("0b") { return UInt64(body.dropFirst(2), radix: 2).map { signed(Double($0)) } }
        if body.count > 1, body.first == "0", body.allSatisfy({ $0.isNumber }) {
            return UInt64(body.dropFirst(), radix: 8).map { signed(Double($0)) }
        }
        // Decimal integer or float: [0-9]+ or [0-9]*\.[0-9]*([eE][-+][0-9]+)?
        var sawDigit = false, sawDot = false, sawExp = false
        var index = body.startIndex
        while index < body.endIndex {
            let c = body[index]
            if c.isASCII, c.isNumber { sawDigit = true }
            else if c == "." && !sawDot && !sawExp { sawDot = true }
            else if (c == "e" || c == "E") && sawDigit && !sawExp {
                sawExp = true
                let next = body.index(after: index)
                guard next < body.endIndex else { return nil }
                if body[next] == "+" || body[next] == "-" { index = next }
                guard body.index(after: index) < body.endIndex else { return nil }
            } else { return nil }
            index = body.index(after: index)
        }
        guard sawDigit else { return nil }
        return Double(plain)
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` as `%v` prints a float64.
enum GoFloat {
    static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest round-trip digits; re-shape it Go's way.
        let (digits, exponent) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        let exp10 = exponent - 1
        if exp10 < -4 || exp10 >= 21 {
            var s = String(digits.first!)
            if digits.count > 1 { s += "." + digits.dropFirst() }
            let e = abs(exp10)
            return sign + s + "e" + (exp10 < 0 ? "-" : "+") + (e < 10 ? "0" : "") + String(e)
        }
        if exponent <= 0 { return sign + "0." + String(repeating: "0", count: -exponent) + digits }
        if exponent >= digits.count { return sign + digits + String(repeating: "0", count: exponent - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: exponent)
        return sign + digits[..<i] + "." + digits[i...]
    }

    /// Shortest decimal digits and the position of the decimal point (value = 0.DIGITS × 10^exponent).
    static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = "\(d)"  // e.g. "1.5", "1e-05", "1.2345e+20"
        var mantissa = text
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(text[..<e])
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var frac = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = String(mantissa[..<dot])
            frac = String(mantissa[mantissa.index(after: dot)...])
        }
        var digits = intPart + frac
        var point = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, point)
    }
}
