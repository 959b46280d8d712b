import CLibArchive
import Foundation
import Helm

/// A packaged chart archive in memory.
public struct PackagedChart: Sendable, Equatable {
    public var name: String
    public var version: String
    public var bytes: [UInt8]
    public var metadata: ChartMetadata

    public init(name: String, version: String, bytes: [UInt8], metadata: ChartMetadata) {
        self.name = name
        self.version = version
        self.bytes = bytes
        self.metadata = metadata
    }

    public var fileName: String { "\(name)-\(version).tgz" }
    /// `sha256:HEX` of the archive bytes.
    public var digest: String { Digest.sha256(bytes) }
}

/// Packs a chart directory as `helm package` does: a gzipped tar whose entries all live
/// under `NAME/`, `.helmignore` (plus Helm's defaults) honoured, no provenance.
///
/// Unlike Helm the output is reproducible, so digests of a packaged directory can be
/// pinned: entries are written Chart.yaml, Chart.lock, values.yaml, values.schema.json, then
/// every other file in byte order; every entry is a regular file with mode 0644, owner
/// 0:0 without user/group names and mtime `modificationTime`; the gzip header carries no
/// timestamp. Files are stored as they are on disk (Helm re-serialises Chart.yaml and
/// expands `charts/*.tgz`; neither changes what a loader sees).
public enum ChartPackager {
    /// 2000-01-01T00:00:00Z: fixed so archives are reproducible, and not the epoch, which
    /// some tar tools flag as suspicious.
    public static let modificationTime: Int = 946_684_800

    public static func package(directory: String) throws(ChartFetchError) -> PackagedChart {
        let files: [ChartFile]
        let chart: Chart
        do {
            files = try Chart.files(inDirectory: directory)
            chart = try Chart.load(files: files)
        } catch {
            throw ChartFetchError(.invalidChart, directory, "not a loadable chart: \(error)")
        }
        guard !chart.metadata.name.isEmpty, !chart.metadata.version.isEmpty else {
            throw ChartFetchError(.invalidChart, directory, "Chart.yaml needs a name and a version")
        }
        let bytes = try archive(files: files, topDirectory: chart.metadata.name, location: directory)
        return PackagedChart(name: chart.metadata.name, version: chart.metadata.version, bytes: bytes, metadata: chart.metadata)
    }

    /// Packages `directory` and writes `NAME-VERSION.tgz` into `destination` (atomically).
    @discardableResult
    public static func package(directory: String, destination: String) throws(ChartFetchError) -> (chart: PackagedChart, path: String) {
        let packaged = try package(directory: directory)
        let path = (destination as NSString).appendingPathComponent(packaged.fileName)
        try FileSystem.writeAtomically(packaged.bytes, to: path)
        return (packaged, path)
    }

    static func order(_ a: ChartFile, _ b: ChartFile) -> Bool {
        let first = ["Chart.yaml", "Chart.lock", "values.yaml", "values.schema.json"]
        let ia = first.firstIndex(of: a.name) ?? first.count, ib = first.firstIndex(of: b.name) ?? first.count
        if ia != ib { return ia < ib }
        return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
    }

    /// A reproducible gzipped tar of `files` under `topDirectory/`.
    public static func archive(files: [ChartFile], topDirectory: String, location: String = "archive") throws(ChartFetchError) -> [UInt8] {
        let sorted = files.sorted(by: order)
        let result: Result<[UInt8], ChartFetchError> = TarWriter.write(
            entries: sorted.map { (topDirectory + "/" + $0.name, $0.data) }, location: location)
        return try result.get()
    }
}

/// Reproducible gzipped tar writing (libarchive, in memory).
enum TarWriter {
    static func write(entries: [(String, [UInt8])], location: String, mtime: Int = ChartPackager.modificationTime) -> Result<[UInt8], ChartFetchError> {
        guard let a = archive_write_new() else { return .failure(ChartFetchError(.io, location, "cannot initialise libarchive")) }
        defer { archive_write_free(a) }
        archive_write_add_filter_gzip(a)
        // No timestamp in the gzip header: the same input gives the same bytes.
        archive_write_set_filter_option(a, "gzip", "timestamp", nil)
        archive_write_set_format_pax_restricted(a)
        archive_write_set_bytes_in_last_block(a, 1)
        let capacity = entries.reduce(64 * 1024) { $0 + $1.1.count + 4096 } * 2
        var out = [UInt8](repeating: 0, count: capacity)
        var used = 0
        var failure: ChartFetchError?
        out.withUnsafeMutableBytes { buf in
            guard archive_write_open_memory(a, buf.baseAddress, buf.count, &used) == platform_archive_ok() else {
                failure = ChartFetchError(.io, location, message(a, "cannot open archive")); return
            }
            for (name, data) in entries {
                guard let e = archive_entry_new() else { continue }
                defer { archive_entry_free(e) }
                archive_entry_set_pathname(e, name)
                archive_entry_set_size(e, la_int64_t(data.count))
                archive_entry_set_filetype(e, platform_archive_type_regular())
                archive_entry_set_perm(e, 0o644)
                archive_entry_set_uid(e, 0)
                archive_entry_set_gid(e, 0)
                archive_entry_set_mtime(e, time_t(mtime), 0)
                guard archive_write_header(a, e) == platform_archive_ok() else {
                    failure = ChartFetchError(.io, location, message(a, "cannot write \(name)")); return
                }
                if !data.isEmpty {
                    let written = data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
                    if written != data.count { failure = ChartFetchError(.io, location, message(a, "cannot write \(name)")); return }
                }
            }
            if archive_write_close(a) != platform_archive_ok() { failure = ChartFetchError(.io, location, message(a, "cannot finish archive")) }
        }
        if let failure { return .failure(failure) }
        return .success(Array(out[0..<used]))
    }

    static func message(_ a: OpaquePointer, _ fallback: String) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? fallback
    }
}

/// Small file helpers shared by the cache, packager and lock file.
enum FileSystem {
    /// Writes through a unique temporary file in the same directory, fsyncs it, then renames
    /// it into place (and fsyncs the directory), so readers and concurrent writers of the same
    /// content never see a partial file, and a crash leaves either the old or the new file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ChartFetchError) {
        let dir = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let tmp = dir + "/.tmp-\(UUID().uuidString)-" + (path as NSString).lastPathComponent
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw ChartFetchError(.io, path, "cannot create \(dir): \(error.localizedDescription)")
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ChartFetchError(.io, path, "cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var failure: String?
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }  // empty: nothing to write
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil, rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp)
            throw ChartFetchError(.io, path, "cannot write: \(failure)")
        }
        // Persist the rename itself.
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    static func read(_ path: String) throws(ChartFetchError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ChartFetchError(.io, path, "cannot read") }
        return [UInt8](data)
    }
}
