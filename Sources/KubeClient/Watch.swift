import Foundation
import KubeModel
import KubeModel

extension KubeClient {
    /// Watches a resource. Without `resourceVersion` it lists first and yields
    /// `.relisted` with the current objects; then it watches with bookmarks,
    /// re-watches from the last seen resourceVersion when the server ends the
    /// stream, and lists again (`.relisted`) when the server answers 410 Gone.
    /// Stops when the consumer stops iterating; throws other API errors, and
    /// transport errors once `maxReconnects` consecutive attempts failed.
    public func watch(_ mapping: RESTMapping, namespace: String? = nil, resourceVersion: String? = nil,
                      labelSelector: String? = nil, fieldSelector: String? = nil,
                      timeoutSeconds: Int = 300, maxReconnects: Int = 5) -> AsyncThrowingStream<WatchEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        let task = Task { [self] in
            do {
                try await runWatch(mapping, namespace: namespace, resourceVersion: resourceVersion,
                                   labelSelector: labelSelector, fieldSelector: fieldSelector,
                                   timeoutSeconds: timeoutSeconds, maxReconnects: maxReconnects,
                                   yield: { continuation.yield($0) })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    public func watch(_ gvk: GroupVersionKind, namespace: String? = nil, resourceVersion: String? = nil,
                      labelSelector: String? = nil, fieldSelector: String? = nil,
                      timeoutSeconds: Int = 300) async throws(KubeClientError) -> AsyncThrowingStream<WatchEvent, any Error> {
        watch(try await mapping(for: gvk), namespace: namespace, resourceVersion: resourceVersion,
              labelSelector: labelSelector, fieldSelector: fieldSelector, timeoutSeconds: timeoutSeconds)
    }

    private enum StreamEnd { case ended, gone }

    private func runWatch(_ mapping: RESTMapping, namespace: String?, resourceVersion: String?, labelSelector: String?,
                          fieldSelector: String?, timeoutSeconds: Int, maxReconnects: Int,
                          yield: @Sendable (WatchEvent) -> Void) async throws(KubeClientError) {
        let scopedNamespace = mapping.namespaced ? namespace : nil
        var rv = resourceVersion
        var failures = 0
        while !Task.isCancelled {
            if rv == nil {
                let list = try await list(mapping, namespace: scopedNamespace, labelSelector: labelSelector,
                                          fieldSelector: fieldSelector)
                rv = list.resourceVersion
                yield(.relisted(list.items, resourceVersion: list.resourceVersion))
            }
            var query: [(String, String)] = [("watch", "true"), ("allowWatchBookmarks", "true"),
                                             ("timeoutSeconds", String(timeoutSeconds))]
            if let rv { query.append(("resourceVersion", rv)) }
            if let labelSelector { query.append(("labelSelector", labelSelector)) }
            if let fieldSelector { query.append(("fieldSelector", fieldSelector)) }
            let path = mapping.collectionPath(namespace: scopedNamespace)
            do {
                // The server closes after timeoutSeconds; a silent connection is dropped after that plus a margin.
                let response = try await executor.stream(path, query: query, idleTimeout: .seconds(timeoutSeconds + 30))
                failures = 0
                let end = try await consume(response, mapping: mapping, path: path, rv: &rv, yield: yield)
                if end == .gone { rv = nil }
            } catch {
                if error.apiError?.reason == .gone {
                    rv = nil  // too old: list again
                    continue
                }
                if Task.isCancelled || error.transportError?.kind == .cancelled { return }
                guard error.transportError != nil, failures < maxReconnects else { throw error }
                failures += 1
                do {
                    try await executor.clock.sleep(for: executor.retryPolicy.delay(beforeRetry: failures, random: Double.random(in: 0..<1)))
                } catch {
                    return
                }
            }
        }
    }

    private func consume(_ response: HTTPStreamingResponse, mapping: RESTMapping, path: String, rv: inout String?,
                         yield: @Sendable (WatchEvent) -> Void) async throws(KubeClientError) -> StreamEnd {
        var splitter = LineSplitter()
        do {
            for try await chunk in response.body {
                for line in splitter.push(chunk) where !line.isEmpty {
                    let event: JSONValue
                    do {
                        event = try JSON.decode(line)
                    } catch {
                        throw KubeClientError.invalidResponse(request: "GET \(path) (watch)", message: error.description)
                    }
                    let object = event.member("object") ?? .null
                    var kubeObject = KubeObject(object)
                    kubeObject.fillTypeIfMissing(mapping.kind)
                    switch event.member("type")?.asString {
                    case "ADDED":
                        rv = kubeObject.resourceVersion ?? rv
                        yield(.added(kubeObject))
                    case "MODIFIED":
                        rv = kubeObject.resourceVersion ?? rv
                        yield(.modified(kubeObject))
                    case "DELETED":
                        rv = kubeObject.resourceVersion ?? rv
                        yield(.deleted(kubeObject))
                    case "BOOKMARK":
                        if let mark = kubeObject.resourceVersion {
                            rv = mark
                            yield(.bookmark(resourceVersion: mark))
                        }
                    case "ERROR":
                        let status = APIStatus(object) ?? APIStatus(code: 500, message: "watch error without a Status")
                        let error = APIError(reason: APIError.classify(status: status, httpCode: status.code),
                                             status: status, request: "GET \(path) (watch)")
                        if error.reason == .gone { return .gone }
                        throw KubeClientError.api(error)
                    default:
                        throw KubeClientError.invalidResponse(request: "GET \(path) (watch)",
                                                              message: "unknown event type \(event.member("type")?.asString ?? "<none>")")
                    }
                }
            }
        } catch let error as KubeClientError {
            throw error
        } catch let error as TransportError {
            throw .transport(error)
        } catch {
            throw .transport(TransportError(kind: .other, request: "GET \(path) (watch)", message: "\(error)"))
        }
        return .ended
    }
}
