import ArgumentParser
import Foundation
import Helm

/// `platform template [NAME] CHART [flags]`: a drop-in for `helm template`.
/// Output and error text match Helm v4.3.0 byte for byte; errors exit 1 as `Error: ...`.
struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Render a Helm chart exactly as `helm template` does.")

    @Argument(help: "[NAME] CHART: release name (optional) and chart directory or .tgz.")
    var positional: [String] = []

    @Option(name: [.short, .long], help: "Namespace of the release (default: $HELM_NAMESPACE or \"default\").")
    var namespace: String?
    @Option(name: .long, help: "Release name (alternative to the positional NAME).")
    var name: String?
    @Flag(name: [.short, .long], help: "Generate the release name.")
    var generateName = false
    @Option(name: [.customShort("f"), .long], help: "Values file (repeatable).")
    var values: [String] = []
    @Option(name: .long, help: "Set values on the command line (key1=val1,key2=val2).")
    var set: [String] = []
    @Option(name: .customLong("set-string"), help: "Set STRING values on the command line.")
    var setString: [String] = []
    @Option(name: .customLong("set-json"), help: "Set JSON values on the command line.")
    var setJSON: [String] = []
    @Option(name: .customLong("set-file"), help: "Set values from files (key=path).")
    var setFile: [String] = []
    @Option(name: .customLong("set-literal"), help: "Set a literal STRING value.")
    var setLiteral: [String] = []
    @Option(name: .customLong("kube-version"), help: "Kubernetes version for Capabilities.KubeVersion.")
    var kubeVersion: String?
    @Option(name: [.customShort("a"), .customLong("api-versions")], help: "Extra Capabilities.APIVersions (repeatable, comma-separated).")
    var apiVersions: [String] = []
    @Flag(name: .customLong("include-crds"), help: "Include CRDs in the output.")
    var includeCRDs = false
    @Flag(name: .customLong("skip-tests"), help: "Skip test hooks.")
    var skipTests = false
    @Flag(name: .customLong("no-hooks"), help: "Do not print hooks.")
    var noHooks = false
    @Flag(name: .customLong("is-upgrade"), help: "Set .Release.IsUpgrade instead of .Release.IsInstall.")
    var isUpgrade = false
    @Flag(name: .customLong("skip-schema-validation"), help: "Skip values.schema.json validation.")
    var skipSchemaValidation = false
    @Option(name: [.customShort("s"), .customLong("show-only")], help: "Only show manifests from these templates (repeatable).")
    var showOnly: [String] = []
    @Option(name: .customLong("output-dir"), help: "Write each template to files under this directory.")
    var outputDir: String?
    @Flag(name: .customLong("release-name"), help: "Use the release name in the --output-dir path.")
    var useReleaseName = false

    // Accepted for drop-in compatibility with `helm template` scripts; they do not change output here.
    @Flag(name: .customLong("create-namespace"), help: .hidden) var createNamespace = false
    @Flag(name: .customLong("debug"), help: .hidden) var debug = false
    @Flag(name: .customLong("dependency-update"), help: .hidden) var dependencyUpdate = false
    @Flag(name: .customLong("skip-crds"), help: .hidden) var skipCRDs = false
    @Flag(name: .customLong("disable-openapi-validation"), help: .hidden) var disableOpenAPIValidation = false

    func run() async throws {
        do {
            FileHandle.standardOutput.write(Data(try invocation.run().utf8))
        } catch let e as HelmError {
            throw CommandFailure("Error: " + e.message + "\n")
        }
    }

    /// The flags as the library's `helm template` invocation (shared with the golden tests).
    var invocation: TemplateInvocation {
        var t = TemplateInvocation()
        t.positional = positional
        t.namespace = namespace ?? ProcessInfo.processInfo.environment["HELM_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        t.name = name
        t.generateName = generateName
        t.valueFiles = values
        t.set = set
        t.setString = setString
        t.setJSON = setJSON
        t.setFile = setFile
        t.setLiteral = setLiteral
        t.kubeVersion = kubeVersion
        t.apiVersions = apiVersions
        t.includeCRDs = includeCRDs
        t.skipTests = skipTests
        t.noHooks = noHooks
        t.isUpgrade = isUpgrade
        t.skipSchemaValidation = skipSchemaValidation
        t.showOnly = showOnly
        t.outputDir = outputDir
        t.useReleaseName = useReleaseName
        return t
    }
}
