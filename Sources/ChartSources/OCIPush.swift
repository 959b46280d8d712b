import Foundation
import Helm
import KubeClient
import YAML

extension OCIRegistryClient {
    /// Pushes a packaged chart as `helm push` does: the config blob (Chart.yaml metadata as
    /// JSON), the chart layer, then the OCI manifest tagged with the version (`+` → `_`).
    /// Blobs the registry has already are not uploaded again. Returns the manifest digest.
    @discardableResult
    public func push(_ chart: PackagedChart, to ref: OCIReference) async throws(ChartFetchError) -> String {
        guard chart.name == ref.name else {
            throw ChartFetchError(.invalidReference, ref.description, "the reference names \(ref.name), the chart is \(chart.name)")
        }
        let config = Self.configJSON(chart.metadata)
        let configDigest = try await uploadBlob(config, ref: ref)
        let layerDigest = try await uploadBlob(chart.bytes, ref: ref)
        let manifest = Self.manifestJSON(config: (configDigest, config.count), layer: (layerDigest, chart.bytes.count),
                                         layerMediaType: HelmMediaType.chartContent, name: chart.name, version: chart.version)
        return try await putManifest(manifest, ref: ref)
    }

    /// PUTs `manifest` under `ref`'s tag; returns its digest (checked against the registry's).
    @discardableResult
    public func putManifest(_ manifest: [UInt8], ref: OCIReference, mediaType: String = HelmMediaType.manifest) async throws(ChartFetchError) -> String {
        let manifestURL = try url(ref, "manifests/\(ref.tag)")
        var headers = HTTPHeaders()
        headers.add("Content-Type", mediaType)
        let response = try await send(HTTPRequest(method: "PUT", url: manifestURL, headers: headers, body: Data(manifest)), ref: ref, push: true)
        try check(response, ref: ref, what: .pushManifest)
        let digest = Digest.sha256(manifest)
        if let stored = response.headers["Docker-Content-Digest"], Digest.hex(of: stored) != Digest.hex(of: digest) {
            throw ChartFetchError(.digestMismatch, ref.description, "the registry stored the manifest as \(stored), we sent \(digest)")
        }
        return digest
    }

    /// Uploads `bytes` (monolithic POST then PUT ?digest=) unless the registry has them; returns the digest.
    @discardableResult
    public func uploadBlob(_ bytes: [UInt8], ref: OCIReference) async throws(ChartFetchError) -> String {
        let digest = Digest.sha256(bytes)
        let head = try await send(HTTPRequest(method: "HEAD", url: try url(ref, "blobs/\(digest)")), ref: ref, push: true)
        if head.statusCode == 200 { return digest }
        let start = try url(ref, "blobs/uploads/")
        let started = try await send(HTTPRequest(method: "POST", url: start, body: Data()), ref: ref, push: true)
        try check(started, ref: ref, what: .upload)
        guard let location = started.headers["Location"], let uploadURL = URL(string: location, relativeTo: start)?.absoluteURL,
              var c = URLComponents(url: uploadURL, resolvingAgainstBaseURL: true) else {
            throw ChartFetchError(.invalidManifest, ref.description, "the registry gave no upload Location")
        }
        c.queryItems = (c.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest)]
        // `+` in a query means space to some servers; the upload state may hold one.
        c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let put = c.url else { throw ChartFetchError(.invalidManifest, ref.description, "bad upload Location") }
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/octet-stream")
        let done = try await send(HTTPRequest(method: "PUT", url: put, headers: headers, body: Data(bytes)), ref: ref, push: true)
        try check(done, ref: ref, what: .upload)
        return digest
    }

    /// Helm's config blob: `json.Marshal(chart.Metadata)` (Go field order, empty fields omitted).
    static func configJSON(_ m: ChartMetadata) -> [UInt8] {
        var fields: [String] = []
        func add(_ key: String, _ value: String) { if !value.isEmpty { fields.append("\(jsonString(key)):\(jsonString(value))") } }
        func addList(_ key: String, _ values: [String]) {
            if !values.isEmpty { fields.append("\(jsonString(key)):[" + values.map(jsonString).joined(separator: ",") + "]") }
        }
        add("name", m.name)
        add("home", m.home)
        addList("sources", m.sources)
        add("version", m.version)
        add("description", m.description)
        addList("keywords", m.keywords)
        if !m.maintainers.isEmpty {
            let items = m.maintainers.map { mt -> String in
                var f: [String] = []
                for (k, v) in [("name", mt.name), ("email", mt.email), ("url", mt.url)] where !v.isEmpty {
                    f.append("\(jsonString(k)):\(jsonString(v))")
                }
                return "{" + f.joined(separator: ",") + "}"
            }
            fields.append("\"maintainers\":[" + items.joined(separator: ",") + "]")
        }
        add("icon", m.icon)
        add("apiVersion", m.apiVersion)
        add("condition", m.condition)
        add("tags", m.tags)
        add("appVersion", m.appVersion)
        if m.deprecated { fields.append("\"deprecated\":true") }
        if let annotations = m.annotations, !annotations.isEmpty {
            // Go marshals maps with sorted keys.
            let items = annotations.sorted { $0.0 < $1.0 }.map { "\(jsonString($0.0)):\(jsonString($0.1))" }
            fields.append("\"annotations\":{" + items.joined(separator: ",") + "}")
        }
        add("kubeVersion", m.kubeVersion)
        if !m.dependencies.isEmpty {
            let items = m.dependencies.map { d -> String in
                var f: [String] = []
                for (k, v) in [("name", d.name), ("version", d.version), ("repository", d.repository), ("condition", d.condition)] where !v.isEmpty {
                    f.append("\(jsonString(k)):\(jsonString(v))")
                }
                if !d.tags.isEmpty { f.append("\"tags\":[" + d.tags.map(jsonString).joined(separator: ",") + "]") }
                return "{" + f.joined(separator: ",") + "}"
            }
            fields.append("\"dependencies\":[" + items.joined(separator: ",") + "]")
        }
        add("type", m.type)
        return Array(("{" + fields.joined(separator: ",") + "}").utf8)
    }

    /// The OCI image manifest Helm writes (annotations as Helm 3.8+ sets them).
    static func manifestJSON(config: (String, Int), layer: (String, Int), layerMediaType: String, name: String, version: String) -> [UInt8] {
        let text = """
            {"schemaVersion":2,"mediaType":\(jsonString(HelmMediaType.manifest)),\
            "config":{"mediaType":\(jsonString(HelmMediaType.config)),"digest":\(jsonString(config.0)),"size":\(config.1)},\
            "layers":[{"mediaType":\(jsonString(layerMediaType)),"digest":\(jsonString(layer.0)),"size":\(layer.1)}],\
            "annotations":{"org.opencontainers.image.title":\(jsonString(name)),"org.opencontainers.image.version":\(jsonString(version))}}
            """
        return Array(text.utf8)
    }

    /// Go's encoding/json string quoting, as Helm writes its manifest and config JSON.
    static func jsonString(_ s: String) -> String { GoJSON.quote(s) }
}
