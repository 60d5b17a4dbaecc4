import BerthCompose
import BerthCore
import BerthGateway
import Testing

@Suite("nginx gateway service and layout")
struct NginxGatewayTests {
    let nginx = NginxFixtures.nginx

    @Test func mainConfigurationsMatchTheGoldenFiles() throws {
        try NginxFixtures.checkGolden(nginx.mainConfiguration(), named: "nginx-main.conf")
        try NginxFixtures.checkGolden(
            nginx.mainConfiguration(routesDirectory: NginxGateway.stagedDirectory), named: "nginx-staged-main.conf")
    }

    @Test func theMainConfigurationIncludesTheRoutesInHTTPContextBeforeItsDefaultServer() {
        let outline = NginxOutline(nginx.mainConfiguration())
        let include = outline.directives("include").filter { $0.text.hasSuffix("*.conf") }
        #expect(include.map(\.text) == ["include /etc/nginx/berth/active/*.conf"])
        #expect(include.first?.context == ["http"])
        #expect(
            outline.directives("listen").map(\.text) == ["listen 80 default_server", "listen 443 ssl default_server"])
        #expect(outline.directives("user").map(\.text) == ["user www-data"])
        #expect(outline.directives("pid").map(\.text) == ["pid \(NginxGateway.pidPath)"])
        #expect(
            outline.directives("daemon").isEmpty, "`daemon off` is the command's, so an image's own -g never clashes")
    }

    @Test func theServiceRunsTheMainConfigurationWithTheRoutesVolumeOnTheGatewayNetwork() throws {
        let service = nginx.service(image: "berth-test/nginx:1", httpPort: 8080, httpsPort: 8443, hostIP: "127.0.0.1")
        #expect(service.name == "nginx")
        #expect(service.networks == ["edge"])
        #expect(service.command == ["nginx", "-c", "/etc/nginx/nginx.conf", "-g", "daemon off;"])
        #expect(
            service.ports.map { "\($0.hostIP ?? ""):\($0.published ?? 0)->\($0.target)" } == [
                "127.0.0.1:8080->80", "127.0.0.1:8443->443",
            ])
        #expect(
            service.configs.map(\.target) == [
                NginxGateway.mainConfigurationPath, NginxGateway.stagedMainConfigurationPath,
            ])
        #expect(service.configs.map(\.config) == ["nginx_nginx_conf", "nginx_nginx_staged_conf"])
        #expect(service.mounts.map(\.target) == [NginxGateway.routesVolumePath])
        #expect(service.mounts.first?.source == .volume("nginx_routes"))
        #expect(service.mounts.first?.isReadOnly == false)
        let check = try #require(service.healthCheck)
        #expect(check.test == .command(["timeout", "3", "wget", "-q", "-O-", "http://127.0.0.1/healthz"]))
        #expect(nginx.service(image: "nginx:1.27.3").ports.map(\.target) == [80])
    }

    @Test func theInfrastructureStackWithTheGatewayValidatesAndRenders() {
        let stack = Stack("acme-infra") {
            NginxFixtures.gateway
            nginx.stackPart(image: "berth-test/nginx:1", httpPort: 80, httpsPort: 443)
        }
        let errors = stack.validate(for: .prod).errors
        #expect(errors.isEmpty, "\(errors)")
        #expect(stack.configs.map(\.name) == ["nginx_nginx_conf", "nginx_nginx_staged_conf"])
        #expect(stack.configs.first?.source == .content(nginx.mainConfiguration()))
        #expect(
            stack.configs.last?.source
                == .content(nginx.mainConfiguration(routesDirectory: NginxGateway.stagedDirectory)))
        #expect(stack.volumes.map(\.name) == ["nginx_routes"])
        let yaml = ComposeRenderer().render(stack, for: .prod).yaml
        #expect(yaml.contains("nginx_routes"))
        #expect(yaml.contains("acme_edge"))
    }

    @Test func theLayoutKeepsEveryRoutesDirectoryInTheVolume() {
        for directory in [NginxGateway.activeDirectory, NginxGateway.stagedDirectory, NginxGateway.previousDirectory] {
            #expect(directory.hasPrefix(NginxGateway.routesVolumePath + "/"))
        }
        #expect(!NginxGateway.mainConfigurationPath.hasPrefix(NginxGateway.routesVolumePath + "/"))
        #expect(!NginxGateway.stagedMainConfigurationPath.hasPrefix(NginxGateway.routesVolumePath + "/"))
    }

    @Test func aStagedFileNameNeverLeavesTheStagedDirectory() {
        #expect(NginxGateway.writeStagedFileScript(named: "routes.conf") == "cat > /etc/nginx/berth/staged/routes.conf")
        #expect(
            NginxGateway.writeStagedFileScript(named: "../../x; rm -rf /")
                == "cat > /etc/nginx/berth/staged/_....xrm-rf")
        #expect(NginxGateway.writeStagedFileScript(named: "..") == "cat > /etc/nginx/berth/staged/_..")
    }
}
