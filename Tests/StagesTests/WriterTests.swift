import Foundation
import Stages
import Testing
import YAML

/// Writing, pruning and refusing to overwrite; CRD schema checks; the embedded templates.
struct WriterTests {
    static func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "stages-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(.enabled(if: Fixture.shared != nil)) func prunesOnlyWhatItWrote() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/README.md"))
        var profile = try Fixture.profile("rdma-training")
        let first = try GitOpsWriter().write(Fixture.render(profile), options: GitOpsOptions(format: .kustomize), to: dir)
        #expect(first.removed.isEmpty && !first.written.isEmpty)
        let again = try GitOpsWriter().write(Fixture.render(profile), options: GitOpsOptions(format: .kustomize), to: dir)
        #expect(again.written.isEmpty && again.removed.isEmpty)
        profile.spec.network.enabled = false
        let third = try GitOpsWriter().write(Fixture.render(profile), options: GitOpsOptions(format: .kustomize), to: dir)
        #expect(third.removed.contains("20-network/kustomization.yaml"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/20-network"))
        #expect(FileManager.default.fileExists(atPath: dir + "/README.md"))
    }

    @Test(.enabled(if: Fixture.shared != nil)) func refusesToOverwriteForeignFiles() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/00-namespaces", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir + "/00-namespaces/01-namespace_dev-bob.yaml"))
        #expect(throws: StageRenderError.self) {
            try GitOpsWriter().write(Fixture.render(Fixture.profile("dev-time-slicing")), options: GitOpsOptions(), to: dir)
        }
        #expect(try String(contentsOfFile: dir + "/00-namespaces/01-namespace_dev-bob.yaml", encoding: .utf8) == "mine")
    }

    @Test func schemaRejectsUnknownFieldsWrongTypesAndMissingRequired() throws {
        let schema = try YAMLDecoder(rules: .kubernetes).decode("""
            type: object
            properties:
              spec:
                type: object
                required: [image]
                properties:
                  image: {type: string}
                  count: {type: integer}
                  mode: {type: string, enum: [a, b]}
                  free: {type: object, x-kubernetes-preserve-unknown-fields: true}
            """)
        let ok = try YAMLDecoder(rules: .kubernetes).decode("{apiVersion: x/v1, kind: K, metadata: {name: n}, spec: {image: i, count: 2, mode: a, free: {any: 1}}}")
        #expect(CRDSchemaValidator().validate(ok, schema: schema).isEmpty)
        let bad = try YAMLDecoder(rules: .kubernetes).decode("{spec: {count: x, mode: c, extra: 1}, other: 2}")
        let problems = CRDSchemaValidator().validate(bad, schema: schema).map(\.description)
        #expect(problems.contains("other: field not declared in schema"))
        #expect(problems.contains("spec.count: must be of type integer"))
        #expect(problems.contains("spec.mode: unsupported value \"c\""))
        #expect(problems.contains("spec.extra: field not declared in schema"))
        #expect(problems.contains("spec.image: Required value"))
    }

    @Test(.enabled(if: Fixture.shared != nil)) func invalidCustomResourceFailsTheRender() throws {
        var templates = try Fixture.templates()
        templates.files["20-network/broken.yaml"] = """
            apiVersion: mellanox.com/v1alpha1
            kind: NicClusterPolicy
            metadata: {name: broken}
            spec: {rdmaSharedDevicePlugin: {imagee: x}}
            """
        let renderer = StageRenderer(charts: Fixture.charts, templates: templates)
        #expect {
            try renderer.render(Fixture.profile("rdma-training"))
        } throws: { error in
            let text = String(describing: error)
            return text.contains("NicClusterPolicy broken") && text.contains("rdmaSharedDevicePlugin.imagee")
        }
    }

    /// The binary's copy of Manifests/ must equal the tree (re-record with PLATFORM_RECORD=1).
    @Test func embeddedManifestsMatchTheTree() throws {
        let disk = try Fixture.templates()
        if Fixture.recording {
            var out = ["// Generated from Manifests/ by StagesTests (EmbeddedManifestsTests); do not edit.",
                       "// Re-record with PLATFORM_RECORD=1 swift test --filter StagesTests.",
                       "enum EmbeddedManifests {", "    static let files: [String: String] = ["]
            for (path, text) in disk.files.sorted(by: { $0.key < $1.key }) {
                out.append("        \"\(path)\": #\"\"\"\n\(text)\n\"\"\"#,")
            }
            out += ["    ]", "}"]
            let file = Fixture.repoRoot.appendingPathComponent("Sources/Stages/EmbeddedManifests.swift").path
            try Data((out.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: file))
        }
        #expect(ManifestTemplates.embedded.files == disk.files,
                "Sources/Stages/EmbeddedManifests.swift is stale: PLATFORM_RECORD=1 swift test --filter StagesTests, then rebuild")
    }
}
