// berth-benchmark: how fast Berth describes, validates and renders big stacks, compared with
// `docker compose config -q` on the very same files, in one run on one machine.
//
//     swift run -c release berth-benchmark [--sizes 100,1000,5000] [--repeat 5] [--check]
//                                          [--no-compose] [--keep DIR]
//
// Timings on a shared machine are noisy, so every stage is repeated and both the best and the
// median are shown; the targets are judged on the best run, which is the least disturbed one.
// See docs/benchmark.md.

import BerthCompose
import BerthCore
import BerthProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Command line

struct Options {
    var sizes = [100, 1_000, 5_000]
    var repeats = 5
    var check = false
    var compose = true
    var keepDirectory: String?

    static let usage = """
        usage: berth-benchmark [--sizes N,N,...] [--repeat N] [--check] [--no-compose] [--keep DIR]
          --sizes     service counts to generate (default 100,1000,5000)
          --repeat    runs per size; best and median are reported (default 5)
          --check     exit with status 1 when a target is not met
          --no-compose  skip `docker compose config -q`
          --keep      write the rendered files to DIR instead of a temporary directory
        """

    static func parse(_ arguments: [String]) -> Options {
        var options = Options()
        var rest = arguments[...]
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("berth-benchmark: \(message)\n\(usage)\n".utf8))
            exit(2)
        }
        func value(for flag: String) -> String {
            guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--sizes":
                let text = value(for: argument)
                let sizes = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
                    fail("bad --sizes '\(text)'")
                }
                // Ascending, because peak-memory readings only ever grow (see `peakMemory`).
                options.sizes = Array(Set(sizes.map { $0! })).sorted()
            case "--repeat":
                let text = value(for: argument)
                guard let count = Int(text), count > 0 else { fail("bad --repeat '\(text)'") }
                options.repeats = count
            case "--check": options.check = true
            case "--no-compose": options.compose = false
            case "--keep": options.keepDirectory = value(for: argument)
            case "-h", "--help":
                print(usage)
                exit(0)
            default: fail("unknown argument '\(argument)'")
            }
        }
        return options
    }
}

// MARK: - Generated topology

/// A small deterministic generator (SplitMix64), so every run builds the same stacks.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

enum GeneratedStack {
    static let networkCount = 20
    static let networkNames = (0..<networkCount).map { "net-\($0 < 10 ? "0" : "")\($0)" }

    /// Environment values chosen to exercise quoting and Compose interpolation: `$` must be
    /// doubled, `:` and `#` would change meaning unquoted, quotes and backslashes need escapes,
    /// and non-ASCII text must pass through raw while control characters are escaped.
    static let trickyValues: [(String, String)] = [
        ("PRICE_FORMAT", "$1,000.00, $$ and ${NOT_A_VARIABLE}"),
        ("LISTEN_ADDRESS", "0.0.0.0:8080"),
        ("BANNER", "value # not a comment"),
        ("QUOTED", #"She said "hi", then 'bye' \ done"#),
        ("GREETING", "Grüße, naïve café, 日本語, emoji 🚀"),
        ("MULTILINE", "line one\nline two\tindented"),
    ]

    /// Whether service `index` has a health check; the generator and the dependency choice
    /// agree on it so `.healthy` only ever targets services with a check.
    static func hasHealthCheck(_ index: Int) -> Bool { index % 4 != 3 }

    static func serviceName(_ index: Int) -> String { "svc-\(index)" }

    static func volumeName(_ index: Int) -> String { "data-\(index)" }

    static func hasVolume(_ index: Int) -> Bool { index % 5 == 0 }

    /// Builds a stack of `count` services through the public DSL, as a user would write it.
    static func stack(services count: Int) -> Stack {
        Stack("bench") {
            for (index, name) in networkNames.enumerated() {
                Network(name, internal: index % 5 == 4)
            }
            for index in 0..<count where hasVolume(index) {
                Volume(volumeName(index))
            }
            for index in 0..<count {
                service(index)
            }
        }
    }

    static func service(_ index: Int) -> Service {
        var random = SplitMix64(state: UInt64(index))
        let name = serviceName(index)
        var service = Service(
            name, image: Image("registry.example.com:5000/team/app-\(index % 13):1.\(index % 7).\(index % 3)")
        )
        .environment("SERVICE_NAME", name)
        .environment("DATABASE_URL", "postgres://app@db-\(index % 5):5432/app?sslmode=disable")
        .environment("IMAGE_TAG", .interpolated("${IMAGE_TAG:-latest}"))
        for (key, value) in trickyValues {
            service = service.environment(key, value)
        }
        service =
            service
            .label("com.example.team", "team-\(index % 17)")
            .label("com.example.tier", ["web", "worker", "db", "cache"][index % 4])
            .label("com.example.description", "Service #\(index): handles \"orders\" & más")
            .expose(8080)
            .resources(
                Resources(
                    cpuLimit: 0.25 * Double(1 + index % 4), memoryLimit: .megabytes(128 << (index % 3)),
                    cpuReservation: 0.1, memoryReservation: "64M"))

        // Two to four distinct networks from the pool.
        var networks: [String] = []
        for _ in 0..<(2 + random.below(3)) {
            let network = networkNames[random.below(networkCount)]
            if !networks.contains(network) { networks.append(network) }
        }
        for network in networks {
            service = service.networks(network)
        }

        if hasHealthCheck(index) {
            service = service.healthCheck(
                index % 8 == 0
                    ? HealthCheck(
                        .shell("wget -q -O- http://127.0.0.1:8080/ready || exit 1"), interval: .seconds(15))
                    : .http(
                        port: 8080, path: "/health", interval: .seconds(5 + index % 10),
                        timeout: .milliseconds(2500), retries: 3 + index % 3,
                        startPeriod: .seconds(index % 2 * 10)))
        }

        // One or two dependencies on earlier services: the graph stays acyclic.
        if index > 0 {
            var targets = [random.below(index)]
            if index > 1, random.below(2) == 0 {
                let second = random.below(index)
                if second != targets[0] { targets.append(second) }
            }
            for target in targets {
                let healthy = hasHealthCheck(target) && random.below(2) == 0
                service = service.dependsOn(serviceName(target), condition: healthy ? .healthy : .started)
            }
        }

        // A few services publish a port on loopback, each on its own host port.
        if index % 50 == 0 {
            service = service.publish(8443, on: 20_000 + index / 50)
        }
        if hasVolume(index) {
            service = service.volume(volumeName(index), at: "/var/lib/app")
        }
        if index % 9 == 0 {
            service = service.mount(.tmpfs(sizeBytes: 64 << 20), at: "/tmp").readOnlyRootFilesystem()
        }
        if index % 3 == 0 {
            service = service.command(["serve", "--port", "8080", "--name", name]).user("1000:1000")
        }
        if index % 10 == 0 {
            service = service.restart(.onFailure(maxAttempts: 3)).dropCapabilities(["ALL"])
        }
        return service
    }
}

// MARK: - Measuring

func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) / 1e18
}

