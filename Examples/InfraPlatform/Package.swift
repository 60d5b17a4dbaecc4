// swift-tools-version: 6.2
import PackageDescription

// The infrastructure platform: a Traefik gateway with single sign-on, observability, databases,
// messaging and local inference in one stack. App packages import the `InfraPlatform` library
// for the handles of its shared network, its gateway and its services.
let package = Package(
    name: "InfraPlatform",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "InfraPlatform", targets: ["InfraPlatform"]),
        // `swift run Deploy …`: render, validate, plan and deploy the stack.
        .executable(name: "Deploy", targets: ["Deploy"]),
    ],
    dependencies: [
        .package(name: "Berth", path: "../..")
    ],
    targets: [
        // The stack lives in a library so tests and app packages can use it without running anything.
        .target(name: "InfraPlatform", dependencies: [.product(name: "Berth", package: "Berth")]),
        .executableTarget(
            name: "Deploy", dependencies: ["InfraPlatform", .product(name: "Berth", package: "Berth")]),
        .testTarget(
            name: "InfraPlatformTests",
            dependencies: [
                "InfraPlatform",
                .product(name: "Berth", package: "Berth"),
                .product(name: "BerthTesting", package: "Berth"),
            ],
            resources: [.copy("Golden")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
