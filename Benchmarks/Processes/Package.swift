// swift-tools-version: 6.2
import PackageDescription

// Berth's `ProcessRunner` beside swift-subprocess, on the work Berth gives its processes:
// `swift run -c release --package-path Benchmarks/Processes`. A package of its own, so that
// Berth itself does not depend on swift-subprocess in order to measure it.
let package = Package(
    name: "processes-benchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Berth", path: "../.."),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .executableTarget(
            name: "ProcessesBenchmark",
            dependencies: [
                .product(name: "BerthDeploy", package: "Berth"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ])
    ],
    swiftLanguageModes: [.v6]
)
