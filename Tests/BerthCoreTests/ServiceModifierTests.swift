import Testing

@testable import BerthCore

@Suite("Service modifiers")
struct ServiceModifierTests {
    let base = Service("web", image: "nginx:1.27")

    @Test func defaults() {
        #expect(base.name == "web")
        #expect(base.image == Image(repository: "nginx", tag: "1.27"))
        #expect(base.command == nil)
        #expect(base.entrypoint == nil)
        #expect(base.environment.isEmpty)
        #expect(base.ports.isEmpty)
        #expect(base.networks.isEmpty)
        #expect(base.mounts.isEmpty)
        #expect(base.secrets.isEmpty)
        #expect(base.configs.isEmpty)
        #expect(base.healthCheck == nil)
        #expect(base.resources.isEmpty)
        #expect(base.restart == .unlessStopped)
        #expect(base.dependencies.isEmpty)
        #expect(base.labels.isEmpty)
        #expect(base.user == nil)
        #expect(base.workingDirectory == nil)
        #expect(base.readOnlyRootFilesystem == false)
        #expect(base.droppedCapabilities.isEmpty)
        #expect(base.replicas == 1)
    }

    @Test func modifiersReturnCopiesAndLeaveTheOriginalUnchanged() {
        let changed = base.replicas(4).user("1000:1000")
        #expect(changed.replicas == 4)
        #expect(base.replicas == 1)
        #expect(base.user == nil)
    }

    @Test func commandAndEntrypoint() {
        let service = base.command(["nginx", "-g", "daemon off;"]).entrypoint(["/docker-entrypoint.sh"])
        #expect(service.command == ["nginx", "-g", "daemon off;"])
        #expect(service.entrypoint == ["/docker-entrypoint.sh"])
        #expect(service.command(["other"]).command == ["other"])
    }

