import CLibArchive

/// Decoding of the generated `EmbeddedSchemas` blob: base64 → gzip → JSON bytes.
enum EmbeddedBlob {
    /// The gzip bytes (what `EmbeddedSchemas.sha256` names).
    static func gzipBytes() -> [UInt8] { Base64.decode(EmbeddedSchemas.gzipBase64) }

    /// The JSON document, inflated with libarchive (gzip filter, raw format).
    static func json() throws(KubeSchemaError) -> [UInt8] {
        try gunzip(gzipBytes(), expectedSize: EmbeddedSchemas.uncompressedSize)
    }

    static func gunzip(_ input: [UInt8], expectedSize: Int) throws(KubeSchemaError) -> [UInt8] {
        guard let a = archive_read_new() else { throw KubeSchemaError("cannot initialise libarchive") }
        defer { archive_read_free(a) }
        archive_read_support_filter_gzip(a)
        archive_read_support_format_raw(a)
        let result: [UInt8]? = input.withUnsafeBytes { raw -> [UInt8]? in
            guard archive_read_open_memory(a, raw.baseAddress, raw.count) == platform_archive_ok() else { return nil }
            var entry: OpaquePointer?
            guard archive_read_next_header(a, &entry) == platform_archive_ok() else { return nil }
            var out = [UInt8](repeating: 0, count: expectedSize + 1)
            var filled = 0
            while filled < out.count {
                let n = out.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress! + filled, $0.count - filled) }
                if n == 0 { break }
                if n < 0 { return nil }
                filled += n
            }
            return filled == expectedSize ? Array(out[0..<filled]) : nil
        }
        guard let result else { throw KubeSchemaError("the embedded Kubernetes schemas do not inflate (regenerate with scripts/gen-k8s-schemas.py)") }
        return result
    }
}

/// Standard base64 (RFC 4648), whitespace ignored; enough for the generated blob.
enum Base64 {
    static func decode(_ text: String) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            let v = table[Int(c)]
            if v == 0xFF { continue }  // newlines, padding
            acc = (acc << 6) | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

/// A failure loading the embedded schemas (a build problem, not a user error).
public struct KubeSchemaError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
