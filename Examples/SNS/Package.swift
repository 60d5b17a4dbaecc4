// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "SNS",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "Deploy", targets: ["Deploy"])
    ],
    dependencies: [
        .package(name: "Berth", path: "../..")
    ],
    targets: [
        // The stack lives in a library so tests can examine it without running anything.
        .target(name: "SNSTopology", dependencies: [.product(name: "Berth", package: "Berth")]),
        .executableTarget(name: "Deploy", dependencies: ["SNSTopology", .product(name: "Berth", package: "Berth")]),
        .testTarget(
            name: "SNSTopologyTests",
            dependencies: [
                "SNSTopology", .product(name: "Berth", package: "Berth"),
                .product(name: "BerthTesting", package: "Berth"),
            ],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
