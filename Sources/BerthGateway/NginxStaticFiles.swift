import BerthCore
import BerthYAML

/// Files the gateway serves itself from a named volume, under a path of one host, with cache
/// headers: an app's built assets (`/static/`) that need no app process to answer.
///
/// ```swift
/// let nginx = NginxGateway(
///     AcmeInfra.gateway,
///     staticFiles: [
///         StaticFiles(host: "shop.example.com", path: "/static/", volume: "shop_static", maxAge: .seconds(30 * 86400))
///     ])
/// ```
/// renders, in every server of `shop.example.com`:
/// ```nginx
/// location /static/ {
///     alias /srv/berth-static/shop_static/;
///     expires 30d;
///     add_header Cache-Control "public, immutable";
/// }
/// ```
///
/// ## Why a gateway option, not a route
///
/// The files are the app's, but the gateway's container reads them, so the volume must be
/// mounted there when the gateway's container is created; an app's `up` cannot add a mount to a
/// running gateway. So the gateway declares them, and ``NginxGateway/stackPart(image:httpPort:httpsPort:hostIP:publishMode:healthCheck:certificatesDirectory:fileID:line:)``
/// mounts each volume read-only at ``NginxGateway/staticFilesRoot``/`<volume>` and adds one
/// config per host at ``NginxGateway/staticFilesDirectory``/`<host>/static.conf`. The routes
/// file Berth renders after each `up` includes that directory in the host's servers, so the
/// locations join the host's routes — on port 80 and, with the host's certificate, on 443 — and
/// the routes file needs nothing but the gateway handle.
///
/// - The host is served when at least one route has it (the app itself, at `/`); a host with
///   static files and no route answers like any unknown host.
/// - A route of the same host with the same path prefix makes nginx refuse the routes with
///   "duplicate location": the reload stops and the running routes stay.
/// - The volume is the app's, referred to by its engine name (under Compose, the app project's
///   prefix and the volume's name: `shop_production_static`); it must exist when the gateway's
///   stack is deployed. A file the app writes there is served at once, without a reload.
/// - nginx's `expires` sends `Expires` and `Cache-Control: max-age=…`; `immutable` adds
///   `Cache-Control: public, immutable`, which caches read with the first as one list. Neither
///   is sent with an error (a missing file's 404 is never cached for 30 days).
public struct StaticFiles: Sendable, Hashable {
    /// The host the files are served on, as a route would name it.
    public var host: String
    /// The path prefix they are served under, starting and ending with `/`: `/static/`.
    public var path: String
    /// The engine name of the volume that holds them; its root is served at ``path``.
    public var volume: String
    /// How long clients and caches may keep a file without asking again.
    public var maxAge: Duration
    /// Whether a file never changes under its name (fingerprinted assets), so a cache need not
    /// revalidate it even on reload: `Cache-Control: public, immutable`.
    public var immutable: Bool
    /// Where the files are declared.
    public var location: SourceLocation

    /// Declares files served from a volume.
    /// - Parameters:
    ///   - host: The host name.
    ///   - path: The path prefix, starting and ending with `/`.
    ///   - volume: The volume's name on the engine.
    ///   - maxAge: How long a file may be cached; nginx counts whole seconds.
    ///   - immutable: Whether files never change under their name.
    public init(
        host: String, path: String, volume: String, maxAge: Duration, immutable: Bool = true,
        fileID: String = #fileID, line: Int = #line
    ) {
        self.host = host
        self.path = path
        self.volume = volume
        self.maxAge = maxAge
        self.immutable = immutable
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    /// What is wrong with the declaration: each problem names the fix.
    func problems() -> [(message: String, fix: String)] {
        var problems: [(String, String)] = []
        let hostLabel = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
        if hostLabel.isEmpty
            || !hostLabel.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        {
            problems.append(
                (
                    "Its host '\(host)' is not a host name a route can have.",
                    "Write the host of the app's routes, such as 'shop.example.com'."
                ))
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if !path.hasPrefix("/") || !path.hasSuffix("/") || path == "/"
            || segments.contains(where: { $0 == "." || $0 == ".." })
            || path.contains(where: { !$0.isASCII || $0.isWhitespace || $0.isNewline || "\"'\\;{}$#%?*".contains($0) })
        {
            problems.append(
                (
                    "Its path '\(path)' is not a prefix nginx can serve a folder under: it must start and end with '/', not be '/', and hold no '.' or '..' segment, spaces, quotes or any of ;{}$#%?*.",
                    "Write a path such as '/static/'; without its final '/', nginx would also serve '/static../' from outside the volume."
                ))
        }
        if volume.isEmpty || !(volume.first!.isASCII && (volume.first!.isLetter || volume.first!.isNumber))
            || !volume.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) })
        {
            problems.append(
                (
                    "Its volume '\(volume)' is not a volume name the engine accepts.",
                    "Write the volume's engine name: a letter or digit, then letters, digits, '_', '.' or '-'."
                ))
        }
        if maxAge <= .zero {
            problems.append(
                (
                    "Its maxAge \(maxAge) is not positive: nginx would send an Expires date in the past.",
                    "Give a positive duration, such as .seconds(86400 * 30)."
                ))
        }
        return problems
    }
}

