import CLibArchive

/// Reads a gzipped tar chart package entirely in memory with libarchive.
///
/// Safety: names that are absolute, climb out with `..`, or use drive letters are
/// rejected; links are resolved only when their target stays inside the archive;
/// per-file and total decompressed sizes are capped so an archive bomb stops early.
public struct ChartArchiveReader: Sendable {
    /// Helm's defaults: 100 MiB per chart, 5 MiB per file.
    public var maxTotalSize: Int
    public var maxFileSize: Int

    public init(maxTotalSize: Int = 100 * 1024 * 1024, maxFileSize: Int = 5 * 1024 * 1024) {
        self.maxTotalSize = maxTotalSize
        self.maxFileSize = maxFileSize
    }

    /// Files of the chart with the top directory (`mychart/`) stripped.
    public func files(in archive: [UInt8]) throws -> [ChartFile] {
        guard let a = archive_read_new() else { throw HelmError(.archive, "cannot initialise libarchive") }
        defer { archive_read_free(a) }
        archive_read_support_filter_gzip(a)
        archive_read_support_format_tar(a)
        return try archive.withUnsafeBytes { raw throws -> [ChartFile] in
            guard archive_read_open_memory(a, raw.baseAddress, raw.count) == platform_archive_ok() else {
                throw HelmError(.archive, Self.libarchiveMessage(a, fallback: "gzip: invalid header"))
            }
            return try readEntries(a)
        }
    }

    private struct Link { var name: String; var target: String }

    private func readEntries(_ a: OpaquePointer) throws -> [ChartFile] {
        var files: [ChartFile] = []
        var links: [Link] = []
        var remaining = maxTotalSize
        var entry: OpaquePointer?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == platform_archive_eof() { break }
            guard r == platform_archive_ok() || r == platform_archive_warn(), let entry else {
                throw HelmError(.archive, Self.libarchiveMessage(a, fallback: "cannot read chart archive"))
            }
            let rawName = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let type = UInt32(archive_entry_filetype(entry)) & platform_archive_type_mask()
            if type == platform_archive_type_directory() { continue }
            let name = try Self.chartRelativeName(rawName)
            if let hard = archive_entry_hardlink(entry) {
                links.append(Link(name: name, target: try Self.chartRelativeName(String(cString: hard))))
                continue
            }
            if type == platform_archive_type_symlink() {
                let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
                guard let resolved = Self.resolve(link: name, target: target) else {
                    throw HelmError(.archive, "chart illegally contains a link that leaves the chart: \(rawName) -> \(target)")
                }
                links.append(Link(name: name, target: resolved))
                continue
            }
            guard type == platform_archive_type_regular() else { continue }
            let declared = Int(archive_entry_size(entry))
            if declared > remaining {
                throw HelmError(.archive, "decompressed chart is larger than the maximum size \(maxTotalSize)")
            }
            if declared > maxFileSize {
                throw HelmError(.archive, "decompressed chart file \"\(rawName)\" is larger than the maximum file size \(maxFileSize)")
            }
            var data: [UInt8] = []
            data.reserveCapacity(declared)
            while true {
                let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                if n == 0 { break }
                guard n > 0 else { throw HelmError(.archive, Self.libarchiveMessage(a, fallback: "cannot read \(rawName)")) }
                data.append(contentsOf: buffer[0..<n])
                // Sizes in headers can lie; count what actually decompresses.
                if data.count > maxFileSize {
                    throw HelmError(.archive, "decompressed chart file \"\(rawName)\" is larger than the maximum file size \(maxFileSize)")
                }
                if data.count > remaining {
                    throw HelmError(.archive, "decompressed chart is larger than the maximum size \(maxTotalSize)")
                }
            }
            remaining -= data.count
            files.append(ChartFile(name: name, data: Self.trimBOM(data)))
        }
        for link in links {
            guard let target = files.first(where: { $0.name == link.target }) else {
                throw HelmError(.archive, "chart contains a link to a missing file: \(link.name) -> \(link.target)")
            }
            files.append(ChartFile(name: link.name, data: target.data))
        }
        if files.isEmpty { throw HelmError(.archive, "no files in chart archive") }
        return files
    }

    /// Strips the first path segment and refuses anything that would land outside the chart.
    static func chartRelativeName(_ raw: String) throws -> String {
        let delimiter: Character = raw.contains("\\") ? "\\" : "/"
        let parts = raw.split(separator: delimiter, omittingEmptySubsequences: false)
        if parts.first == "Chart.yaml" && parts.count == 1 {
            throw HelmError(.archive, "chart yaml not in base directory")
        }
        let rest = parts.dropFirst().joined(separator: "/")
        if rest.hasPrefix("/") { throw HelmError(.archive, "chart illegally contains absolute paths") }
        let cleaned = cleanPath(rest)
        if cleaned == "." || cleaned.isEmpty {
            throw HelmError(.archive, "chart illegally contains content outside the base directory: \"\(raw)\"")
        }
        if cleaned.hasPrefix("..") { throw HelmError(.archive, "chart illegally references parent directory") }
        if cleaned.count >= 3 {
            let c = Array(cleaned.prefix(3))
            if c[0].isLetter && c[0].isASCII && c[1] == ":" && c[2] == "/" {
                throw HelmError(.archive, "chart contains illegally named files")
            }
        }
        return cleaned
    }

    /// Go's `path.Clean` for relative paths.
    static func cleanPath(_ p: String) -> String {
        var out: [Substring] = []
        for seg in p.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == "..", let last = out.last, last != ".." { out.removeLast(); continue }
            out.append(seg)
        }
        return out.isEmpty ? "." : out.joined(separator: "/")
    }

    /// A symlink target relative to the link's directory, or nil when it leaves the chart.
    static func resolve(link: String, target: String) -> String? {
        if target.hasPrefix("/") { return nil }
        var dir = link.split(separator: "/").dropLast().joined(separator: "/")
        if !dir.isEmpty { dir += "/" }
        let cleaned = cleanPath(dir + target)
        if cleaned == "." || cleaned.hasPrefix("..") { return nil }
        return cleaned
    }

    static func trimBOM(_ d: [UInt8]) -> [UInt8] {
        d.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(d.dropFirst(3)) : d
    }

    static func libarchiveMessage(_ a: OpaquePointer, fallback: String) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? fallback
    }
}

