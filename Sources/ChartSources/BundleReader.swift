import CLibArchive
import Foundation
import Helm
import Profiles

/// Limits for reading a bundle; decompressed bytes are counted as they come, so a gzip
/// bomb stops at the limit whatever the headers claim.
public struct BundleLimits: Sendable {
    public var maxEntries: Int
    public var maxFileSize: Int
    public var maxTotalSize: Int

    public init(maxEntries: Int = 100_000, maxFileSize: Int = 256 << 20, maxTotalSize: Int = 1 << 30) {
        self.maxEntries = maxEntries
        self.maxFileSize = maxFileSize
        self.maxTotalSize = maxTotalSize
    }
}

/// Reads the entries of a bundle archive in memory, refusing anything that could write
/// outside a directory or stand for another file if it were extracted: absolute paths,
/// `..` / `.` / empty segments, backslashes, links, devices, FIFOs and duplicate names.
/// Directory entries are skipped (a bundle re-packed with `tar` has them).
public enum BundleArchive {
    public static func entries(_ bytes: [UInt8], location: String, limits: BundleLimits = BundleLimits()) throws(BundleError) -> [String: [UInt8]] {
        let result: Result<[String: [UInt8]], BundleError> = bytes.withUnsafeBytes { raw in
            guard let a = archive_read_new() else { return .failure(BundleError(.io, location, "cannot initialise libarchive")) }
            defer { archive_read_free(a) }
            archive_read_support_filter_gzip(a)
            archive_read_support_format_tar(a)
            guard archive_read_open_memory(a, raw.baseAddress, raw.count) == platform_archive_ok() else {
                return .failure(BundleError(.notABundle, location, "not a gzipped tar (\(message(a)))"))
            }
            return read(a, location: location, limits: limits)
        }
        return try result.get()
    }

    static func read(_ a: OpaquePointer, location: String, limits: BundleLimits) -> Result<[String: [UInt8]], BundleError> {
        var out: [String: [UInt8]] = [:]
        var total = 0, count = 0
        var entry: OpaquePointer?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let r = archive_read_next_header(a, &entry)
            if r == platform_archive_eof() { break }
            guard r == platform_archive_ok() || r == platform_archive_warn(), let entry else {
                return .failure(BundleError(.notABundle, location, "cannot read the archive: \(message(a))"))
            }
            count += 1
            if count > limits.maxEntries {
                return .failure(BundleError(.tooLarge, location, "more than \(limits.maxEntries) entries; not a bundle this tool wrote"))
            }
            let name = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let type = UInt32(archive_entry_filetype(entry)) & platform_archive_type_mask()
            if archive_entry_hardlink(entry) != nil || type == platform_archive_type_symlink() {
                return .failure(BundleError(.unsafeEntry, location + ":" + name, "links are not allowed in a bundle"))
            }
            if type == platform_archive_type_directory() { continue }
            guard type == platform_archive_type_regular() else {
                return .failure(BundleError(.unsafeEntry, location + ":" + name, "only regular files are allowed in a bundle"))
            }
            guard let path = safePath(name) else {
                return .failure(BundleError(.unsafeEntry, location + ":" + name, "unsafe path (absolute, `..`, `.` or empty segments, or a backslash)"))
            }
            if out[path] != nil {
                return .failure(BundleError(.unsafeEntry, location + ":" + path, "the entry appears twice"))
            }
            var data: [UInt8] = []
            let declared = Int(archive_entry_size(entry))
            if declared > limits.maxFileSize || declared > limits.maxTotalSize - total {
                return .failure(tooLarge(location, path, limits))
            }
            data.reserveCapacity(max(0, declared))
            while true {
                let n = buffer.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
                if n == 0 { break }
                guard n > 0 else { return .failure(BundleError(.notABundle, location + ":" + path, "cannot read: \(message(a))")) }
                data.append(contentsOf: buffer[0..<n])
                // Header sizes can lie; count what actually decompresses.
                if data.count > limits.maxFileSize || total + data.count > limits.maxTotalSize {
                    return .failure(tooLarge(location, path, limits))
                }
            }
            total += data.count
            out[path] = data
        }
        return .success(out)
    }

    static func tooLarge(_ location: String, _ path: String, _ limits: BundleLimits) -> BundleError {
        BundleError(.tooLarge, location + ":" + path,
                    "decompresses past the limits (\(limits.maxFileSize) bytes per file, \(limits.maxTotalSize) in all)")
    }

    /// `name` if it is a plain relative path (`a/b/c`, an optional leading `./` dropped), else nil.
    static func safePath(_ name: String) -> String? {
        var n = Substring(name)
        if n.hasPrefix("./") { n = n.dropFirst(2) }
        guard !n.isEmpty, !n.hasPrefix("/"), !n.contains("\\"), !n.contains("\0") else { return nil }
        for segment in n.split(separator: "/", omittingEmptySubsequences: false) where segment.isEmpty || segment == "." || segment == ".." {
            return nil
        }
        return String(n)
    }

    static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown libarchive error"
    }
}

/// A verified bundle: every entry matches `bundle.json`, every chart matches `platform.lock`
/// and the lock pins exactly the profile's charts. Serves the charts with no network: the
/// `ChartProvider` of `apply --bundle` and `plan --bundle`.
public struct BundleReader: ChartProvider {
    public var location: String
    public var manifest: BundleManifest
    public var profileText: String
    public var lock: LockFile
    public var files: [String: [UInt8]]

