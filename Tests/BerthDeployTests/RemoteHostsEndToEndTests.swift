import BerthCore
import BerthProcess
import BerthRendering
import Foundation
import Testing

@testable import BerthDeploy

/// A product in the shape of one split over a Core VM and an Edge VM, deployed with one `up`
/// onto two engines reachable only over ssh (`scripts/remote-engines.sh`): the edge's nginx
/// publishes 80 and 443 and reaches the core's app through a typed address; the core runs the
/// app, a database, a cache, an object store and a worker, with secrets and file configs that
/// exist only on the deploying machine.
@Suite(
    "End to end: one description over two hosts reached by ssh", .serialized,
    .enabled(if: RemoteEngines.shouldRun))
struct RemoteHostsEndToEndTests {
    /// The package: the deploying machine's workspace, hidden from the engines.
    static func package(_ name: String) async throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp/ssh-eng-client/\(name)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("certs"), withIntermediateDirectories: true)
        // A certificate made here: the edge's TLS key is a file secret, its certificate a file config.
        let openssl = try await Command.run([
            "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=shop.test",
            "-keyout", directory.appendingPathComponent("certs/edge.key").path,
            "-out", directory.appendingPathComponent("certs/edge.crt").path,
        ])
        try #require(openssl.status == 0, "openssl could not make a test certificate: \(openssl.errorText)")
        try "objects: versioning on\n".write(
            to: directory.appendingPathComponent("objects.conf"), atomically: true, encoding: .utf8)
        try await Self.appSource(in: directory.appendingPathComponent("app"))
        return directory
    }

    /// The app's source: a `FROM scratch` image of busybox and the applets it uses, built by
    /// `up` on this machine and shipped to the hosts (nothing is pulled).
    static func appSource(in app: URL) async throws {
        let bin = app.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let created = try await ProcessRunner().run(["docker", "create", "berth-test/busybox:1", "sh"], input: nil)
        try #require(created.succeeded, "docker create: \(created.standardError)")
        let container = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let copied = try await ProcessRunner().run(
            ["docker", "cp", "\(container):/bin/busybox", bin.appendingPathComponent("busybox").path], input: nil)
        _ = try await ProcessRunner().run(["docker", "rm", container], input: nil)
        try #require(copied.succeeded, "docker cp: \(copied.standardError)")
        for applet in ["sh", "mkdir", "echo", "wc", "httpd", "wget", "sleep", "cat", "test", "touch", "hostname"] {
            try FileManager.default.createSymbolicLink(
                atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
        }
        // An image of its own per package: a host that already has an image ID gets none shipped,
        // so tests sharing one would see no `load` from each other.
        try "\(UUID().uuidString)\n".write(
            to: bin.appendingPathComponent(".package"), atomically: true, encoding: .utf8)
        try "FROM scratch\nCOPY bin/ /bin/\nCMD [\"sleep\", \"86400\"]\n".write(
            to: app.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
    }

    /// The edge's nginx: the main configuration is a template the container fills in with the
    /// core app's address at start.
    static let edgeConfiguration = """
        worker_processes 1;
        pid /tmp/nginx.pid;
        error_log stderr warn;
        events { worker_connections 64; }
        http {
            access_log off;
            server {
                listen 80;
                location = /healthz { return 200 "edge ok\\n"; }
                location / { proxy_pass http://@UPSTREAM@; }
            }
            server {
                listen 443 ssl;
                ssl_certificate /etc/edge/tls.crt;
                ssl_certificate_key /run/secrets/tls_key;
                location / { proxy_pass http://@UPSTREAM@; }
            }
        }
        """

    static func deployment(_ product: String, version: String, core: Server, edge: Server) -> Deployment {
        Deployment(environments: [.dev]) { _ in
            let busybox: Image = "berth-test/busybox:1"
            let coreStack = Stack("\(product)-core", on: core) {
                Network("data", internal: true)
                Network("front")
                Secret.generated("db_password")
                Secret.generated("objects_key")
                Config("objects.conf", .file("objects.conf"))
                Service("app").build(context: "app")
                    .command([
                        "sh", "-c",
                        "mkdir -p /www && echo \"core app $VERSION db=$(wc -c < /run/secrets/db_password)\" > /www/index.html && exec httpd -f -p 8000 -h /www",
                    ])
                    .environment("VERSION", version)
                    .secret("db_password")
                    .networks("front", "data")
                    .publish(8000, on: 8000, hostIP: core.address)
                    .healthCheck(.http(port: 8000, interval: .seconds(1), timeout: .seconds(10)))
                    .dependsOn("db", condition: .healthy)
                    .stopGracePeriod(.seconds(1))
                Service("db", image: busybox)
                    .command(["sh", "-c", "test -s /run/secrets/db_password && touch /tmp/ready && exec sleep 86400"])
                    .secret("db_password")
                    .networks("data")
                    .healthCheck(HealthCheck(.command(["test", "-f", "/tmp/ready"]), interval: .seconds(1)))
                    .stopGracePeriod(.seconds(1))
                Service("cache", image: busybox)
                    .command(["sleep", "86400"]).networks("data").stopGracePeriod(.seconds(1))
                Service("objects", image: busybox)
                    .command(["sh", "-c", "test -s /run/secrets/objects_key && exec sleep 86400"])
                    .secret("objects_key")
                    .config("objects.conf", at: "/etc/objects/objects.conf")
                    .networks("data").stopGracePeriod(.seconds(1))
                Service("worker", image: busybox)
                    .command(["sleep", "86400"]).secret("db_password").networks("data").stopGracePeriod(.seconds(1))
            }
            let api = coreStack.address(of: "app", port: 8000)
            let edgeStack = Stack("\(product)-edge", on: edge) {
                Secret("tls_key", .file("certs/edge.key"))
                Config("tls.crt", .file("certs/edge.crt"))
                Config("nginx.conf.template", .content(edgeConfiguration))
                Service("nginx", image: "berth-test/nginx:1")
                    .command([
                        "sh", "-c",
                        "sed \"s|@UPSTREAM@|$UPSTREAM|\" /etc/edge/nginx.conf.template > /tmp/nginx.conf && exec nginx -c /tmp/nginx.conf -g 'daemon off;'",
                    ])
                    .environment("UPSTREAM", api)
                    .secret("tls_key")
                    .config("tls.crt", at: "/etc/edge/tls.crt")
                    .config("nginx.conf.template", at: "/etc/edge/nginx.conf.template")
                    .publish(80, on: 80, public: true)
                    .publish(443, on: 443, public: true)
                    .healthCheck(.http(port: 80, path: "/healthz", interval: .seconds(1), timeout: .seconds(10)))
                    .stopGracePeriod(.seconds(2))
                Service("agent").build(context: "app").stopGracePeriod(.seconds(1))
            }
            return [coreStack, edgeStack]
        }
    }

    @Test(
        "one up deploys core then edge; requests through the edge reach core; secrets arrive; plan is clean on both; down empties both"
    )
    func deployAcrossHosts() async throws {
        let lab = try RemoteLab.require()
        let product = "shop"
        try await lab.clear(stacks: ["\(product)-core", "\(product)-edge"])
        let package = try await Self.package(product)
        defer { try? FileManager.default.removeItem(at: package) }
        let deployment = Self.deployment(product, version: "1", core: lab.core, edge: lab.edge)
        let options = ["--directory", package.path]

        let up = try await deployment.run(arguments: ["up", "--timeout", "120"] + options)
        #expect(up == 0)

        // Through the edge's published port, to the core's app.
        let plain = try await lab.get("http://\(lab.edgeAddress):80/")
        #expect(plain.contains("core app 1 db=32"), "edge answered: \(plain)")
        let tls = try await lab.get("https://\(lab.edgeAddress):443/", insecure: true)
        #expect(tls.contains("core app 1"), "edge over TLS answered: \(tls)")

        // The secrets reached the containers, and only them.
        let stored = try String(
            contentsOf: package.appendingPathComponent(".berth/\(product)-core/dev/secrets/db_password"),
            encoding: .utf8)
        let inDB = try await lab.docker(
            lab.core, ["exec", "\(product)-core-dev-db-1", "cat", "/run/secrets/db_password"])
        #expect(inDB == stored)
        let inspect = try await lab.docker(
            lab.core, ["inspect", "\(product)-core-dev-db-1", "\(product)-core-dev-app-1"])
        #expect(!inspect.contains(stored), "the engine's inspect output holds the secret")
        let key = try String(contentsOf: package.appendingPathComponent("certs/edge.key"), encoding: .utf8)
        let inNginx = try await lab.docker(
            lab.edge, ["exec", "\(product)-edge-dev-nginx-1", "cat", "/run/secrets/tls_key"])
        #expect(inNginx == key)
        let config = try await lab.docker(
            lab.core, ["exec", "\(product)-core-dev-objects-1", "cat", "/etc/objects/objects.conf"])
        #expect(config == "objects: versioning on\n")
        for file in ["\(product)-core/dev/compose.yaml", "\(product)-edge/dev/compose.yaml"] {
            let rendered = try String(contentsOf: package.appendingPathComponent(".berth/" + file), encoding: .utf8)
            #expect(!rendered.contains(stored) && !rendered.contains("PRIVATE KEY"), "\(file) holds a secret")
            #expect(!rendered.contains("/tmp/ssh-eng-client"), "\(file) points at the deploying machine's files")
        }

        // Each stack's image was built here and shipped to the host its stack is placed on, where
        // it runs. Each package's image has an ID no earlier run had (its sources hold a UUID),
        // and hosts never build or pull, so an image with that ID on the host was shipped by
        // this up. (The engine's event log cannot tell: it keeps the last 256 events, and the
        // health checks of the containers beside these fill it in seconds.)
        let shipped = [(lab.core, "\(product)-core-app"), (lab.edge, "\(product)-edge-agent")]
        for (host, image) in shipped {
            let imageID =
                try await ProcessRunner().run(
                    ["docker", "image", "ls", "--quiet", "--no-trunc", "--filter", "reference=berth-build/\(image)"],
                    input: nil
                ).standardOutput.split(separator: "\n").first.map(String.init) ?? ""
            try #require(!imageID.isEmpty, "no built image \(image)")
            let there = try? await lab.docker(host, ["image", "inspect", "--format", "{{.Id}}", imageID])
            #expect(there == imageID, "\(image) was not shipped to \(host.name)")
        }
        #expect(try await lab.docker(lab.edge, ["exec", "\(product)-edge-dev-agent-1", "hostname"]) != "")

        // Nothing left to do on either host, and a second up builds nothing.
        #expect(try await deployment.run(arguments: ["plan"] + options) == 0)
        #expect(try await deployment.run(arguments: ["plan", "--host", "edge"] + options) == 0)
        let built = try await ProcessRunner().run(
            ["docker", "image", "ls", "--quiet", "--filter", "reference=berth-build/\(product)-core-app"], input: nil)
        // Shipping nothing to a host that has the image is ImageShippingEndToEndTests' to show,
        // from the shipper's own account; here, the second up builds nothing.
        #expect(try await deployment.run(arguments: ["up"] + options) == 0)
        let rebuilt = try await ProcessRunner().run(
            ["docker", "image", "ls", "--quiet", "--filter", "reference=berth-build/\(product)-core-app"], input: nil)
        #expect(rebuilt.standardOutput == built.standardOutput && !built.standardOutput.isEmpty)

        #expect(try await deployment.run(arguments: ["down", "--volumes", "--yes"] + options) == 0)
        // Other suites deploy stacks of their own to the same hosts meanwhile: only this
        // product's stacks must be gone.
        for (host, stack) in [(lab.core, "\(product)-core"), (lab.edge, "\(product)-edge")] {
            let mine = "label=\(OwnershipLabel.stack)=\(stack)"
            let left = try await lab.docker(host, ["ps", "--all", "--quiet", "--filter", mine])
            let networks = try await lab.docker(host, ["network", "ls", "--quiet", "--filter", mine])
            #expect(left.isEmpty && networks.isEmpty, "\(host.name) still has \(left) \(networks)")
        }
    }

    @Test(
        "two deployers of different versions at once, 3 rounds over ssh: both exit 0, the later one's version runs, plan is clean"
    )
    func twoDeployersOverSSH() async throws {
        let lab = try RemoteLab.require()
        let product = "race"
        try await lab.clear(stacks: ["\(product)-core", "\(product)-edge"])
        let package = try await Self.package(product)
        defer { try? FileManager.default.removeItem(at: package) }
        let options = ["--directory", package.path, "--host", "core", "--lock-wait", "180"]
        for round in 1...3 {
            let versions = ["\(round)a", "\(round)b"]
            let finished = Finished()
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for version in versions {
                    group.addTask {
                        let status = try await Self.deployment(
                            product, version: version, core: lab.core, edge: lab.edge
                        )
                        .run(arguments: ["up", "--timeout", "120"] + options)
                        finished.append(version)
                        return status
                    }
                }
                for try await status in group { #expect(status == 0, "round \(round)") }
            }
            let last = try #require(finished.value.last)
            let plan = try await Self.deployment(product, version: last, core: lab.core, edge: lab.edge)
                .run(arguments: ["plan", "--directory", package.path, "--host", "core"])
            #expect(plan == 0, "round \(round): the description of \(last), which deployed last, is not what runs")
            let containers = try await lab.docker(
                lab.core, ["ps", "--all", "--format", "{{.Names}}", "--filter", "label=berth.stack=\(product)-core"])
            #expect(containers.split(separator: "\n").count == 5, "round \(round): \(containers)")
        }
        #expect(
            try await Self.deployment(product, version: "x", core: lab.core, edge: lab.edge)
                .run(arguments: ["down", "--volumes", "--yes", "--directory", package.path, "--host", "core"]) == 0)
    }

    /// The order in which concurrent deploys finished.
    final class Finished: @unchecked Sendable {
        private let lock = NSLock()
        private var order: [String] = []
        var value: [String] { lock.withLock { order } }
        func append(_ version: String) { lock.withLock { order.append(version) } }
    }

    @Test("the ssh connection dropped in the middle of up: exit 1 with a clear message; the next up converges")
    func droppedConnection() async throws {
        let (message, _) = try await Self.interruptedUp(
            "drop", port: 2223, timeout: 60, interrupt: { $0.stop() }, recover: { try $0.restart() })
        #expect(message.contains("ssh://core@127.0.0.1:2223"), "\(message)")
        #expect(message.contains("run the command again") || message.contains("connection"), "\(message)")
    }

    @Test(
        "the ssh connection stalls in the middle of up: keep-alive probes end it with a clear error; the next up converges"
    )
    func stalledConnection() async throws {
        try #require(SSHKeepAlive.interval != nil, "BERTH_SSH_KEEPALIVE turns the probes off")
        // The network drops every packet between here and the server, closing nothing.
        let (message, waited) = try await Self.interruptedUp(
            "stall", port: 2224, timeout: 300, interrupt: { try $0.blackHole() }, recover: { $0.restore() })
        #expect(message.contains("ssh://core@127.0.0.1:2224"), "\(message)")
        // Without the probes a stalled connection holds `docker compose` until TCP gives up
        // (15 minutes or more); with them, three probes end the open connections, and Compose's
        // retries on new ones each wait the shortened connect timeout.
        #expect(waited < .seconds(180), "up hung for \(waited)")
    }

    /// Deploys `<product>-core` through a private sshd on `port`, interrupts the connection once
    /// Compose is creating containers, and returns how `up` failed and after how long. Then it
    /// recovers the connection and checks that the next `up` converges, `plan` is clean and
    /// `down` works.
    static func interruptedUp(
        _ product: String, port: Int, timeout: Int,
        interrupt: @escaping @Sendable (RemoteLab.PrivateSSHD) throws -> Void,
        recover: (RemoteLab.PrivateSSHD) throws -> Void
    ) async throws -> (message: String, waited: Duration) {
        let lab = try RemoteLab.require()
        let sshd = try RemoteLab.PrivateSSHD.start(port: port)
        defer { sshd.stop() }
        try await lab.clear(stacks: ["\(product)-core", "\(product)-edge"])
        let package = try await Self.package(product)
        defer { try? FileManager.default.removeItem(at: package) }
        var core = lab.core
        core.engine = "ssh://core@127.0.0.1:\(port)"
        let options = ["--directory", package.path, "--host", "core"]
        let deployment = Self.deployment(product, version: "1", core: core, edge: lab.edge)

        let cut = Task.detached {
            for _ in 0..<200 {
                let created = try? await lab.docker(
                    lab.core,
                    ["ps", "--all", "--quiet", "--filter", "label=com.docker.compose.project=\(product)-core-dev"])
                if let created, !created.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try interrupt(sshd)
        }
        let clock = ContinuousClock()
        let started = clock.now
        var failure: (any Error)?
        do {
            _ = try await deployment.run(arguments: ["up", "--timeout", String(timeout)] + options)
        } catch {
            failure = error
        }
        let waited = clock.now - started
        try await cut.value
        try recover(sshd)
        let message = String(describing: try #require(failure, "up succeeded although its connection was interrupted"))
        print("up with its connection interrupted failed after \(waited): \(message)")

        #expect(try await deployment.run(arguments: ["up", "--timeout", "120"] + options) == 0)
        #expect(try await deployment.run(arguments: ["plan"] + options) == 0)
        #expect(try await deployment.run(arguments: ["down", "--volumes", "--yes"] + options) == 0)
        return (message, waited)
    }
}
