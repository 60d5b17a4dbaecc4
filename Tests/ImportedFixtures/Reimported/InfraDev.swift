import Berth

/// The `infra` stack as Berth rendered it for dev (the Compose project
/// `infra-dev`), imported by `berth import`. IMPORT-REPORT.md lists what was not carried over
/// as it was; each such place is also a comment below.
public enum InfraDev {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [Environment.dev]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("infra") {
            SharedNetwork("infra_net", engineName: "infra_net", owner: "infra")
            Gateway.traefik(network: SharedNetwork("infra_net", engineName: "infra_net", owner: "infra"))
            Volume("prometheus-data")
            Volume("loki-data")
            Volume("tempo-data")
            Volume("grafana-data")
            Volume("mng-pg-data")
            Volume("redis-data")
            Volume("minio-data")
            Volume("kafka-1-data")
            Volume("ollama-data")
            Secret("keycloak_admin_password", .environment("BERTH_SECRET_keycloak_admin_password"))
            Secret("keycloak_db_password", .environment("BERTH_SECRET_keycloak_db_password"))
            Secret("oauth2_proxy_client_secret", .environment("BERTH_SECRET_oauth2_proxy_client_secret"))
            Secret("oauth2_proxy_cookie_secret", .environment("BERTH_SECRET_oauth2_proxy_cookie_secret"))
            Secret("grafana_client_secret", .environment("BERTH_SECRET_grafana_client_secret"))
            Secret("grafana_admin_password", .environment("BERTH_SECRET_grafana_admin_password"))
            Secret("postgres_password", .environment("BERTH_SECRET_postgres_password"))
            Secret("redis_password", .environment("BERTH_SECRET_redis_password"))
            Secret("minio_root_password", .environment("BERTH_SECRET_minio_root_password"))
            Config(
                "keycloak-realm",
                .content(
                    "{\n  \"bruteForceProtected\" : true,\n  \"clients\" : [\n    {\n      \"attributes\" : {\n        \"pkce.code.challenge.method\" : \"S256\"\n      },\n      \"clientAuthenticatorType\" : \"client-secret\",\n      \"clientId\" : \"oauth2-proxy\",\n      \"directAccessGrantsEnabled\" : false,\n      \"enabled\" : true,\n      \"implicitFlowEnabled\" : false,\n      \"name\" : \"Operations tools (oauth2-proxy)\",\n      \"protocol\" : \"openid-connect\",\n      \"protocolMappers\" : [\n        {\n          \"config\" : {\n            \"access.token.claim\" : \"true\",\n            \"id.token.claim\" : \"false\",\n            \"included.client.audience\" : \"oauth2-proxy\"\n          },\n          \"name\" : \"audience-oauth2-proxy\",\n          \"protocol\" : \"openid-connect\",\n          \"protocolMapper\" : \"oidc-audience-mapper\"\n        }\n      ],\n      \"publicClient\" : false,\n      \"redirectUris\" : [\n        \"http://auth.infra.localhost/oauth2/callback\"\n      ],\n      \"secret\" : \"${OAUTH2_PROXY_CLIENT_SECRET}\",\n      \"serviceAccountsEnabled\" : false,\n      \"standardFlowEnabled\" : true,\n      \"webOrigins\" : [\n        \"http://auth.infra.localhost\"\n      ]\n    },\n    {\n      \"attributes\" : {\n        \"pkce.code.challenge.method\" : \"S256\"\n      },\n      \"clientAuthenticatorType\" : \"client-secret\",\n      \"clientId\" : \"grafana\",\n      \"directAccessGrantsEnabled\" : false,\n      \"enabled\" : true,\n      \"implicitFlowEnabled\" : false,\n      \"name\" : \"Grafana\",\n      \"protocol\" : \"openid-connect\",\n      \"protocolMappers\" : [\n        {\n          \"config\" : {\n            \"access.token.claim\" : \"false\",\n            \"claim.name\" : \"roles\",\n            \"id.token.claim\" : \"true\",\n            \"jsonType.label\" : \"String\",\n            \"multivalued\" : \"true\",\n            \"userinfo.token.claim\" : \"true\"\n          },\n          \"name\" : \"realm-roles\",\n          \"protocol\" : \"openid-connect\",\n          \"protocolMapper\" : \"oidc-usermodel-realm-role-mapper\"\n        }\n      ],\n      \"publicClient\" : false,\n      \"redirectUris\" : [\n        \"http://grafana.infra.localhost/login/generic_oauth\"\n      ],\n      \"secret\" : \"${GRAFANA_CLIENT_SECRET}\",\n      \"serviceAccountsEnabled\" : false,\n      \"standardFlowEnabled\" : true,\n      \"webOrigins\" : [\n        \"http://grafana.infra.localhost\"\n      ]\n    }\n  ],\n  \"enabled\" : true,\n  \"loginWithEmailAllowed\" : true,\n  \"realm\" : \"infra\",\n  \"registrationAllowed\" : false,\n  \"roles\" : {\n    \"realm\" : [\n      {\n        \"description\" : \"Signs in to the Traefik dashboard and Prometheus.\",\n        \"name\" : \"infra-operator\"\n      },\n      {\n        \"description\" : \"Administers Grafana.\",\n        \"name\" : \"grafana-admin\"\n      }\n    ]\n  }\n}\n"
                ))
            Config("prometheus", .file("configs/prometheus/prometheus.yml"))
            Config("loki", .file("configs/loki/loki.yaml"))
            Config("tempo", .file("configs/tempo/tempo.yaml"))
            Config("grafana-datasources", .file("configs/grafana/datasources.yaml"))
            Config("postgres-create-databases", .file("configs/postgres/create-databases.sh"))
            Service("traefik", image: "traefik:v3.3.1")
                .command([
                    "--entrypoints.web.address=:80", "--entrypoints.websecure.address=:443", "--providers.docker=true",
                    "--providers.docker.exposedbydefault=false", "--providers.docker.network=infra_net",
                    "--providers.docker.constraints=Label(`traefik.docker.network`,`infra_net`)", "--ping=true",
                    "--global.checknewversion=false", "--global.sendanonymoususage=false", "--api.dashboard=true",
                    "--metrics.prometheus=true", "--accesslog=true",
                ])
                .expose(8080)
                .publish(80)
                .publish(443)
                .networks("infra_net")
                .mount(.bind("/var/run/docker.sock"), at: "/var/run/docker.sock", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .command(["traefik", "healthcheck", "--ping"]), interval: .seconds(10), timeout: .seconds(5),
                        retries: 3, startPeriod: .seconds(10))
                )
                .label("traefik.enable", "true")
                .label("traefik.docker.network", "infra_net")
                .label("traefik.http.routers.infra-dev-traefik-dashboard.rule", "Host(`dashboard.infra.localhost`)")
                .label("traefik.http.routers.infra-dev-traefik-dashboard.service", "api@internal")
                .label("traefik.http.routers.infra-dev-traefik-dashboard.entrypoints", "web")
                .label(
                    "traefik.http.routers.infra-dev-traefik-dashboard.middlewares", "infra-dev-traefik-dashboard-sso"
                )
                .label(
                    "traefik.http.middlewares.infra-dev-traefik-dashboard-sso.forwardauth.address",
                    "http://oauth2-proxy:4180/oauth2/auth"
                )
                .label(
                    "traefik.http.middlewares.infra-dev-traefik-dashboard-sso.forwardauth.trustforwardheader", "true"
                )
                .label(
                    "traefik.http.middlewares.infra-dev-traefik-dashboard-sso.forwardauth.authresponseheaders",
                    "X-Auth-Request-User,X-Auth-Request-Email,Authorization"
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "256m"))
            Service("keycloak", image: "quay.io/keycloak/keycloak:26.0.7")
                .entrypoint([
                    "/bin/bash", "-c",
                    "export KC_DB_PASSWORD=\"$(< /run/secrets/keycloak_db_password)\"\nexport KC_BOOTSTRAP_ADMIN_PASSWORD=\"$(< /run/secrets/keycloak_admin_password)\"\nexport OAUTH2_PROXY_CLIENT_SECRET=\"$(< /run/secrets/oauth2_proxy_client_secret)\"\nexport GRAFANA_CLIENT_SECRET=\"$(< /run/secrets/grafana_client_secret)\"\nexec /opt/keycloak/bin/kc.sh \"$@\"",
                    "kc.sh",
                ])
                .command(["start-dev", "--import-realm"])
                .environment("KC_DB", "postgres")
                .environment("KC_DB_URL", "jdbc:postgresql://postgres:5432/keycloak")
                .environment("KC_DB_USERNAME", "keycloak")
                .environment("KC_BOOTSTRAP_ADMIN_USERNAME", "admin")
                .environment("KC_HOSTNAME", "http://keycloak.infra.localhost")
                .environment("KC_HTTP_ENABLED", "true")
                .environment("KC_PROXY_HEADERS", "xforwarded")
                .environment("KC_HEALTH_ENABLED", "true")
                .environment("KC_METRICS_ENABLED", "true")
                .expose(8080)
                .expose(9000)
                .networks("infra_net")
                .secret("keycloak_db_password")
                .secret("keycloak_admin_password")
                .secret("oauth2_proxy_client_secret")
                .secret("grafana_client_secret")
                .config("keycloak-realm", at: "/opt/keycloak/data/import/infra-realm.json")
                .healthCheck(
                    HealthCheck(
                        .command([
                            "/bin/bash", "-c",
                            "exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]",
                        ]), interval: .seconds(15), timeout: .seconds(5), retries: 10, startPeriod: .seconds(90))
                )
                .dependsOn("postgres", condition: .healthy)
                .route(
                    "keycloak.infra.localhost", port: 8080,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 0, frameDeny: false, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil))
                    ]
                )
                .user("1000")
                .resources(Resources(cpuLimit: 2, memoryLimit: "1g"))
            Service("oauth2-proxy", image: "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1-alpine")
                .entrypoint([
                    "/bin/sh", "-c",
                    "export OAUTH2_PROXY_COOKIE_SECRET=\"$(cat /run/secrets/oauth2_proxy_cookie_secret)\"\nexec /bin/oauth2-proxy \"$@\"",
                    "oauth2-proxy",
                ])
                .command([
                    "--http-address=0.0.0.0:4180", "--metrics-address=0.0.0.0:44180", "--reverse-proxy=true",
                    "--upstream=static://202", "--provider=keycloak-oidc", "--client-id=oauth2-proxy",
                    "--client-secret-file=/run/secrets/oauth2_proxy_client_secret", "--code-challenge-method=S256",
                    "--oidc-issuer-url=http://keycloak.infra.localhost/realms/infra", "--skip-oidc-discovery=true",
                    "--login-url=http://keycloak.infra.localhost/realms/infra/protocol/openid-connect/auth",
                    "--redeem-url=http://keycloak:8080/realms/infra/protocol/openid-connect/token",
                    "--oidc-jwks-url=http://keycloak:8080/realms/infra/protocol/openid-connect/certs",
                    "--validate-url=http://keycloak:8080/realms/infra/protocol/openid-connect/userinfo",
                    "--allowed-role=infra-operator", "--email-domain=*",
                    "--redirect-url=http://auth.infra.localhost/oauth2/callback", "--cookie-domain=.infra.localhost",
                    "--whitelist-domain=.infra.localhost", "--cookie-secure=false", "--cookie-samesite=lax",
                    "--set-xauthrequest=true", "--set-authorization-header=true", "--skip-provider-button=true",
                ])
                .expose(4180)
                .expose(44180)
                .networks("infra_net")
                .secret("oauth2_proxy_client_secret")
                .secret("oauth2_proxy_cookie_secret")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:4180/ping"]),
                        interval: .seconds(15), timeout: .seconds(5), retries: 3, startPeriod: .seconds(5))
                )
                .route(
                    "auth.infra.localhost", port: 4180,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 0, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil))
                    ]
                )
                .user("65532:65532")
                .resources(Resources(cpuLimit: 0.5, memoryLimit: "128m"))
            Service("prometheus", image: "prom/prometheus:v3.0.1")
                .command([
                    "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                    "--storage.tsdb.retention.time=7d", "--web.external-url=http://prometheus.infra.localhost",
                    "--web.enable-remote-write-receiver",
                ])
                .expose(9090)
                .networks("infra_net")
                .volume("prometheus-data", at: "/prometheus")
                .config("prometheus", at: "/etc/prometheus/prometheus.yml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/healthy"]),
                        interval: .seconds(15), timeout: .seconds(5), retries: 3, startPeriod: .seconds(0))
                )
                .route(
                    "prometheus.infra.localhost", port: 9090,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 0, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil)),
                        .forwardAuth(
                            ForwardAuth(
                                address: "http://oauth2-proxy:4180/oauth2/auth", trustForwardHeader: true,
                                responseHeaders: ["X-Auth-Request-User", "X-Auth-Request-Email", "Authorization"])),
                    ]
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("loki", image: "grafana/loki:3.3.0")
                .command(["-config.file=/etc/loki/loki.yaml"])
                .expose(3100)
                .networks("infra_net")
                .volume("loki-data", at: "/loki")
                .config("loki", at: "/etc/loki/loki.yaml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3100/ready"]),
                        interval: .seconds(15), timeout: .seconds(5), retries: 3, startPeriod: .seconds(20))
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("tempo", image: "grafana/tempo:2.6.1")
                .command(["-config.file=/etc/tempo/tempo.yaml"])
                .expose(3200)
                .expose(4317)
                .expose(4318)
                .networks("infra_net")
                .volume("tempo-data", at: "/var/tempo")
                .config("tempo", at: "/etc/tempo/tempo.yaml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3200/ready"]),
                        interval: .seconds(15), timeout: .seconds(5), retries: 3, startPeriod: .seconds(20))
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("grafana", image: "grafana/grafana:11.3.0")
                .environment("GF_SERVER_ROOT_URL", "http://grafana.infra.localhost")
                .environment("GF_SECURITY_ADMIN_USER", "admin")
                .environment("GF_SECURITY_COOKIE_SECURE", "false")
                .environment("GF_USERS_ALLOW_SIGN_UP", "false")
                .environment("GF_ANALYTICS_REPORTING_ENABLED", "false")
                .environment("GF_AUTH_GENERIC_OAUTH_ENABLED", "true")
                .environment("GF_AUTH_GENERIC_OAUTH_NAME", "Keycloak")
                .environment("GF_AUTH_GENERIC_OAUTH_ALLOW_SIGN_UP", "true")
                .environment("GF_AUTH_GENERIC_OAUTH_CLIENT_ID", "grafana")
                .environment("GF_AUTH_GENERIC_OAUTH_SCOPES", "openid email profile")
                .environment("GF_AUTH_GENERIC_OAUTH_USE_PKCE", "true")
                .environment(
                    "GF_AUTH_GENERIC_OAUTH_AUTH_URL",
                    "http://keycloak.infra.localhost/realms/infra/protocol/openid-connect/auth"
                )
                .environment(
                    "GF_AUTH_GENERIC_OAUTH_TOKEN_URL", "http://keycloak:8080/realms/infra/protocol/openid-connect/token"
                )
                .environment(
                    "GF_AUTH_GENERIC_OAUTH_API_URL",
                    "http://keycloak:8080/realms/infra/protocol/openid-connect/userinfo"
                )
                .environment(
                    "GF_AUTH_GENERIC_OAUTH_ROLE_ATTRIBUTE_PATH",
                    "contains(roles[*], 'grafana-admin') && 'Admin' || 'Viewer'"
                )
                .environment(
                    "GF_AUTH_SIGNOUT_REDIRECT_URL",
                    "http://keycloak.infra.localhost/realms/infra/protocol/openid-connect/logout"
                )
                .environment("GF_SECURITY_ADMIN_PASSWORD__FILE", "/run/secrets/grafana_admin_password")
                .environment("GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET__FILE", "/run/secrets/grafana_client_secret")
                .expose(3000)
                .networks("infra_net")
                .volume("grafana-data", at: "/var/lib/grafana")
                .secret("grafana_admin_password")
                .secret("grafana_client_secret")
                .config("grafana-datasources", at: "/etc/grafana/provisioning/datasources/datasources.yaml")
                .healthCheck(
                    HealthCheck(
                        .command(["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/api/health"]),
                        interval: .seconds(15), timeout: .seconds(5), retries: 3, startPeriod: .seconds(20))
                )
                .route(
                    "grafana.infra.localhost", port: 3000,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 0, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil))
                    ]
                )
                .user("472")
                .resources(Resources(cpuLimit: 1, memoryLimit: "512m"))
            Service("postgres", image: "postgres:16.6-alpine")
                .environment("PGDATA", "/var/lib/postgresql/data/pgdata")
                .environment("POSTGRES_PASSWORD_FILE", "/run/secrets/postgres_password")
                .expose(5432)
                .networks("infra_net")
                .volume("mng-pg-data", at: "/var/lib/postgresql/data")
                .secret("postgres_password")
                .secret("keycloak_db_password")
                .config("postgres-create-databases", at: "/docker-entrypoint-initdb.d/10-create-databases.sh")
                .healthCheck(
                    HealthCheck(
                        .command(["pg_isready", "-U", "postgres", "-d", "postgres"]), interval: .seconds(10),
                        timeout: .seconds(5), retries: 5, startPeriod: .seconds(30))
                )
                .user("postgres")
                .capabilities(["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"])
                .resources(Resources(cpuLimit: 2, memoryLimit: "2g"))
            Service("redis", image: "redis:7.4.1-alpine")
                .command([
                    "sh", "-c",
                    "exec docker-entrypoint.sh redis-server --appendonly yes --maxmemory 256mb --maxmemory-policy noeviction - <<EOF\nrequirepass $(cat /run/secrets/redis_password)\nEOF",
                ])
                .expose(6379)
                .networks("infra_net")
                .volume("redis-data", at: "/data")
                .secret("redis_password")
                .healthCheck(
                    HealthCheck(
                        .shell("REDISCLI_AUTH=\"$(cat /run/secrets/redis_password)\" redis-cli ping | grep -q PONG"),
                        interval: .seconds(10), timeout: .seconds(5), retries: 5, startPeriod: .seconds(10))
                )
                .capabilities(["CHOWN", "SETGID", "SETUID"])
                .resources(Resources(cpuLimit: 1, memoryLimit: "384m"))
            Service("minio", image: "minio/minio:RELEASE.2024-11-07T00-52-20Z")
                .command(["server", "/data", "--console-address", ":9001"])
                .environment("MINIO_ROOT_USER", "infra-admin")
                .environment("MINIO_BROWSER_REDIRECT_URL", "http://minio.infra.localhost")
                .environment("MINIO_PROMETHEUS_AUTH_TYPE", "public")
                .environment("MINIO_ROOT_PASSWORD_FILE", "/run/secrets/minio_root_password")
                .expose(9000)
                .expose(9001)
                .networks("infra_net")
                .volume("minio-data", at: "/data")
                .secret("minio_root_password")
                .healthCheck(
                    HealthCheck(
                        .command(["mc", "ready", "local"]), interval: .seconds(15), timeout: .seconds(10), retries: 3,
                        startPeriod: .seconds(10))
                )
                .route(
                    "minio.infra.localhost", port: 9001,
                    middlewares: [
                        .securityHeaders(
                            SecurityHeaders(
                                strictTransportSecuritySeconds: 0, frameDeny: true, contentTypeNosniff: true,
                                referrerPolicy: "strict-origin-when-cross-origin", contentSecurityPolicy: nil))
                    ]
                )
                .resources(Resources(cpuLimit: 1, memoryLimit: "1g"))
            Service("kafka", image: "apache/kafka:3.9.0")
                .environment("CLUSTER_ID", "Zq3xM0vLT8SmIn3y2sUb1A")
                .environment("KAFKA_NODE_ID", "1")
                .environment("KAFKA_PROCESS_ROLES", "broker,controller")
                .environment("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
                .environment("KAFKA_ADVERTISED_LISTENERS", "PLAINTEXT://kafka:9092")
                .environment("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT")
                .environment("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
                .environment("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@kafka:9093")
                .environment("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")
                .environment("KAFKA_LOG_DIRS", "/var/lib/kafka/data")
                .environment("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .environment("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .environment("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .environment("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .environment("KAFKA_LOG_RETENTION_HOURS", "24")
                .environment("KAFKA_HEAP_OPTS", "-Xms512m -Xmx512m")
                .expose(9092)
                .networks("infra_net")
                .volume("kafka-1-data", at: "/var/lib/kafka/data")
                .healthCheck(
                    HealthCheck(
                        .shell(
                            "KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 > /dev/null"
                        ), interval: .seconds(30), timeout: .seconds(20), retries: 5, startPeriod: .seconds(30))
                )
                .resources(Resources(cpuLimit: 2, memoryLimit: "1g"))
            Service("ollama", image: "ollama/ollama:0.4.7")
                .environment("OLLAMA_KEEP_ALIVE", "10m")
                .expose(11434)
                .networks("infra_net")
                .volume("ollama-data", at: "/root/.ollama")
                .healthCheck(
                    HealthCheck(
                        .command(["ollama", "list"]), interval: .seconds(30), timeout: .seconds(10), retries: 3,
                        startPeriod: .seconds(10))
                )
                .resources(Resources(cpuLimit: 4, memoryLimit: "8g"))
        }
    }
}
