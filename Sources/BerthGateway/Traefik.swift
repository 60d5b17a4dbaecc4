import BerthCore

/// The Traefik v3 service that runs a Traefik ``Gateway``, for the stack that owns it.
///
/// ```swift
/// Stack("acme-infra") {
///     AcmeInfra.gateway
///     Traefik.stackPart(
///         gateway: AcmeInfra.gateway, image: "traefik:v3.3.5", acmeEmail: "ops@acme.example",
///         dashboardHost: "traefik.acme.example", dashboardUsers: BasicAuth(users: ["admin:$2y$05$…"]),
///         for: environment)
/// }
/// ```
/// The service listens on the gateway's entrypoints (`web` on :80, `websecure` on :443),
/// publishes both on every address of the host, and finds routed services through the Docker
/// provider on Compose or the Swarm provider on Swarm, each told to use the gateway's network
/// and to route only services with `traefik.enable=true`.
public enum Traefik {
    /// The named volume that keeps the ACME account and certificates.
    public static let acmeVolume = "traefik-acme"
    /// Where ``acmeVolume`` is mounted.
    public static let acmeDirectory = "/letsencrypt"
    /// The Docker socket the providers read, mounted read-only.
    public static let dockerSocket = "/var/run/docker.sock"

    /// The Traefik service of a gateway.
    ///
    /// - Its command configures the entrypoints, the provider (`--providers.docker.*` on
    ///   Compose, `--providers.swarm.*` on Swarm) with `exposedByDefault=false`, the network
    ///   set to the gateway network's engine name and a constraint to the services labelled
    ///   with it (as ``TraefikLabels`` labels routed services), and `--ping` for its health
    ///   check, `traefik healthcheck --ping`.
    /// - With `acmeEmail`, an ACME resolver named `certificateResolver` answers the HTTP
    ///   challenge on the HTTP entrypoint and stores its certificates in ``acmeVolume``, which the
    ///   stack must declare (``stackPart(gateway:image:acmeEmail:certificateResolver:dashboardHost:dashboardUsers:for:fileID:line:)``
    ///   does).
    /// - With `dashboardHost`, the dashboard (`api@internal`) is routed on that host over HTTPS
    ///   behind basic authentication by `dashboardUsers`; never through `--api.insecure`. A
    ///   dashboard without users is still routed, behind authentication nobody passes, and
    ///   ``TraefikValidation`` reports it as an error.
    /// - It mounts the Docker socket read-only, joins the gateway's network and publishes 80
    ///   and 443. On Swarm it runs on a manager (`node.role == manager`), the only node whose
    ///   socket lists services, and publishes in host mode so that Traefik sees client addresses
    ///   (rate limits are per client) rather than the routing mesh's.
    /// - Parameters:
    ///   - gateway: The gateway it runs; its service name, network and entrypoints are used.
    ///   - image: The Traefik v3 image, pinned, such as `"traefik:v3.3.5"`.
    ///   - acmeEmail: The ACME account's contact address; `nil` for no ACME resolver.
    ///   - certificateResolver: The resolver's name, which routes use in `.resolver(…)`.
    ///   - dashboardHost: The host the dashboard answers on; `nil` for no dashboard.
    ///   - dashboardUsers: `htpasswd` entries allowed into the dashboard.
    ///   - httpPort: The host port for plain HTTP.
    ///   - httpsPort: The host port for HTTPS.
    ///   - hostIP: The host address both bind to; every address by default, since the gateway
    ///     is the way in (`"127.0.0.1"` on a development machine).
    ///   - environment: Decides the provider and where labels go.
    public static func service(
        gateway: Gateway,
        image: Image,
        acmeEmail: String? = nil,
        certificateResolver: String = "letsencrypt",
        dashboardHost: String? = nil,
        dashboardUsers: BasicAuth? = nil,
        httpPort: Int = 80,
        httpsPort: Int = 443,
        hostIP: String = "0.0.0.0",
        for environment: Environment,
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        let location = SourceLocation(fileID: fileID, line: line)
        let isSwarm = environment.orchestrator == .swarm
        let provider = isSwarm ? "swarm" : "docker"
        var command = [
            "--entrypoints.\(gateway.httpEntrypoint).address=:80",
            "--entrypoints.\(gateway.httpsEntrypoint).address=:443",
            "--providers.\(provider)=true",
            "--providers.\(provider).exposedbydefault=false",
            "--providers.\(provider).network=\(gateway.network.engineName)",
            // Only what Berth labelled for this gateway: the engine may run other stacks with
            // Traefik labels (another environment, another gateway), whose routes this one must
            // not serve, and whose every change would rebuild its middlewares, rate limiters
            // and their counts included.
            "--providers.\(provider).constraints=Label(`\(TraefikLabels.networkKey(for: environment))`,`\(gateway.network.engineName)`)",
            "--ping=true",
        ]
        if dashboardHost != nil {
            command.append("--api.dashboard=true")
        }
        if let acmeEmail {
            let resolver = "--certificatesresolvers.\(certificateResolver).acme"
            command += [
                "\(resolver).email=\(acmeEmail)",
                "\(resolver).storage=\(acmeDirectory)/acme.json",
                "\(resolver).httpchallenge.entrypoint=\(gateway.httpEntrypoint)",
            ]
        }
        let mode: Port.PublishMode = isSwarm ? .host : .ingress
        var service = Service(gateway.service, image: image, fileID: fileID, line: line)
            .command(command)
            .networks(gateway.network.name)
            .publish(80, on: httpPort, hostIP: hostIP, mode: mode, fileID: fileID, line: line)
            .publish(443, on: httpsPort, hostIP: hostIP, mode: mode, fileID: fileID, line: line)
            .mount(.bind(dockerSocket), at: dockerSocket, readOnly: true, fileID: fileID, line: line)
            .healthCheck(
                HealthCheck(
                    .command(["traefik", "healthcheck", "--ping"]), interval: .seconds(10), timeout: .seconds(5),
                    retries: 3, startPeriod: .seconds(10), fileID: fileID, line: line))
        if acmeEmail != nil {
            service = service.volume(acmeVolume, at: acmeDirectory, fileID: fileID, line: line)
        }
        if isSwarm {
            service = service.constraint("node.role == manager", fileID: fileID, line: line)
        }
        if let dashboardHost {
            let labels = dashboardLabels(
                gateway: gateway, host: dashboardHost, users: dashboardUsers?.users ?? [],
                resolver: acmeEmail == nil ? nil : certificateResolver, environment: environment, location: location)
            if isSwarm {
                service.deploy.labels += labels
            } else {
                service.labels += labels
            }
        }
        return service
    }

