import Berth

extension InfraPlatform {
    /// Single sign-on: Keycloak holds the accounts of the `infra` realm; oauth2-proxy signs users
    /// in against it and answers the gateway's forward-auth questions for the tools without a
    /// login of their own (the Traefik dashboard, Prometheus).
    ///
    /// - Keycloak keeps its data in the platform's PostgreSQL, in a database of its own, and
    ///   imports the realm (``realm(in:)``) at its first start.
    /// - oauth2-proxy answers `auth.<domain>` (sign-in and the OAuth callback) and, on
    ///   `infra_net`, `/oauth2/auth` for the gateway. Its session cookie is set for the whole
    ///   domain, so one sign-in opens every protected tool to members of `infra-operator`.
    /// - Every credential is a generated secret. oauth2-proxy reads its client secret with
    ///   `--client-secret-file`; neither Keycloak nor oauth2-proxy's cookie secret have a file
    ///   option, so a shell reads those files into the process's environment at start, where
    ///   they never appear in the rendered file or in `docker inspect`.
    public static func authPart(_ environment: Environment) -> StackPart {
        StackPart {
            Secret.generated("keycloak_admin_password")
            Secret.generated("keycloak_db_password")
            Secret.generated("oauth2_proxy_client_secret")
            // 32 characters: oauth2-proxy takes 16, 24 or 32 bytes for AES.
            Secret.generated("oauth2_proxy_cookie_secret", length: 32)
            Secret.generated("grafana_client_secret")
            Config("keycloak-realm", .content(realm(in: environment)))
            keycloakService(environment)
            oauth2ProxyService(environment)
        }
    }

    /// The realm's issuer as browsers and tokens name it.
    static func issuer(in environment: Environment) -> String {
        url("keycloak", in: environment, path: "/realms/\(realmName)")
    }

    /// An OpenID Connect endpoint of the realm on the shared network, for back-channel calls
    /// that must not leave the server.
    static func backChannel(_ endpoint: String) -> String {
        keycloak.url(scheme: "http", path: "/realms/\(realmName)/protocol/openid-connect/\(endpoint)")
    }

    static func keycloakService(_ environment: Environment) -> Service {
        // `kc.sh` reads its options from the environment; these come from secret files.
        let start = """
            export KC_DB_PASSWORD="$(< /run/secrets/keycloak_db_password)"
            export KC_BOOTSTRAP_ADMIN_PASSWORD="$(< /run/secrets/keycloak_admin_password)"
            export OAUTH2_PROXY_CLIENT_SECRET="$(< /run/secrets/oauth2_proxy_client_secret)"
            export GRAFANA_CLIENT_SECRET="$(< /run/secrets/grafana_client_secret)"
            exec /opt/keycloak/bin/kc.sh "$@"
            """
        // The image has neither curl nor wget: bash asks the management port directly.
        let ready = """
            exec 3<>/dev/tcp/127.0.0.1/9000 \
            && printf 'GET /health/ready HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 \
            && read -r status <&3 && [[ $status == *' 200 '* ]]
            """
        return Service("keycloak", image: Images.keycloak)
            .entrypoint(["/bin/bash", "-c", start, "kc.sh"])
            .command(environment.isProduction ? ["start", "--import-realm"] : ["start-dev", "--import-realm"])
            // The image's own user, written out: Compose secret files are made readable for it.
            .user("1000")
            .environment([
                "KC_DB": "postgres",
                "KC_DB_URL": "jdbc:postgresql://\(postgres.address)/keycloak",
                "KC_DB_USERNAME": "keycloak",
                "KC_BOOTSTRAP_ADMIN_USERNAME": "admin",
                "KC_HOSTNAME": url("keycloak", in: environment),
                // TLS ends at the gateway, which sends X-Forwarded-* headers.
                "KC_HTTP_ENABLED": "true",
                "KC_PROXY_HEADERS": "xforwarded",
                "KC_HEALTH_ENABLED": "true",
                "KC_METRICS_ENABLED": "true",
            ])
            .secret("keycloak_db_password")
            .secret("keycloak_admin_password")
            .secret("oauth2_proxy_client_secret")
            .secret("grafana_client_secret")
            .config("keycloak-realm", at: "/opt/keycloak/data/import/\(realmName)-realm.json")
            .networks(network.name)
            .expose(keycloak.port)
            .expose(9000)
            .dependsOn(postgres.name, condition: .healthy)
            .healthCheck(
                HealthCheck(
                    .command(["/bin/bash", "-c", ready]), interval: .seconds(15), timeout: .seconds(5), retries: 10,
                    startPeriod: .seconds(90))
            )
            .resources(Resources(cpuLimit: 2, memoryLimit: "1g"))
            .route(
                host("keycloak", in: environment), port: keycloak.port, tls: tls(in: environment),
                // Not behind sign-in: it is the sign-in. It sets its own framing policy, which
                // its login-status iframe needs.
                middlewares: middlewares(in: environment, signIn: false, headers: SecurityHeaders(frameDeny: false)))
    }

    static func oauth2ProxyService(_ environment: Environment) -> Service {
        let start = """
            export OAUTH2_PROXY_COOKIE_SECRET="$(cat /run/secrets/oauth2_proxy_cookie_secret)"
            exec /bin/oauth2-proxy "$@"
            """
        return Service(oauth2Proxy.name, image: Images.oauth2Proxy)
            .entrypoint(["/bin/sh", "-c", start, "oauth2-proxy"])
            .command([
                "--http-address=0.0.0.0:\(oauth2Proxy.port)",
                "--metrics-address=0.0.0.0:44180",
                "--reverse-proxy=true",
                // Forward auth only: the gateway passes the request on, oauth2-proxy proxies nothing.
                "--upstream=static://202",
                "--provider=keycloak-oidc",
                "--client-id=\(oauth2ProxyClientID)",
                "--client-secret-file=/run/secrets/oauth2_proxy_client_secret",
                "--code-challenge-method=S256",
                "--oidc-issuer-url=\(issuer(in: environment))",
                // Browsers go to Keycloak's public host; oauth2-proxy itself stays on infra_net.
                "--skip-oidc-discovery=true",
                "--login-url=\(issuer(in: environment))/protocol/openid-connect/auth",
                "--redeem-url=\(backChannel("token"))",
                "--oidc-jwks-url=\(backChannel("certs"))",
                "--validate-url=\(backChannel("userinfo"))",
                "--allowed-role=\(operatorRole)",
                "--email-domain=*",
                "--redirect-url=\(url("auth", in: environment, path: "/oauth2/callback"))",
                "--cookie-domain=.\(domain(in: environment))",
                "--whitelist-domain=.\(domain(in: environment))",
                "--cookie-secure=\(environment.isProduction)",
                "--cookie-samesite=lax",
                "--set-xauthrequest=true",
                "--set-authorization-header=true",
                "--skip-provider-button=true",
            ])
            // Not root: the Alpine image would run as root otherwise.
            .user("65532:65532")
            .secret("oauth2_proxy_client_secret")
            .secret("oauth2_proxy_cookie_secret")
            .networks(network.name)
            .expose(oauth2Proxy.port)
            .expose(44180)
            .healthCheck(.http(port: oauth2Proxy.port, path: "/ping", interval: .seconds(15), startPeriod: .seconds(5)))
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 0.5, memoryLimit: "128m"))
            .route(
                host("auth", in: environment), port: oauth2Proxy.port, tls: tls(in: environment),
                middlewares: middlewares(in: environment, signIn: false))
    }
}
