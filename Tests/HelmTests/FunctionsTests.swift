import Foundation
import GoTemplate
import Testing
@testable import Helm

/// Unit tests of the Sprig table beyond the golden cases (which run through GoldenTests).
@Suite struct FunctionsTests {
    func call(_ name: String, _ args: Value...) throws -> Value {
        let f = try #require(SprigFunctions.all[name], "no function \(name)")
        return try f(args, context: .detached())
    }

    func string(_ name: String, _ args: Value...) throws -> String {
        let f = try #require(SprigFunctions.all[name], "no function \(name)")
        return goFormat(try f(args, context: .detached()))
    }

    @Test func bcryptMatchesTheOpenBSDVector() {
        // Published test vector: password "U*U", cost 5, salt "CCCCCCCCCCCCCCCCCCCCC.".
        let salt = Bcrypt.decode("CCCCCCCCCCCCCCCCCCCCC.")
        #expect(salt.count == 16)
        #expect(Bcrypt.hash("U*U", cost: 5, salt: salt) == "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")
    }

    @Test func derivePasswordMatchesSprig() throws {
        // From the crypto-shapes golden (real Helm output).
        let v = try call("derivePassword", .unsigned(1, .uint32), "long", "password", "user", "example.com")
        #expect(goFormat(v) == "ZedaFaxcZaso9*")
    }

    @Test func base32RoundTrips() throws {
        for s in ["", "h", "hi", "hel", "hell", "hello", "hello!"] {
            let enc = try string("b32enc", .string(s))
            #expect(enc.count % 8 == 0)
            #expect(try string("b32dec", .string(enc)) == s)
        }
        #expect(try string("b32enc", "hi") == "NBUQ====")
    }

    @Test func certificatesAreRealX509() throws {
        let ca = try call("genCA", "test-ca", .int(30))
        guard case .object(let o) = ca, case .field(.string(let pem))? = o.member(named: "Cert") else {
            Issue.record("genCA did not return a certificate object"); return
        }
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        // openssl parses it and sees the CA flag and subject.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sprig-cert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ca.pem")
        try pem.write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["x509", "-in", file.path, "-noout", "-subject", "-ext", "basicConstraints"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("CN = test-ca") || text.contains("CN=test-ca"))
        #expect(text.contains("CA:TRUE"))
    }

    @Test func mergeKeepsDestinationUnlessOverwriting() throws {
        let dst: Value = ["a": 1, "nested": ["x": 1, "keep": "d"], "empty": ""]
        let src: Value = ["a": 2, "b": 3, "nested": ["x": 2, "y": 3], "empty": "filled"]
        _ = try call("merge", dst, src)
        #expect(goFormat(dst) == "map[a:1 b:3 empty:filled nested:map[keep:d x:1 y:3]]")
        let dst2: Value = ["a": 1, "nested": ["x": 1]]
        _ = try call("mergeOverwrite", dst2, ["a": 2, "nested": ["x": 2]])
        #expect(goFormat(dst2) == "map[a:2 nested:map[x:2]]")
    }

    @Test func stringHelpers() throws {
        #expect(try string("trunc", .int(-3), "abcdef") == "def")
        #expect(try string("substr", .int(1), .int(3), "abcdef") == "bc")
        #expect(try string("wrapWith", .int(5), "\t", "Hello World") == "Hello\tWorld")
        #expect(try string("snakecase", "FirstName") == "first_name")
        #expect(try string("camelcase", "http_server") == "HttpServer")
        #expect(try string("quote", "a", .null, .int(3)) == "\"a\" \"3\"")
        #expect(try string("seq", .int(5), .int(-1), .int(1)) == "5 4 3 2 1")
        #expect(try string("regexReplaceAll", "a(x*)b", "-ab-axxb-", "${1}W") == "-W-xxW-")
        #expect(try string("durationRound", "2h10m5s") == "2h")
        #expect(["127.0.0.1", "::1"].contains(try string("getHostByName", "localhost")))
    }
}