func measure<T>(_ body: () -> T) -> (T, Double) {
    let clock = ContinuousClock()
    let start = clock.now
    let result = body()
    return (result, seconds(clock.now - start))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

#if canImport(Glibc)
    let usageOfSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
    let usageOfChildren = __rusage_who_t(RUSAGE_CHILDREN.rawValue)
#else
    let usageOfSelf = RUSAGE_SELF
    let usageOfChildren = RUSAGE_CHILDREN
#endif

/// Peak resident memory in bytes of this process (`RUSAGE_SELF`) or of the largest child waited
/// for so far (`RUSAGE_CHILDREN`). Both are high-water marks over the whole run: they never go
/// down, which is why sizes run in ascending order.
func peakMemory(children: Bool) -> Int {
    var usage = rusage()
    getrusage(children ? usageOfChildren : usageOfSelf, &usage)
    #if os(Linux)
        return usage.ru_maxrss * 1024  // kilobytes on Linux
    #else
        return usage.ru_maxrss  // bytes on macOS
    #endif
}

/// User plus system CPU time of this process so far, all threads together.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(usageOfSelf, &usage)
    func total(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return total(usage.ru_utime) + total(usage.ru_stime)
}

struct Sample {
    var build: Double
    var validate: Double
    var render: Double
    /// CPU time of the three stages: above `total` when rendering used several cores.
    var cpu: Double
    var total: Double { build + validate + render }
}

struct SizeResult {
    var services: Int
    var samples: [Sample] = []
    var fileBytes = 0
    var berthPeak = 0
    var composeSeconds: Double?
    var composePeak: Int?

    var best: Sample { samples.min { $0.total < $1.total }! }
    func bestOf(_ stage: KeyPath<Sample, Double>) -> Double { samples.map { $0[keyPath: stage] }.min()! }
    func medianOf(_ stage: KeyPath<Sample, Double>) -> Double { median(samples.map { $0[keyPath: stage] }) }
}

/// One build, validate and render of a generated stack; the YAML text is returned so it can be
/// written out for Compose. Validation must find no error: a benchmark of a stack Berth would
/// refuse to deploy measures nothing useful.
func runOnce(services count: Int) -> (Sample, String) {
    let cpuAtStart = cpuSeconds()
    let (stack, build) = measure { GeneratedStack.stack(services: count) }
    let (diagnostics, validate) = measure { stack.validate(for: .prod) }
    precondition(
        !diagnostics.containsErrors,
        "the generated stack does not validate:\n"
            + diagnostics.errors.prefix(5).map(\.description).joined(separator: "\n"))
    let (yaml, render) = measure { () -> String in
        let document = ComposeRenderer().render(stack, for: .prod)
        precondition(
            !document.diagnostics.containsErrors, "rendering reported errors: \(document.diagnostics.errors)")
        return document.yaml
    }
    let cpu = cpuSeconds() - cpuAtStart
    precondition(stack.services.count == count)
    return (Sample(build: build, validate: validate, render: render, cpu: cpu), yaml)
}

// MARK: - Docker Compose

/// Finds `docker` on PATH and checks that the Compose v2 plugin answers and rejects an invalid
/// file, without a daemon. (A wrapper that always exits 0 would make the timings meaningless:
/// see "Trap" in /work/shared/ENGINE.md.)
func findDockerCompose(scratch: URL) async -> (URL?, String) {
    guard let path = try? Command.locate("docker") else { return (nil, "no `docker` executable on PATH") }
    let docker = URL(fileURLWithPath: path)
    let version: Command.Outcome
    do {
        version = try await Command.run([docker.path, "compose", "version", "--short"])
    } catch {
        return (nil, "cannot run \(docker.path): \(error)")
    }
    guard version.status == 0 else {
        return (nil, "`docker compose version` failed: no Compose v2 plugin")
    }
    let invalid = scratch.appendingPathComponent("invalid.yaml")
    do {
        try Data("services:\n  web:\n    image: [\"not\", \"a string\"]\n".utf8).write(to: invalid)
    } catch {
        return (nil, "cannot write \(invalid.path): \(error)")
    }
    defer { try? FileManager.default.removeItem(at: invalid) }
    if case .success = await timeCompose(docker: docker, file: invalid) {
        return (nil, "`docker compose config -q` accepted an invalid file, so it checks nothing")
    }
    return (docker, version.outputText.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Runs `docker compose -f FILE config -q` and returns its wall-clock time, or the reason it
/// failed. Compose's messages are kept only to explain a failure.
func timeCompose(docker: URL, file: URL) async -> Result<Double, ComposeFailure> {
    let clock = ContinuousClock()
    let start = clock.now
    let outcome: Command.Outcome
    do {
        outcome = try await Command.run(
            [docker.path, "compose", "-f", file.path, "config", "-q"], directory: file.deletingLastPathComponent())
    } catch {
        return .failure(ComposeFailure(message: "\(error)"))
    }
    let elapsed = seconds(clock.now - start)
    guard outcome.status == 0 else {
        return .failure(
            ComposeFailure(
                message: "exit \(outcome.status): " + String(decoding: outcome.errors.prefix(2_000), as: UTF8.self)))
    }
    return .success(elapsed)
}

struct ComposeFailure: Error { var message: String }

// MARK: - Report

func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }

func mb(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

func microseconds(perService seconds: Double, _ services: Int) -> String {
    String(format: "%.1f", seconds / Double(services) * 1e6)
}

/// Prints a table; the first column is left-aligned, the others right-aligned.
func table(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header[column]] + rows.map { $0[column] }).map(\.count).max()!
    }
    func line(_ cells: [String]) -> String {
        cells.indices.map { column in
            let padding = String(repeating: " ", count: widths[column] - cells[column].count)
            return column == 0 ? cells[column] + padding : padding + cells[column]
        }.joined(separator: "  ")
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for row in rows { print(line(row)) }
}

// MARK: - Run

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))

