import BerthCore

/// An nginx gateway: its container's layout, its main configuration, the routes file rendered
/// from every stack's routes, and the service that runs it in the shared infrastructure.
///
/// An nginx gateway reads its routes from files, not from labels, so Berth renders one file
/// from the routes of every stack on the engine and hands it to the running gateway after each
/// `up` and `down`:
/// ```swift
/// let nginx = NginxGateway(AcmeInfra.gateway, workerUser: "nginx")
/// // In the shared-infrastructure stack:
/// nginx.stackPart(image: "nginx:1.27.3-alpine", httpPort: 80, httpsPort: 443)
/// // After a deploy, from every stack's routes:
/// let routes = nginx.routesConfiguration(gatewayRoutes)
/// ```
///
/// ## The container's layout
///
/// | Path | What | Written by |
/// | --- | --- | --- |
/// | ``mainConfigurationPath`` | ``mainConfiguration(routesDirectory:)`` for ``activeDirectory`` | a config, read-only |
/// | ``stagedMainConfigurationPath`` | the same for ``stagedDirectory``, to test new routes | a config, read-only |
/// | ``routesVolumePath`` | a named volume, writable, kept across container replacements | the service |
/// | ``activeDirectory`` | the routes nginx serves: ``routesFileName`` and `.htpasswd` files | the reload |
/// | ``stagedDirectory`` | the next routes, while nginx tests them | the reload |
/// | ``previousDirectory`` | the routes served before the last reload | the reload |
///
/// Both main configurations include `<directory>/*.conf`, which matches nothing in a new, empty
/// volume: the gateway starts with no routes and answers only its health endpoint
/// (`/healthz` → `ok`) and 404.
///
/// ## Reloading the routes
///
/// The running configuration is never touched until nginx has accepted the new one. Run each
/// step with `docker exec` in the gateway's container (in every task of it on Swarm: each node
/// has its own volume), and stop at the first step that exits non-zero:
/// 1. ``prepareStagingScript``, with `sh -c`: an empty ``stagedDirectory``.
/// 2. For each file of ``NginxRoutesConfiguration/files``: `docker exec -i <container> sh -c`
///    ``writeStagedFileScript(named:)`` with the file's content on standard input.
/// 3. ``activationScript``, with `sh -c`: `nginx -t` on ``stagedMainConfigurationPath``, which
///    reads the staged routes; only when nginx accepts them does the script move the active
///    directory to ``previousDirectory`` and the staged one into place, then `nginx -s reload`.
///    A refusal leaves the running routes as they were and prints nginx's reason on standard
///    error.
/// 4. If the new routes misbehave, ``rollbackScript`` puts ``previousDirectory`` back and
///    reloads.
///
/// `nginx -t` resolves upstream host names, so run it in the gateway's container, on the
/// gateway's network, where the routed containers' names resolve.
public struct NginxGateway: Sendable, Hashable {
    /// The gateway, as the shared infrastructure declares it.
    public var gateway: Gateway
    /// What the gateway's nginx build can do.
    public var capabilities: NginxCapabilities
    /// The user nginx's worker processes run as, and optionally their group after a space
    /// (`nobody nogroup`); both must exist in the image. Without a group, the group of the
    /// user's name is used: `www-data` in Debian's packages, `nginx` in the official images.
    public var workerUser: String
    /// What the default server answers for a host no route has: `404`, or `444`, which closes
    /// the connection without an answer (scanners and stale DNS entries learn nothing).
    public var unknownHostStatus: Int
    /// The path the default server answers `200 ok` on, without logging it: the gateway's own
    /// health check, answered by nginx itself.
    public var healthPath: String
    /// Files nginx serves itself from named volumes, with cache headers: see ``StaticFiles``
    /// for why they are the gateway's and how they reach a host's servers.
    public var staticFiles: [StaticFiles]

    /// Describes an nginx gateway.
    /// - Parameters:
    ///   - gateway: The gateway handle of the shared infrastructure; its kind should be `.nginx`.
    ///   - capabilities: What the image's nginx can do; ``NginxCapabilities/standard`` fits the
    ///     official images and Debian's packages.
    ///   - workerUser: The user worker processes run as.
    ///   - unknownHostStatus: What a request for a host no route has gets: an HTTP status
    ///     (`404`, `421`), or `444` to close the connection without an answer.
    ///   - healthPath: The path nginx itself answers `200 ok` on, for health checks.
    ///   - staticFiles: Files served from volumes the gateway mounts, under paths of routed hosts.
    public init(
        _ gateway: Gateway,
        capabilities: NginxCapabilities = .standard,
        workerUser: String = "www-data",
        unknownHostStatus: Int = 404,
        healthPath: String = NginxGateway.healthPath,
        staticFiles: [StaticFiles] = []
    ) {
        self.gateway = gateway
        self.capabilities = capabilities
        self.workerUser = workerUser
        self.unknownHostStatus = unknownHostStatus
        self.healthPath = healthPath
        self.staticFiles = staticFiles
    }

