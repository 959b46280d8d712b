import Foundation

/// Media types Helm uses for charts in OCI registries.
public enum HelmMediaType {
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    public static let config = "application/vnd.cncf.helm.config.v1+json"
    public static let chartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
    /// Charts pushed by Helm before 3.8 used this layer type; Helm still reads it.
    public static let legacyChartContent = "application/tar+gzip"
    public static let provenance = "application/vnd.cncf.helm.chart.provenance.v1.prov"
}

/// `oci://REGISTRY/PATH/NAME` plus a version (the tag; `+` becomes `_` as Helm does).
public struct OCIReference: Sendable, Equatable, CustomStringConvertible {
    /// `host` or `host:port`.
    public var registry: String
    /// `PATH/NAME`, without the registry.
    public var repository: String
    /// The chart version as the profile spells it.
    public var version: String
    /// The tag: `version` with `+` replaced by `_` (tags may not contain `+`).
    public var tag: String

    public var name: String { repository.split(separator: "/").last.map(String.init) ?? repository }
    public var description: String { "oci://\(registry)/\(repository):\(tag)" }

    public init(_ source: String, version: String) throws(ChartFetchError) {
        guard source.hasPrefix("oci://") else { throw ChartFetchError(.invalidReference, source, "not an oci:// reference") }
        let rest = source.dropFirst("oci://".count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else {
            throw ChartFetchError(.invalidReference, source, "must be oci://REGISTRY/PATH/NAME")
        }
        registry = String(rest[..<slash])
        var repo = String(rest[rest.index(after: slash)...])
        while repo.hasSuffix("/") { repo.removeLast() }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-/")
        guard !repo.isEmpty, repo.allSatisfy({ allowed.contains($0) }), !repo.contains("//") else {
            throw ChartFetchError(.invalidReference, source, "repository path must be lower-case letters, digits, . _ - and /, without a tag (the version is the tag)")
        }
        repository = repo
        guard !version.isEmpty else {
            throw ChartFetchError(.missingVersion, source, "an OCI chart needs a version (the tag to pull); set spec.charts.NAME.version")
        }
        // Tags: [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (distribution spec).
        let tagChars = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let t = version.replacingOccurrences(of: "+", with: "_")
        guard t.count <= 128, t.allSatisfy({ tagChars.contains($0) }), t.first != ".", t.first != "-" else {
            throw ChartFetchError(.invalidReference, source, "version \(version) is not a valid OCI tag")
        }
        self.version = version
        tag = t
    }
}
