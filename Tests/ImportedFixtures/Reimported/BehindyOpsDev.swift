import Berth

/// The `behindy-ops` stack as Berth rendered it for dev (the Compose project
/// `behindy-ops-dev`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum BehindyOpsDev {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.dev]

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
                    "# The nginx gateway's main configuration, rendered by Berth.\n\nuser www-data;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log stderr warn;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n    tcp_nopush on;\n    keepalive_timeout 65s;\n    server_tokens off;\n    access_log /dev/stdout;\n    server_names_hash_bucket_size 512;\n    # Every stack's routes, rendered by Berth.\n    include /etc/nginx/berth/active/*.conf;\n    # Requests for no routed host: the health endpoint, else 404.\n    server {\n        listen 80 default_server;\n        server_name _;\n        location = /healthz {\n            access_log off;\n            default_type text/plain;\n            return 200 \"ok\\n\";\n        }\n        location / {\n            return 404;\n        }\n    }\n    # TLS for no routed host: refuse the handshake rather than show a route's certificate.\n    server {\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }\n}\n"
                ))
            Config(
                "nginx_nginx_staged_conf",
                .content(
                    "# The nginx gateway's main configuration, rendered by Berth.\n\nuser www-data;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log stderr warn;\nevents {\n    worker_connections 1024;\n}\nhttp {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n    sendfile on;\n    tcp_nopush on;\n    keepalive_timeout 65s;\n    server_tokens off;\n    access_log /dev/stdout;\n    server_names_hash_bucket_size 512;\n    # Every stack's routes, rendered by Berth.\n    include /etc/nginx/berth/staged/*.conf;\n    # Requests for no routed host: the health endpoint, else 404.\n    server {\n        listen 80 default_server;\n        server_name _;\n        location = /healthz {\n            access_log off;\n            default_type text/plain;\n            return 200 \"ok\\n\";\n        }\n        location / {\n            return 404;\n        }\n    }\n    # TLS for no routed host: refuse the handshake rather than show a route's certificate.\n    server {\n        listen 443 ssl default_server;\n        ssl_reject_handshake on;\n    }\n}\n"
                ))
            Service("postgres", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "mkdir -p /www/ && echo 'postgres stand-in' > /www//index.html && exec httpd -f -p 5432 -h /www",
                ])
                .environment("POSTGRES_USER", "behindy")
                .environment("POSTGRES_DB", "behindy")
                .environment("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres_password")
                .expose(5432)
                .networks("internal")
                .volume("postgres-data", at: "/var/lib/postgresql/data")
                .secret("postgres_password")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5432/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("redis", image: "berth-test/busybox:1")
                .command([
                    "sh", "-c",
                    "mkdir -p /www/ && echo 'redis stand-in' > /www//index.html && exec httpd -f -p 6379 -h /www",
                ])
                .expose(6379)
                .networks("internal")
                .volume("redis-data", at: "/data")
                .healthCheck(
                    HealthCheck(
                        .command(["timeout", "3", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:6379/"]),
                        interval: .seconds(2), timeout: .seconds(4), retries: 15, startPeriod: .seconds(0))
                )
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "256m"))
            Service("nginx", image: "berth-test/nginx:1")
                .command(["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"])
                .publish(80, on: 18088)
                .networks("internal")
                .volume("nginx_routes", at: "/etc/nginx/berth")
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
