import CLibYAML
import Foundation

/// Reads a Helm `index.yaml` straight from libyaml's event stream, keeping only the
/// fields `RepositoryIndex.Entry` has. No tree is built, and keys are compared as bytes,
/// so a 20,000-entry index costs little more than libyaml's own scan (docs/charts.md).
enum IndexEventReader {
    enum Outcome {
        case index(RepositoryIndex)
        /// Valid YAML this reader does not interpret (aliases, tags): use the tree decoder.
        case unsupported
        case invalid(String, line: Int)
        case notMapping
        case entriesNotMapping
    }

    /// Where the reader is in the document.
    private enum State {
        case start              // before the top mapping
        case topKey             // expecting a key of the top mapping
        case topValue(TopKey)   // expecting the value of that key
        case chartKey           // in `entries`: expecting a chart name
        case chartVersions      // expecting that chart's sequence
        case version            // in the sequence: expecting an entry mapping (or its end)
        case entryKey           // in an entry: expecting a key
        case entryValue(Field)  // expecting that key's value
        case urls               // in `urls`: expecting scalars
        case done
    }

    private enum TopKey { case entries, generated, other }
    private enum Field { case name, version, digest, appVersion, description, apiVersion, created, urls, other }

    static func read(_ text: String, chart wanted: String?) -> Outcome {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return .unsupported }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        let count = bytes.count
        return bytes.withUnsafeMutableBufferPointer { buffer -> Outcome in
            guard let base = buffer.baseAddress else { return .index(RepositoryIndex()) }
            yaml_parser_set_input_string(&parser, base, count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return run(&parser, wanted: wanted)
        }
    }