    public init(path: String, limits: BundleLimits = BundleLimits()) throws(BundleError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleError(.io, path, "cannot read the bundle (does the file exist?)")
        }
        try self.init(bytes: [UInt8](data), location: path, limits: limits)
    }

    /// Reads and verifies entries, manifest and lock. The lock is checked against the profile
    /// by `verify(_:)` once the caller has parsed `profileText`.
    public init(bytes: [UInt8], location: String = "bundle", limits: BundleLimits = BundleLimits()) throws(BundleError) {
        self.location = location
        files = try BundleArchive.entries(bytes, location: location, limits: limits)
        guard let manifestBytes = files.removeValue(forKey: BundleLayout.manifest) else {
            throw BundleError(.notABundle, location, "no \(BundleLayout.manifest): not a bundle written by `platform bundle`")
        }
        manifest = try BundleManifest.decode(manifestBytes, location: location + ":" + BundleLayout.manifest)
        guard manifest.format == BundleManifest.currentFormat else {
            throw BundleError(.notABundle, location, "bundle format \(manifest.format) is not supported (this tool reads \(BundleManifest.currentFormat)); use the platform version that wrote it (\(manifest.tool))")
        }
        try Self.verify(files: files, manifest: manifest, location: location)
        guard let profile = files[BundleLayout.profile], let lockBytes = files[BundleLayout.lock] else {
            throw BundleError(.notABundle, location, "no \(BundleLayout.profile) or \(BundleLayout.lock)")
        }
        profileText = String(decoding: profile, as: UTF8.self)
        do { lock = try LockFile.parse(String(decoding: lockBytes, as: UTF8.self), location: location + ":" + BundleLayout.lock) } catch {
            throw BundleError(.lockMismatch, error.location, error.message)
        }
        // Every chart archive must be the one its pin names, and every pin must have its archive.
        for name in lock.entries.keys.sorted() {
            guard let pin = lock.entries[name] else { continue }
            let path = BundleLayout.chartPath(name: name, version: pin.version)
            guard let bytes = files[path] else {
                throw BundleError(.lockMismatch, location, "\(BundleLayout.lock) pins \(name) \(pin.version) but the bundle has no \(path)")
            }
            do { try lock.verify(name: name, bytes: bytes, location: location + ":" + path) } catch {
                throw BundleError(.digestMismatch, error.location, error.message)
            }
        }
        let pinned = Set(lock.entries.values.map { BundleLayout.chartPath(name: $0.name, version: $0.version) })
        for path in files.keys.sorted() where path.hasPrefix(BundleLayout.chartsDirectory + "/") && !pinned.contains(path) {
            throw BundleError(.lockMismatch, location + ":" + path, "a chart that \(BundleLayout.lock) does not pin")
        }
    }

    /// Entries against `bundle.json`: same set of paths, same sha256 each.
    static func verify(files: [String: [UInt8]], manifest: BundleManifest, location: String) throws(BundleError) {
        for path in files.keys.sorted() {
            guard let expected = manifest.files[path] else {
                throw BundleError(.contentMismatch, location + ":" + path,
                                  "not listed in \(BundleLayout.manifest): the bundle was modified after it was written; re-create it with `platform bundle`")
            }
            let got = Digest.sha256(files[path] ?? [])
            if Digest.hex(of: got) != Digest.hex(of: expected) {
                throw BundleError(.digestMismatch, location + ":" + path,
                                  "sha256 is \(got) but \(BundleLayout.manifest) records \(expected): the bundle was modified or corrupted after it was written; re-create it with `platform bundle` (or copy it again)")
            }
        }
        for path in manifest.files.keys.sorted() where files[path] == nil {
            throw BundleError(.contentMismatch, location + ":" + path, "listed in \(BundleLayout.manifest) but missing from the bundle; re-create it with `platform bundle`")
        }
    }

    /// Checks that the bundle's lock pins exactly `profile`'s charts (its own profile.yaml, parsed by the caller).
    public func verify(_ profile: Profile) throws(BundleError) {
        if profile.metadata.name != manifest.profile {
            throw BundleError(.contentMismatch, location + ":" + BundleLayout.profile,
                              "names profile \(profile.metadata.name) but \(BundleLayout.manifest) was written for \(manifest.profile); re-create the bundle with `platform bundle`")
        }
        do { try lock.verify(profile, location: location + ":" + BundleLayout.lock) } catch {
            throw BundleError(.lockMismatch, error.location, error.message)
        }
    }

    public var images: [String] {
        String(decoding: files[BundleLayout.images] ?? [], as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Rendered files by path relative to the rendered tree.
    public var rendered: [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let prefix = BundleLayout.renderDirectory + "/"
        for (k, v) in files where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v }
        return out
    }

    /// The pinned archive of `name` (already verified).
    public func archive(name: String) -> [UInt8]? {
        guard let pin = lock.entries[name] else { return nil }
        return files[BundleLayout.chartPath(name: name, version: pin.version)]
    }

    public func chart(for request: ChartRequest) throws(ChartSourceError) -> Chart {
        let path = BundleLayout.chartPath(name: request.name, version: request.version)
        let searched = [location + ":" + path]
        guard let pin = lock.entries[request.name], pin.version == request.version, pin.source == request.source.description else {
            throw ChartSourceError(request: request, searched: searched,
                                   cause: "the bundle's \(BundleLayout.lock) does not pin this chart at this version and source; re-create the bundle from the profile")
        }
        guard let bytes = files[path] else {
            throw ChartSourceError(request: request, searched: searched, cause: "the bundle does not contain this chart")
        }
        do { return try Chart.load(archive: bytes) } catch {
            throw ChartSourceError(request: request, searched: searched, cause: "cannot load: \(error)")
        }
    }
}
