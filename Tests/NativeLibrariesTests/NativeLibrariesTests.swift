import CLibArchive
import CLibCurl
import CLibYAML
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Smoke tests: each native library links and does real work.
@Suite struct NativeLibrariesTests {
    @Test func libyamlParsesAString() throws {
        var parser = yaml_parser_t()
        #expect(yaml_parser_initialize(&parser) == 1)
        defer { yaml_parser_delete(&parser) }
        var bytes = Array("a: 1\nb: [x, y]\n".utf8)
        let count = bytes.count
        var scalars: [String] = []
        bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                if event.type == YAML_SCALAR_EVENT, let p = event.data.scalar.value {
                    scalars.append(String(decoding: UnsafeBufferPointer(start: p, count: Int(event.data.scalar.length)), as: UTF8.self))
                }
                if event.type == YAML_STREAM_END_EVENT { break }
            }
        }
        #expect(scalars == ["a", "1", "b", "x", "y"])
    }

    @Test func libarchiveWritesAndListsATarGz() throws {
        let files = [("chart/Chart.yaml", "apiVersion: v2\nname: demo\n"), ("chart/values.yaml", "a: 1\n")]
        // Write a .tar.gz into memory.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var used = 0
        let writer = try #require(archive_write_new())
        defer { archive_write_free(writer) }
        #expect(archive_write_add_filter_gzip(writer) == platform_archive_ok())
        #expect(archive_write_set_format_pax_restricted(writer) == platform_archive_ok())
        let capacity = buffer.count
        let opened = buffer.withUnsafeMutableBytes { raw in
            archive_write_open_memory(writer, raw.baseAddress, capacity, &used)
        }
        #expect(opened == platform_archive_ok())
        for (name, content) in files {
            let entry = try #require(archive_entry_new())
            archive_entry_set_pathname(entry, name)
            archive_entry_set_size(entry, la_int64_t(content.utf8.count))
            archive_entry_set_filetype(entry, platform_archive_type_regular())
            archive_entry_set_perm(entry, 0o644)
            #expect(archive_write_header(writer, entry) == platform_archive_ok())
            let data = Array(content.utf8)
            #expect(archive_write_data(writer, data, data.count) == data.count)
            archive_entry_free(entry)
        }
        #expect(archive_write_close(writer) == platform_archive_ok())
        #expect(used > 0 && used < capacity)
        #expect(buffer[0] == 0x1f && buffer[1] == 0x8b, "gzip magic")

        // Read it back and list the entries.
        let reader = try #require(archive_read_new())
        defer { archive_read_free(reader) }
        archive_read_support_filter_gzip(reader)
        archive_read_support_format_tar(reader)
        let archived = Array(buffer[0..<used])
        var listed: [String] = []
        var contents: [String] = []
        archived.withUnsafeBytes { raw in
            guard archive_read_open_memory(reader, raw.baseAddress, raw.count) == platform_archive_ok() else { return }
            var entry: OpaquePointer?
            while archive_read_next_header(reader, &entry) == platform_archive_ok(), let entry {
                listed.append(String(cString: archive_entry_pathname(entry)))
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = archive_read_data(reader, &chunk, chunk.count)
                contents.append(String(decoding: chunk[0..<max(0, n)], as: UTF8.self))
            }
        }
        #expect(listed == files.map(\.0))
        #expect(contents == files.map(\.1))
    }

    @Test func libcurlFetchesFromALoopbackServer() throws {
        let server = try LoopbackHTTPServer(body: "hello from loopback")
        defer { server.stop() }
        let handle = try #require(curl_easy_init())
        defer { curl_easy_cleanup(handle) }
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        platform_curl_setopt_string(handle, CURLOPT_URL, "http://127.0.0.1:\(server.port)/healthz")
        platform_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 5000)
        platform_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, unmanaged.toOpaque())
        platform_curl_setopt_write_function(handle) { ptr, size, count, user in
            guard let ptr, let user else { return 0 }
            let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
            sink.data.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: size * count))
            return size * count
        }
        let code = curl_easy_perform(handle)
        #expect(code == CURLE_OK, "curl: \(String(cString: curl_easy_strerror(code)))")
        var status = 0
        platform_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        #expect(status == 200)
        #expect(String(decoding: sink.data, as: UTF8.self) == "hello from loopback")
        #expect(server.requestLine.hasPrefix("GET /healthz HTTP/1.1"))
    }
}

private final class Sink: @unchecked Sendable {
    var data: [UInt8] = []
}

/// A one-shot HTTP/1.1 server on 127.0.0.1 (ephemeral port) answering a single request.
private final class LoopbackHTTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var _requestLine = ""
    var requestLine: String {
        lock.lock(); defer { lock.unlock() }
        return _requestLine
    }

    init(body: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var request = [UInt8](repeating: 0, count: 4096)
            let n = recv(client, &request, request.count, 0)
            let text = String(decoding: request[0..<max(0, n)], as: UTF8.self)
            lock.lock(); _requestLine = text.components(separatedBy: "\r\n").first ?? ""; lock.unlock()
            _ = Array(response.utf8).withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        _ = done.wait(timeout: .now() + 5)
    }
}
