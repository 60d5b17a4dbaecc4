import Berth

/// The `rabbitmq-celery` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum RabbitmqCelery {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("rabbitmq-celery") {
            Volume("rabbitmq-data")
            // A literal credential in the Compose file: export CELERY_BROKER_URL where you deploy.
            Secret("celery_broker_url", .environment("CELERY_BROKER_URL"))
            // A literal credential in the Compose file: export RABBITMQ_DEFAULT_PASS where you deploy.
            Secret("rabbitmq_default_pass", .environment("RABBITMQ_DEFAULT_PASS"))
            Service("beat", image: "example/report-tasks:latest")
                .command(["celery", "-A", "tasks", "beat", "--loglevel=INFO", "--schedule=/tmp/celerybeat-schedule"])
                // CELERY_BROKER_URL was a literal credential: the service reads CELERY_BROKER_URL_FILE.
                .secret("celery_broker_url", pathVariable: "CELERY_BROKER_URL_FILE")
                .environment("CELERY_RESULT_BACKEND", "redis://redis:6379/1")
                .environment("TZ", "UTC")
                .dependsOn("worker", condition: .started)
                .user("1000:1000")
                // compose: tmpfs options /tmp: mode=1777 (not imported)
                .mount(.tmpfs(sizeBytes: 16_777_216), at: "/tmp")
            Service("flower", image: "mher/flower:2.0")
                // CELERY_BROKER_URL was a literal credential: the service reads CELERY_BROKER_URL_FILE.
                .secret("celery_broker_url", pathVariable: "CELERY_BROKER_URL_FILE")
                .environment("FLOWER_BASIC_AUTH", "admin:not-a-real-password")
                .environment("FLOWER_PORT", "5555")
                .publish(5555, public: true)
                .dependsOn("rabbitmq", condition: .started)
            Service("rabbitmq", image: "rabbitmq:3.13-management")
                // compose: hostname: "rabbit" — not imported: the service's name is its host name on its networks.
                // RABBITMQ_DEFAULT_PASS was a literal credential: the service reads RABBITMQ_DEFAULT_PASS_FILE.
                .secret("rabbitmq_default_pass", pathVariable: "RABBITMQ_DEFAULT_PASS_FILE")
                .environment("RABBITMQ_DEFAULT_USER", "celery")
                .environment("RABBITMQ_DEFAULT_VHOST", "tasks")
                .expose(5672)
                .publish(15672)
                .volume("rabbitmq-data", at: "/var/lib/rabbitmq")
                .mount(.bind("rabbitmq/rabbitmq.conf"), at: "/etc/rabbitmq/conf.d/20-custom.conf", readOnly: true)
                .mount(.bind("rabbitmq/enabled_plugins"), at: "/etc/rabbitmq/enabled_plugins", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["rabbitmq-diagnostics", "-q", "check_port_connectivity"]), interval: .seconds(30),
                        timeout: .seconds(10), retries: 5, startPeriod: .seconds(20)))
            Service("redis", image: "redis:7-alpine")
                .command(["redis-server", "--maxmemory", "256mb", "--maxmemory-policy", "allkeys-lru"])
            Service("worker", image: "example/report-tasks")
                // compose: extra_hosts: ["reports-db.internal.example.test=10.20.0.31", "smtp.internal.example.test=10.20.0.25"] — not imported: reach other services by name on a shared network, or give the address in the environment.
                // compose: stop_signal: "SIGTERM" — not imported: no equivalent in Berth
                .build(context: "app")
                .command([
                    "celery", "-A", "tasks", "worker", "--loglevel=INFO", "--concurrency=4", "-Q", "default,reports",
                ])
                // CELERY_BROKER_URL was a literal credential: the service reads CELERY_BROKER_URL_FILE.
                .secret("celery_broker_url", pathVariable: "CELERY_BROKER_URL_FILE")
                .environment("CELERY_RESULT_BACKEND", "redis://redis:6379/1")
                .environment("TZ", "UTC")
                .dependsOn("rabbitmq", condition: .healthy)
                .dependsOn("redis", condition: .started)
                .user("1000:1000")
                .stopGracePeriod(.seconds(300))
                .replicas(2)
        }
    }
}
