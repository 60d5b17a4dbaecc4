import BerthCore
import BerthDeploy
import BerthGateway
import Foundation

// A `Deploy` executable as an application repository has one, for the rollout tests and the
// rollout benchmark: they run it as users run theirs, as a process they can load, race and kill.
//
// FIXTURE_STACK    the stack's name (default "rollout")
// FIXTURE_PORT     the gateway's loopback port; `pinned` publishes the next one (default 18400)
// FIXTURE_VERSION  the value of VERSION in every app service: changing it is an env-only update
// FIXTURE_BROKEN   "1": the new version of `web` never passes its health check
// FIXTURE_CRASH    "1": the new version of `web` exits at once, and the engine restarts it
// FIXTURE_REPLICAS replicas of `web` (default 1)
// FIXTURE_CONFIG   the content of the `motd` config `web` mounts
// `stubborn` reads the generated secret `token`.
// Routes: web.<stack>.localhost and stubborn.<stack>.localhost.
// FIXTURE_ONLY     the services to describe, comma-separated (default: all); without
//                  `gateway` there is no gateway and no route
// FIXTURE_RELEASE  a shell command `web` runs as its release task (default: none)
// FIXTURE_GATEWAY  the gateway's kind: `nginx` (default) or `caddy`, whose HTTPS port is
//                  FIXTURE_PORT + 2
// FIXTURE_GATEWAY_STACK  the stack that owns the gateway (default: this one); when another
//                  stack owns it, this one is an app repository routed through it
// FIXTURE_WEB_IMAGE the image of `web` (default berth-test/busybox:1)
// `db`, described only when FIXTURE_ONLY names it: PostgreSQL (berth-test/postgres:15) with a
// backup policy, for the backup benchmark; FIXTURE_BACKUP_KEY=1 encrypts its backups;
// FIXTURE_BUCKET=NETWORK sends them to the bucket `bench-backups` of the S3 service `s3:5000` on
// that engine network, with the keys from FIXTURE_S3_KEY_ID and FIXTURE_S3_SECRET

let settings = ProcessInfo.processInfo.environment
let name = settings["FIXTURE_STACK"] ?? "rollout"
let port = Int(settings["FIXTURE_PORT"] ?? "") ?? 18400
let version = settings["FIXTURE_VERSION"] ?? "1"
let broken = settings["FIXTURE_BROKEN"] == "1"
let crashes = settings["FIXTURE_CRASH"] == "1"
let replicas = Int(settings["FIXTURE_REPLICAS"] ?? "") ?? 1
let motd = settings["FIXTURE_CONFIG"] ?? "welcome"
let releaseTask = settings["FIXTURE_RELEASE"]
let only = settings["FIXTURE_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
func described(_ service: String) -> Bool { only?.contains(service) ?? true }
let gatewayOwner = settings["FIXTURE_GATEWAY_STACK"] ?? name
let ownsGateway = gatewayOwner == name
let routed = !ownsGateway || described("gateway")

let network = SharedNetwork("edge", engineName: "\(gatewayOwner)_edge", owner: gatewayOwner)
let isCaddy = settings["FIXTURE_GATEWAY"] == "caddy"
let gateway =
    isCaddy
    ? Gateway.caddy(service: "gateway", network: network, httpsPort: port + 2)
    : Gateway.nginx(service: "gateway", network: network)

/// Writes VERSION into the page it serves, then serves it.
func server(trapsTerm: Bool) -> [String] {
    let serve = "mkdir -p /www && echo \"$VERSION\" > /www/index.html && "
    // A shell as PID 1 without a handler ignores SIGTERM: the engine waits out the grace period
    // and kills it, as with many real images.
    return [
        "sh", "-c",
        serve + (trapsTerm ? "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait" : "httpd -f -p 8080 -h /www"),
    ]
}

func web() -> Service {
    var service = Service("web", image: Image(settings["FIXTURE_WEB_IMAGE"] ?? "berth-test/busybox:1"))
        .command(crashes ? ["sh", "-c", "echo \"cannot start version $VERSION\"; exit 3"] : server(trapsTerm: true))
        .environment("VERSION", version)
        .config("motd", at: "/etc/motd")
        .expose(8080)
        .healthCheck(
            .http(
                port: 8080, path: broken ? "/missing.html" : "/index.html", interval: .seconds(1),
                timeout: .seconds(10), retries: 2)
        )
        .replicas(replicas)
        .stopGracePeriod(.seconds(3))
    if routed { service = service.networks("edge").route("web.\(name).localhost", port: 8080) }
    if let releaseTask { service = service.beforeRelease(["sh", "-c", releaseTask]) }
    return service
}

func stubborn() -> Service {
    var service = Service("stubborn", image: "berth-test/busybox:1")
        .command(server(trapsTerm: false))
        .environment("VERSION", version)
        .expose(8080)
        .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10), retries: 2))
        .stopGracePeriod(.seconds(1))
        .secret("token")
    if routed { service = service.networks("edge").route("stubborn.\(name).localhost", port: 8080) }
    return service
}

func db() -> Service {
    Service("db", image: "berth-test/postgres:15")
        .environment("POSTGRES_USER", "app")
        .environment("POSTGRES_DB", "app")
        .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
        .volume("pgdata", at: "/var/lib/postgresql/data")
        .healthCheck(
            HealthCheck(
                .command(["pg_isready", "-U", "app", "-d", "app"]), interval: .seconds(1), timeout: .seconds(10),
                retries: 60)
        )
        .stopGracePeriod(.seconds(20))
        .backup(
            .postgres(database: "app", user: "app"),
            to: bucketNetwork == nil
                ? .volume("backups")
                : .bucket(
                    Bucket(
                        "bench-backups", endpoint: "http://s3:5000", accessKey: "s3_key_id", secretKey: "s3_secret",
                        client: "berth-test/curl:8", network: "storage")), keep: 3,
            encryptedWith: settings["FIXTURE_BACKUP_KEY"] == "1" ? "backup_key" : nil)
}

let bucketNetwork = settings["FIXTURE_BUCKET"]

func pinned() -> Service {
    var service = Service("pinned", image: "berth-test/busybox:1")
        .command(server(trapsTerm: false))
        .environment("VERSION", version)
        .publish(8080, on: port + 1)
        .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(10), retries: 2))
        .stopGracePeriod(.seconds(1))
    if routed { service = service.allowPublishedPorts(port + 1) }
    return service
}

let deployment = Deployment(environments: [.dev]) { _ in
    Stack(name) {
        if routed { gateway }
        if routed && ownsGateway {
            network
            if isCaddy {
                CaddyGateway(gateway, certificates: .internal).stackPart(
                    image: "berth-test/caddy:2", httpPort: port, httpsPort: port + 2, hostIP: "127.0.0.1", for: .dev)
            } else {
                NginxGateway(gateway).stackPart(image: "berth-test/nginx:1", httpPort: port, hostIP: "127.0.0.1")
            }
        }
        Config("motd", .content(motd + "\n"))
        if described("web") { web() }
        if described("stubborn") {
            Secret.generated("token")
            stubborn()
        }
        if described("pinned") { pinned() }
        if only?.contains("db") == true {
            Volume("pgdata")
            Volume("backups")
            Secret.generated("db_password")
            Secret.generated("backup_key")
            if let bucketNetwork {
                Network.external("storage", realName: bucketNetwork)
                Secret("s3_key_id", .environment("FIXTURE_S3_KEY_ID"))
                Secret("s3_secret", .environment("FIXTURE_S3_SECRET"))
            }
            db()
        }
    }
}

await deployment.main()