/// Writes a chart directory's files as a gzipped tar in memory (what `helm package` makes,
/// minus provenance). Used by tests and bundles.
public enum ChartArchiveWriter {
    /// - Parameter symlinks: extra `(name, target)` link entries (tests use them to check
    ///   that the reader refuses links leaving the chart).
    public static func pack(files: [ChartFile], topDirectory: String, symlinks: [(String, String)] = []) throws -> [UInt8] {
        guard let a = archive_write_new() else { throw HelmError(.archive, "cannot initialise libarchive") }
        defer { archive_write_free(a) }
        archive_write_add_filter_gzip(a)
        archive_write_set_format_pax_restricted(a)
        // Generous: tar headers are 512 bytes per entry and gzip never grows data much.
        let capacity = files.reduce(64 * 1024) { $0 + $1.data.count + 2048 } * 2
        var out = [UInt8](repeating: 0, count: capacity)
        var used = 0
        try out.withUnsafeMutableBytes { buf in
            guard archive_write_open_memory(a, buf.baseAddress, buf.count, &used) == platform_archive_ok() else {
                throw HelmError(.archive, ChartArchiveReader.libarchiveMessage(a, fallback: "cannot open archive"))
            }
            for f in files {
                guard let e = archive_entry_new() else { continue }
                defer { archive_entry_free(e) }
                archive_entry_set_pathname(e, topDirectory + "/" + f.name)
                archive_entry_set_size(e, la_int64_t(f.data.count))
                archive_entry_set_filetype(e, platform_archive_type_regular())
                archive_entry_set_perm(e, 0o644)
                guard archive_write_header(a, e) == platform_archive_ok() else {
                    throw HelmError(.archive, ChartArchiveReader.libarchiveMessage(a, fallback: "cannot write \(f.name)"))
                }
                if !f.data.isEmpty {
                    _ = f.data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
                }
            }
            for (name, target) in symlinks {
                guard let e = archive_entry_new() else { continue }
                defer { archive_entry_free(e) }
                archive_entry_set_pathname(e, topDirectory + "/" + name)
                archive_entry_set_filetype(e, platform_archive_type_symlink())
                archive_entry_set_symlink(e, target)
                archive_entry_set_perm(e, 0o777)
                guard archive_write_header(a, e) == platform_archive_ok() else {
                    throw HelmError(.archive, ChartArchiveReader.libarchiveMessage(a, fallback: "cannot write \(name)"))
                }
            }
            archive_write_close(a)
        }
        return Array(out[0..<used])
    }
}
