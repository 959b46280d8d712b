import Foundation
import Testing
@testable import GoTemplate
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `$SHARED_DIR/charts`, else the `shared/` folder beside the repository (as CI lays it out).
private let sharedCharts: String = {
    if let env = ProcessInfo.processInfo.environment["SHARED_DIR"], !env.isEmpty { return env + "/charts" }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repo.deletingLastPathComponent().appendingPathComponent("shared/charts").path
}()

/// Every template file of the shared charts (empty when the fixtures are absent).
func chartTemplateFiles() -> [(path: String, text: String)] {
    var out: [(String, String)] = []
    func walk(_ dir: String) {
        guard let d = opendir(dir) else { return }
        defer { closedir(d) }
        var entries: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            entries.append(name)
        }
        for name in entries.sorted() {
            let path = dir + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                walk(path)
            } else if path.contains("/templates/"), name.hasSuffix(".yaml") || name.hasSuffix(".tpl") || name.hasSuffix(".txt") {
                if let text = readFile(path) { out.append((path, text)) }
            }
        }
    }
    walk(sharedCharts)
    return out
}

func readFile(_ path: String) -> String? {
    guard let f = fopen(path, "rb") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buf[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite struct ChartsAndRobustnessTests {
    @Test func everySharedChartTemplateParses() throws {
        let files = chartTemplateFiles()
        let set = TemplateSet(functions: placeholderFunctions())
        for f in files {
            do {
                try set.parse(name: f.path, text: f.text)
            } catch {
                Issue.record("\(f.path): \(error)")
            }
        }
        if !files.isEmpty { #expect(set.templateNames.count > files.count / 2) }
    }

    @Test func thousandNestedIncludesDoNotOverflowTheStack() throws {
        // Helm allows 1000 nested includes of one name; the golden
        // deep-include-recursion-error needs that depth before Helm's own guard fires.
        final class Counter: @unchecked Sendable { var n = 0 }
        let counter = Counter()
        var fns = testFunctions
        fns["include"] = Function("include", parameters: [.string, .interface], result: .string) { args, ctx in
            counter.n += 1
            if counter.n > 1001 { throw FunctionError("rendering template has a nested reference name: loop: unable to execute template") }
            return .string(try ctx.executeTemplate(named: try args.string(0), data: args[1]))
        }
        let set = TemplateSet(functions: fns)
        try set.parse(name: "h.tpl", text: #"{{ define "loop" }}{{ include "loop" . }}{{ end }}"#)
        try set.parse(name: "out.yaml", text: "a: {{ include \"loop\" . }}")
        var message = ""
        runOnLargeStack {
            do { _ = try set.execute(name: "out.yaml", data: .null) } catch { message = "\(error)" }
        }
        #expect(String(message.prefix(300)).hasPrefix(#"template: out.yaml:1:6: executing "out.yaml" at <include "loop" .>: error calling include: template: h.tpl:1:22: executing "loop" at <include "loop" .>: error calling include: "#))
        #expect(String(message.suffix(200)).hasSuffix("error calling include: rendering template has a nested reference name: loop: unable to execute template"))
        #expect(message.ranges(of: "error calling include").count == 1002)
    }

    @Test func deepTemplateRecursionStopsWithAnError() throws {
        let set = TemplateSet()
        try set.parse(name: "t", text: #"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#)
        var message = ""
        runOnLargeStack {
            do { _ = try set.execute(name: "t", data: .null) } catch { message = "\(error)" }
        }
        #expect(message == #"template: t:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (1500)"#)
    }

    @Test func hugeLoopsAndOutputAreBounded() throws {
        let set = TemplateSet()
        set.options.maxSteps = 10_000
        try set.parse(name: "t", text: "{{ range 100000000 }}x{{ end }}")
        #expect(throws: TemplateExecError.self) { _ = try set.execute(name: "t", data: .null) }
        set.options = ExecutionOptions(maxOutputBytes: 1000)
        #expect(throws: TemplateExecError.self) { _ = try set.execute(name: "t", data: .null) }
    }

    @Test func deeplyNestedInputIsAParseErrorNotACrash() {
        let text = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        #expect(render(text) == "ERROR: template: t:1: max expression depth exceeded")
        let ifs = String(repeating: "{{ if 1 }}", count: 3000) + String(repeating: "{{ end }}", count: 3000)
        #expect(render(ifs) == "ERROR: template: t:1: max expression depth exceeded")
    }

    /// Random template text and random data through parser and executor: every input
    /// must end in output or an error, never a crash or a hang (limits bound the work).
    @Test func fuzzParserAndExecutor() {
        var rng = SplitMix(seed: 0x5EED)
        let fragments = [
            "{{", "}}", "{{-", "-}}", " ", "\n", "x", "if", "else", "end", "range", "with", "define", "template",
            "block", "break", "continue", "nil", "true", ".", ".a", ".a.b", ".l", ".m", "$", "$x", "$x :=", "$i, $v :=",
            "=", "|", "(", ")", "\"s\"", "`r`", "'c'", "1", "-2", "3.5", "1e3", "0x1F", "and", "or", "not", "eq", "ne",
            "lt", "le", "gt", "ge", "index", "slice", "len", "print", "printf", "\"%d %s %v %5.2f\"", "println", "html",
            "js", "urlquery", "call", "quote", "list", "dict", "include", "\"t\"", "/*", "*/", ",", ":", "\\", "é", "\u{0}",
        ]
        let datas: [Value] = [
            .null, .noValue, 1, 2.5, "s", [1, "a", nil], ["a": ["b": 1.0], "l": [1, 2, 3], "m": ["k": "v"], "x": nil],
            .typedNil(.dict), .bytes([1, 2]),
        ]
        var completed = 0
        for _ in 0..<3000 {
            var text = ""
            let n = Int(rng.next() % 40)
            for _ in 0..<n { text += fragments[Int(rng.next() % UInt64(fragments.count))] }
            let set = TemplateSet(functions: testFunctions)
            set.options = ExecutionOptions(maxDepth: 50, maxOutputBytes: 1 << 16, maxSteps: 10_000)
            do {
                try set.parse(name: "t", text: text)
                for name in set.templateNames {
                    _ = try? set.execute(name: name, data: datas[Int(rng.next() % UInt64(datas.count))])
                }
            } catch {}
            completed += 1
        }
        #expect(completed == 3000)
        // Random bytes through the lexer and parser.
        for _ in 0..<2000 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next() % 128) }
            let text = "{{" + String(decoding: bytes, as: UTF8.self)
            _ = render(text, ["a": 1])
        }
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs `body` on a thread with a 256 MiB stack, as the Helm renderer does.
func runOnLargeStack(_ body: @escaping () -> Void) {
    final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    pthread_attr_setstacksize(&attr, 256 << 20)
    let box = Unmanaged.passRetained(Box(body))
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t? = nil
    #endif
    let rc = pthread_create(&thread, &attr, { raw in
        let b = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        b.body()
        return nil
    }, box.toOpaque())
    precondition(rc == 0)
    #if canImport(Glibc)
    pthread_join(thread, nil)
    #else
    if let t = thread { pthread_join(t, nil) }
    #endif
}