    private static func run(_ parser: inout yaml_parser_t, wanted: String?) -> Outcome {
        var index = RepositoryIndex()
        var state = State.start
        // Depth of a value being skipped (unknown keys' mappings and sequences).
        var skipDepth = 0
        var chartName = ""
        var keep = false
        var list: [RepositoryIndex.Entry] = []
        var entry = Entry()
        var event = yaml_event_t()
        var sawTop = false
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
                return .invalid(problem, line: Int(parser.problem_mark.line) + 1)
            }
            defer { yaml_event_delete(&event) }
            let type = event.type
            if type == YAML_STREAM_END_EVENT || type == YAML_DOCUMENT_END_EVENT {
                // Only the first document counts, as Helm's loader reads it.
                if !sawTop { return .notMapping }
                return .index(index)
            }
            if type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT { continue }
            if type == YAML_ALIAS_EVENT { return .unsupported }
            let isStart = type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT
            let isEnd = type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT
            if skipDepth > 0 {
                if isStart { skipDepth += 1 } else if isEnd { skipDepth -= 1 }
                continue
            }
            let scalar = type == YAML_SCALAR_EVENT
            if scalar, event.data.scalar.tag != nil, event.data.scalar.plain_implicit == 0, event.data.scalar.quoted_implicit == 0 {
                return .unsupported  // an explicit tag (e.g. !!binary) changes what the text means
            }
            switch state {
            case .start:
                guard type == YAML_MAPPING_START_EVENT else { return .notMapping }
                sawTop = true
                state = .topKey
            case .topKey:
                if type == YAML_MAPPING_END_EVENT { state = .done; continue }
                guard scalar else { return .unsupported }  // complex keys
                if equals(event, "entries") { state = .topValue(.entries) }
                else if equals(event, "generated") { state = .topValue(.generated) }
                else { state = .topValue(.other) }
            case .topValue(let key):
                switch key {
                case .entries:
                    if type == YAML_MAPPING_START_EVENT { state = .chartKey }
                    else if scalar && isNull(event) { state = .topKey }
                    else { return .entriesNotMapping }
                case .generated:
                    if scalar { index.generated = string(event) } else if isStart { skipDepth = 1 }
                    state = .topKey
                case .other:
                    if isStart { skipDepth = 1 }
                    state = .topKey
                }
            case .chartKey:
                if type == YAML_MAPPING_END_EVENT { state = .topKey; continue }
                guard scalar else { return .unsupported }
                chartName = string(event)
                keep = wanted == nil || wanted == chartName
                state = .chartVersions
            case .chartVersions:
                if type == YAML_SEQUENCE_START_EVENT && keep {
                    list = []
                    state = .version
                } else {
                    if isStart { skipDepth = 1 }  // other charts, or a malformed entry list: ignored as before
                    state = .chartKey
                }
            case .version:
                if type == YAML_SEQUENCE_END_EVENT {
                    index.entries[chartName] = list
                    state = .chartKey
                } else if type == YAML_MAPPING_START_EVENT {
                    entry = Entry()
                    state = .entryKey
                } else if isStart {
                    skipDepth = 1
                }
            case .entryKey:
                if type == YAML_MAPPING_END_EVENT {
                    if entry.name.isEmpty { entry.name = chartName }
                    list.append(RepositoryIndex.Entry(name: entry.name, version: entry.version, urls: entry.urls, digest: entry.digest,
                                                      appVersion: entry.appVersion, description: entry.description,
                                                      apiVersion: entry.apiVersion, created: entry.created))
                    state = .version
                    continue
                }
                guard scalar else { return .unsupported }
                state = .entryValue(field(event))
            case .entryValue(let f):
                if f == .urls {
                    if type == YAML_SEQUENCE_START_EVENT { entry.urls = []; state = .urls; continue }
                    if scalar { state = .entryKey; continue }  // null or malformed: no URLs
                }
                if scalar {
                    let value = isNull(event) ? "" : string(event)
                    switch f {
                    case .name: entry.name = value
                    case .version: entry.version = value
                    case .digest: entry.digest = value
                    case .appVersion: entry.appVersion = value
                    case .description: entry.description = value
                    case .apiVersion: entry.apiVersion = value
                    case .created: entry.created = value
                    case .urls, .other: break
                    }
                } else if isStart {
                    skipDepth = 1
                }
                state = .entryKey
            case .urls:
                if type == YAML_SEQUENCE_END_EVENT { state = .entryKey; continue }
                if scalar {
                    let u = isNull(event) ? "" : string(event)
                    if !u.isEmpty { entry.urls.append(u) }
                } else if isStart {
                    skipDepth = 1
                }
            case .done:
                break
            }
        }
    }

    /// Mutable fields of the entry being read.
    private struct Entry {
        var name = "", version = "", digest = "", appVersion = "", description = "", apiVersion = "", created = ""
        var urls: [String] = []
    }

    private static func field(_ event: yaml_event_t) -> Field {
        let s = event.data.scalar
        guard let p = s.value else { return .other }
        let n = Int(s.length)
        // Dispatch on length first: most keys are rejected without comparing bytes.
        func is_(_ key: StaticString) -> Bool {
            key.utf8CodeUnitCount == n && memcmp(p, key.utf8Start, n) == 0
        }
        switch n {
        case 4: return is_("name") ? .name : (is_("urls") ? .urls : .other)
        case 6: return is_("digest") ? .digest : .other
        case 7: return is_("version") ? .version : (is_("created") ? .created : .other)
        case 10: return is_("appVersion") ? .appVersion : (is_("apiVersion") ? .apiVersion : .other)
        case 11: return is_("description") ? .description : .other
        default: return .other
        }
    }

    private static func equals(_ event: yaml_event_t, _ key: StaticString) -> Bool {
        let s = event.data.scalar
        guard let p = s.value else { return false }
        return Int(s.length) == key.utf8CodeUnitCount && memcmp(p, key.utf8Start, key.utf8CodeUnitCount) == 0
    }

    private static func string(_ event: yaml_event_t) -> String {
        let s = event.data.scalar
        guard let p = s.value else { return "" }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(s.length)), as: UTF8.self)
    }

    /// A plain `null`, `~` or empty scalar (YAML's null), which Helm reads as "".
    private static func isNull(_ event: yaml_event_t) -> Bool {
        let s = event.data.scalar
        guard s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE else { return false }
        let n = Int(s.length)
        if n == 0 { return true }
        guard let p = s.value else { return true }
        func is_(_ key: StaticString) -> Bool { key.utf8CodeUnitCount == n && memcmp(p, key.utf8Start, n) == 0 }
        return is_("~") || is_("null") || is_("Null") || is_("NULL")
    }
}
