import BerthCompose
import BerthCore
import BerthGateway
import BerthTesting
import Testing

@Suite("nginx gateway static files")
struct NginxStaticFilesTests {
    static let assets = StaticFiles(
        host: "Shop.example.com", path: "/static/", volume: "shop_static", maxAge: .seconds(30 * 86400), line: 9)
    static let media = StaticFiles(
        host: "shop.example.com", path: "/media/", volume: "shop_media", maxAge: .seconds(90), immutable: false,
        line: 11)
    let nginx = NginxGateway(NginxFixtures.gateway, staticFiles: [Self.assets, Self.media])

    /// The gateway's stack with `nginx`, and the content of each config by its target.
    func stack(_ nginx: NginxGateway) -> (stack: Stack, files: [String: String]) {
        let stack = Stack("acme-infra") {
            NginxFixtures.gateway
            nginx.stackPart(image: "berth-test/nginx:1")
        }
        var files: [String: String] = [:]
        for mount in stack.services.first?.configs ?? [] {
            if case .content(let content) = stack.configs.first(where: { $0.name == mount.config })?.source {
                files[mount.target] = content
            }
        }
        return (stack, files)
    }

    @Test func theStackPartMountsEachVolumeReadOnlyAndOneConfigPerHost() throws {
        let (stack, files) = stack(nginx)
        #expect(stack.validate(for: .prod).errors.isEmpty, "\(stack.validate(for: .prod).errors)")
        let service = try #require(stack.services.first)
        #expect(
            service.mounts.filter { $0.target.hasPrefix(NginxGateway.staticFilesRoot) }.map {
                "\($0.source) \($0.target) \($0.isReadOnly)"
            } == [
                "volume(\"shop_media\") /srv/berth-static/shop_media true",
                "volume(\"shop_static\") /srv/berth-static/shop_static true",
            ])
        // The app owns the volumes: the gateway refers to them by their engine names.
        #expect(
            stack.volumes.map { "\($0.name) \($0.externalName ?? "-")" } == [
                "nginx_routes -", "shop_media shop_media", "shop_static shop_static",
            ])
        let conf = try #require(files["/etc/nginx/berth-static/shop.example.com/static.conf"])
        #expect(
            conf == """
                # Static files of shop.example.com for the nginx gateway, rendered by Berth.
                # Static files of volume 'shop_media', declared at BerthGatewayTests/NginxStaticFilesTests.swift:11.
                location /media/ {
                    alias /srv/berth-static/shop_media/;
                    expires 90s;
                }
                # Static files of volume 'shop_static', declared at BerthGatewayTests/NginxStaticFilesTests.swift:9.
                location /static/ {
                    alias /srv/berth-static/shop_static/;
                    expires 30d;
                    add_header Cache-Control "public, immutable";
                }

                """)
        let yaml = ComposeRenderer().render(stack, for: .prod).yaml
        #expect(yaml.contains("shop_static:\n    name: \"shop_static\"\n    external: true"), "\(yaml)")
        // Without static files the stack is what it was.
        #expect(self.stack(NginxFixtures.nginx).stack.configs.count == 2)
    }

    @Test func everyServerOfARoutedHostIncludesItsStaticFilesFolder() {
        let routes = nginx.routesConfiguration(NginxFixtures.representative)
        let outline = NginxOutline(routes.routesFile)
        let servers = outline.directives("server_name").count
        let includes = outline.directives("include")
        #expect(includes.count == servers && servers > 0)
        #expect(includes.allSatisfy { $0.context == ["server"] })
        #expect(includes.contains { $0.text == "include /etc/nginx/berth-static/shop.example.com/*.conf" })
        // A wildcard host's folder is no glob of other hosts' folders.
        #expect(
            NginxOutline(
                nginx.routesConfiguration([
                    GatewayRoute(
                        route: Route(host: "*.example.com", port: 80, location: NginxFixtures.at(#line)), stack: "w",
                        environment: "prod", service: "web", servers: ["web"])
                ]).routesFile
            ).directives("include").map(\.text) == ["include /etc/nginx/berth-static/_.example.com/*.conf"])
    }

    @Test func durationsAreWholeSecondsInTheLargestUnitThatDividesThem() {
        func expires(_ duration: Duration) -> String? {
            let files = StaticFiles(host: "a.test", path: "/s/", volume: "v", maxAge: duration)
            let (_, conf) = stack(NginxGateway(NginxFixtures.gateway, staticFiles: [files]))
            return conf[NginxGateway.staticFilesDirectory + "/a.test/static.conf"]?.split(separator: "\n").first {
                $0.contains("expires")
            }?
            .trimmingCharacters(in: .whitespaces)
        }
        #expect(expires(.seconds(86400)) == "expires 1d;")
        #expect(expires(.seconds(7200)) == "expires 2h;")
        #expect(expires(.seconds(120)) == "expires 2m;")
        #expect(expires(.seconds(61)) == "expires 61s;")
        #expect(expires(.milliseconds(1500)) == "expires 2s;")
    }

    @Test func invalidStaticFilesAreErrorsAtTheirLineAndAreNotServed() throws {
        let bad = [
            StaticFiles(host: "shop.example.com", path: "/static", volume: "v", maxAge: .seconds(60), line: 101),
            StaticFiles(host: "shop.example.com", path: "/a/../b/", volume: "v", maxAge: .seconds(60), line: 102),
            StaticFiles(host: "shop.example.com", path: "/", volume: "v", maxAge: .seconds(60), line: 103),
            StaticFiles(host: "shop.example.com", path: "/s/", volume: "-v", maxAge: .seconds(60), line: 104),
            StaticFiles(host: "shop.example.com", path: "/t/", volume: "v", maxAge: .zero, line: 105),
            StaticFiles(host: "shop example", path: "/u/", volume: "v", maxAge: .seconds(60), line: 106),
            StaticFiles(host: "ok.test", path: "/s/", volume: "v", maxAge: .seconds(60), line: 107),
            StaticFiles(host: "OK.test", path: "/s/", volume: "w", maxAge: .seconds(60), line: 108),
        ]
        let gateway = NginxGateway(NginxFixtures.gateway, staticFiles: bad)
        let diagnostics = gateway.optionDiagnostics(at: NginxFixtures.at(1))
        #expect(diagnostics.allSatisfy { $0.code == .nginxInvalidOption && $0.severity == .error })
        #expect(diagnostics.compactMap(\.location?.line) == [101, 102, 103, 104, 105, 106, 108])
        #expect(diagnostics[0].element == "static files shop.example.com/static of nginx gateway 'nginx'")
        #expect(diagnostics[0].message.contains("'/static'") && diagnostics[0].fix.contains("'/static/'"))
        #expect(diagnostics.last?.message.contains("already served from volume 'v'") == true)
        // Only the first declaration of ok.test is rendered; the gateway's stack reports the rest.
        let (stack, files) = stack(gateway)
        #expect(
            files.keys.filter { $0.hasPrefix(NginxGateway.staticFilesDirectory) } == [
                "/etc/nginx/berth-static/ok.test/static.conf"
            ])
        #expect(stack.volumes.map(\.name) == ["nginx_routes", "v"])
        #expect(stack.services.first?.attachments?[NginxGateway.diagnosticsAttachmentKey]?.contains("101") == true)
    }

    @Test(
        "nginx accepts a host's static files beside its routes, and refuses a route with the same path",
        .enabled(if: NginxTools.shouldRunWithTLS, NginxTools.skipTLS), .timeLimit(.minutes(1)))
    func nginxTestsTheStaticFiles() async throws {
        try NginxTools.requireTLS()
        let (_, configs) = stack(nginx)
        let certificates = try await NginxFixtures.certificateFiles()
        func test(_ routes: NginxRoutesConfiguration) async throws -> ExternalTool.Output {
            var files = configs.merging(certificates) { a, _ in a }
            for file in routes.files { files[NginxGateway.activeDirectory + "/" + file.name] = file.content }
            return try await NginxReferee.test(
                files: files, configuration: NginxGateway.mainConfigurationPath, hosts: routes.resolvedHosts)
        }
        let accepted = try await test(nginx.routesConfiguration(NginxFixtures.representative))
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let clash = GatewayRoute(
            route: Route(host: "shop.example.com", pathPrefix: "/static", port: 80, location: NginxFixtures.at(#line)),
            stack: "shop", environment: "prod", service: "assets", servers: ["assets"])
        let refused = try await test(nginx.routesConfiguration(NginxFixtures.representative + [clash]))
        #expect(refused.status != 0 && refused.stderr.contains("duplicate location \"/static/\""), "\(refused.stderr)")
    }
}