    @Test func environmentVariables() {
        // `#line` must stay on the line of the first modifiers.
        // swift-format-ignore
        let (line, service) = (#line, base.environment("MODE", "prod").environment("TAG", .interpolated("${T}"))
            .environment("TOKEN", .sensitive("s3cr3t")).environment(["A": "1", "B": "$2"]))
        #expect(service.environment.map(\.key) == ["MODE", "TAG", "TOKEN", "A", "B"])
        #expect(
            service.environment.map(\.value) == [
                .literal("prod"), .interpolated("${T}"), .sensitive("s3cr3t"), .literal("1"), .literal("$2"),
            ])
        #expect(service.environment[0].location == here(line))
        #expect(service.environment[1].location == here(line))
        #expect(service.environment[2].location == here(line + 1))
        #expect(service.environment[3].location == here(line + 1))
        #expect(service.environment[4].location == here(line + 1))
    }

    @Test func publishBindsLoopbackByDefault() throws {
        let port = try #require(base.publish(8080).ports.first)
        #expect(port.target == 8080)
        #expect(port.published == 8080)
        #expect(port.hostIP == "127.0.0.1")
        #expect(port.transport == .tcp)
        #expect(port.isPublished)
        #expect(!port.isPublic)
    }

    @Test func publishOnAnotherHostPort() throws {
        let port = try #require(base.publish(8080, on: 18080).ports.first)
        #expect(port.target == 8080)
        #expect(port.published == 18080)
        #expect(port.hostIP == "127.0.0.1")
    }

    @Test func publishPublicBindsEveryAddress() throws {
        let port = try #require(base.publish(443, public: true).ports.first)
        #expect(port.published == 443)
        #expect(port.hostIP == "0.0.0.0")
        #expect(port.isPublic)
    }

    @Test func publishWithHostIPOverridesPublic() throws {
        let port = try #require(
            base.publish(53, public: true, hostIP: "10.0.0.5", transport: .udp).ports.first)
        #expect(port.hostIP == "10.0.0.5")
        #expect(port.transport == .udp)
        #expect(port.isPublic)
        #expect(base.publish(80, hostIP: "::1").ports.first?.isPublic == false)
        #expect(base.publish(80, hostIP: "127.0.0.2").ports.first?.isPublic == false)
    }

    @Test func exposeDoesNotPublish() throws {
        let port = try #require(base.expose(9000).ports.first)
        #expect(port.target == 9000)
        #expect(port.published == nil)
        #expect(port.hostIP == nil)
        #expect(port.transport == .tcp)
        #expect(!port.isPublished)
        #expect(!port.isPublic)
        #expect(base.expose(514, transport: .udp).ports.first?.transport == .udp)
    }

    @Test func networksAccumulate() {
        let service = base.networks("frontend", "backend").networks("metrics")
        #expect(service.networks == ["frontend", "backend", "metrics"])
    }

    @Test func mounts() {
        let service = base.volume("data", at: "/var/lib/data").volume("cache", at: "/cache", readOnly: true)
            .mount(.bind("./site"), at: "/usr/share/nginx/html", readOnly: true).mount(
                .tmpfs(sizeBytes: 1024), at: "/tmp")
        #expect(
            service.mounts.map(\.source) == [
                .volume("data"), .volume("cache"), .bind("./site"), .tmpfs(sizeBytes: 1024),
            ])
        #expect(service.mounts.map(\.target) == ["/var/lib/data", "/cache", "/usr/share/nginx/html", "/tmp"])
        #expect(service.mounts.map(\.isReadOnly) == [false, true, true, false])
    }

    @Test func secrets() {
        let service = base.secret("db_password").secret(
            "api", target: "api_token", pathVariable: "API_TOKEN_FILE")
        #expect(service.secrets.map(\.secret) == ["db_password", "api"])
        #expect(service.secrets.map(\.target) == ["db_password", "api_token"])
        #expect(service.secrets.map(\.pathVariable) == [nil, "API_TOKEN_FILE"])
        #expect(service.secrets.map(\.path) == ["/run/secrets/db_password", "/run/secrets/api_token"])
    }

    @Test func configs() {
        let service = base.config("nginx_conf", at: "/etc/nginx/nginx.conf")
        #expect(service.configs.map(\.config) == ["nginx_conf"])
        #expect(service.configs.map(\.target) == ["/etc/nginx/nginx.conf"])
    }

    @Test func healthCheck() {
        let check = HealthCheck(
            .shell("pg_isready"), interval: .seconds(2), timeout: .seconds(1), retries: 5,
            startPeriod: .seconds(30))
        let service = base.healthCheck(check)
        #expect(service.healthCheck == check)
        #expect(check.test == .shell("pg_isready"))
        #expect(check.interval == .seconds(2))
        #expect(check.timeout == .seconds(1))
        #expect(check.retries == 5)
        #expect(check.startPeriod == .seconds(30))
    }

    @Test func healthCheckDefaults() {
        let check = HealthCheck(.command(["true"]))
        #expect(check.interval == .seconds(10))
        #expect(check.timeout == .seconds(5))
        #expect(check.retries == 3)
        #expect(check.startPeriod == .zero)
    }

    @Test(arguments: [("/health", "/health"), ("health", "/health"), ("/", "/")])
    func httpHealthCheck(_ path: String, _ normalized: String) {
        let check = HealthCheck.http(port: 8080, path: path, retries: 7)
        #expect(
            check.test == .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080\(normalized)"]))
        #expect(check.retries == 7)
    }

    @Test func resources() {
        let resources = Resources(
            cpuLimit: 1.5, memoryLimit: "1g", cpuReservation: 0.25, memoryReservation: .megabytes(256))
        let service = base.resources(resources)
        #expect(service.resources.cpuLimit == 1.5)
        #expect(service.resources.memoryLimit == "1g")
        #expect(service.resources.cpuReservation == 0.25)
        #expect(service.resources.memoryReservation == MemorySize("256M"))
        #expect(!service.resources.isEmpty)
    }

    @Test(arguments: [
        RestartPolicy.never, .always, .onFailure(maxAttempts: 3), .onFailure(maxAttempts: nil),
        .unlessStopped,
    ])
    func restart(_ policy: RestartPolicy) {
        #expect(base.restart(policy).restart == policy)
    }

    @Test func dependencies() {
        let service = base.dependsOn("db", condition: .healthy).dependsOn("cache").dependsOn(
            "migrate", condition: .completed)
        #expect(service.dependencies.map(\.service) == ["db", "cache", "migrate"])
        #expect(service.dependencies.map(\.condition) == [.healthy, .started, .completed])
    }

    @Test func labels() {
        let service = base.label("com.acme.team", "web").label("com.acme.tier", "front")
        #expect(service.labels.map(\.key) == ["com.acme.team", "com.acme.tier"])
        #expect(service.labels.map(\.value) == ["web", "front"])
    }

    @Test func processSettings() {
        let service = base.user("1000:1000").workingDirectory("/app").readOnlyRootFilesystem()
            .dropCapabilities(["ALL"]).replicas(3)
        #expect(service.user == "1000:1000")
        #expect(service.workingDirectory == "/app")
        #expect(service.readOnlyRootFilesystem == true)
        #expect(service.readOnlyRootFilesystem(false).readOnlyRootFilesystem == false)
        #expect(service.droppedCapabilities == ["ALL"])
        #expect(service.replicas == 3)
    }
}
