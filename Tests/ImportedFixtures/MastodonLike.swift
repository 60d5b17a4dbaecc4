import Berth

/// The `mastodon-like` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum MastodonLike {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("mastodon-like") {
            Network("external_network")
            Network("internal_network", internal: true)
            // A literal credential in the Compose file: export OTP_SECRET where you deploy.
            Secret("otp_secret", .environment("OTP_SECRET"))
            // A literal credential in the Compose file: export VAPID_PRIVATE_KEY where you deploy.
            Secret("vapid_private_key", .environment("VAPID_PRIVATE_KEY"))
            // A literal credential in the Compose file: export VAPID_PUBLIC_KEY where you deploy.
            Secret("vapid_public_key", .environment("VAPID_PUBLIC_KEY"))
            Service("db", image: "postgres:14-alpine")
                // compose: shm_size: "268435456" — not imported: mount a tmpfs at /dev/shm instead: .mount(.tmpfs(sizeBytes: …), at: "/dev/shm").
                .environment("POSTGRES_HOST_AUTH_METHOD", "trust")
                .networks("internal_network")
                .mount(.bind("postgres14"), at: "/var/lib/postgresql/data")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "postgres"]), interval: .seconds(30), timeout: .seconds(30),
                        retries: 3, startPeriod: .seconds(0))
                )
                .restart(.always)
            Service("es", image: "docker.elastic.co/elasticsearch/elasticsearch:7.17.4")
                // compose: ulimits: {memlock: {hard: -1, soft: -1}, nofile: {hard: 65536, soft: 65536}} — not imported: not supported yet.
                .environment("ES_JAVA_OPTS", "-Xms512m -Xmx512m -Des.enforce.bootstrap.checks=true")
                .environment("bootstrap.memory_lock", "true")
                .environment("cluster.name", "es-mastodon")
                .environment("discovery.type", "single-node")
                .environment("thread_pool.write.queue_size", "1000")
                .environment("xpack.graph.enabled", "false")
                .environment("xpack.license.self_generated.type", "basic")
                .environment("xpack.ml.enabled", "false")
                .environment("xpack.security.enabled", "false")
                .environment("xpack.watcher.enabled", "false")
                .publish(9200)
                .networks("external_network", "internal_network")
                .mount(.bind("elasticsearch"), at: "/usr/share/elasticsearch/data")
                .healthCheck(
                    HealthCheck(
                        .shell("curl --silent --fail localhost:9200/_cluster/health || exit 1"), interval: .seconds(30),
                        timeout: .seconds(30), retries: 3, startPeriod: .seconds(0))
                )
                .restart(.always)
            Service("redis", image: "redis:7-alpine")
                .networks("internal_network")
                .mount(.bind("redis"), at: "/data")
                .healthCheck(
                    HealthCheck(
                        .command(["redis-cli", "ping"]), interval: .seconds(30), timeout: .seconds(30), retries: 3,
                        startPeriod: .seconds(0))
                )
                .restart(.always)
            Service("sidekiq", image: "ghcr.io/mastodon/mastodon:v4.2.10")
                .command(["bundle", "exec", "sidekiq"])
                .environment("DB_HOST", "db")
                .environment("DB_NAME", "mastodon_production")
                .environment("DB_PASS", "")
                .environment("DB_PORT", "5432")
                .environment("DB_USER", "postgres")
                .environment("ES_ENABLED", "true")
                .environment("ES_HOST", "es")
                .environment("ES_PORT", "9200")
                .environment("LOCAL_DOMAIN", "social.example.test")
                // OTP_SECRET was a literal credential: the service reads OTP_SECRET_FILE.
                .secret("otp_secret", pathVariable: "OTP_SECRET_FILE")
                .environment("REDIS_HOST", "redis")
                .environment("REDIS_PORT", "6379")
                .environment("S3_ENABLED", "false")
                .environment("SECRET_KEY_BASE", "not-a-real-secret-key-base")
                .environment("SMTP_FROM_ADDRESS", "notifications@social.example.test")
                .environment("SMTP_PORT", "587")
                .environment("SMTP_SERVER", "smtp.example.test")
                // VAPID_PRIVATE_KEY was a literal credential: the service reads VAPID_PRIVATE_KEY_FILE.
                .secret("vapid_private_key", pathVariable: "VAPID_PRIVATE_KEY_FILE")
                // VAPID_PUBLIC_KEY was a literal credential: the service reads VAPID_PUBLIC_KEY_FILE.
                .secret("vapid_public_key", pathVariable: "VAPID_PUBLIC_KEY_FILE")
                .networks("external_network", "internal_network")
                .mount(.bind("public/system"), at: "/mastodon/public/system")
                .healthCheck(
                    HealthCheck(
                        .shell("ps aux | grep '[s]idekiq 6' || false"), interval: .seconds(30), timeout: .seconds(30),
                        retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("db", condition: .started)
                .dependsOn("redis", condition: .started)
                .restart(.always)
            Service("streaming", image: "ghcr.io/mastodon/mastodon-streaming:v4.2.10")
                .command(["node", "./streaming/index.js"])
                .environment("DB_HOST", "db")
                .environment("DB_NAME", "mastodon_production")
                .environment("DB_PASS", "")
                .environment("DB_PORT", "5432")
                .environment("DB_USER", "postgres")
                .environment("ES_ENABLED", "true")
                .environment("ES_HOST", "es")
                .environment("ES_PORT", "9200")
                .environment("LOCAL_DOMAIN", "social.example.test")
                // OTP_SECRET was a literal credential: the service reads OTP_SECRET_FILE.
                .secret("otp_secret", pathVariable: "OTP_SECRET_FILE")
                .environment("REDIS_HOST", "redis")
                .environment("REDIS_PORT", "6379")
                .environment("S3_ENABLED", "false")
                .environment("SECRET_KEY_BASE", "not-a-real-secret-key-base")
                .environment("SMTP_FROM_ADDRESS", "notifications@social.example.test")
                .environment("SMTP_PORT", "587")
                .environment("SMTP_SERVER", "smtp.example.test")
                // VAPID_PRIVATE_KEY was a literal credential: the service reads VAPID_PRIVATE_KEY_FILE.
                .secret("vapid_private_key", pathVariable: "VAPID_PRIVATE_KEY_FILE")
                // VAPID_PUBLIC_KEY was a literal credential: the service reads VAPID_PUBLIC_KEY_FILE.
                .secret("vapid_public_key", pathVariable: "VAPID_PUBLIC_KEY_FILE")
                .publish(4000)
                .networks("external_network", "internal_network")
                .healthCheck(
                    HealthCheck(
                        .shell("wget -q --spider --proxy=off localhost:4000/api/v1/streaming/health || exit 1"),
                        interval: .seconds(30), timeout: .seconds(30), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("db", condition: .started)
                .dependsOn("redis", condition: .started)
                .restart(.always)
            Service("web", image: "ghcr.io/mastodon/mastodon:v4.2.10")
                .command(["bundle", "exec", "puma", "-C", "config/puma.rb"])
                .environment("DB_HOST", "db")
                .environment("DB_NAME", "mastodon_production")
                .environment("DB_PASS", "")
                .environment("DB_PORT", "5432")
                .environment("DB_USER", "postgres")
                .environment("ES_ENABLED", "true")
                .environment("ES_HOST", "es")
                .environment("ES_PORT", "9200")
                .environment("LOCAL_DOMAIN", "social.example.test")
                // OTP_SECRET was a literal credential: the service reads OTP_SECRET_FILE.
                .secret("otp_secret", pathVariable: "OTP_SECRET_FILE")
                .environment("REDIS_HOST", "redis")
                .environment("REDIS_PORT", "6379")
                .environment("S3_ENABLED", "false")
                .environment("SECRET_KEY_BASE", "not-a-real-secret-key-base")
                .environment("SMTP_FROM_ADDRESS", "notifications@social.example.test")
                .environment("SMTP_PORT", "587")
                .environment("SMTP_SERVER", "smtp.example.test")
                // VAPID_PRIVATE_KEY was a literal credential: the service reads VAPID_PRIVATE_KEY_FILE.
                .secret("vapid_private_key", pathVariable: "VAPID_PRIVATE_KEY_FILE")
                // VAPID_PUBLIC_KEY was a literal credential: the service reads VAPID_PUBLIC_KEY_FILE.
                .secret("vapid_public_key", pathVariable: "VAPID_PUBLIC_KEY_FILE")
                .publish(3000)
                .networks("external_network", "internal_network")
                .mount(.bind("public/system"), at: "/mastodon/public/system")
                .healthCheck(
                    HealthCheck(
                        .shell("wget -q --spider --proxy=off localhost:3000/health || exit 1"), interval: .seconds(30),
                        timeout: .seconds(30), retries: 3, startPeriod: .seconds(0))
                )
                .dependsOn("db", condition: .started)
                .dependsOn("es", condition: .started)
                .dependsOn("redis", condition: .started)
                .restart(.always)
        }
    }
}
