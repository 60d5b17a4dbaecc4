import Berth

/// The NextCandle infrastructure: what both of its deployments share.
///
/// - ``nextcandle`` is the environment stack: the Traefik gateway, the Cloudflare Tunnel that
///   is the only way in, PostgreSQL 17 with pgvector and Redis 7.4.
/// - ``nextcandleShared`` is the shared stack: MinIO, Prometheus, Grafana, Loki, Promtail, the
///   exporters and n8n. It joins the environment stack's networks, so it is deployed second.
///
/// Every environment runs on Docker Swarm. Production gets twice the resources of development
/// and staging, and more restart attempts.
public enum NextCandle {
    /// Development, staging and production, each a Swarm stack.
    public static let environments: [Environment] = [
        Environment.dev.on(.swarm), Environment.stg.on(.swarm), Environment.prod.on(.swarm),
    ]

    /// The zone every public hostname is in.
    public static let domain = "nextcandle.io"

    /// A public hostname: `grafana.nextcandle.io` in production, `grafana-dev.nextcandle.io`
    /// elsewhere (one level under the zone, so Cloudflare's universal certificate covers it).
    public static func hostname(_ name: String, in environment: Environment) -> String {
        environment.isProduction ? "\(name).\(domain)" : "\(name)-\(environment.name).\(domain)"
    }

    /// How much bigger than development an environment's services are: production doubles every
    /// limit and reservation.
    public static func resourceFactor(_ environment: Environment) -> Double {
        environment.isProduction ? 2 : 1
    }

    /// How often Swarm restarts a failed task before it gives up: 5 in production, 3 elsewhere.
    public static func restartAttempts(_ environment: Environment) -> Int {
        environment.isProduction ? 5 : 3
    }

    /// The engine name of a network the environment stack owns, for stacks that join it:
    /// `nextcandle-dev_traefik-public`.
    public static func networkName(_ network: String, in environment: Environment) -> String {
        SwarmRenderer.stackName(stack: stackName, environment: environment.name) + "_" + network
    }

    /// The engine name of a service of the environment stack, which other stacks on a shared
    /// network resolve: `nextcandle-dev_redis`.
    public static func serviceName(_ service: String, in environment: Environment) -> String {
        SwarmRenderer.stackName(stack: stackName, environment: environment.name) + "_" + service
    }
}

// MARK: - Resource classes

/// The seed's resource allocation pattern (reservation–limit), at development size.
///
/// | class | CPU | memory |
/// | --- | --- | --- |
/// | gateway (reverse proxy, tunnel) | 0.10–0.50 | 64M–256M |
/// | database | 0.10–0.50 | 256M–512M |
/// | application (object storage, workflows) | 0.10–0.50 | 128M–512M |
/// | monitoring | 0.05–0.30 | 64M–256M |
/// | exporter (global agents) | 0.05–0.20 | 32M–128M |
///
/// Production databases are 0.20–1.00 CPU and 512M–1G: every class times
/// ``NextCandle/resourceFactor(_:)``.
extension ResourceClass {
    /// Traefik and cloudflared.
    public static let gateway = ResourceClass(
        "gateway", Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.1, memoryReservation: "64M"))
    /// PostgreSQL and Redis.
    public static let database = ResourceClass(
        "database", Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "256M"))
    /// MinIO and n8n: platform services that are neither databases nor monitoring.
    public static let application = ResourceClass(
        "application",
        Resources(cpuLimit: 0.5, memoryLimit: "512M", cpuReservation: 0.1, memoryReservation: "128M"))
    /// Prometheus, Grafana and Loki.
    public static let monitoring = ResourceClass(
        "monitoring", Resources(cpuLimit: 0.3, memoryLimit: "256M", cpuReservation: 0.05, memoryReservation: "64M"))
    /// The agents that run on every node and the Redis exporter.
    public static let exporter = ResourceClass(
        "exporter", Resources(cpuLimit: 0.2, memoryLimit: "128M", cpuReservation: 0.05, memoryReservation: "32M"))
}

// MARK: - Service conventions

extension Service {
    /// The class's resources at the environment's size.
    func resources(_ resourceClass: ResourceClass, in environment: Environment) -> Service {
        resources(resourceClass.scaled(NextCandle.resourceFactor(environment)))
    }

    /// The seed's restart policy: on failure, 5 s apart, at most
    /// ``NextCandle/restartAttempts(_:)`` times.
    func restartOnFailure(in environment: Environment) -> Service {
        restart(.onFailure(maxAttempts: NextCandle.restartAttempts(environment)), delay: .seconds(5))
    }

    /// How Swarm replaces the service's tasks on an update; call it after `.healthCheck`.
    ///
    /// One task at a time; each new task is watched for `(interval + timeout) × retries` of its
    /// health check, long enough for the check to declare it unhealthy, and a task that fails
    /// rolls the whole service back to the configuration that worked.
    ///
    /// - `.startFirst` for stateless services (the gateway, the tunnel, the exporters): the
    ///   new task runs and passes its health check before the old one stops, so no request
    ///   finds the service down.
    /// - `.stopFirst` for services that own a volume (the databases, MinIO, Prometheus, Loki,
    ///   Grafana, n8n): two PostgreSQL processes on one data directory corrupt it, so the old
    ///   task stops before the new one starts.
    func rollout(_ order: UpdatePolicy.Order, fileID: String = #fileID, line: Int = #line) -> Service {
        let monitor = healthCheck.map { ($0.interval + $0.timeout) * $0.retries } ?? .seconds(5)
        return updatePolicy(
            UpdatePolicy(
                parallelism: 1, delay: .zero, failureAction: .rollback, monitor: monitor, maxFailureRatio: 0,
                order: order, fileID: fileID, line: line))
    }

    /// Makes Traefik route a hostname to the service: the router and its service are named
    /// `<name>-<environment>`, and only the environment's own Traefik picks them up.
    func routed(
        _ name: String,
        host: String,
        port: Int,
        in environment: Environment,
        service target: String? = nil,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        let router = "traefik.http.routers.\(name)-\(environment.name)"
        var routed = self
        if !deploy.labels.contains(where: { $0.key == "traefik.enable" }) {
            routed =
                routed
                .serviceLabel("traefik.enable", "true", fileID: fileID, line: line)
                .serviceLabel(NextCandle.environmentLabel, environment.name, fileID: fileID, line: line)
                .serviceLabel(
                    "traefik.swarm.network", NextCandle.networkName("traefik-public", in: environment),
                    fileID: fileID, line: line)
        }
        // Swarm gives Traefik no port to guess from: every routed service names one, even when
        // its router goes to one of Traefik's internal services instead.
        let service = "\(name)-\(environment.name)"
        return
            routed
            .serviceLabel("\(router).rule", "Host(`\(host)`)", fileID: fileID, line: line)
            .serviceLabel("\(router).entrypoints", "web", fileID: fileID, line: line)
            .serviceLabel("\(router).middlewares", "security-headers@file,rate-limit@file", fileID: fileID, line: line)
            .serviceLabel("\(router).service", target ?? service, fileID: fileID, line: line)
            .serviceLabel(
                "traefik.http.services.\(service).loadbalancer.server.port", "\(port)", fileID: fileID, line: line)
    }
}

extension NextCandle {
    /// The service label Traefik's constraint matches, so an environment's gateway routes only
    /// that environment's services even when several environments share one Swarm.
    public static let environmentLabel = "io.nextcandle.environment"
}
