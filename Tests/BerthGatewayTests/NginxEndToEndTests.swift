import BerthCore
import BerthGateway
import BerthTesting
import Foundation
import Testing

/// A real gateway container with the rendered main configuration and a routes volume, a backend
/// on its network, and the documented reload procedure run through `docker exec`.
@Suite("nginx gateway end to end")
struct NginxEndToEndTests {
    static let image = NginxReferee.image
    let nginx = NginxFixtures.nginx

    /// What one request through the gateway returned.
    struct Response {
        var status: Int?
        var body: String
        var headers: [String]

        func header(_ name: String) -> String? {
            headers.first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }.map {
                String($0.dropFirst(name.count + 2))
            }
        }
    }

    /// The containers, volume and network of one test, removed at the end by name.
    struct Lab {
        let docker: ExternalTool
        let id = UUID().uuidString.prefix(8).lowercased()
        var network: String { "berth-nginx-e2e-\(id)" }
        var gateway: String { "berth-nginx-e2e-gw-\(id)" }
        var backend: String { "berth-nginx-e2e-be-\(id)" }
        var volume: String { "berth-nginx-e2e-routes-\(id)" }

        @discardableResult
        func run(_ arguments: [String], input: String? = nil, expectSuccess: Bool = true) async throws
            -> ExternalTool.Output
        {
            var standardInput: URL?
            let directory = try Referee.temporaryDirectory(prefix: "berth-nginx-e2e-input")
            defer { try? FileManager.default.removeItem(at: directory) }
            if let input {
                standardInput = directory.appending(path: "stdin")
                try Data(input.utf8).write(to: standardInput!)
            }
            let output = try await docker.run(arguments, standardInput: standardInput, timeout: .seconds(60))
            if expectSuccess && output.status != 0 {
                throw Referee.Failure(
                    "`docker \(arguments.joined(separator: " "))` exited \(output.status):\n\(output.stderr)\(output.stdout)"
                )
            }
            return output
        }

        /// `sh -c script` in the gateway, with `arguments` as `$1`…
        @discardableResult
        func shell(_ script: String, _ arguments: [String] = [], input: String? = nil, expectSuccess: Bool = true)
            async throws -> ExternalTool.Output
        {
            try await run(
                ["exec"] + (input == nil ? [] : ["-i"]) + [gateway, "sh", "-c", script, "sh"] + arguments, input: input,
                expectSuccess: expectSuccess)
        }

        /// One request with busybox `wget -S`: the status, the body, and the headers of a 2xx
        /// response (it prints no headers for errors, only their status line).
        func get(_ host: String, _ path: String, headers: [String] = []) async throws -> Response {
            var script = "timeout 3 wget -S -O- --header \"Host: $1\""
            for index in headers.indices { script += " --header \"$\(index + 3)\"" }
            script += " \"http://127.0.0.1$2\""
            let output = try await shell(script, [host, path] + headers, expectSuccess: false)
            let lines = output.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let status = lines.lazy.compactMap { line -> Int? in
                guard let range = line.range(of: "HTTP/1.1 ") else { return nil }
                return Int(line[range.upperBound...].prefix(3))
            }.first
            return Response(status: status, body: output.stdout, headers: lines)
        }

        /// One HTTP/1.0 request with busybox `nc`, whose output has the headers of any response.
        /// Its input stays open a second: nginx stops proxying for a client that has closed.
        /// A request that got no answer at all (a loaded engine can stall `nc` past its limit)
        /// is sent again, twice at most; an answer of any status is returned as it is.
        func rawGet(_ host: String, _ path: String) async throws -> Response {
            let script = #"""
                { printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$2" "$1"; sleep 1; } | timeout 10 nc 127.0.0.1 80
                """#
            var output = try await shell(script, [host, path], expectSuccess: false)
            for _ in 0..<2 where !output.stdout.contains("\r\n\r\n") {
                output = try await shell(script, [host, path], expectSuccess: false)
            }
            guard let split = output.stdout.range(of: "\r\n\r\n") else {
                return Response(status: nil, body: output.stdout + output.stderr, headers: [])
            }
            let head = output.stdout[..<split.lowerBound].components(separatedBy: "\r\n")
            let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
            return Response(
                status: status, body: String(output.stdout[split.upperBound...]), headers: Array(head.dropFirst()))
        }

        /// Polls until a request answers `status` (a reload reaches new workers a moment later).
        func waitFor(_ status: Int, _ host: String, _ path: String) async throws -> Response {
            var last: Response?
            for _ in 0..<50 {
                let response = try await get(host, path)
                if response.status == status { return response }
                last = response
                try await Task.sleep(for: .milliseconds(100))
            }
            throw Referee.Failure("\(host)\(path) never answered \(status); last: \(String(describing: last))")
        }

        /// The documented reload: stage every file, then test, swap and reload.
        func apply(_ routes: NginxRoutesConfiguration) async throws -> ExternalTool.Output {
            try await shell(NginxGateway.prepareStagingScript)
            for file in routes.files {
                try await shell(NginxGateway.writeStagedFileScript(named: file.name), input: file.content)
            }
            return try await shell(NginxGateway.activationScript, expectSuccess: false)
        }

        func removeAll() async {
            _ = try? await run(["rm", "-f", gateway, backend], expectSuccess: false)
            _ = try? await run(["volume", "rm", "-f", volume], expectSuccess: false)
            _ = try? await run(["network", "rm", network], expectSuccess: false)
        }
    }

    func routes(backend: String, includingRaw: Bool = true) -> NginxRoutesConfiguration {
        let headers = SecurityHeaders(contentSecurityPolicy: "default-src 'self'; script-src 'nonce-$x' \"q\"")
        func route(_ path: String, _ middlewares: [Middleware], line: Int = #line) -> GatewayRoute {
            GatewayRoute(
                route: Route(
                    host: "app.test", pathPrefix: path, port: 8080, middlewares: middlewares,
                    location: NginxFixtures.at(line)),
                stack: "app", environment: "test", service: "web", servers: [backend])
        }
        var routes = [
            route("/api", [.stripPrefix, .securityHeaders(headers)]),
            route("/private", [.basicAuth(BasicAuth(users: ["alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="]))]),
        ]
        if includingRaw { routes.append(route("/raw", [])) }
        return nginx.routesConfiguration(routes)
    }

    @Test(
        "routes reload only after nginx accepts them, and serve what they declare",
        .enabled(if: NginxTools.shouldRun, NginxTools.skip), .timeLimit(.minutes(3)))
    func reloadAndServe() async throws {
        try NginxTools.requireAvailable()
        let lab = Lab(docker: try #require(Referee.docker))
        do {
            try await exercise(lab)
        } catch {
            await lab.removeAll()
            throw error
        }
        await lab.removeAll()
    }

    private func exercise(_ lab: Lab) async throws {
        let files = try Referee.temporaryDirectory(prefix: "berth-nginx-e2e")
        defer { try? FileManager.default.removeItem(at: files) }
        let main = files.appending(path: "nginx.conf")
        let staged = files.appending(path: "nginx-staged.conf")
        try Data(nginx.mainConfiguration().utf8).write(to: main)
        try Data(nginx.mainConfiguration(routesDirectory: NginxGateway.stagedDirectory).utf8).write(to: staged)

        try await lab.run(["network", "create", lab.network])
        let site = [
            "mkdir -p /www/api /www/raw /www/private", "echo index > /www/index.html", "echo stripped > /www/users",
            "echo unstripped > /www/api/users", "echo raw > /www/raw/page", "echo wrong > /www/apis",
            "echo wrong > /www/s", "echo private > /www/private/index.html", "exec httpd -f -p 8080 -h /www",
        ].joined(separator: " && ")
        try await lab.run([
            "run", "-d", "--pull", "never", "--name", lab.backend, "--network", lab.network, Self.image, "sh", "-c",
            site,
        ])
        let service = nginx.service(image: Image(Self.image))
        try await lab.run(
            [
                "run", "-d", "--pull", "never", "--name", lab.gateway, "--network", lab.network,
                "--mount", "type=volume,source=\(lab.volume),target=\(NginxGateway.routesVolumePath)",
                "--mount", "type=bind,source=\(main.path),target=\(NginxGateway.mainConfigurationPath),readonly",
                "--mount",
                "type=bind,source=\(staged.path),target=\(NginxGateway.stagedMainConfigurationPath),readonly",
                Self.image,
            ] + (service.command ?? []))

        // A new, empty volume: no routes, the health endpoint and 404.
        let health = try await lab.waitFor(200, "127.0.0.1", NginxGateway.healthPath)
        #expect(health.body == "ok\n")
        #expect(try await lab.get("app.test", "/api/users").status == 404)

        // The routes, through the documented reload.
        let applied = try await lab.apply(routes(backend: lab.backend))
        #expect(applied.status == 0, "\(applied.stderr)")
        let stripped = try await lab.waitFor(200, "app.test", "/api/users")
        #expect(stripped.body == "stripped\n")
        #expect(stripped.header("Content-Security-Policy") == "default-src 'self'; script-src 'nonce-$x' \"q\"")
        #expect(stripped.header("X-Frame-Options") == "DENY")
        let prefixOnly = try await lab.get("app.test", "/api")
        #expect(prefixOnly.body == "index\n", "\(prefixOnly)")
        let apis = try await lab.get("app.test", "/apis")
        #expect(apis.status == 404 && !apis.body.contains("wrong"), "/apis must not reach the /api route: \(apis)")
        let missing = try await lab.rawGet("app.test", "/api/none")
        #expect(missing.status == 404, "\(missing)")
        #expect(missing.header("X-Frame-Options") == "DENY", "security headers are sent with errors too (`always`)")
        #expect(try await lab.get("app.test", "/raw/page").body == "raw\n")
        #expect(try await lab.get("app.test", "/private/").status == 401)
        let authorized = try await lab.get("app.test", "/private/", headers: ["Authorization: Basic YWxpY2U6c2VjcmV0"])
        #expect(authorized.status == 200 && authorized.body == "private\n")
        #expect(try await lab.get("127.0.0.1", NginxGateway.healthPath).body == "ok\n")

        // Routes nginx refuses never replace the running ones.
        var broken = routes(backend: lab.backend, includingRaw: false)
        broken.files[0].content += "\nserver { listen 80; limit_req_zone $binary_remote_addr zone=x:1m rate=1r/s; }\n"
        let refused = try await lab.apply(broken)
        #expect(refused.status != 0)
        let refusal = #""limit_req_zone" directive is not allowed here"#
        #expect(refused.stderr.contains(refusal), "\(refused.stderr)")
        #expect(try await lab.get("app.test", "/raw/page").body == "raw\n")

        // New routes, then a rollback to the previous ones.
        let smaller = try await lab.apply(routes(backend: lab.backend, includingRaw: false))
        #expect(smaller.status == 0, "\(smaller.stderr)")
        _ = try await lab.waitFor(404, "app.test", "/raw/page")
        #expect(try await lab.get("app.test", "/api/users").body == "stripped\n")
        let rolledBack = try await lab.shell(NginxGateway.rollbackScript, expectSuccess: false)
        #expect(rolledBack.status == 0, "\(rolledBack.stderr)")
        #expect(try await lab.waitFor(200, "app.test", "/raw/page").body == "raw\n")
    }
}
