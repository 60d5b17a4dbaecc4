import Testing

@testable import BerthCore

@Suite("Validation: health checks")
struct ValidationHealthCheckTests {
    /// A stack whose only service is on another line than its health check.
    func stack(with check: HealthCheck) -> Stack {
        let service = Service("db", image: "postgres:17")
        return Stack("shop") { service.healthCheck(check) }
    }

    @Test func zeroInterval() throws {
        let (check, line) = (HealthCheck(.command(["pg_isready"]), interval: .zero), #line)
        let diagnostic = try onlyDiagnostic(of: stack(with: check))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidDuration)
        #expect(diagnostic.element == "service 'db'")
        #expect(diagnostic.message == "The health check's interval is 0s; it must be more than zero.")
        #expect(diagnostic.fix == "Use a positive duration such as .seconds(5).")
        #expect(diagnostic.location == here(line))
    }

    @Test func negativeTimeout() throws {
        let (check, line) = (HealthCheck(.shell("pg_isready"), timeout: .milliseconds(-1500)), #line)
        let diagnostic = try onlyDiagnostic(of: stack(with: check))
        #expect(diagnostic.code == .invalidDuration)
        #expect(diagnostic.message == "The health check's timeout is -1s500ms; it must be more than zero.")
        #expect(diagnostic.location == here(line))
    }

    @Test func negativeStartPeriod() throws {
        let (check, line) = (HealthCheck.http(port: 80, startPeriod: .seconds(-5)), #line)
        let diagnostic = try onlyDiagnostic(of: stack(with: check))
        #expect(diagnostic.code == .invalidDuration)
        #expect(diagnostic.message == "The health check's start period is -5s; it must be zero or more.")
        #expect(diagnostic.location == here(line))
    }

    @Test func everyBadDurationIsReported() {
        let check = HealthCheck(
            .shell("true"), interval: .seconds(-1), timeout: .zero, startPeriod: .seconds(-1))
        let found = diagnostics(of: stack(with: check), code: .invalidDuration)
        #expect(
            found.map(\.message) == [
                "The health check's interval is -1s; it must be more than zero.",
                "The health check's timeout is 0s; it must be more than zero.",
                "The health check's start period is -1s; it must be zero or more.",
            ])
    }

    @Test(arguments: [0, -1])
    func tooFewRetries(_ retries: Int) throws {
        let (check, line) = (HealthCheck(.command(["pg_isready"]), retries: retries), #line)
        let diagnostic = try onlyDiagnostic(of: stack(with: check))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidCount)
        #expect(diagnostic.element == "service 'db'")
        #expect(
            diagnostic.message == "The health check allows \(retries) retries; the engine needs at least 1.")
        #expect(diagnostic.fix == "Set retries to 1 or more (3 is usual).")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [HealthCheck.Test.command([]), .command([""]), .shell(""), .shell("  \t")])
    func emptyCommand(_ test: HealthCheck.Test) throws {
        let (check, line) = (HealthCheck(test), #line)
        let diagnostic = try onlyDiagnostic(of: stack(with: check))
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidHealthCheck)
        #expect(diagnostic.message == "The health check has no command.")
        #expect(diagnostic.fix == "Give the check a command, or use HealthCheck.http(port:path:).")
        #expect(diagnostic.location == here(line))
    }

    @Test func minimalValidCheck() {
        let check = HealthCheck(
            .shell("true"), interval: .milliseconds(1), timeout: .nanoseconds(1), retries: 1)
        #expect(stack(with: check).validate(for: .prod) == [])
    }
}

@Suite("Validation: resources and counts")
struct ValidationResourceTests {
    // `.resources(…)` records no location of its own: its diagnostics point at the service.
    func service(_ resources: Resources, line: Int = #line) -> Service {
        Service("api", image: "acme/api:1", line: line).resources(resources)
    }

    @Test(arguments: [0, -1, -0.5, Double.nan, .infinity, -.infinity])
    func invalidCPULimit(_ cpus: Double) throws {
        let (api, line) = (service(Resources(cpuLimit: cpus)), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidCPUCount)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "The CPU limit is \(cpus) cores; it must be more than zero.")
        #expect(diagnostic.fix == "Use a positive number of cores such as 0.5.")
        #expect(diagnostic.location == here(line))
    }

    @Test func invalidCPUReservation() throws {
        let (api, line) = (service(Resources(cpuLimit: 1, cpuReservation: 0)), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.code == .invalidCPUCount)
        #expect(diagnostic.message == "The CPU reservation is 0.0 cores; it must be more than zero.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: ["", "512MB", "-1m", "abc", "0", "1.5 g"])
    func invalidMemoryLimit(_ text: String) throws {
        let (api, line) = (service(Resources(memoryLimit: MemorySize(text))), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidMemorySize)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "The memory limit '\(text)' is not a memory size Docker reads.")
        #expect(
            diagnostic.fix
                == "Write a positive number with an optional unit b, k, m or g, such as \"512m\" or \"1.5g\"."
        )
        #expect(diagnostic.location == here(line))
    }

    @Test func invalidMemoryReservation() throws {
        let (api, line) = (service(Resources(memoryLimit: "1g", memoryReservation: "256MB")), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.code == .invalidMemorySize)
        #expect(diagnostic.message == "The memory reservation '256MB' is not a memory size Docker reads.")
        #expect(diagnostic.location == here(line))
    }

    @Test func memoryReservationAboveLimit() throws {
        let (api, line) = (service(Resources(memoryLimit: "256m", memoryReservation: "1g")), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidMemorySize)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "The memory reservation (1g) is larger than the limit (256m).")
        #expect(diagnostic.fix == "Reserve at most the limit.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [("1g", "1024m"), ("512m", "256m"), ("1G", "1g")])
    func memoryReservationUpToLimit(_ limit: String, _ reservation: String) {
        let resources = Resources(
            cpuLimit: 2, memoryLimit: MemorySize(limit), cpuReservation: 0.5,
            memoryReservation: MemorySize(reservation))
        #expect(Stack("shop") { service(resources) }.validate(for: .prod) == [])
    }

    @Test func negativeReplicas() throws {
        let (api, serviceLine) = (Service("api", image: "acme/api:1"), #line)
        let changed = api.replicas(-1)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { changed })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidCount)
        #expect(diagnostic.element == "service 'api'")
        #expect(diagnostic.message == "It asks for -1 replicas.")
        #expect(diagnostic.fix == "Use zero or more replicas.")
        // `.replicas(…)` records no location of its own: the service's line.
        #expect(diagnostic.location == here(serviceLine))
    }

    @Test func zeroReplicasIsFine() {
        #expect(Stack("shop") { Service("api", image: "acme/api:1").replicas(0) }.validate(for: .prod) == [])
    }

    @Test func negativeRestartAttempts() throws {
        let (api, line) = (Service("api", image: "acme/api:1").restart(.onFailure(maxAttempts: -3)), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { api })
        #expect(diagnostic.severity == .error)
        #expect(diagnostic.code == .invalidCount)
        #expect(diagnostic.message == "The restart policy allows -3 attempts.")
        #expect(diagnostic.fix == "Use zero or more attempts, or leave the number out for no limit.")
        #expect(diagnostic.location == here(line))
    }

    @Test(arguments: [RestartPolicy.onFailure(maxAttempts: 0), .onFailure(maxAttempts: nil), .never, .always])
    func validRestartPolicies(_ policy: RestartPolicy) {
        #expect(
            Stack("shop") { Service("api", image: "acme/api:1").restart(policy) }.validate(for: .prod) == [])
    }
}
