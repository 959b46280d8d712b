// swift-tools-version: 6.0
import PackageDescription

// Module layout follows docs/ and ../shared/DESIGN.md: one module per concern,
// pure core (YAML, Profiles, GoTemplate, Helm, KubeModel) and I/O at the edges.
let package = Package(
    name: "platform",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "platform", targets: ["platform"]),
        .executable(name: "platform-bench", targets: ["platform-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.0.0"),
    ],
    targets: [
        // Native libraries (system library targets found through pkg-config).
        .systemLibrary(name: "CLibYAML", path: "Sources/CLibYAML", pkgConfig: "yaml-0.1",
                       providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CLibCurl", path: "Sources/CLibCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CLibArchive", path: "Sources/CLibArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),

        // Pure core.
        .target(name: "YAML", dependencies: ["CLibYAML"]),
        .target(name: "Profiles", dependencies: ["YAML"]),
        .target(name: "GoTemplate", dependencies: []),
        .target(name: "Helm", dependencies: [
            "GoTemplate", "YAML", "CLibArchive",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"),
        ]),
        .target(name: "KubeModel", dependencies: ["YAML"]),
        // Built-in kinds' schemas (generated, embedded) and their validator; docs/architecture.md.
        .target(name: "KubeSchema", dependencies: ["KubeModel", "YAML", "CLibArchive"]),
        .target(name: "ChartSources", dependencies: [
            "Helm", "Profiles", "YAML", "KubeClient", "CLibArchive", "CLibYAML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Stages", dependencies: ["Profiles", "Helm", "YAML", "ChartSources", "KubeSchema"]),

        // Edges.
        .target(name: "KubeSim", dependencies: [
            "KubeModel", "KubeSchema", "YAML",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "KubeClient", dependencies: ["CLibCurl", "KubeModel", "YAML"]),
        .target(name: "Planning", dependencies: [
            "KubeModel", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "Rollout", dependencies: ["Planning", "KubeModel", "KubeClient", "KubeSim", "Stages", "Profiles", "YAML"]),
        .target(name: "PlatformCLI", dependencies: [
            "YAML", "Profiles", "GoTemplate", "Helm", "KubeModel", "KubeSim", "ChartSources", "Stages",
            "KubeClient", "Planning", "Rollout",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "platform", dependencies: ["PlatformCLI"]),
        .executableTarget(name: "platform-bench", dependencies: [
            "YAML", "Profiles", "GoTemplate", "Helm", "KubeSim", "KubeClient", "KubeModel", "KubeSchema", "ChartSources",
            "Stages", "Planning", "Rollout",
        ]),

        // Tests: one target per module.
        .testTarget(name: "NativeLibrariesTests", dependencies: ["CLibYAML", "CLibCurl", "CLibArchive"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ProfilesTests", dependencies: ["Profiles", "YAML"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "GoTemplateTests", dependencies: ["GoTemplate"]),
        .testTarget(name: "HelmTests", dependencies: ["Helm", "GoTemplate", "YAML"], exclude: ["Fixtures"]),
        .testTarget(name: "KubeSchemaTests", dependencies: [
            "KubeSchema", "KubeModel", "YAML", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .testTarget(name: "KubeSimTests", dependencies: ["KubeSim", "KubeModel", "YAML"]),
        .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "KubeModel", "KubeSim", "YAML"]),
        .testTarget(name: "StagesTests", dependencies: [
            "Stages", "ChartSources", "Profiles", "Helm", "YAML", "KubeSchema", .product(name: "Crypto", package: "swift-crypto"),
        ],
                    exclude: ["Fixtures"]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "KubeModel"]),
        .testTarget(name: "RolloutTests", dependencies: ["Rollout", "Planning", "KubeModel", "KubeClient", "KubeSim"]),
        .testTarget(name: "PlatformCLITests", dependencies: ["PlatformCLI"]),
        .testTarget(name: "ChartSourcesTests", dependencies: [
            "ChartSources", "Helm", "Profiles", "YAML", "KubeClient", .product(name: "Crypto", package: "swift-crypto"),
            "Stages", // golden images.txt of the example profiles
        ], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
