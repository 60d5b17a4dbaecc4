import Berth

extension InfraPlatform {
    /// Traefik, the platform's only way in.
    ///
    /// - It publishes 80 and 443, on every address of the server in production and on loopback
    ///   on a workstation; nothing else in the stack publishes a port.
    /// - It routes only services with `traefik.enable=true`, on `infra_net`; the routes are
    ///   declared on the services with `.route(…)` and become labels when the stack is rendered.
    /// - In production it obtains certificates from Let's Encrypt with the HTTP challenge and
    ///   keeps them in the `traefik-acme` volume.
    /// - Its dashboard answers on `dashboard.<domain>` behind single sign-on, and its metrics on
    ///   `traefik:8080/metrics` for Prometheus, on the shared network only.
    public static func gatewayPart(_ environment: Environment) -> StackPart {
        let acmeEmail = environment.isProduction ? Self.acmeEmail : nil
        var traefik = Traefik.service(
            gateway: gateway, image: Images.traefik, acmeEmail: acmeEmail, certificateResolver: certificateResolver,
            for: environment)
        traefik.command =
            (traefik.command ?? []) + [
                "--global.checknewversion=false",
                "--global.sendanonymoususage=false",
                "--api.dashboard=true",
                "--metrics.prometheus=true",
                "--accesslog=true",
            ]
        if !environment.isProduction {
            // A workstation's gateway takes requests from the workstation only.
            for index in traefik.ports.indices { traefik.ports[index].hostIP = "127.0.0.1" }
        }
        for (key, value) in dashboardLabels(environment) {
            traefik = traefik.label(key, value)
        }
        traefik = traefik.expose(8080)
            .dropCapabilities(["ALL"])
            .resources(Resources(cpuLimit: 1, memoryLimit: "256m"))
        return StackPart {
            traefik
            if acmeEmail != nil { Volume(Traefik.acmeVolume) }
        }
    }

    /// The labels that route `dashboard.<domain>` to the dashboard (`api@internal`) behind the
    /// same single sign-on as the other tools.
    ///
    /// `Traefik.service(dashboardHost:dashboardUsers:)` puts the dashboard behind basic
    /// authentication, whose `htpasswd` hashes would have to live in this repository; these
    /// labels put it behind oauth2-proxy instead. Berth validates them like the labels it writes.
    static func dashboardLabels(_ environment: Environment) -> [(key: String, value: String)] {
        let name = "\(stackName)-\(environment.name)-traefik-dashboard"
        let router = "traefik.http.routers.\(name)"
        let rule = "Host(`\(host("dashboard", in: environment))`)"
        let sso = "\(name)-sso"
        let headers = "\(name)-headers"
        let redirect = "\(name)-redirect-https"
        var labels = [
            ("traefik.enable", "true"),
            ("traefik.docker.network", network.engineName),
            ("\(router).rule", rule),
            ("\(router).service", "api@internal"),
        ]
        if environment.isProduction {
            labels += [
                ("\(router).entrypoints", gateway.httpsEntrypoint),
                ("\(router).middlewares", "\(headers),\(sso)"),
                ("\(router).tls", "true"),
                ("\(router).tls.certresolver", certificateResolver),
                // Plain HTTP is answered with a redirect, never with the dashboard.
                ("\(router)-http.rule", rule),
                ("\(router)-http.entrypoints", gateway.httpEntrypoint),
                ("\(router)-http.service", "noop@internal"),
                ("\(router)-http.middlewares", redirect),
                ("traefik.http.middlewares.\(redirect).redirectscheme.scheme", "https"),
                ("traefik.http.middlewares.\(redirect).redirectscheme.permanent", "true"),
                ("traefik.http.middlewares.\(headers).headers.stsseconds", "31536000"),
                ("traefik.http.middlewares.\(headers).headers.framedeny", "true"),
                ("traefik.http.middlewares.\(headers).headers.contenttypenosniff", "true"),
                ("traefik.http.middlewares.\(headers).headers.referrerpolicy", "strict-origin-when-cross-origin"),
            ]
        } else {
            labels += [
                ("\(router).entrypoints", gateway.httpEntrypoint),
                ("\(router).middlewares", sso),
            ]
        }
        let forwardAuth = ForwardAuth.oauth2Proxy(host: oauth2Proxy.host, port: oauth2Proxy.port)
        labels += [
            ("traefik.http.middlewares.\(sso).forwardauth.address", forwardAuth.address),
            ("traefik.http.middlewares.\(sso).forwardauth.trustforwardheader", "true"),
            (
                "traefik.http.middlewares.\(sso).forwardauth.authresponseheaders",
                forwardAuth.responseHeaders.joined(separator: ",")
            ),
        ]
        return labels.map { (key: $0.0, value: $0.1) }
    }
}