    // MARK: Layout

    /// The main configuration nginx runs with.
    public static let mainConfigurationPath = "/etc/nginx/nginx.conf"
    /// The main configuration that reads the staged routes, for `nginx -t -c` only.
    public static let stagedMainConfigurationPath = "/etc/nginx/nginx-staged.conf"
    /// Where the routes volume is mounted; the directories below live in it.
    public static let routesVolumePath = "/etc/nginx/berth"
    /// The routes nginx serves.
    public static let activeDirectory = "/etc/nginx/berth/active"
    /// The routes being tested.
    public static let stagedDirectory = "/etc/nginx/berth/staged"
    /// The routes served before the last reload.
    public static let previousDirectory = "/etc/nginx/berth/previous"
    /// The routes file in a routes directory; every `*.conf` file there is included.
    public static let routesFileName = "routes.conf"
    /// Where nginx writes its process ID, which `nginx -s reload` reads.
    public static let pidPath = "/run/nginx.pid"
    /// The path the default server answers `200 ok` on, for health checks, unless the gateway
    /// names another (``healthPath-swift.property``).
    public static let healthPath = "/healthz"
    /// Docker's DNS server inside every container on a user-defined network, which resolves
    /// upstream names per request.
    public static let resolverAddress = "127.0.0.11"

    // MARK: Reload steps

    /// Empties ``stagedDirectory``; run with `sh -c`.
    public static let prepareStagingScript = GatewayFiles.prepareStagingScript(in: stagedDirectory)

    /// Writes standard input to the staged file `name`; run with `docker exec -i … sh -c`.
    public static func writeStagedFileScript(named name: String) -> String {
        GatewayFiles.writeStagedFileScript(named: name, in: stagedDirectory)
    }

    /// Reloads nginx and returns once it serves the new configuration and the old workers have
    /// finished the requests they held.
    ///
    /// `nginx -s reload` only signals the master and returns at once; the master then reads
    /// the configuration and starts new workers, and until they run, connections are still
    /// taken by workers with the old routes. The old workers then finish the requests they hold
    /// and exit. A caller that stops an upstream right after the reload (the old containers of
    /// a rollout) would cut those requests. So this waits, up to 10 s, until a worker that was
    /// not there before runs (the master has loaded the configuration; the old workers take no
    /// new connection), then up to 5 s until the old workers are gone (a longer request, such
    /// as a websocket, is not waited for). It reads `/proc`, which every nginx image has, not
    /// `ps`, which Debian's do not.
    static let reloadAndWait = """
        workers() { for p in /proc/[0-9]*; do case "$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)" in "nginx: worker process"*) echo "${p#/proc/}";; esac; done; }
        before=" $(workers | tr '\\n' ' ') "
        nginx -s reload -c \(mainConfigurationPath) || exit 1
        i=0
        started=no
        while [ "$started" = no ] && [ "$i" -lt 500 ]; do
            for w in $(workers); do case "$before" in *" $w "*) ;; *) started=yes;; esac; done
            i=$((i + 1))
            [ "$started" = yes ] || sleep 0.02
        done
        if [ "$started" = no ]; then
            echo "nginx started no worker with the new configuration within 10 s" >&2
            exit 1
        fi
        i=0
        while [ "$i" -lt 250 ]; do
            old=no
            for w in $(workers); do case "$before" in *" $w "*) old=yes;; esac; done
            [ "$old" = yes ] || exit 0
            i=$((i + 1))
            sleep 0.02
        done
        exit 0
        """

    /// Tests the staged routes with `nginx -t`, and only when nginx accepts them makes them the
    /// active ones and reloads, returning once nginx serves them; run with `sh -c`. Exits
    /// non-zero, running routes untouched, when nginx refuses them.
    public static let activationScript = """
        set -e
        nginx -t -q -c \(stagedMainConfigurationPath)
        rm -rf \(previousDirectory)
        if [ -e \(activeDirectory) ]; then mv \(activeDirectory) \(previousDirectory); fi
        mv \(stagedDirectory) \(activeDirectory)
        set +e
        \(reloadAndWait)
        """

