import Foundation
import GoTemplate
import YAML

/// Runs a chart's templates as Helm's `pkg/engine` does: one shared template set for the
/// chart and its subcharts (parsed deepest path first, so a parent's `define` wins),
/// per-chart built-in objects, partials and NOTES kept out of the output, `<no value>` erased.
struct TemplateEngine {
    let chart: Chart
    let values: YAMLMapping
    let options: RenderOptions

    /// Extra functions (Sprig and Helm's data functions) registered before Helm's own.
    nonisolated(unsafe) static var libraryFunctions: () -> FunctionMap = { SprigFunctions.all }

    /// Helm's recursion guard for `include` (`recursionMaxNums`).
    static let recursionMax = 1000

    /// Counters shared by every `include` of one render (Helm's `includedNames`).
    final class IncludeCounter: @unchecked Sendable {
        var counts: [String: Int] = [:]
    }

    private struct Renderable {
        var text: String
        var data: GoMap
        var basePath: String
    }

    /// Stack for template execution: deep `include` chains (Helm allows 1000 nested includes
    /// of one name) recurse through the executor, more than a default thread stack holds.
    static let stackSize = 512 << 20

    func render() throws -> [String: String] {
        final class Box: @unchecked Sendable { var result: Result<[String: String], any Error> = .success([:]) }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let engine = self
        let thread = Thread {
            box.result = Result { try engine.renderOnCurrentThread() }
            done.signal()
        }
        thread.stackSize = Self.stackSize
        thread.start()
        done.wait()
        return try box.result.get()
    }

    private func renderOnCurrentThread() throws -> [String: String] {
        var templates: [String: Renderable] = [:]
        let valuesMap = ValueBridge.goMap(values)
        let release = GoMap([
            "Name": .string(options.releaseName),
            "Namespace": .string(options.namespace),
            "IsUpgrade": .bool(options.isUpgrade),
            "IsInstall": .bool(!options.isUpgrade),
            "Revision": .int(options.revision),
            "Service": .string("Helm"),
        ])
        let caps = Value.object(CapabilitiesObject(options.capabilities))
        _ = collect(chart, fullPath: chart.name, isRoot: true, parentValues: valuesMap,
                    release: .map(release), capabilities: caps, into: &templates)

        let set = TemplateSet(functions: Self.libraryFunctions())
        set.addFunctions(Self.engineFunctions)
        let counter = IncludeCounter()
        var execOptions = ExecutionOptions(missingKey: .zero)
        execOptions.state = counter
        set.options = execOptions

        let order = templates.keys.sorted(by: Self.parseOrder)
        for name in order {
            guard let t = templates[name] else { continue }
            do { try set.parse(name: name, text: t.text) } catch {
                throw HelmError(.template, Self.parseErrorMessage(error))
            }
        }
        var rendered: [String: String] = [:]
        for name in order {
            guard let t = templates[name] else { continue }
            if (name.split(separator: "/").last ?? "").hasPrefix("_") { continue }
            t.data["Template"] = .map(GoMap(["Name": .string(name), "BasePath": .string(t.basePath)]))
            do {
                let out = try set.execute(name: name, data: .map(t.data), options: execOptions)
                rendered[name] = FastText.removingAll("<no value>", from: out)
            } catch {
                throw HelmError(.template, Self.execErrorMessage(error))
            }
        }
        return rendered
    }

    /// Helm's `recAllTpls`: builds each chart's top-level object and registers its templates.
    private func collect(_ c: Chart, fullPath: String, isRoot: Bool, parentValues: GoMap, release: Value,
                         capabilities: Value, into templates: inout [String: Renderable]) -> GoMap {
        let chartValues: GoMap
        if isRoot {
            chartValues = parentValues
        } else if case .map(let m)? = parentValues[c.name] {
            chartValues = m
        } else {
            chartValues = GoMap()
        }
        let subcharts = GoMap()
        let metadata = ValueBridge.metadata(c.metadata)
        metadata["IsRoot"] = .bool(isRoot)
        let next = GoMap([
            "Chart": .map(metadata),
            "Files": .object(FilesObject(c.files.map { ($0.name, $0.data) })),
            "Release": release,
            "Capabilities": capabilities,
            "Values": .map(chartValues),
            "Subcharts": .map(subcharts),
        ])
        for dep in c.dependencies {
            let sub = collect(dep, fullPath: fullPath + "/charts/" + dep.name, isRoot: false, parentValues: chartValues,
                              release: release, capabilities: capabilities, into: &templates)
            subcharts[dep.name] = .map(sub)
        }
        for t in c.templates {
            // Library charts only contribute partials.
            if c.isLibrary && !(t.name.split(separator: "/").last ?? "").hasPrefix("_") { continue }
            templates[fullPath + "/" + t.name] = Renderable(text: t.text, data: next, basePath: fullPath + "/templates")
        }
        return next
    }

    /// `sortTemplates`: more path segments first; equal depth in reverse name order.
    static func parseOrder(_ a: String, _ b: String) -> Bool {
        let ca = a.utf8.filter { $0 == 0x2F }.count, cb = b.utf8.filter { $0 == 0x2F }.count
        if ca != cb { return ca > cb }
        return ManifestSorter.goLess(b, a)
    }

    // MARK: Helm's engine functions

    static let warnStart = "HELM_ERR_START", warnEnd = "HELM_ERR_END"

