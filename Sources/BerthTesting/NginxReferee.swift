import BerthGateway
import Foundation

/// The real `nginx -t`, consulted as the referee on the nginx gateway configurations Berth
/// renders.
///
/// `nginx -t` resolves every upstream host name, so it cannot run on the machine that renders
/// the files. The referee runs it in a container of ``image`` with no network, where every name
/// the routes resolve (``BerthGateway/NginxRoutesConfiguration/resolvedHosts``) is added to
/// `/etc/hosts` as `127.0.0.1`, and the files are bind-mounted read-only where the gateway has
/// them.
///
/// It needs a Docker engine and the image, which `scripts/engine.sh up` imports from the host's
/// nginx without pulling. Tests follow ``Referee``'s policy for a missing referee:
/// ```swift
/// let nginx = Referee.Availability.check("nginx -t in \(NginxReferee.image)", suite: "MyTests") {
///     NginxReferee.unavailableReason()
/// }
///
/// @Test(.enabled(if: nginx.shouldRun, Comment(rawValue: nginx.skipReason)))
/// func gatewayConfigurationIsValid() async throws {
///     try nginx.requireAvailable()
///     let routes = NginxGateway(gateway).routesConfiguration(gatewayRoutes)
///     try await NginxReferee.requireAccepted(routes, gateway: NginxGateway(gateway))
/// }
/// ```
public enum NginxReferee {
    /// The image `nginx -t` runs in: Debian's nginx, imported by `scripts/engine.sh up`.
    public static let image = "berth-test/nginx:1"

    /// `nil` when `docker` reaches an engine that has ``image``, otherwise why not.
    public static func unavailableReason() -> String? {
        guard let docker = Referee.docker else { return "no `docker` executable on PATH" }
        do {
            let output = try docker.runBlocking(["image", "inspect", "--format", "{{.Id}}", image])
            guard output.status == 0 else {
                return
                    "`docker image inspect \(image)` exited \(output.status): \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) (run `scripts/engine.sh up` to build it; it is never pulled)"
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Runs `nginx -t -c configuration` in a container of ``image`` with `files` in place.
    ///
    /// - Parameters:
    ///   - files: File contents by absolute path in the container, mounted read-only.
    ///   - configuration: The main configuration's path; it should be one of `files`.
    ///   - hosts: Host names that resolve to `127.0.0.1`, as upstream servers must.
    /// - Returns: nginx's exit status and output; it writes everything on standard error.
    /// - Throws: ``Referee/Failure`` when `docker` is missing or the run times out.
    public static func test(
        files: [String: String],
        configuration: String,
        hosts: [String] = [],
        timeout: Duration = .seconds(60)
    ) async throws -> ExternalTool.Output {
        guard let docker = Referee.docker else {
            throw Referee.Failure("`nginx -t` needs `docker`, and none is on PATH.")
        }
        let directory = try Referee.temporaryDirectory(prefix: "berth-nginx-referee")
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = ["run", "--rm", "--pull", "never", "--network", "none"]
        for host in Set(hosts).sorted() {
            arguments += ["--add-host", "\(host):127.0.0.1"]
        }
        for (index, path) in files.keys.sorted().enumerated() {
            let local = directory.appending(path: "file-\(index)")
            try Data(files[path]!.utf8).write(to: local)
            arguments += ["--mount", "type=bind,source=\(local.path),target=\(path),readonly"]
        }
        arguments += [image, "nginx", "-t", "-c", configuration]
        return try await docker.run(arguments, timeout: timeout)
    }

    /// Runs `nginx -t` on a gateway's main configuration with `routes` active, as the gateway
    /// would load them after a reload.
    ///
    /// - Parameters:
    ///   - routes: The rendered routes directory.
    ///   - gateway: The gateway whose main configuration includes them.
    ///   - extraFiles: Other files the routes read when loaded, by absolute path: the
    ///     certificates and keys of TLS routes.
    public static func test(
        _ routes: NginxRoutesConfiguration,
        gateway: NginxGateway,
        extraFiles: [String: String] = [:],
        timeout: Duration = .seconds(60)
    ) async throws -> ExternalTool.Output {
        var files = extraFiles
        files[NginxGateway.mainConfigurationPath] = gateway.mainConfiguration()
        for file in routes.files {
            files[NginxGateway.activeDirectory + "/" + file.name] = file.content
        }
        return try await test(
            files: files, configuration: NginxGateway.mainConfigurationPath, hosts: routes.resolvedHosts,
            timeout: timeout)
    }

    /// Throws unless `nginx -t` accepts the gateway's main configuration with `routes` active;
    /// the failure holds nginx's own output and the routes file.
    public static func requireAccepted(
        _ routes: NginxRoutesConfiguration,
        gateway: NginxGateway,
        extraFiles: [String: String] = [:]
    ) async throws {
        let output = try await test(routes, gateway: gateway, extraFiles: extraFiles)
        guard output.status == 0 else {
            throw Referee.Failure(
                "`nginx -t` refused the configuration (exit \(output.status)):\n\(output.stderr)\(output.stdout)\n--- \(NginxGateway.routesFileName) ---\n\(routes.routesFile)"
            )
        }
    }

    // MARK: Certificates

    /// The `openssl` executable on `PATH`, if any.
    public static let openssl = ExternalTool.find("openssl")

    /// `nil` when `openssl` can make certificates, otherwise why not.
    public static func opensslUnavailableReason() -> String? {
        guard let openssl else { return "no `openssl` executable on PATH" }
        do {
            let output = try openssl.runBlocking(["version"])
            return output.status == 0 ? nil : "`openssl version` exited \(output.status): \(output.stderr)"
        } catch {
            return "\(error)"
        }
    }

    /// A new self-signed certificate and its key, in PEM, for TLS routes under `nginx -t`
    /// (which loads both files).
    /// - Throws: ``Referee/Failure`` when `openssl` is missing or fails.
    public static func selfSignedCertificate(commonName: String = "berth.test") async throws -> (
        certificate: String, key: String
    ) {
        guard let openssl else { throw Referee.Failure("A test certificate needs `openssl`, and none is on PATH.") }
        let directory = try Referee.temporaryDirectory(prefix: "berth-nginx-certificate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appending(path: "certificate.pem")
        let key = directory.appending(path: "key.pem")
        let output = try await openssl.run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=\(commonName)", "-keyout", key.path, "-out", certificate.path,
        ])
        guard output.status == 0 else {
            throw Referee.Failure("`openssl req -x509` exited \(output.status): \(output.stderr)")
        }
        return (
            String(decoding: try Data(contentsOf: certificate), as: UTF8.self),
            String(decoding: try Data(contentsOf: key), as: UTF8.self)
        )
    }
}
