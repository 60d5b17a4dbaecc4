import BerthCore
import BerthRendering
import Foundation

@testable import BerthDeploy

/// A fresh folder under the system's temporary directory, removed by ``remove()``.
struct TemporaryDirectory {
    let url: URL

    init(_ prefix: String = "berth-deploy-tests") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent(
                "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Thread-safe storage for values collected from concurrent code.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value { lock.withLock { stored } }

    func mutate<Result>(_ change: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try change(&stored) }
    }
}

/// A ``Console`` whose text is kept instead of printed.
struct CapturedConsole {
    let lines = Locked<[String]>([])

    var console: Console {
        let lines = self.lines
        return Console(isTerminal: false) { _, text in lines.mutate { $0.append(text) } }
    }

    var text: String { lines.value.joined() }
}

/// Every file below a folder, hidden ones included.
func allFiles(under root: URL) -> [URL] {
    guard
        let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey])
    else { return [] }
    var files: [URL] = []
    for case let url as URL in enumerator {
        if (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            files.append(url)
        }
    }
    return files.sorted { $0.path < $1.path }
}

/// The POSIX permission bits of a file or folder.
func permissions(of url: URL) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// A live container as `docker inspect` would report it for a service of a rendered document.
func liveContainer(
    _ service: String,
    hash: ServiceHash?,
    number: Int = 1,
    project: String = "shop-dev",
    state: String = "running",
    health: String? = nil,
    exitCode: Int = 0
) -> LiveContainer {
    LiveContainer(
        id: "\(service)-\(number)-" + String(repeating: "0", count: 8),
        name: "\(project)-\(service)-\(number)",
        service: service,
        state: state,
        health: health,
        lastHealthOutput: nil,
        exitCode: exitCode,
        image: "berth-test/busybox:1",
        startedAt: "2026-01-01T00:00:00Z",
        ports: [],
        configHash: hash?.configuration,
        fieldHashes: hash?.fields ?? [:])
}
