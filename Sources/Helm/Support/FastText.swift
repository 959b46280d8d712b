/// Byte-level text helpers for the large strings rendering produces (CRDs run to
/// hundreds of KB); Foundation's bridged versions dominate profiles otherwise.
enum FastText {
    /// Go's `unicode.IsSpace` width at `i` (1 or 2 bytes), or 0 when not a space.
    @inline(__always)
    static func spaceWidth(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        switch b[i] {
        case 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return 1
        case 0xC2 where i + 1 < b.count && (b[i + 1] == 0x85 || b[i + 1] == 0xA0): return 2
        default: return 0
        }
    }

    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var s = s
        return s.withUTF8(body)
    }

    /// True when every character is whitespace (Go: `strings.TrimSpace(s) == ""`).
    static func isBlank(_ s: String) -> Bool {
        withBytes(s) { b in
            var i = 0
            while i < b.count {
                let w = spaceWidth(b, i)
                if w == 0 { return false }
                i += w
            }
            return true
        }
    }

    /// Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`.
    static func trimLeadingSpace(_ s: String) -> String {
        withBytes(s) { b in
            var i = 0
            while i < b.count { let w = spaceWidth(b, i); if w == 0 { break }; i += w }
            return i == 0 ? s : String(decoding: UnsafeBufferPointer(rebasing: b[i...]), as: UTF8.self)
        }
    }

    /// Go's `strings.TrimSpace`.
    static func trimSpace(_ s: String) -> String {
        withBytes(s) { b in
            var start = 0
            while start < b.count { let w = spaceWidth(b, start); if w == 0 { break }; start += w }
            var end = b.count
            while end > start {
                if end - 1 >= start, spaceWidth(b, end - 1) == 1 { end -= 1; continue }
                if end - 2 >= start, spaceWidth(b, end - 2) == 2 { end -= 2; continue }
                break
            }
            return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
        }
    }

    /// `strings.ReplaceAll(s, needle, "")` with a fast path when `needle` is absent.
    static func removingAll(_ needle: String, from s: String) -> String {
        let n = Array(needle.utf8)
        guard let first = n.first else { return s }
        return withBytes(s) { b -> String in
            var out: [UInt8] = []
            var copied = 0
            var i = 0
            let limit = b.count - n.count
            while i <= limit {
                if b[i] == first {
                    var j = 1
                    while j < n.count && b[i + j] == n[j] { j += 1 }
                    if j == n.count {
                        if out.isEmpty { out.reserveCapacity(b.count) }
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied..<i]))
                        i += n.count
                        copied = i
                        continue
                    }
                }
                i += 1
            }
            if copied == 0 { return s }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: b[copied...]))
            return String(decoding: out, as: UTF8.self)
        }
    }
}
