// swift-tools-version: 6.2
import PackageDescription

// behindy-admin deploys itself onto the shared infrastructure of behindy-ops:
// `swift package deploy up --env dev`.
let package = Package(
    name: "behindy-admin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "Deploy", targets: ["Deploy"])
    ],
    dependencies: [
        .package(name: "Berth", path: "../../.."),
        .package(name: "behindy-ops", path: "../behindy-ops"),
    ],
    targets: [
        .executableTarget(
            name: "Deploy",
            dependencies: [
                .product(name: "Berth", package: "Berth"),
                .product(name: "BehindyOps", package: "behindy-ops"),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
