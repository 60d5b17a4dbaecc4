// swift-tools-version: 6.2
import PackageDescription

// The shared infrastructure of Behindy: PostgreSQL, Redis and the nginx gateway. App repositories
// (behindy-front, behindy-back, behindy-story) import the `BehindyOps` library for the handles
// of the shared network, the gateway and the databases, and deploy themselves onto it.
let package = Package(
    name: "behindy-ops",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BehindyOps", targets: ["BehindyOps"]),
        .executable(name: "DeployOps", targets: ["DeployOps"]),
    ],
    dependencies: [
        .package(name: "Berth", path: "../../..")
    ],
    targets: [
        .target(name: "BehindyOps", dependencies: [.product(name: "Berth", package: "Berth")]),
        .executableTarget(name: "DeployOps", dependencies: ["BehindyOps", .product(name: "Berth", package: "Berth")]),
        .testTarget(
            name: "BehindyOpsTests",
            dependencies: [
                "BehindyOps", .product(name: "Berth", package: "Berth"),
                .product(name: "BerthTesting", package: "Berth"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