extension NginxGateway {
    /// Where the volumes of ``staticFiles`` are mounted, read-only, each under its name.
    public static let staticFilesRoot = "/srv/berth-static"
    /// Where each host's static-file locations are, in `<host>/static.conf`; every server of a
    /// routed host includes `<host>/*.conf`, which matches nothing for a host without any.
    public static let staticFilesDirectory = "/etc/nginx/berth-static"

    /// The folder of ``staticFilesDirectory`` for `host`: lowercased, and `_` for any character
    /// but letters, digits, `-` and `.`, so the wildcard `*.example.com` is no glob pattern.
    static func staticFilesFolder(_ host: String) -> String {
        let name = String(
            host.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "_" })
        return staticFilesDirectory + "/" + name
    }

    /// The declarations of ``staticFiles`` that are valid and not repeated, by host.
    var servedStaticFiles: [String: [StaticFiles]] {
        var seen: Set<String> = []
        var byHost: [String: [StaticFiles]] = [:]
        for files in staticFiles where files.problems().isEmpty {
            let host = files.host.lowercased()
            guard seen.insert(host + " " + files.path).inserted else { continue }
            byHost[host, default: []].append(files)
        }
        return byHost
    }

    /// The locations of one host's static files, the content of its `static.conf`.
    static func staticFilesConfiguration(_ files: [StaticFiles]) -> String {
        typealias D = NginxDirective
        let locations = files.sorted { $0.path < $1.path }.map { files in
            var body: [D] = [
                .words("alias", staticFilesRoot + "/" + files.volume + "/"),
                .words("expires", nginxDuration(files.maxAge)),
            ]
            if files.immutable {
                body.append(D("add_header", [.word("Cache-Control"), .text("public, immutable")]))
            }
            return D(
                "location", [.word(files.path)], block: body,
                comment: "Static files of volume '\(files.volume)', declared at \(files.location).")
        }
        return "# Static files of \(files[0].host.lowercased()) for the nginx gateway, rendered by Berth.\n"
            + locations.map { $0.render() }.joined()
    }

    /// Whole seconds, rounded up, in the largest unit nginx reads that divides them.
    static func nginxDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let total = max(1, seconds + (attoseconds > 0 ? 1 : 0))
        for (unit, size) in [("d", Int64(86400)), ("h", 3600), ("m", 60)] where total % size == 0 {
            return "\(total / size)\(unit)"
        }
        return "\(total)s"
    }

    /// The config holding the static-file locations of `host`.
    func staticFilesConfigName(_ host: String) -> String {
        "\(gateway.service)_static_\(SHA256.hexDigest(host.lowercased()).prefix(12))"
    }

    /// What is wrong with ``staticFiles``, each at its declaration.
    func staticFilesDiagnostics() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: [String: StaticFiles] = [:]
        for files in staticFiles {
            let element = "static files \(files.host)\(files.path) of nginx gateway '\(gateway.service)'"
            for problem in files.problems() {
                diagnostics.append(
                    Diagnostic(
                        .error, .nginxInvalidOption, element: element, message: problem.message, fix: problem.fix,
                        location: files.location))
            }
            let key = files.host.lowercased() + " " + files.path
            if let earlier = seen[key] {
                diagnostics.append(
                    Diagnostic(
                        .error, .nginxInvalidOption, element: element,
                        message:
                            "Its host and path are already served from volume '\(earlier.volume)', declared at \(earlier.location); nginx takes one location per path.",
                        fix: "Remove one of the two, or give it another path.", location: files.location))
            } else {
                seen[key] = files
            }
        }
        return diagnostics
    }
}
