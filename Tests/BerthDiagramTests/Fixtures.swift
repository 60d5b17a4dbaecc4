import BerthCore
import Foundation

/// A shop over two hosts: the core host runs the gateway, the database and the app behind
/// the gateway; the edge host runs a worker that holds the app's published address.
enum Fixtures {
    static let sharedNetwork = SharedNetwork("edge", engineName: "shop_edge", owner: "shop-core")
    static let gateway = Gateway.nginx(service: "nginx", network: sharedNetwork)
    static let core = Server("core", engine: "ssh://deploy@core.example.com", address: "10.0.0.2")
    static let edge = Server("edge", engine: "ssh://deploy@edge.example.com", address: "10.0.0.3")

    /// A value that must never reach a diagram: the content of a secret's file, a variable's value.
    static let secretValue = "s3cr3t-Value-that-must-not-leak"

    static func coreStack(secretFile: String = "secrets/api_token") -> Stack {
        Stack("shop-core", on: core) {
            gateway
            Network("backend", internal: true)
            Secret.generated("db_password").keptBy("db")
            Secret("api_token", .file(secretFile))
            Service("nginx", image: "nginx:1.27")
                .publish(443, on: 443, public: true)
                .publish(80, on: 80, public: true)
                .networks("edge")
            Service("db", image: "postgres:16")
                .networks("backend")
                .secret("db_password", pathVariable: "POSTGRES_PASSWORD_FILE")
                .environment("POSTGRES_USER", secretValue)
            Service("app", image: "ghcr.io/acme/app:1.4")
                .expose(8000)
                .publish(8000, on: 8000, hostIP: "10.0.0.2")
                .networks("backend", "edge")
                .secret("db_password")
                .secret("api_token", target: "token")
                .dependsOn("db", condition: .healthy)
                .route("shop.example.com", path: "/api", port: 8000)
                .route("api.example.com", port: 8000)
                .replicas(2)
        }
    }

    static func stacks(secretFile: String = "secrets/api_token") -> [Stack] {
        let core = coreStack(secretFile: secretFile)
        let edgeStack = Stack("shop-edge", on: edge) {
            // The core stack's own network, joined by its name on the engine.
            Network.external("core-backend", realName: "shop-core-prod_backend")
            Service("worker", image: "ghcr.io/acme/worker:1.4")
                .networks("core-backend")
                .environment("UPSTREAM", core.address(of: "app", port: 8000).url(path: "/api"))
                .environment("TOKEN", .sensitive(secretValue))
                .publish(9090, on: 9090, hostIP: "::1")
        }
        return [core, edgeStack]
    }

    /// One stack behind the gateway of a stack the diagram does not hold, with names chosen to
    /// break a careless writer: quotes, brackets, pipes, Mermaid's `end`, a newline, backslashes.
    static let hostileName = "end\"]; evil[\"<b>x</b> | `y` #amp; \\N\n{z}"

    static let hostile = Stack("o-x.end") {
        gateway
        Network("end")
        Secret(hostileName, .environment("HOSTILE_VARIABLE"))
        Service("x--o", image: Image(hostileName))
            .networks("end", "edge")
            .secret(hostileName)
            .route("\"quoted\".example.com", path: "/<script>|x|", port: 80)
        Service(hostileName, image: "busybox:1")
            .dependsOn("x--o")
    }
}
