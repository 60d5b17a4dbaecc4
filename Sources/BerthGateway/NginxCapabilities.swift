/// What an nginx build can do, as far as the configurations Berth renders depend on it.
///
/// Modules are compiled in; an image's `nginx -V` lists them in its configure arguments. Read
/// them from the gateway's image, so a configuration never names a directive its nginx lacks:
/// ```swift
/// let output = try await docker.run(["run", "--rm", "nginx:1.27", "nginx", "-V"])
/// let capabilities = NginxCapabilities(versionOutput: output.stderr)
/// ```
public struct NginxCapabilities: Sendable, Hashable, Codable {
    /// Whether `auth_request` (`--with-http_auth_request_module`) is there, which forward
    /// authentication needs.
    public var hasAuthRequest: Bool
    /// Whether TLS (`--with-http_ssl_module`) is there, which certificate routes need.
    public var hasSSL: Bool

    /// Records what a build can do.
    public init(hasAuthRequest: Bool, hasSSL: Bool) {
        self.hasAuthRequest = hasAuthRequest
        self.hasSSL = hasSSL
    }

    /// Reads the modules from what `nginx -V` prints (on standard error).
    public init(versionOutput: String) {
        self.hasAuthRequest = versionOutput.contains("--with-http_auth_request_module")
        self.hasSSL = versionOutput.contains("--with-http_ssl_module")
    }

    /// The official `nginx` images and Debian's packages, `nginx-light` included: both modules.
    public static let standard = NginxCapabilities(hasAuthRequest: true, hasSSL: true)
}