    /// What the gateway's stack needs to run Traefik: its
    /// ``service(gateway:image:acmeEmail:certificateResolver:dashboardHost:dashboardUsers:httpPort:httpsPort:hostIP:for:fileID:line:)``
    /// and, with ACME, the ``acmeVolume`` for its certificates.
    ///
    /// The gateway and its network stay the stack's to declare.
    public static func stackPart(
        gateway: Gateway,
        image: Image,
        acmeEmail: String? = nil,
        certificateResolver: String = "letsencrypt",
        dashboardHost: String? = nil,
        dashboardUsers: BasicAuth? = nil,
        httpPort: Int = 80,
        httpsPort: Int = 443,
        hostIP: String = "0.0.0.0",
        for environment: Environment,
        fileID: String = #fileID,
        line: Int = #line
    ) -> StackPart {
        let service = service(
            gateway: gateway, image: image, acmeEmail: acmeEmail, certificateResolver: certificateResolver,
            dashboardHost: dashboardHost, dashboardUsers: dashboardUsers, httpPort: httpPort, httpsPort: httpsPort,
            hostIP: hostIP, for: environment, fileID: fileID, line: line)
        return StackPart {
            service
            if acmeEmail != nil { Volume(acmeVolume, fileID: fileID, line: line) }
        }
    }

    /// The router that serves the dashboard on `host` over HTTPS, behind basic authentication.
    private static func dashboardLabels(
        gateway: Gateway, host: String, users: [String], resolver: String?, environment: Environment,
        location: SourceLocation
    ) -> [Label] {
        let name = [gateway.owner, environment.name, gateway.service, "dashboard"].map(TraefikLabels.nameComponent)
            .joined(separator: "-")
        let router = "traefik.http.routers.\(name)"
        var pairs = [
            ("traefik.enable", "true"),
            // The gateway's constraint admits only services labelled with its network.
            (TraefikLabels.networkKey(for: environment), gateway.network.engineName),
            ("\(router).rule", "Host(`\(host)`)"),
            ("\(router).entrypoints", gateway.httpsEntrypoint),
            ("\(router).service", "api@internal"),
            ("\(router).middlewares", "\(name)-auth"),
            ("\(router).tls", "true"),
        ]
        if let resolver {
            pairs.append(("\(router).tls.certresolver", resolver))
        }
        // An empty list still defines the middleware, so the router stays behind it: Traefik
        // then lets nobody in, and validation reports the dashboard as unprotected.
        pairs.append(("traefik.http.middlewares.\(name)-auth.basicauth.users", users.joined(separator: ",")))
        if environment.orchestrator == .swarm {
            // The Swarm provider needs a port for every service it reads, even one whose only
            // router goes to api@internal; this one is never used.
            pairs.append(("traefik.http.services.\(name).loadbalancer.server.port", "8080"))
        }
        return pairs.map { Label(key: $0.0, value: $0.1, location: location) }
    }
}
