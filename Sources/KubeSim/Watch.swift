import Foundation
import KubeModel

struct Watcher {
    var info: ResourceInfo
    var namespace: String?
    var label: LabelSelector?
    var field: FieldSelector?
    var asTable: Bool
    var continuation: AsyncStream<[UInt8]>.Continuation
    var sentHeaders: Bool
}

extension KubeSim {
    func watch(_ t: Target, _ req: KubeRequest) throws(APIError) -> KubeResponse {
        let label = try req.queryValue("labelSelector").map(LabelSelector.parse)
        let field = try req.queryValue("fieldSelector").map(FieldSelector.parse)
        let rvParam = req.queryValue("resourceVersion") ?? ""
        let asTable = wantsTable(req)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let id = nextWatcherID
        nextWatcherID += 1
        var w = Watcher(info: t.info, namespace: t.info.namespaced ? t.namespace : nil, label: label, field: field,
                        asTable: asTable, continuation: continuation, sentHeaders: false)
        let sendInitial = req.queryValue("sendInitialEvents") == "true"
        if rvParam.isEmpty || rvParam == "0" || sendInitial {
            for (_, s) in try matchingObjects(t, req) {
                continuation.yield(encodeEvent("ADDED", s.object, &w))
            }
            if sendInitial && req.queryBool("allowWatchBookmarks") {
                continuation.yield(bookmark(t.info, initialEventsEnd: true))
            }
        } else {
            guard let from = Int64(rvParam) else {
                throw APIError.badRequest("resourceVersion: Invalid value: \"\(rvParam)\": strconv.ParseUint: parsing \"\(rvParam)\": invalid syntax")
            }
            let oldest = history.count > historyStart ? history[historyStart].resourceVersion : resourceVersion + 1
            if from + 1 < oldest && from < resourceVersion {
                let e = APIError.gone("too old resource version: \(from) (\(oldest - 1))")
                continuation.yield(encodeRaw("ERROR", e.status))
                continuation.finish()
                return KubeResponse(status: 200, headers: watchHeaders, body: .stream(stream, cancel: {}))
            }
            for e in history[historyStart...] where e.resourceVersion > from && e.resource == t.gr {
                if let line = eventLine(e, &w) { continuation.yield(line) }
            }
        }
        watchers[id] = w
        let timeout = req.queryValue("timeoutSeconds").flatMap(Int.init)
        let bookmarks = req.queryBool("allowWatchBookmarks")
        let interval = options.bookmarkInterval
        let timer = Task { [weak self] in
            let deadline = ContinuousClock.now + .seconds(timeout ?? 1800)
            while !Task.isCancelled && ContinuousClock.now < deadline {
                let step = bookmarks ? min(interval, deadline - ContinuousClock.now) : deadline - ContinuousClock.now
                try? await Task.sleep(for: step)
                if Task.isCancelled { return }
                if bookmarks, ContinuousClock.now < deadline { await self?.sendBookmark(id) }
            }
            await self?.endWatch(id)
        }
        continuation.onTermination = { [weak self] _ in
            timer.cancel()
            Task { await self?.endWatch(id) }
        }
        return KubeResponse(status: 200, headers: watchHeaders, body: .stream(stream, cancel: { continuation.finish() }))
    }

    var watchHeaders: [(String, String)] {
        [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"), ("Cache-Control", "no-cache, private")]
    }

    func endWatch(_ id: Int) {
        if let w = watchers.removeValue(forKey: id) { w.continuation.finish() }
    }

    /// Number of open watches (tests use it to check clean-up).
    public var openWatchCount: Int { watchers.count }

    func sendBookmark(_ id: Int) {
        guard let w = watchers[id] else { return }
        w.continuation.yield(bookmark(w.info, initialEventsEnd: false))
    }

    func bookmark(_ info: ResourceInfo, initialEventsEnd: Bool) -> [UInt8] {
        var md: JSONObject = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { md["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return encodeRaw("BOOKMARK", ["kind": .string(info.kind), "apiVersion": .string(info.apiVersion), "metadata": .object(md)])
    }

    func dispatch(_ e: ChangeEvent) {
        guard !watchers.isEmpty else { return }
        for (id, var w) in watchers where w.info.groupResource == e.resource {
            if let line = eventLine(e, &w) {
                w.continuation.yield(line)
                watchers[id] = w
            }
        }
    }

    func matches(_ w: Watcher, _ obj: JSONValue?) -> Bool {
        guard let obj else { return false }
        if let ns = w.namespace, obj["metadata"]?["namespace"]?.stringValue != ns { return false }
        if let l = w.label, !l.matches(obj["metadata"]?["labels"]?.objectValue) { return false }
        if let f = w.field, !f.matches(obj) { return false }
        return true
    }

    /// The line a watcher receives for a change, with selector transitions turned into
    /// ADDED/DELETED as the watch cache does.
    func eventLine(_ e: ChangeEvent, _ w: inout Watcher) -> [UInt8]? {
        let now = matches(w, e.object)
        let before = e.kind == .added ? false : matches(w, e.oldObject)
        switch e.kind {
        case .added: return now ? encodeEvent("ADDED", e.object, &w) : nil
        case .deleted: return before || now ? encodeEvent("DELETED", e.object, &w) : nil
        case .modified:
            if now && before { return encodeEvent("MODIFIED", e.object, &w) }
            if now { return encodeEvent("ADDED", e.object, &w) }
            if before { return encodeEvent("DELETED", e.object, &w) }
            return nil
        }
    }

    func encodeEvent(_ type: String, _ object: JSONValue, _ w: inout Watcher) -> [UInt8] {
        if w.asTable {
            let t = table(w.info, [object], rv: resourceVersion, includeHeaders: !w.sentHeaders)
            w.sentHeaders = true
            return encodeRaw(type, t)
        }
        var obj = object
        if obj["apiVersion"]?.stringValue != w.info.apiVersion { obj["apiVersion"] = .string(w.info.apiVersion) }
        return encodeRaw(type, obj)
    }

    func encodeRaw(_ type: String, _ object: JSONValue) -> [UInt8] {
        var out = Array("{\"type\":\"\(type)\",\"object\":".utf8)
        object.encode(into: &out)
        out += Array("}\n".utf8)
        return out
    }
}