    static var engineFunctions: FunctionMap {
        [
            "include": Function("include", parameters: [.string, .interface], result: .string) { args, ctx in
                let name = try args.string(0)
                let counter = ctx.state as? IncludeCounter
                if let counter {
                    let n = counter.counts[name, default: 0]
                    if n > recursionMax {
                        throw FunctionError("rendering template has a nested reference name: \(name): unable to execute template")
                    }
                    counter.counts[name] = n + 1
                }
                defer { counter?.counts[name, default: 1] -= 1 }
                do {
                    return .string(try ctx.executeTemplate(named: name, data: args[1]))
                } catch is TemplateError where !ctx.templates.hasTemplate(named: name) {
                    // Helm executes through its root template, named "gotpl".
                    throw FunctionError("template: no template \(goQuote(name)) associated with template \"gotpl\"")
                }
            },
            "tpl": Function("tpl", parameters: [.string, .interface], result: .string) { args, ctx in
                let text = try args.string(0)
                let clone = ctx.templates.clone()
                do { try clone.parse(name: "gotpl", text: text) } catch {
                    throw FunctionError("cannot parse template \(goQuote(text)): \(errorDescription(error))")
                }
                do {
                    let out = try ctx.executeTemplate(named: "gotpl", in: clone, data: args[1])
                    return .string(FastText.removingAll("<no value>", from: out))
                } catch {
                    throw WrappedError(message: "error during tpl function execution for \(goQuote(text)): \(errorDescription(error))", underlying: error)
                }
            },
            "required": Function("required", parameters: [.string, .interface]) { args, _ in
                let warn = try args.string(0)
                switch args[1] {
                case .null, .noValue: throw FunctionError(warnStart + warn + warnEnd)
                case .string(let s) where s.isEmpty: throw FunctionError(warnStart + warn + warnEnd)
                default: return args[1]
                }
            },
            "fail": Function("fail", parameters: [.string], result: .string) { args, _ in
                throw FunctionError(warnStart + (try args.string(0)) + warnEnd)
            },
            "lookup": Function("lookup", parameters: [.string, .string, .string, .string], result: .dict) { _, _ in
                .map(GoMap())
            },
            "getHostByName": Function("getHostByName", parameters: [.string], result: .string) { _, _ in .string("") },
        ]
    }

    /// An error that keeps its cause for Helm's error-chain walk.
    struct WrappedError: Error, CustomStringConvertible, Sendable {
        var message: String
        var underlying: any Error
        var description: String { message }
    }

    // MARK: Helm's error reformatting

    static func errorDescription(_ e: any Error) -> String {
        String(describing: e)
    }

    /// `cleanupParseError`: `parse error at (FILE:LINE): MSG`.
    static func parseErrorMessage(_ error: any Error) -> String {
        let text = errorDescription(error)
        let tokens = text.components(separatedBy: ": ")
        if tokens.count == 1 { return "parse error in (\(text))" }
        return "parse error at (\(tokens[1])): \(tokens[tokens.count - 1])"
    }

    /// `reformatExecErrorMsg`: `required`/`fail` become `execution error at (LOC): MSG`;
    /// a chain of template errors becomes Helm's indented trace; anything else is raw.
    static func execErrorMessage(_ error: any Error) -> String {
        let text = errorDescription(error)
        guard error is TemplateExecError else { return text }
        let tokens = text.components(separatedBy: ": ")
        guard tokens.count >= 3 else { return text }
        let location = tokens[1]
        let rest = tokens[2...].joined(separator: ": ")
        if let s = rest.range(of: warnStart), let e = rest.range(of: warnEnd, options: .backwards), s.upperBound <= e.lowerBound {
            return "execution error at (\(location)): \(rest[s.upperBound..<e.lowerBound])"
        }
        // Walk the chain as Go's errors.Unwrap would.
        var traces: [(location: String, function: String, message: String)] = []
        var current: (any Error)? = error
        while let e = current {
            let message = errorDescription(e)
            guard let t = parseTrace(message) else { return text }
            if traces.last.map({ $0 != t }) ?? true { traces.append(t) }
            switch e {
            case let x as TemplateExecError: current = x.underlying
            case let x as WrappedError: current = x.underlying
            default: current = nil
            }
        }
        var out = ""
        for t in traces {
            if !t.location.isEmpty { out += t.location + "\n  " }
            if !t.function.isEmpty { out += t.function + "\n    " }
            if !t.message.isEmpty { out += t.message + "\n" }
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `parseTemplateExecErrorString`.
    static func parseTrace(_ s: String) -> (location: String, function: String, message: String)? {
        let prefix = "template: "
        guard s.hasPrefix(prefix) else { return nil }
        let remainder = String(s.dropFirst(prefix.count))
        if remainder.hasPrefix("no template ") { return ("", "", s) }
        if let r = remainder.range(of: ": executing ") {
            let name = String(remainder[..<r.lowerBound])
            let after = remainder[r.upperBound...]
            guard after.first == "\"", let endQuote = after.dropFirst().firstIndex(of: "\"") else { return nil }
            let function = String(after[after.index(after: after.startIndex)..<endQuote])
            let afterFunc = after[after.index(after: endQuote)...]
            guard afterFunc.hasPrefix(" at <") else { return nil }
            let afterAt = afterFunc.dropFirst(5)
            guard let sep = afterAt.range(of: ">: ") else { return nil }
            let loc = String(afterAt[..<sep.lowerBound])
            var msg = String(afterAt[sep.upperBound...])
            if let cut = msg.range(of: " template:") { msg = String(msg[..<cut.lowerBound]) }
            return (name, "executing \"\(function)\" at <\(loc)>:", msg)
        }
        if let sep = remainder.range(of: ": ", options: .backwards) {
            var msg = String(remainder[sep.upperBound...])
            if let cut = msg.range(of: " template:") { msg = String(msg[..<cut.lowerBound]) }
            return (String(remainder[..<sep.lowerBound]), "", msg)
        }
        return nil
    }
}


