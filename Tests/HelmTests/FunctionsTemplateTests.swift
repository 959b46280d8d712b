import Foundation
import GoTemplate
import Testing
@testable import Helm

/// Sprig functions called from templates, so that argument conversion, printing and
/// error wrapping are Go's. Expected texts follow Sprig v3 + Go's runtime messages.
@Suite struct FunctionsTemplateTests {
    func render(_ text: String, _ data: Value = .null) throws -> String {
        let set = TemplateSet(functions: SprigFunctions.all)
        try set.parse(name: "t", text: text)
        return try set.execute(name: "t", data: data)
    }

    /// The error text of a failing render ("" when it did not fail).
    func failure(_ text: String, _ data: Value = .null) -> String {
        do { _ = try render(text, data); return "" } catch { return String(describing: error) }
    }

    @Test func everyFunctionHelmRegistersExists() {
        // Sprig's genericMap (minus env/expandenv) plus Helm's data functions.
        let names = """
        hello ago date date_in_zone date_modify dateInZone dateModify duration durationRound htmlDate
        htmlDateInZone must_date_modify mustDateModify mustToDate now toDate unixEpoch abbrev abbrevboth
        trunc trim upper lower title untitle substr repeat trimall trimAll trimSuffix trimPrefix nospace
        initials randAlphaNum randAlpha randAscii randNumeric swapcase shuffle snakecase camelcase kebabcase
        wrap wrapWith contains hasPrefix hasSuffix quote squote cat indent nindent replace plural sha1sum
        sha256sum sha512sum adler32sum toString atoi int64 int float64 seq toDecimal split splitList splitn
        toStrings until untilStep add1 add sub div mod mul randInt add1f addf subf divf mulf biggest max min
        maxf minf ceil floor round join sortAlpha default empty coalesce all any compact mustCompact fromJson
        toJson toPrettyJson toRawJson mustFromJson mustToJson mustToPrettyJson mustToRawJson ternary deepCopy
        mustDeepCopy typeOf typeIs typeIsLike kindOf kindIs deepEqual getHostByName base dir
        clean ext isAbs osBase osClean osDir osExt osIsAbs b64enc b64dec b32enc b32dec tuple list dict get
        set unset hasKey pluck keys pick omit merge mergeOverwrite mustMerge mustMergeOverwrite values append
        push mustAppend mustPush prepend mustPrepend first mustFirst rest mustRest last mustLast initial
        mustInitial reverse mustReverse uniq mustUniq without mustWithout has mustHas slice mustSlice concat
        dig chunk mustChunk bcrypt htpasswd genPrivateKey derivePassword buildCustomCert genCA genCAWithKey
        genSelfSignedCert genSelfSignedCertWithKey genSignedCert genSignedCertWithKey encryptAES decryptAES
        randBytes uuidv4 semver semverCompare fail regexMatch mustRegexMatch regexFindAll mustRegexFindAll
        regexFind mustRegexFind regexReplaceAll mustRegexReplaceAll regexReplaceAllLiteral
        mustRegexReplaceAllLiteral regexSplit mustRegexSplit regexQuoteMeta urlParse urlJoin toToml fromToml
        toYaml toYamlPretty mustToYaml fromYaml fromYamlArray fromJsonArray
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        let missing = names.filter { SprigFunctions.all[$0] == nil }
        #expect(missing.isEmpty, "missing: \(missing)")
        #expect(SprigFunctions.all["env"] == nil && SprigFunctions.all["expandenv"] == nil)
    }

    @Test func listFunctionsFailWithKindsAndNilPanics() {
        #expect(failure("{{ first \"abc\" }}").hasSuffix("error calling first: Cannot find first on type string"))
        #expect(failure("{{ mustLast 3 }}").hasSuffix("error calling mustLast: Cannot find last on type int"))
        #expect(failure("{{ push (dict) 1 }}").hasSuffix("error calling push: Cannot push on type map"))
        #expect(failure("{{ chunk 2 \"x\" }}").hasSuffix("error calling chunk: Cannot chunk type string"))
        #expect(failure("{{ concat (list 1) 2 }}").hasSuffix("error calling concat: Cannot concat type int as list"))
        #expect(failure("{{ slice \"abc\" 1 }}").hasSuffix("error calling slice: list should be type of slice or array but string"))
        #expect(failure("{{ first nil }}").hasSuffix("error calling first: runtime error: invalid memory address or nil pointer dereference"))
        #expect(failure("{{ uniq .missing }}", .dict([:])).hasSuffix("error calling uniq: runtime error: invalid memory address or nil pointer dereference"))
        #expect(failure("{{ slice (list 1 2 3) 1 5 }}").hasSuffix("error calling slice: reflect.Value.Slice: slice index out of bounds"))
    }

    @Test func listFunctionResults() throws {
        #expect(try render("{{ slice (list) 0 5 | kindOf }}") == "invalid")
        #expect(try render("{{ slice (list 1 2 3 4) 1 3 }}") == "[2 3]")
        #expect(try render("{{ concat }}|{{ concat (list 1) (list 2 3) }}") == "[]|[1 2 3]")
        #expect(try render("{{ chunk 2 (list 1 2 3) }}|{{ chunk 3 (list) }}") == "[[1 2] [3]]|[]")
        #expect(try render("{{ has 1 nil }}|{{ has 2 (list 1 2) }}") == "false|true")
        #expect(try render("{{ without (list 1 2 3 1) 1 }}|{{ uniq (list 1 1 \"a\" \"a\") }}") == "[2 3]|[1 a]")
        #expect(try render("{{ rest (list) | kindOf }}|{{ initial (list 1 2) }}") == "invalid|[1]")
    }

    @Test func digPanicsOnNonMapsLikeSprig() throws {
        #expect(try render("{{ dig \"a\" \"b\" \"def\" (dict \"a\" (dict \"b\" 2)) }}") == "2")
        #expect(try render("{{ dig \"a\" \"z\" \"def\" (dict \"a\" (dict \"b\" 2)) }}") == "def")
        #expect(failure("{{ dig \"a\" \"b\" \"def\" (dict \"a\" \"x\") }}")
            .hasSuffix("error calling dig: interface conversion: interface {} is string, not map[string]interface {}"))
        #expect(failure("{{ dig \"a\" \"def\" \"x\" }}")
            .hasSuffix("error calling dig: interface conversion: interface {} is string, not map[string]interface {}"))
        #expect(failure("{{ dig 1 \"def\" (dict) }}").hasSuffix("error calling dig: interface conversion: interface {} is int, not string"))
    }

    @Test func mergeTreatsNilSourcesAsMergoDoes() throws {
        // Merge skips a nil source value (the key stays missing); MergeWithOverwrite writes it.
        #expect(try render("{{ $d := dict \"a\" 1 }}{{ $_ := merge $d (dict \"b\" nil \"a\" nil) }}{{ hasKey $d \"b\" }} {{ $d.a }}") == "false 1")
        #expect(try render("{{ $d := dict \"a\" 1 }}{{ $_ := mergeOverwrite $d (dict \"a\" nil) }}{{ hasKey $d \"a\" }} {{ kindOf $d.a }}") == "true invalid")
        // Empty destination values are filled; lists are replaced, not merged.
        #expect(try render("{{ $d := dict \"a\" \"\" \"l\" (list 1) }}{{ $_ := merge $d (dict \"a\" \"x\" \"l\" (list 2 3)) }}{{ $d.a }} {{ $d.l }}") == "x [1]")
        #expect(try render("{{ $d := dict \"l\" (list 1) }}{{ $_ := mergeOverwrite $d (dict \"l\" (list 2 3)) }}{{ $d.l }}") == "[2 3]")
    }

    @Test func regexMatchesFollowGo() throws {
        // Go drops an empty match right after a match.
        #expect(try render("{{ regexFindAll \"a*\" \"baaac\" -1 | toJson }}") == "[\"\",\"aaa\",\"\"]")
        #expect(try render("{{ regexReplaceAll \"a*\" \"baaac\" \"X\" }}") == "XbXcX")
        #expect(try render("{{ regexFindAll \"[0-9]+\" \"a1b22c333\" 2 }}") == "[1 22]")
        #expect(try render("{{ regexFindAll \"x\" \"abc\" -1 | toJson }}") == "null")
        // `$` is end of text; `\\d` is ASCII.
        #expect(try render("{{ regexMatch \"^abc$\" \"abc\\n\" }}|{{ regexMatch \"(?m)^abc$\" \"abc\\n\" }}") == "false|true")
        #expect(try render("{{ regexMatch \"^\\\\d$\" \"\u{0663}\" }}|{{ regexMatch \"^[\\\\d]+$\" \"42\" }}") == "false|true")
        #expect(try render("{{ regexMatch \"^[[:alpha:]]+$\" \"abc\" }}") == "true")
    }

    @Test func regexReplacementExpandsLikeGo() throws {
        #expect(try render("{{ regexReplaceAll \"(?P<first>\\\\w+) (?P<last>\\\\w+)\" \"John Smith\" \"${last}, ${first}\" }}") == "Smith, John")
        // `$1x` names a group "1x", which does not exist.
        #expect(try render("{{ regexReplaceAll \"(\\\\w+) (\\\\w+)\" \"ab cd\" \"$1x|${1}x|$2|$$|$\" }}") == "|abx|cd|$|$")
        #expect(try render("{{ regexReplaceAllLiteral \"b\" \"abc\" \"$1\" }}") == "a$1c")
        #expect(try render("{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}") == "-W-xxW-")
    }

    @Test func regexSplitFollowsGo() throws {
        #expect(try render("{{ regexSplit \"z+\" \"pizza\" -1 }}") == "[pi a]")
        #expect(try render("{{ regexSplit \"z+\" \"pizza\" 1 }}") == "[pizza]")
        #expect(try render("{{ regexSplit \"\" \"abc\" -1 }}") == "[a b c]")
        #expect(try render("{{ regexSplit \"a\" \"banana\" -1 | toJson }}") == "[\"b\",\"n\",\"n\",\"\"]")
        #expect(try render("{{ regexSplit \"x\" \"\" -1 | toJson }}") == "[\"\"]")
    }

    @Test func regexSyntaxErrorsReadLikeGo() {
        #expect(failure("{{ mustRegexMatch \"a(\" \"x\" }}").hasSuffix("error calling mustRegexMatch: error parsing regexp: missing closing ): `a(`"))
        #expect(failure("{{ regexFind \"a(\" \"x\" }}").hasSuffix("error calling regexFind: regexp: Compile(`a(`): error parsing regexp: missing closing ): `a(`"))
        #expect(failure("{{ mustRegexFind \"a)\" \"x\" }}").hasSuffix("error parsing regexp: unexpected ): `a)`"))
        #expect(failure("{{ mustRegexFind \"*a\" \"x\" }}").hasSuffix("error parsing regexp: missing argument to repetition operator: `*`"))
        #expect(failure("{{ mustRegexFind \"a**\" \"x\" }}").hasSuffix("error parsing regexp: invalid nested repetition operator: `**`"))
        #expect(failure("{{ mustRegexFind \"[a\" \"x\" }}").hasSuffix("error parsing regexp: missing closing ]: `[a`"))
        #expect(failure("{{ mustRegexFind \"(?=x)\" \"x\" }}").hasSuffix("error parsing regexp: invalid or unsupported Perl syntax: `(?=`"))
        #expect(failure("{{ mustRegexFind \"(a)\\\\1\" \"x\" }}").hasSuffix("error parsing regexp: invalid escape sequence: `\\1`"))
        #expect(failure("{{ mustRegexSplit \"a{2,1}\" \"x\" -1 }}").hasSuffix("error parsing regexp: invalid repeat count: `{2,1}`"))
        #expect((try? render("{{ regexMatch \"a(\" \"x\" }}")) == "false")
    }

    @Test func namesAddedForCompleteness() throws {
        #expect(try render("{{ hello }}") == "Hello!")
        #expect(try render("{{ dateInZone \"2006-01-02 15:04 MST\" 0 \"Nowhere/City\" }}") == "1970-01-01 00:00 UTC")
        #expect(failure("{{ must_date_modify \"1x\" now }}").contains("error calling must_date_modify"))
    }
}

/// Certificates from the `*WithKey` functions and custom CAs, checked with openssl.
@Suite struct FunctionsCertificateTests {
    func render(_ text: String) throws -> String {
        let set = TemplateSet(functions: SprigFunctions.all)
        try set.parse(name: "t", text: text)
        return try set.execute(name: "t", data: .null)
    }

    /// Runs openssl with files written from `files`; returns (status, output).
    func openssl(_ args: [String], files: [String: String]) throws -> (Int32, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sprig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.currentDirectoryURL = dir
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func withKeyFunctionsUseTheGivenKeys() throws {
        let out = try render("""
        {{- $ca := genCAWithKey "my-ca" 30 (genPrivateKey "ecdsa") -}}
        {{- $k := genPrivateKey "ed25519" -}}
        {{- $leaf := genSignedCertWithKey "leaf" (list "10.0.0.1" "::1") (list "a.example") 30 $ca $k -}}
        {{ $ca.Cert }}|{{ $ca.Key }}|{{ $leaf.Cert }}|{{ $leaf.Key }}|{{ $k }}
        """).split(separator: "|").map(String.init)
        #expect(out.count == 5)
        guard out.count == 5 else { return }
        #expect(out[1].hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        #expect(out[3] == out[4], "the leaf carries the key it was given")
        let (status, text) = try openssl(["verify", "-CAfile", "ca.pem", "leaf.pem"], files: ["ca.pem": out[0], "leaf.pem": out[2]])
        #expect(status == 0, "\(text)")
        let (_, shown) = try openssl(["x509", "-in", "leaf.pem", "-noout", "-text"], files: ["leaf.pem": out[2]])
        #expect(shown.contains("ED25519") && shown.contains("IP Address:10.0.0.1") && shown.contains("IP Address:0:0:0:0:0:0:0:1"))
        #expect(shown.contains("DNS:a.example") && shown.contains("ecdsa-with-SHA256"))
    }

    @Test func customCAsSignLeaves() throws {
        let out = try render("""
        {{- $ca := genCA "root" 3 -}}
        {{- $custom := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) -}}
        {{- $leaf := genSignedCert "leaf" nil nil 3 $custom -}}
        {{- $self := genSelfSignedCertWithKey "self" nil nil 3 (genPrivateKey "rsa") -}}
        {{ $ca.Cert }}|{{ $leaf.Cert }}|{{ $self.Cert }}
        """).split(separator: "|").map(String.init)
        guard out.count == 3 else { Issue.record("unexpected output"); return }
        let (status, text) = try openssl(["verify", "-CAfile", "ca.pem", "leaf.pem"], files: ["ca.pem": out[0], "leaf.pem": out[1]])
        #expect(status == 0, "\(text)")
        let (selfStatus, selfText) = try openssl(["verify", "-CAfile", "s.pem", "s.pem"], files: ["s.pem": out[2]])
        #expect(selfStatus == 0 || selfText.contains("CA"), "\(selfText)")
    }

    @Test func keyAndIPErrorsReadLikeSprig() {
        func failure(_ text: String) -> String {
            do { _ = try render(text); return "" } catch { return String(describing: error) }
        }
        #expect(failure("{{ genCAWithKey \"x\" 1 \"junk\" }}").hasSuffix("error calling genCAWithKey: parsing private key: no PEM data in input"))
        #expect(failure("{{ genCAWithKey \"x\" 1 \"-----BEGIN FOO-----\\nAAAA\\n-----END FOO-----\\n\" }}")
            .hasSuffix("parsing private key: no private key data in PEM block of type FOO"))
        #expect(failure("{{ genSelfSignedCert \"x\" (list \"nope\") nil 1 }}").hasSuffix("error calling genSelfSignedCert: error parsing ip: nope"))
        #expect(failure("{{ genSelfSignedCert \"x\" (list 1) nil 1 }}").hasSuffix("error parsing ip: 1 is not a string"))
        #expect(failure("{{ genSelfSignedCert \"x\" nil (list 2) 1 }}").hasSuffix("error processing alternate dns name: 2 is not a string"))
        #expect(failure("{{ buildCustomCert \"@@\" \"\" }}").hasSuffix("unable to decode base64 certificate"))
    }
}
