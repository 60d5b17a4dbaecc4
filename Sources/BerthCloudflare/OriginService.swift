/// What an ingress rule's `service` names, read the way cloudflared reads it
/// (`ingress/ingress.go`, `validateIngress`).
enum OriginService: Hashable {
    case unixSocket(path: String, tls: Bool)
    case httpStatus(Int)
    case helloWorld
    case socksProxy
    case bastion
    case url(OriginURL)

    /// Why cloudflared would refuse a `service`.
    enum Problem: Error, Hashable {
        /// `http_status:` followed by something that is not a number.
        case statusNotANumber(String)
        /// `http_status:` with a number outside 100…999.
        case statusOutOfRange(Int)
        /// Neither a known keyword nor a URL with a scheme and a hostname (`localhost:8000`).
        case missingSchemeOrHost
        /// A character Go's URL parser refuses in a host name (`local host`).
        case invalidHostCharacter(Character)
        /// A port that is not a number, or not one TCP has.
        case invalidPort(String)
        /// A path on the origin URL, even `/`: cloudflared forwards the request's own path.
        case hasPath(String)
    }

    /// Parses a `service` in cloudflared's order: sockets, status, keywords, then URLs.
    /// - Parameter bastionMode: The rule's `bastionMode` option, which makes any service a bastion.
    static func parse(_ text: String, bastionMode: Bool) -> Result<OriginService, Problem> {
        if text.hasPrefix("unix:") {
            return .success(.unixSocket(path: String(text.dropFirst(5)), tls: false))
        }
        if text.hasPrefix("unix+tls:") {
            return .success(.unixSocket(path: String(text.dropFirst(9)), tls: true))
        }
        if text.hasPrefix("http_status:") {
            let code = String(text.dropFirst(12))
            // Go's strconv.Atoi: an optional sign, then decimal digits.
            guard let status = Int(code) else { return .failure(.statusNotANumber(code)) }
            guard (100...999).contains(status) else { return .failure(.statusOutOfRange(status)) }
            return .success(.httpStatus(status))
        }
        switch text {
        case "hello_world", "hello-world": return .success(.helloWorld)
        case "socks-proxy": return .success(.socksProxy)
        case "bastion": return .success(.bastion)
        default: break
        }
        if bastionMode { return .success(.bastion) }
        return OriginURL.parse(text).map { .url($0) }
    }
}

/// An origin URL split the way Go's `net/url` splits it, for the parts cloudflared checks.
struct OriginURL: Hashable {
    /// The scheme, lowercased (Go lowercases it too).
    var scheme: String
    /// The host without brackets or port.
    var host: String
    /// The port, if written.
    var port: Int?

    /// The port the origin is reached on: the written one, or the scheme's well-known port.
    var effectivePort: Int? {
        if let port { return port }
        switch scheme {
        case "http", "ws": return 80
        case "https", "wss": return 443
        case "ssh": return 22
        case "rdp": return 3389
        case "smb": return 445
        default: return nil
        }
    }

    /// Characters Go accepts unescaped in a host name (`shouldEscape` with `encodeHost`), besides
    /// ASCII letters and digits; non-ASCII is accepted too.
    private static let hostPunctuation: Set<Character> = [
        "-", "_", ".", "~", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=", ":", "[", "]", "<", ">", "\"",
        "%",
    ]

    static func parse(_ text: String) -> Result<OriginURL, OriginService.Problem> {
        // A scheme is a letter followed by letters, digits, `+`, `-` or `.`, then `:`; without one,
        // Go reads the whole text as a path and the URL has no host.
        guard let colon = text.firstIndex(of: ":") else { return .failure(.missingSchemeOrHost) }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
        else { return .failure(.missingSchemeOrHost) }
        var rest = text[text.index(after: colon)...]
        // `localhost:8000` parses as scheme `localhost` with opaque data `8000`: no host.
        guard rest.hasPrefix("//") else { return .failure(.missingSchemeOrHost) }
        rest = rest.dropFirst(2)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let afterAuthority = rest[authorityEnd...]
        let path = afterAuthority.prefix { $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }

        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(.invalidHostCharacter("[")) }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.hasPrefix(":") else { return .failure(.invalidPort(String(tail))) }
                portText = tail.dropFirst()
            }
        } else if let lastColon = authority.lastIndex(of: ":") {
            host = authority[..<lastColon]
            portText = authority[authority.index(after: lastColon)...]
        }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText),
                (1...65535).contains(number)
            else { return .failure(.invalidPort(String(portText))) }
            port = number
        }
        if let bad = host.first(where: { $0.isASCII && !($0.isLetter || $0.isNumber) && !hostPunctuation.contains($0) })
        {
            return .failure(.invalidHostCharacter(bad))
        }
        guard !host.isEmpty else { return .failure(.missingSchemeOrHost) }
        guard path.isEmpty else { return .failure(.hasPath(String(path))) }
        return .success(OriginURL(scheme: scheme.lowercased(), host: String(host), port: port))
    }
}
