import BerthCloudflare
import BerthCore
import BerthTesting
import BerthYAML
import Foundation
import Testing

/// Outside parsers read what Berth renders: PyYAML reads `config.yml` back to the same values,
/// and the real Docker Compose accepts the stack with its cloudflared service.
@Suite("Outside referees")
struct RefereeTests {
    /// Loads YAML with PyYAML's safe loader and prints it as JSON.
    private static let loadYAML =
        "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding='utf-8'))))"

    private func readWithPyYAML(_ yaml: String) async throws -> JSON {
        try ExternalTools.pyYAML.requireAvailable()
        let directory = try Referee.temporaryDirectory(prefix: "berth-cloudflare-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "config.yml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.python!.run(["-c", Self.loadYAML, file.path])
        guard output.status == 0 else {
            throw Referee.Failure("PyYAML refused the file (\(output.status)):\n\(output.stderr)\n\(yaml)")
        }
        return try JSON.parse(output.stdout)
    }

    @Test(
        "config.yml read back by PyYAML gives the same values",
        .enabled(if: ExternalTools.pyYAML.shouldRun, ExternalTools.pyYAMLSkip))
    func configReadsBack() async throws {
        let yaml = YAMLEmitter.emit(try #require(Fixtures.localTunnel.configDocument))
        let expected: JSON = [
            "tunnel": "6ff42ae2-765d-4adf-8112-31c55c1551ef",
            "credentials-file": "/run/secrets/tunnel_credentials",
            "originRequest": ["connectTimeout": "10s", "tcpKeepAlive": "30s"],
            "ingress": [
                ["hostname": "shop.example.com", "service": "http://gateway:80"],
                [
                    "hostname": "api.example.com", "path": "^/v1/", "service": "http://gateway:80",
                    "originRequest": [
                        "connectTimeout": "30s", "keepAliveTimeout": "1m30s", "httpHostHeader": "api.internal",
                    ],
                ],
                [
                    "hostname": "admin.example.com", "service": "http://gateway:80",
                    "originRequest": [
                        "access": ["required": true, "teamName": "acme", "audTag": ["d4f6a1b2c3", "e5f6a7b8c9"]]
                    ],
                ],
                [
                    "hostname": "legacy.example.com", "path": "^/old/.*\\.php$", "service": "https://gateway:443",
                    "originRequest": [
                        "tlsTimeout": "10s", "noHappyEyeballs": true, "keepAliveConnections": 10,
                        "originServerName": "legacy.example.com", "matchSNItoHost": false,
                        "caPool": "/etc/ssl/legacy-ca.pem", "noTLSVerify": true, "disableChunkedEncoding": true,
                        "http2Origin": true,
                    ],
                ],
                ["hostname": "status.example.com", "service": "http_status:503"],
                ["service": "http_status:404"],
            ],
        ]
        #expect(try await readWithPyYAML(yaml) == expected)
    }

    @Test(
        "values YAML 1.1 would reinterpret read back as the same strings",
        .enabled(if: ExternalTools.pyYAML.shouldRun, ExternalTools.pyYAMLSkip))
    func trickyValuesReadBack() async throws {
        let tricky = ["yes", "on", "0755", "22:22", "1e3", "null", "# not a comment", "a: b", "'\"\\", "môô"]
        let tunnel = Tunnel(id: Fixtures.tunnelID, credentials: "tunnel_credentials", network: "edge") {
            for (index, text) in tricky.enumerated() {
                IngressRule("h\(index).example.com", path: "/\(text)", service: "http://gateway:80")
                    .originRequest(OriginRequest(httpHostHeader: text))
            }
        }
        let read = try await readWithPyYAML(YAMLEmitter.emit(try #require(tunnel.configDocument)))
        for (index, text) in tricky.enumerated() {
            #expect(read["ingress"]?[index]?["path"] == .string("^/" + text))
            #expect(read["ingress"]?[index]?["originRequest"]?["httpHostHeader"] == .string(text))
        }
    }

    @Test(
        "the Compose file with cloudflared passes the real `docker compose config`",
        .enabled(if: ExternalTools.compose.shouldRun, ExternalTools.composeSkip),
        arguments: GoldenCase.composeFiles)
    func composeAccepts(_ golden: GoldenCase) async throws {
        try ExternalTools.compose.requireAvailable()
        let yaml = golden.render()
        let directory = try Referee.temporaryDirectory(prefix: "berth-cloudflare-tests")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appending(path: "compose.yaml")
        try Data(yaml.utf8).write(to: file)
        let output = try await Referee.composeConfig(file: file)
        guard output.status == 0 else {
            Issue.record("`docker compose config` refused the file (\(output.status)):\n\(output.stderr)\n\(yaml)")
            return
        }
        let model = try JSON.parse(output.stdout)
        let cloudflared = try #require(model["services"]?["cloudflared"])
        #expect(cloudflared["ports"] == nil)
        #expect(cloudflared["networks"]?["edge"] != nil)
        #expect(
            cloudflared["healthcheck"]?["test"] == [
                "CMD", "cloudflared", "tunnel", "--metrics", "0.0.0.0:2000", "ready",
            ])
        #expect(cloudflared["command"]?[0] == "tunnel")
        if golden.name == "compose-local.yaml" {
            #expect(cloudflared["secrets"]?[0]?["source"] == "tunnel_credentials")
            #expect(cloudflared["configs"]?[0]?["target"] == "/etc/cloudflared/config.yml")
            // Compose prints a literal `$` as `$$` again; the content is the config.yml Berth rendered.
            let content = model["configs"]?["cloudflared-config"]?["content"]?.string?.replacing("$$", with: "$")
            #expect(content == YAMLEmitter.emit(try #require(Fixtures.localTunnel.configDocument)))
        } else {
            #expect(cloudflared["environment"]?["TUNNEL_TOKEN_FILE"] == "/run/secrets/tunnel_token")
        }
    }
}
