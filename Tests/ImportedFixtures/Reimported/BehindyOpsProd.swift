import Berth

/// The `behindy-ops` stack as Berth rendered it for prod (the Compose project
/// `behindy-ops-prod`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyOpsProd {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("behindy-ops") {
            SharedNetwork("internal", engineName: "behindy_internal", owner: "behindy-ops")
            Volume("postgres-data")
            Volume("redis-data")
            Volume("nginx_routes")
            Secret("postgres_password", .environment("BERTH_SECRET_postgres_password"))
            Config(
                "nginx_nginx_conf",
                .content(
                    "# The nginx gateway's main configuration, rendered by Berth.\n\nuser nginx;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log stderr warn;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n    tcp_nopush on;\n    keepalive_timeout 65s;\n    server_tokens off;\n    access_log /dev/stdout;\n    server_names_hash_bucket_size 512;\n    # Every stack's routes, rendered by Berth.\n    include /etc/nginx/berth/active/*.conf;\n    # Requests for no routed host: the health endpoint, else 404.\n    server {\n        listen 80 default_server;\n        server_name _;\n        location = /healthz {\n            access_log off;\n            default_type text/plain;\n            return 200 \"ok\\n\";\n        }\n        location / {\n            return 404;\n        }\n    }\n    # TLS for no routed host: refuse the handshake rather than show a route's certificate.\n    server {\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }\n}\n"
                ))
            Config(
                "nginx_nginx_staged_conf",
                .content(
                    "# The nginx gateway's main configuration, rendered by Berth.\n\nuser nginx;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log stderr warn;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n    tcp_nopush on;\n    keepalive_timeout 65s;\n    server_tokens off;\n    access_log /dev/stdout;\n    server_names_hash_bucket_size 512;\n    # Every stack's routes, rendered by Berth.\n    include /etc/nginx/berth/staged/*.conf;\n    # Requests for no routed host: the health endpoint, else 404.\n    server {\n        listen 80 default_server;\n        server_name _;\n        location = /healthz {\n            access_log off;\n            default_type text/plain;\n            return 200 \"ok\\n\";\n        }\n        location / {\n            return 404;\n        }\n    }\n    # TLS for no routed host: refuse the handshake rather than show a route's certificate.\n    server {\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }\n}\n"
                ))
            Service("postgres", image: "postgres:15.10-alpine")
                .environment("POSTGRES_USER", "behindy")
                .environment("POSTGRES_DB", "behindy")
                .environment("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres_password")
                .expose(5432)
                .networks("internal")
                .volume("postgres-data", at: "/var/lib/postgresql/data")
                .secret("postgres_password")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "behindy", "-d", "behindy"]), interval: .seconds(10),
                        timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .capabilities(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"])
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("redis", image: "redis:7.4-alpine")
                .command([
                    "redis-server", "--maxmemory", "200mb", "--maxmemory-policy", "allkeys-lru", "--appendonly", "no",
                ])
                .expose(6379)
                .networks("internal")
                .volume("redis-data", at: "/data")
                .healthCheck(
                    HealthCheck(
                        .command(["redis-cli", "ping"]), interval: .seconds(10), timeout: .seconds(5), retries: 3,
                        startPeriod: .seconds(0))
                )
                .capabilities(["CHOWN", "SETGID", "SETUID"])
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "256m"))
            Service("nginx", image: "nginx:1.27.3-alpine")
                .command(["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"])
                .publish(80, public: true)
                .publish(443, public: true)
                .networks("internal")
                .volume("nginx_routes", at: "/etc/nginx/berth")
                .mount(.bind("/etc/letsencrypt"), at: "/etc/letsencrypt", readOnly: true)
                .config("nginx_nginx_conf", at: "/etc/nginx/nginx.conf")
                .config("nginx_nginx_staged_conf", at: "/etc/nginx/nginx-staged.conf")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O-", "http://127.0.0.1/healthz"]),
                        interval: .seconds(5), timeout: .seconds(5), retries: 3, startPeriod: .seconds(5))
                )
                .capabilities(["CHOWN", "DAC_OVERRIDE", "SETGID", "SETUID"])
        }
    }
}