    /// Puts the routes served before the last reload back and reloads, returning once nginx
    /// serves them; run with `sh -c`.
    public static let rollbackScript = """
        set -e
        [ -d \(previousDirectory) ]
        rm -rf \(stagedDirectory)
        if [ -e \(activeDirectory) ]; then mv \(activeDirectory) \(stagedDirectory); fi
        mv \(previousDirectory) \(activeDirectory)
        set +e
        \(reloadAndWait)
        """

    // MARK: Main configuration

    /// The main configuration: worker settings, the routes of `routesDirectory`, and a default
    /// server that answers ``healthPath-swift.property`` with `200 ok` and everything else with ``unknownHostStatus``.
    ///
    /// It is valid with no routes at all. A TLS default server rejects handshakes for host
    /// names no route has, so an unknown name never gets another site's certificate.
    /// - Parameter routesDirectory: ``activeDirectory`` for the configuration nginx runs,
    ///   ``stagedDirectory`` for the one that tests new routes.
    public func mainConfiguration(routesDirectory: String = NginxGateway.activeDirectory) -> String {
        typealias D = NginxDirective
        var http: [D] = [
            .words("include", "/etc/nginx/mime.types"),
            .words("default_type", "application/octet-stream"),
            .words("sendfile", "on"),
            .words("tcp_nopush", "on"),
            .words("keepalive_timeout", "65s"),
            .words("server_tokens", "off"),
            .words("access_log", "/dev/stdout"),
            // Host names up to 253 characters fit a bucket.
            .words("server_names_hash_bucket_size", "512"),
            D("include", [.word(routesDirectory + "/*.conf")], comment: "Every stack's routes, rendered by Berth."),
            D(
                "server",
                block: [
                    .words("listen", "80", "default_server"),
                    .words("server_name", "_"),
                    D(
                        "location", [.word("="), .word(healthPath)],
                        block: [
                            .words("access_log", "off"),
                            .words("default_type", "text/plain"),
                            D("return", [.word("200"), .text("ok\n")]),
                        ]),
                    D("location", [.word("/")], block: [.words("return", "\(unknownHostStatus)")]),
                ],
                comment: "Requests for no routed host: the health endpoint, else \(unknownHostStatus)."),
        ]
        if capabilities.hasSSL {
            http.append(
                D(
                    "server",
                    block: [.words("listen", "443", "ssl", "default_server"), .words("ssl_reject_handshake", "on")],
                    comment: "TLS for no routed host: refuse the handshake rather than show a route's certificate."))
        }
        let directives: [D] = [
            NginxDirective("user", workerUser.split(separator: " ").map { .word(String($0)) }),
            .words("worker_processes", "auto"),
            .words("pid", Self.pidPath),
            .words("error_log", "stderr", "warn"),
            D("events", block: [.words("worker_connections", "1024")]),
            D("http", block: http),
        ]
        return "# The nginx gateway's main configuration, rendered by Berth.\n\n"
            + directives.map { $0.render() }.joined()
    }

    // MARK: Service

    /// The name of the config holding ``mainConfiguration(routesDirectory:)``.
    public var mainConfigName: String { "\(gateway.service)_nginx_conf" }
    /// The name of the config holding the staged main configuration.
    public var stagedConfigName: String { "\(gateway.service)_nginx_staged_conf" }
    /// The name of the volume mounted at ``routesVolumePath``.
    public var routesVolumeName: String { "\(gateway.service)_routes" }