let directory: URL
if let keep = options.keepDirectory {
    directory = URL(fileURLWithPath: keep, isDirectory: true)
} else {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("berth-benchmark-\(getpid())")
}
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

var docker: URL?
if options.compose {
    let (found, detail) = await findDockerCompose(scratch: directory)
    docker = found
    if let found {
        print("Docker Compose \(detail) at \(found.path)")
    } else {
        print("NOTICE: Docker Compose is unavailable (\(detail)); the comparison with it is skipped.")
    }
} else {
    print("NOTICE: --no-compose given; the comparison with Docker Compose is skipped.")
}
let sizeList = options.sizes.map(String.init).joined(separator: ", ")
print("Sizes \(sizeList) services, \(options.repeats) runs each; files in \(directory.path)")
print("")

var results: [SizeResult] = []
var composeFailures: [String] = []
for size in options.sizes {
    var result = SizeResult(services: size)
    var yaml = ""
    for _ in 0..<options.repeats {
        yaml = ""  // The previous run's text would count in this run's peak memory.
        let (sample, text) = runOnce(services: size)
        result.samples.append(sample)
        yaml = text
    }
    result.berthPeak = peakMemory(children: false)

    let file = directory.appendingPathComponent("compose-\(size).yaml")
    let bytes = Data(yaml.utf8)
    yaml = ""
    try bytes.write(to: file)
    result.fileBytes = bytes.count

    if let docker {
        // Compose takes seconds on big files, so it runs at most three times per size.
        var times: [Double] = []
        for _ in 0..<min(options.repeats, 3) {
            switch await timeCompose(docker: docker, file: file) {
            case .success(let time):
                times.append(time)
            case .failure(let failure):
                composeFailures.append("\(size) services, \(file.path): \(failure.message)")
            }
            if times.isEmpty { break }
        }
        result.composeSeconds = times.min()
        result.composePeak = times.isEmpty ? nil : peakMemory(children: true)
    }
    results.append(result)
    print("measured \(size) services")
}
print("")

