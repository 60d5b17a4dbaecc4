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

let settings = ProcessInfo.processInfo.environment
let name = settings["FIXTURE_STACK"] ?? "rollout"
let port = Int(settings["FIXTURE_PORT"] ?? "") ?? 18400
let version = settings["FIXTURE_VERSION"] ?? "1"
let broken = settings["FIXTURE_BROKEN"] == "1"
let crashes = settings["FIXTURE_CRASH"] == "1"
let replicas = Int(settings["FIXTURE_REPLICAS"] ?? "") ?? 1
let motd = settings["FIXTURE_CONFIG"] ?? "welcome"
let only = settings["FIXTURE_ONLY"].map { Set($0.split(separator: ",").map(String.init)) }
func described(_ service: String) -> Bool { only?.contains(service) ?? true }
let routed = described("gateway")

let network = SharedNetwork("edge", engineName: "\(name)_edge", owner: name)
let gateway = Gateway.nginx(service: "gateway", network: network)

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
    var service = Service("web", image: "berth-test/busybox:1")
        .command(crashes ? ["sh", "-c", "echo \"cannot start version $VERSION\"; exit 3"] : server(trapsTerm: true))
        .environment("VERSION", version)
        .config("motd", at: "/etc/motd")
        .expose(8080)
        .healthCheck(
            .http(
                port: 8080, path: broken ? "/missing.html" : "/index.html", interval: .seconds(1),
                timeout: .seconds(2), retries: 2)
        )
        .replicas(replicas)
        .stopGracePeriod(.seconds(3))
    if routed { service = service.networks("edge").route("web.\(name).localhost", port: 8080) }
    return service
}

func stubborn() -> Service {
    var service = Service("stubborn", image: "berth-test/busybox:1")
        .command(server(trapsTerm: false))
        .environment("VERSION", version)
        .expose(8080)
        .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(2), retries: 2))
        .stopGracePeriod(.seconds(1))
        .secret("token")
    if routed { service = service.networks("edge").route("stubborn.\(name).localhost", port: 8080) }
    return service
}

func pinned() -> Service {
    var service = Service("pinned", image: "berth-test/busybox:1")
        .command(server(trapsTerm: false))
        .environment("VERSION", version)
        .publish(8080, on: port + 1)
        .healthCheck(.http(port: 8080, path: "/index.html", interval: .seconds(1), timeout: .seconds(2), retries: 2))
        .stopGracePeriod(.seconds(1))
    if routed { service = service.allowPublishedPorts(port + 1) }
    return service
}

let deployment = Deployment(environments: [.dev]) { _ in
    Stack(name) {
        if routed {
            network
            gateway
            NginxGateway(gateway).stackPart(image: "berth-test/nginx:1", httpPort: port, hostIP: "127.0.0.1")
        }
        Config("motd", .content(motd + "\n"))
        if described("web") { web() }
        if described("stubborn") {
            Secret.generated("token")
            stubborn()
        }
        if described("pinned") { pinned() }
    }
}

await deployment.main()
