import BerthDeploy
import Foundation
import Subprocess
import SystemPackage

// What Berth asks of processes, done by `ProcessRunner` (on `BerthProcess`, which starts every
// program Berth runs through swift-subprocess) and by swift-subprocess called directly, side by
// side, in one run, each case alternating between the two so that neither gets a warmer machine.
// The difference is what Berth's layer costs (process groups, text decoding, SIGPIPE handling in
// pipelines). The cases:
// - many short commands, one after another (a plan reads the engine with a dozen `docker` calls);
// - the same, eight at a time (a rollout waits on several services at once);
// - a large output collected (`docker compose config`, `docker inspect` of a big stack);
// - bytes streamed through two processes without passing through Berth (a backup, `docker
//   save | docker load` to a remote engine).
// Figures are wall-clock milliseconds: the median and the 95th percentile over the rounds.

let rounds = Int(ProcessInfo.processInfo.environment["BENCH_ROUNDS"] ?? "") ?? 15
let runner = ProcessRunner()

/// The executable's path on PATH, as ProcessRunner finds it, so both start the same file.
func locate(_ name: String) -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first {
        FileManager.default.isExecutableFile(atPath: $0)
    } ?? "/usr/bin/\(name)"
}

struct Case {
    let name: String
    let berth: @Sendable () async throws -> Void
    let subprocess: @Sendable () async throws -> Void
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw BenchmarkFailure(message: message()) }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

let outputLines = 400_000
let expectedOutput = (1...outputLines).reduce(0) { $0 + String($1).utf8.count + 1 }
let streamed = 256 << 20
let streamedSum = "a6d72ac7690f53be6ae46ba88506bd97302a093f7108472bd9efc3cefda06484"

func subprocessPipe(_ first: [String], _ second: [String]) async throws -> (Bool, String) {
    let (read, write) = try FileDescriptor.pipe()
    async let producer = Subprocess.run(
        .path(FilePath(locate(first[0]))), arguments: Arguments(Array(first.dropFirst())),
        output: .fileDescriptor(write, closeAfterSpawningProcess: true), error: .discarded)
    async let consumer = Subprocess.run(
        .path(FilePath(locate(second[0]))), arguments: Arguments(Array(second.dropFirst())),
        input: .fileDescriptor(read, closeAfterSpawningProcess: true), output: .string(limit: 1 << 16),
        error: .discarded)
    let (made, taken) = try await (producer, consumer)
    return (made.terminationStatus.isSuccess && taken.terminationStatus.isSuccess, taken.standardOutput)
}

@Sendable func collectWithBerth() async throws {
    let result = try await runner.run(["seq", "1", String(outputLines)], input: nil)
    try check(result.standardOutput.utf8.count == expectedOutput, "seq: \(result.standardOutput.utf8.count)")
}

let cases: [Case] = [
    Case(
        name: "100 × `true`, one after another",
        berth: {
            for _ in 1...100 { try check(try await runner.run(["true"], input: nil).succeeded, "true failed") }
        },
        subprocess: {
            for _ in 1...100 {
                let result = try await Subprocess.run(
                    .path(FilePath(locate("true"))), output: .string(limit: 1 << 20), error: .string(limit: 1 << 20))
                try check(result.terminationStatus.isSuccess, "true failed")
            }
        }),
    Case(
        name: "100 × `true`, eight at a time",
        berth: {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for _ in 0..<(100 / 8 + (lane < 100 % 8 ? 1 : 0)) {
                            try check(try await runner.run(["true"], input: nil).succeeded, "true failed")
                        }
                    }
                }
                try await group.waitForAll()
            }
        },
        subprocess: {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for _ in 0..<(100 / 8 + (lane < 100 % 8 ? 1 : 0)) {
                            let result = try await Subprocess.run(
                                .path(FilePath(locate("true"))), output: .string(limit: 1 << 20),
                                error: .string(limit: 1 << 20))
                            try check(result.terminationStatus.isSuccess, "true failed")
                        }
                    }
                }
                try await group.waitForAll()
            }
        }),
    Case(
        name: "`seq 1 400000` collected (2.6 MB)",
        berth: collectWithBerth,
        subprocess: {
            let result = try await Subprocess.run(
                .path(FilePath(locate("seq"))), arguments: ["1", String(outputLines)],
                output: .string(limit: 64 << 20), error: .string(limit: 1 << 20))
            try check(result.standardOutput.utf8.count == expectedOutput, "seq output")
        }),
    Case(
        name: "the same, swift-subprocess collecting bytes",
        berth: collectWithBerth,
        subprocess: {
            let result = try await Subprocess.run(
                .path(FilePath(locate("seq"))), arguments: ["1", String(outputLines)],
                output: .bytes(limit: 64 << 20), error: .bytes(limit: 1 << 20))
            try check(String(decoding: result.standardOutput, as: UTF8.self).utf8.count == expectedOutput, "seq output")
        }),
    Case(
        name: "256 MiB through `head -c … /dev/zero | sha256sum`",
        berth: {
            let results = try await runner.pipeline([
                ["head", "-c", String(streamed), "/dev/zero"], ["sha256sum"],
            ])
            try check(results.allSatisfy(\.succeeded), "pipeline failed")
            try check(results[1].standardOutput.hasPrefix(streamedSum), "sum \(results[1].standardOutput)")
        },
        subprocess: {
            let (succeeded, output) = try await subprocessPipe(
                ["head", "-c", String(streamed), "/dev/zero"], ["sha256sum"])
            try check(succeeded && output.hasPrefix(streamedSum), "sum \(output)")
        }),
]

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

func summary(_ samples: [Double]) -> (median: Double, p95: Double) {
    let sorted = samples.sorted()
    let p95 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
    return (sorted[sorted.count / 2], p95)
}

func format(_ value: Double) -> String { String(format: "%.1f", value) }

print("Processes: Berth's ProcessRunner and swift-subprocess 1.0 called directly, \(rounds) rounds each, alternating")
print("")
print("| case | ProcessRunner median (p95), ms | swift-subprocess median (p95), ms |")
print("| --- | --- | --- |")
let clock = ContinuousClock()
for benchmark in cases {
    var berth: [Double] = []
    var subprocess: [Double] = []
    // One round of each first, not counted: the page cache and the dynamic loader warm up.
    try await benchmark.berth()
    try await benchmark.subprocess()
    for round in 0..<rounds {
        // Alternating which goes first, so that neither always follows the other.
        let order = round % 2 == 0 ? [true, false] : [false, true]
        for isBerth in order {
            let start = clock.now
            try await (isBerth ? benchmark.berth : benchmark.subprocess)()
            (isBerth
                ? { berth.append(milliseconds(clock.now - start)) }
                : {
                    subprocess.append(milliseconds(clock.now - start))
                })()
        }
    }
    let (b, s) = (summary(berth), summary(subprocess))
    print("| \(benchmark.name) | \(format(b.median)) (\(format(b.p95))) | \(format(s.median)) (\(format(s.p95))) |")
}