    /// A health check that fetches the health path with `timeout` and `wget` inside the container,
    /// as busybox and Alpine images ship them; Debian-based images need `curl` instead.
    /// - Parameter path: The health path; ``healthPath-swift.type.property`` unless the gateway names another.
    public static func healthCheck(path: String = healthPath, fileID: String = #fileID, line: Int = #line)
        -> HealthCheck
    {
        HealthCheck(
            .command(["timeout", "3", "wget", "-q", "-O-", "http://127.0.0.1\(path)"]),
            interval: .seconds(5), timeout: .seconds(5), retries: 3, startPeriod: .seconds(5),
            fileID: fileID, line: line)
    }

    /// The gateway's service: nginx in the foreground with the main configuration, the routes
    /// volume, the gateway's network, and ports 80 (and 443) published.
    ///
    /// Certificate files that routes name with ``RouteTLS/certificate(certificate:key:)`` come
    /// from `certificatesDirectory`.
    /// - Parameters:
    ///   - image: The nginx image, pinned.
    ///   - httpPort: The host port for plain HTTP.
    ///   - httpsPort: The host port for HTTPS; `nil` publishes none.
    ///   - hostIP: The host address the ports bind to; every address by default, since the
    ///     gateway is the stack's way in.
    ///   - publishMode: How Swarm publishes the ports.
    ///   - healthCheck: How the engine checks it; ``healthCheck(path:fileID:line:)`` by default.
    ///   - certificatesDirectory: A host directory with the certificate files routes name in
    ///     ``RouteTLS/certificate(certificate:key:)``, mounted read-only at the same path
    ///     (`/etc/letsencrypt`).
    public func service(
        image: Image,
        httpPort: Int = 80,
        httpsPort: Int? = nil,
        hostIP: String = "0.0.0.0",
        publishMode: Port.PublishMode = .ingress,
        healthCheck: HealthCheck? = nil,
        certificatesDirectory: String? = nil,
        resources: Resources = Resources(),
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        var service = Service(gateway.service, image: image, fileID: fileID, line: line)
            .resources(resources)
            .command(["nginx", "-c", Self.mainConfigurationPath, "-g", "daemon off;"])
            .networks(gateway.network.name)
            .publish(80, on: httpPort, hostIP: hostIP, mode: publishMode, fileID: fileID, line: line)
            .config(mainConfigName, at: Self.mainConfigurationPath, fileID: fileID, line: line)
            .config(stagedConfigName, at: Self.stagedMainConfigurationPath, fileID: fileID, line: line)
            .volume(routesVolumeName, at: Self.routesVolumePath, fileID: fileID, line: line)
            .healthCheck(healthCheck ?? Self.healthCheck(path: healthPath, fileID: fileID, line: line))
        if let httpsPort {
            service = service.publish(443, on: httpsPort, hostIP: hostIP, mode: publishMode, fileID: fileID, line: line)
        }
        // The stack keeps no NginxGateway value: its checks travel with its service.
        service.attachments = optionAttachments(at: SourceLocation(fileID: fileID, line: line))
        let served = servedStaticFiles
        for host in served.keys.sorted() {
            service = service.config(
                staticFilesConfigName(host), at: Self.staticFilesFolder(host) + "/static.conf", fileID: fileID,
                line: line)
        }
        for volume in Set(served.values.joined().map(\.volume)).sorted() {
            // The app writes its files; the gateway only reads them.
            service = service.volume(
                volume, at: Self.staticFilesRoot + "/" + volume, readOnly: true, fileID: fileID, line: line)
        }
        if let certificatesDirectory {
            // Renewed on the host (certbot); the gateway only reads, at the same path.
            service = service.mount(
                .bind(certificatesDirectory), at: certificatesDirectory, readOnly: true, fileID: fileID, line: line)
        }
        return service
    }

    /// What the shared-infrastructure stack needs to run the gateway: its
    /// ``service(image:httpPort:httpsPort:hostIP:publishMode:healthCheck:certificatesDirectory:resources:fileID:line:)``, the
    /// two main configurations as configs, and the routes volume; with ``staticFiles``, a config
    /// per host and the volumes they are read from, as external volumes.
    ///
    /// The gateway's network stays the stack's to declare, as the gateway handle brings it.
    public func stackPart(
        image: Image,
        httpPort: Int = 80,
        httpsPort: Int? = nil,
        hostIP: String = "0.0.0.0",
        publishMode: Port.PublishMode = .ingress,
        healthCheck: HealthCheck? = nil,
        certificatesDirectory: String? = nil,
        resources: Resources = Resources(),
        fileID: String = #fileID,
        line: Int = #line
    ) -> StackPart {
        let service = service(
            image: image, httpPort: httpPort, httpsPort: httpsPort, hostIP: hostIP, publishMode: publishMode,
            healthCheck: healthCheck, certificatesDirectory: certificatesDirectory, resources: resources,
            fileID: fileID, line: line)
        let main = Config(mainConfigName, .content(mainConfiguration()), fileID: fileID, line: line)
        let staged = Config(
            stagedConfigName, .content(mainConfiguration(routesDirectory: Self.stagedDirectory)), fileID: fileID,
            line: line)
        let volume = Volume(routesVolumeName, fileID: fileID, line: line)
        let served = servedStaticFiles
        let staticConfigs = served.keys.sorted().map { host in
            Config(
                staticFilesConfigName(host), .content(Self.staticFilesConfiguration(served[host]!)), fileID: fileID,
                line: line)
        }
        // The app's stack owns its volumes; the gateway's refers to them by their engine names.
        let staticVolumes = Set(served.values.joined().map(\.volume)).sorted().map {
            Volume.external($0, fileID: fileID, line: line)
        }
        return StackPart {
            service
            main
            staged
            volume
            for config in staticConfigs { config }
            for volume in staticVolumes { volume }
        }
    }
}