print("Berth, in milliseconds: best of \(options.repeats) (median)")
table(
    ["services", "build", "validate", "render", "total", "CPU", "µs/service", "YAML"],
    results.map { result in
        func stage(_ keyPath: KeyPath<Sample, Double>) -> String {
            "\(ms(result.bestOf(keyPath))) (\(ms(result.medianOf(keyPath))))"
        }
        return [
            "\(result.services)", stage(\.build), stage(\.validate), stage(\.render), stage(\.total),
            ms(result.best.cpu), microseconds(perService: result.best.total, result.services),
            mb(result.fileBytes),
        ]
    })
print("render = ComposeRenderer.render + .yaml; CPU = CPU time of the best run, all threads.")
print("")

if docker != nil {
    print("Berth against `docker compose -f FILE config -q` on the same file (best runs)")
    table(
        ["services", "Berth total", "compose", "ratio", "Berth peak RSS", "compose peak RSS"],
        results.map { result in
            [
                "\(result.services)",
                "\(ms(result.best.total)) ms",
                result.composeSeconds.map { "\(ms($0)) ms" } ?? "failed",
                result.composeSeconds.map { String(format: "%.0f×", $0 / result.best.total) } ?? "-",
                mb(result.berthPeak),
                result.composePeak.map(mb) ?? "-",
            ]
        })
    print("Peak RSS is the high-water mark up to that size (sizes run in ascending order).")
    for failure in composeFailures { print("COMPOSE FAILURE: \(failure)") }
} else {
    print("Berth peak RSS: \(mb(peakMemory(children: false)))")
}
print("")

// MARK: - Targets

enum Verdict: CustomStringConvertible {
    case pass, fail
    case skip(String)
    init(_ passed: Bool) { self = passed ? .pass : .fail }
    var description: String {
        switch self {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .skip(let reason): "SKIP (\(reason))"
        }
    }
}

var targets: [(target: String, measured: String, verdict: Verdict)] = []

let speedTarget = "5,000 services in < 0.25 s (build + validate + render)"
if let largest = results.first(where: { $0.services == 5_000 }) {
    let total = largest.best.total
    targets.append((speedTarget, String(format: "%.3f s", total), Verdict(total < 0.25)))
} else {
    targets.append((speedTarget, "-", .skip("5000 not in --sizes")))
}

let composeTarget = "≥ 20× faster than docker compose config, every size"
if docker == nil {
    targets.append((composeTarget, "-", .skip("no Docker Compose")))
} else if !composeFailures.isEmpty {
    targets.append((composeTarget, "compose rejected a file", .fail))
} else {
    let worst = results.map { $0.composeSeconds! / $0.best.total }.min()!
    targets.append((composeTarget, String(format: "worst %.0f×", worst), Verdict(worst >= 20)))
}

// The growth exponent between the smallest and the largest size: 1 is linear, 2 quadratic. Fixed
// costs make small sizes relatively slower, so a linear implementation measures 1 or a little less.
let linearTarget = "roughly linear: growth exponent ≤ 1.2"
if let small = results.first, let large = results.last, large.services > small.services {
    let exponent =
        log(large.best.total / small.best.total) / log(Double(large.services) / Double(small.services))
    let perService = results.map { microseconds(perService: $0.best.total, $0.services) }
    let measured =
        String(format: "%.2f", exponent) + " (µs/service " + perService.joined(separator: ", ") + ")"
    targets.append((linearTarget, measured, Verdict(exponent <= 1.2)))
} else {
    targets.append((linearTarget, "-", .skip("needs two sizes")))
}

let peak = peakMemory(children: false)
targets.append(("Berth peak memory < 100 MB", mb(peak), Verdict(peak < 100 * 1_048_576)))

print("Targets")
table(["target", "measured", "verdict"], targets.map { [$0.target, $0.measured, $0.verdict.description] })

if options.keepDirectory == nil {
    try? FileManager.default.removeItem(at: directory)
}

let failed = targets.contains { if case .fail = $0.verdict { true } else { false } }
if options.check && failed {
    exit(1)
}
