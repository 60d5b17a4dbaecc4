// swift-tools-version: 6.2
import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Berth",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Berth", targets: ["Berth"]),
        .library(name: "BerthCore", targets: ["BerthCore"]),
        .library(name: "BerthRendering", targets: ["BerthRendering"]),
        .library(name: "BerthCompose", targets: ["BerthCompose"]),
        .library(name: "BerthSwarm", targets: ["BerthSwarm"]),
        .library(name: "BerthDiagram", targets: ["BerthDiagram"]),
        .library(name: "BerthCloudflare", targets: ["BerthCloudflare"]),
        .library(name: "BerthGateway", targets: ["BerthGateway"]),
        .library(name: "BerthMonitoring", targets: ["BerthMonitoring"]),
        .library(name: "BerthImport", targets: ["BerthImport"]),
        .library(name: "BerthDeploy", targets: ["BerthDeploy"]),
        .library(name: "BerthProcess", targets: ["BerthProcess"]),
        .library(name: "BerthTesting", targets: ["BerthTesting"]),
        .executable(name: "berth", targets: ["berth"]),
        .executable(name: "berth-benchmark", targets: ["BerthBenchmark"]),
        .plugin(name: "BerthDeployPlugin", targets: ["BerthDeployPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "BerthYAML", swiftSettings: strictSwift),
        // How every program Berth runs is started: argument arrays, process groups, signals.
        .target(
            name: "BerthProcess",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strictSwift),
        .target(name: "BerthCore", swiftSettings: strictSwift),
        // What every renderer writes on what Berth creates: ownership labels, configuration
        // hashes, routes; read back by the deploy layer without knowing which renderer wrote them.
        .target(name: "BerthRendering", dependencies: ["BerthCore", "BerthYAML"], swiftSettings: strictSwift),
        .target(
            name: "BerthCompose", dependencies: ["BerthCore", "BerthRendering", "BerthYAML"], swiftSettings: strictSwift
        ),
        .target(
            name: "BerthSwarm", dependencies: ["BerthCore", "BerthCompose", "BerthRendering", "BerthYAML"],
            swiftSettings: strictSwift),
        // Topology diagrams (Mermaid, Graphviz DOT) of a deployment's stacks.
        .target(name: "BerthDiagram", dependencies: ["BerthCore", "BerthCompose"], swiftSettings: strictSwift),
        .target(name: "BerthCloudflare", dependencies: ["BerthCore", "BerthYAML"], swiftSettings: strictSwift),
        .target(name: "BerthGateway", dependencies: ["BerthCore", "BerthYAML"], swiftSettings: strictSwift),
        // `berth import`: Berth's DSL written from an existing Compose project. Yams reads the
        // original files for the lines a report names.
        .target(
            name: "BerthImport",
            dependencies: [
                "BerthCore", "BerthCloudflare", "BerthProcess", "BerthRendering",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift),
        // Prometheus, its alert rules, exporters and Grafana, written from a stack's description.
        .target(name: "BerthMonitoring", dependencies: ["BerthCore", "BerthYAML"], swiftSettings: strictSwift),
        .target(
            name: "BerthDeploy",
            dependencies: [
                "BerthCore", "BerthCompose", "BerthSwarm", "BerthCloudflare", "BerthDiagram", "BerthGateway",
                "BerthProcess", "BerthRendering", "BerthYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "BerthTesting",
            dependencies: [
                "BerthCore", "BerthCompose", "BerthDiagram", "BerthGateway", "BerthDeploy", "BerthProcess",
                "BerthRendering",
            ],
            swiftSettings: strictSwift
        ),
        .target(
            name: "Berth",
            dependencies: [
                "BerthCore", "BerthCompose", "BerthSwarm", "BerthCloudflare", "BerthDiagram", "BerthGateway",
                "BerthDeploy", "BerthMonitoring", "BerthRendering",
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "berth",
            dependencies: [
                "BerthDeploy", "BerthImport", "BerthRendering",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "BerthBenchmark",
            dependencies: ["BerthCore", "BerthCompose", "BerthProcess", "BerthRendering", "BerthYAML"],
            swiftSettings: strictSwift
        ),
        .plugin(
            name: "BerthDeployPlugin",
            capability: .command(
                intent: .custom(verb: "deploy", description: "Plan, deploy and inspect the package's stack"),
                permissions: [
                    .writeToPackageDirectory(reason: "Berth writes rendered files and secrets under .berth/"),
                    .allowNetworkConnections(
                        scope: .docker,
                        reason: "Berth drives the Docker engine through its socket"
                    ),
                ]
            )
        ),
        .testTarget(name: "BerthYAMLTests", dependencies: ["BerthYAML", "BerthProcess"]),
        // The Compose corpus as `berth import` writes it (goldens that must compile), and the
        // tests that import, build and render it.
        .target(name: "ImportedFixtures", dependencies: ["Berth"], path: "Tests/ImportedFixtures"),
        .testTarget(
            name: "BerthImportTests",
            dependencies: ["BerthImport", "BerthCompose", "BerthDeploy", "ImportedFixtures", "BerthTesting"]),
        .testTarget(name: "BerthCoreTests", dependencies: ["BerthCore", "BerthProcess", "BerthTesting"]),
        .testTarget(
            name: "BerthComposeTests",
            dependencies: ["BerthCompose", "BerthProcess", "BerthRendering", "BerthTesting"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "BerthDiagramTests", dependencies: ["BerthDiagram", "BerthTesting"], resources: [.copy("Golden")]),
        .testTarget(
            name: "BerthDeployTests",
            dependencies: [
                "BerthDeploy", "BerthDiagram", "BerthMonitoring", "BerthProcess", "BerthRendering", "BerthTesting",
            ]),
        // A `Deploy` executable as an application has one, run as a process by the rollout tests
        // and the rollout benchmark.
        .executableTarget(
            name: "RolloutFixture", dependencies: ["BerthCore", "BerthDeploy", "BerthGateway"],
            path: "Tests/RolloutFixture"),
        .testTarget(
            name: "BerthSwarmTests",
            dependencies: ["BerthSwarm", "BerthRendering", "BerthTesting"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "BerthGatewayTests",
            dependencies: ["BerthGateway", "BerthCompose", "BerthSwarm", "BerthTesting"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "BerthMonitoringTests",
            dependencies: ["BerthMonitoring", "BerthCompose", "BerthSwarm", "BerthDeploy", "BerthTesting"],
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "BerthCloudflareTests",
            dependencies: ["BerthCloudflare", "BerthCompose", "BerthTesting"],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
