// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "NextCandle",
    platforms: [.macOS(.v15)],
    products: [
        // `swift run Deploy …`: the environment stack (gateway, tunnel, PostgreSQL, Redis).
        .executable(name: "Deploy", targets: ["Deploy"]),
        // `swift run DeployShared …`: the shared stack (object storage, monitoring, automation).
        .executable(name: "DeployShared", targets: ["DeployShared"]),
    ],
    dependencies: [
        .package(name: "Berth", path: "../..")
    ],
    targets: [
        // Both stacks live in a library so tests can examine them without running anything.
        .target(name: "NextCandleTopology", dependencies: [.product(name: "Berth", package: "Berth")]),
        .executableTarget(
            name: "Deploy", dependencies: ["NextCandleTopology", .product(name: "Berth", package: "Berth")]),
        .executableTarget(
            name: "DeployShared", dependencies: ["NextCandleTopology", .product(name: "Berth", package: "Berth")]),
        .testTarget(
            name: "NextCandleTopologyTests",
            dependencies: [
                "NextCandleTopology",
                .product(name: "Berth", package: "Berth"),
                .product(name: "BerthTesting", package: "Berth"),
            ],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
