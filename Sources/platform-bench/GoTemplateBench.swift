import Foundation
import GoTemplate

/// GoTemplate throughput (docs/gotemplate.md):
/// - parse: every template file of the shared charts (`SHARED_DIR/charts/**/templates/*`),
///   with placeholder functions for Sprig/Helm names (their bodies are not run);
/// - execute: a builtins-only chart-like template (defines, `template`, range over maps and
///   lists, if/else, printf, eq, index) executed against Helm-shaped data, parsed once;
/// - parse+execute: the same, parsed anew for each execution.
enum GoTemplateBench {
    static let names = """
    include tpl required toYaml toJson fromYaml fromJson quote squote default empty list dict get set unset
    hasKey merge mergeOverwrite printf trunc trimSuffix trimPrefix trim upper lower title replace nindent
    indent contains hasPrefix hasSuffix semverCompare toString int int64 float64 add add1 sub mul div mod
    max min ternary coalesce b64enc b64dec sha256sum keys values pluck first last rest initial append
    concat uniq has without splitList split join cat regexMatch regexReplaceAll lookup fail kindIs kindOf
    typeOf typeIs deepCopy omit pick dig until untilStep seq toRawJson toPrettyJson mustToJson fromYamlArray
    randAlphaNum now date htmlDate uuidv4 genCA genSignedCert tuple env expandenv base dir ext clean
    sortAlpha reverse compact mustMerge regexFind regexFindAll splitn substr nospace camelcase snakecase
    kebabcase wrap abbrev repeat adler32sum sha1sum semver toDecimal atoi floor ceil round biggest all any
    mustRegexMatch urlParse urlJoin durationRound ago toToml fromToml fromJsonArray toYamlPretty mustToYaml
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    static let chartLike = """
    {{- define "app.name" -}}{{ or .Values.nameOverride .Chart.Name }}{{- end -}}
    {{- define "app.labels" -}}
    app.kubernetes.io/name: {{ template "app.name" . }}
    app.kubernetes.io/instance: {{ .Release.Name }}
    {{- range $k, $v := .Values.labels }}
    {{ $k }}: {{ printf "%q" $v }}
    {{- end }}
    {{- end -}}
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: {{ printf "%s-%s" .Release.Name .Chart.Name }}
      labels:
    {{ template "app.labels" . }}
    spec:
      replicas: {{ .Values.replicas }}
      template:
        spec:
          containers:
    {{- range $i, $c := .Values.containers }}
          - name: {{ $c.name }}
            image: "{{ $c.image.repository }}:{{ $c.image.tag }}"
            {{- if and $c.ports (gt (len $c.ports) 0) }}
            ports:
            {{- range $c.ports }}
            - containerPort: {{ .port }}
              protocol: {{ if eq .protocol "UDP" }}UDP{{ else }}TCP{{ end }}
            {{- end }}
            {{- end }}
            env:
            {{- range $k, $v := $.Values.env }}
            - name: {{ $k }}
              value: {{ printf "%v" $v | printf "%q" }}
            {{- end }}
    {{- end }}
          nodeSelector: {{ index .Values "nodeSelector" | len }}
    """

    static func data() -> Value {
        var containers: [Value] = []
        for i in 0..<3 {
            containers.append([
                "name": .string("c\(i)"),
                "image": ["repository": "nvcr.io/nvidia/k8s-device-plugin", "tag": "v0.17.0"],
                "ports": [["port": 8080.0, "protocol": "TCP"], ["port": 9090.0, "protocol": "UDP"]],
            ])
        }
        let values: Value = [
            "replicas": 3.0,
            "labels": ["tier": "gpu", "team": "platform", "cost-center": "1234"],
            "containers": .list(containers),
            "env": ["A": "1", "B": 2.5, "C": true, "D": "x y z"],
            "nodeSelector": ["nvidia.com/gpu.present": "true"],
        ]
        return [
            "Values": values,
            "Release": ["Name": "rel", "Namespace": "ns1"],
            "Chart": ["Name": "gpu-operator", "Version": "v26.7.0"],
        ]
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    static func run(sharedDirectory: String? = nil) {
        let shared = sharedDirectory ?? ProcessInfo.processInfo.environment["SHARED_DIR"] ?? "../shared"
        var functions: FunctionMap = [:]
        for n in names where !builtinFunctionNames.contains(n) {
            functions[n] = Function(n, parameters: [], variadic: .interface) { _, _ in .null }
        }
        // Parse every chart template.
        var files: [(String, String)] = []
        let root = shared + "/charts"
        if let walker = FileManager.default.enumerator(atPath: root) {
            for case let rel as String in walker where rel.contains("templates/")
                && (rel.hasSuffix(".yaml") || rel.hasSuffix(".tpl") || rel.hasSuffix(".txt")) {
                if let text = try? String(contentsOfFile: root + "/" + rel, encoding: .utf8) { files.append((rel, text)) }
            }
        }
        let clock = ContinuousClock()
        if files.isEmpty {
            print("gotemplate: no chart templates under \(root) (set SHARED_DIR)")
        } else {
            let bytes = files.reduce(0) { $0 + $1.1.utf8.count }
            var best = Duration.seconds(1000)
            var failures = 0
            for _ in 0..<5 {
                let set = TemplateSet(functions: functions)
                failures = 0
                let start = clock.now
                for (name, text) in files {
                    do { try set.parse(name: name, text: text) } catch { failures += 1 }
                }
                best = min(best, clock.now - start)
            }
            let s = seconds(best)
            let mb = Double(bytes) / 1_048_576
            print(String(format: "gotemplate: parse chart templates  %4d files %5.2f MB  best of 5: %7.2f ms  %7.1f MB/s  %8.0f files/s  (%d failed)",
                         files.count, mb, s * 1000, mb / s, Double(files.count) / s, failures))
        }
        // Execute a builtins-only chart-like template.
        let data = data()
        let set = TemplateSet()
        do { try set.parse(name: "deployment.yaml", text: chartLike) } catch {
            print("gotemplate: bench template failed to parse: \(error)")
            return
        }
        let n = 2000
        var start = clock.now
        var outBytes = 0
        for _ in 0..<n {
            outBytes = (try? set.execute(name: "deployment.yaml", data: data))?.utf8.count ?? -1
        }
        var s = seconds(clock.now - start)
        print(String(format: "gotemplate: execute (parsed once)    %d runs  %7.2f ms  %8.0f templates/s  (%d bytes out each)",
                     n, s * 1000, Double(n) / s, outBytes))
        start = clock.now
        for _ in 0..<n {
            let fresh = TemplateSet()
            _ = try? fresh.parse(name: "deployment.yaml", text: chartLike)
            _ = try? fresh.execute(name: "deployment.yaml", data: data)
        }
        s = seconds(clock.now - start)
        print(String(format: "gotemplate: parse+execute            %d runs  %7.2f ms  %8.0f templates/s",
                     n, s * 1000, Double(n) / s))
    }
}
