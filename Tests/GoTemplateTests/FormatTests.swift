import Testing
@testable import GoTemplate

@Suite struct FormatTests {
    @Test func printfVerbsGolden() {
        // From golden/functions/printf-verbs.
        #expect(goSprintf("%s|%10s|%-4s|", ["a", "b", "c"]) == "a|         b|c   |")
        #expect(goSprintf("%d|%05d|%x|%X|%o|%b", [42, 42, 255, 255, 8, 5]) == "42|00042|ff|FF|10|101")
        #expect(goSprintf("%f|%.2f|%05.1f|%e|%g|%g", [3.14159, 3.14159, 2.5, 1234.5678, 0.000001, 1e21])
            == "3.141590|3.14|002.5|1.234568e+03|1e-06|1e+21")
        let m: Value = ["b": 2.0, "a": [1.0, "x"]]
        let l: Value = [1.0, 2.5, "z"]
        #expect(goSprintf("%v|%v|%v|%v|%v", [m, l, .null, true, 1.0]) == "map[a:[1 x] b:2]|[1 2.5 z]|<nil>|true|1")
        #expect(goSprintf("%q|%t|%T|%T|%T|%%", ["hi", true, 1, 1.5, m]) == #""hi"|true|int|float64|map[string]interface {}|%"#)
        #expect(goSprintf("%d %s", ["x"]) == "%!d(string=x) %!s(MISSING)")
        #expect(goSprintf("%+v|%#v", [m, "s"]) == #"map[a:[1 x] b:2]|"s""#)
    }

    @Test func badVerbsAndExtras() {
        #expect(goSprintf("%d", [.null]) == "%!d(<nil>)")
        #expect(goSprintf("x", [1, "a"]) == "x%!(EXTRA int=1, string=a)")
        #expect(goSprintf("%", [1]) == "%!(NOVERB)%!(EXTRA int=1)")
        #expect(goSprintf("%s", [1]) == "%!s(int=1)")
        #expect(goSprintf("%s", [[1, "a"]]) == "[%!s(int=1) a]")
        #expect(goSprintf("%[2]d %[1]d", [1, 2]) == "2 1")
        #expect(goSprintf("%*d", [5, 42]) == "   42")
        #expect(goSprintf("%.3s", ["abcdef"]) == "abc")
        #expect(goSprintf("%c%U %#U", [65, 0x1F600, 0x41]) == "AU+1F600 U+0041 'A'")
        #expect(goSprintf("%x % x %#x", ["hi", "hi", 255]) == "6869 68 69 0xff")
        #expect(goSprintf("%+d %+.1e %08.3f %-6d|", [5, 12345.678, -3.14159, 7]) == "+5 +1.2e+04 -003.142 7     |")
        #expect(goSprintf("%v %v", [.typedNil(.dict), .typedNil(.list)]) == "map[] []")
        #expect(goSprintf("%v", [.bytes([104, 105])]) == "[104 105]")
        #expect(goSprintf("%s", [.bytes([104, 105])]) == "hi")
        #expect(goSprintf("%q", ["a\n\u{1}é"]) == #""a\n\x01é""#)
        #expect(goSprintf("%+q", ["é"]) == #""\u00e9""#)
    }

    @Test func floatShortest() {
        #expect(goFormat(.float(3)) == "3")
        #expect(goFormat(.float(1e6)) == "1e+06")
        #expect(goFormat(.float(100000)) == "100000")
        #expect(goFormat(.float(0.0001)) == "0.0001")
        #expect(goFormat(.float(0.00001)) == "1e-05")
        #expect(goFormat(.float(-0.0)) == "-0")
        #expect(goFormat(.float(123456789)) == "1.23456789e+08")
        #expect(goFormat(.float(1.0 / 3.0)) == "0.3333333333333333")
        #expect(goFormat(.float(.infinity)) == "+Inf")
        #expect(goFormat(.float(.nan)) == "NaN")
        #expect(goSprintf("%e", [0.0]) == "0.000000e+00")
        #expect(goSprintf("%g %G", [1e-7, 1e-7]) == "1e-07 1E-07")
        #expect(goSprintf("%.3g", [1234.5678]) == "1.23e+03")
    }

    @Test func sprintSpacing() {
        #expect(goSprint([1, 2]) == "1 2")
        #expect(goSprint(["a", 1, 2, "b"]) == "a1 2b")
        #expect(goSprint([.null, 1]) == "<nil> 1")
    }
}
