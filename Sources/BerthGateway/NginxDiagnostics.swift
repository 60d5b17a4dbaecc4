import BerthCore

extension Diagnostic.Code {
    /// A route needs an nginx module the gateway's build lacks (`auth_request`, `ssl`).
    public static let nginxMissingModule = Self(rawValue: "nginx-missing-module")
    /// Routes of one host disagree on TLS: some are served with a certificate, some without.
    public static let nginxMixedTLS = Self(rawValue: "nginx-mixed-tls")
    /// Routes of one host name different certificates, and an nginx server has one.
    public static let nginxConflictingCertificates = Self(rawValue: "nginx-conflicting-certificates")
    /// A route asks for TLS that nginx cannot serve (an ACME resolver).
    public static let nginxUnsupportedTLS = Self(rawValue: "nginx-unsupported-tls")
    /// A route redirects to HTTPS on a host the gateway serves without a certificate.
    public static let nginxRedirectWithoutTLS = Self(rawValue: "nginx-redirect-without-tls")
    /// A route has no running server to send requests to; the gateway answers 503 for it.
    public static let nginxRouteWithoutServers = Self(rawValue: "nginx-route-without-servers")
    /// An upstream server's host name cannot be written in an nginx `server` line.
    public static let nginxInvalidServer = Self(rawValue: "nginx-invalid-server")
    /// A route claims a host and path another route already has, so it is not rendered.
    public static let nginxShadowedRoute = Self(rawValue: "nginx-shadowed-route")
    /// A value (a header name or value) that an nginx configuration cannot carry intact.
    public static let nginxUnrepresentableValue = Self(rawValue: "nginx-unrepresentable-value")
    /// A rate nginx can only approximate: it counts requests per second or per minute.
    public static let nginxRoundedRate = Self(rawValue: "nginx-rounded-rate")
    /// A duration nginx can only approximate: it counts `fail_timeout` in whole seconds.
    public static let nginxRoundedTime = Self(rawValue: "nginx-rounded-time")
    /// A middleware whose settings nginx cannot render.
    public static let nginxInvalidMiddleware = Self(rawValue: "nginx-invalid-middleware")
    /// An option of the nginx gateway itself (its unknown-host status, its health path) that it
    /// cannot serve as meant.
    public static let nginxInvalidOption = Self(rawValue: "nginx-invalid-option")
}
