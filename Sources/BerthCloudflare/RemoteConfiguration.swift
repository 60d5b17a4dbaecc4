import BerthCore
import Foundation

/// A call to Cloudflare's API, described rather than made: Berth prints it, and calls nothing.
///
/// The path keeps placeholders such as `{account_id}` and `{zone_id}` for what only the account
/// holder knows; the request needs an API token (`Authorization: Bearer …`) with the matching
/// permission.
public struct CloudflareAPICall: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The HTTP method.
    public var method: String
    /// The path under `https://api.cloudflare.com`.
    public var path: String
    /// The JSON body, keys sorted so the same tunnel always gives the same text.
    public var body: String

    /// Describes a call.
    public init(method: String, path: String, body: String) {
        self.method = method
        self.path = path
        self.body = body
    }

    /// The full URL, placeholders included.
    public var url: String { "https://api.cloudflare.com" + path }

    public var description: String { "\(method) \(url) \(body)" }
}

extension Tunnel {
    /// The JSON body of Cloudflare's remote tunnel configuration API:
    /// `{"config":{"ingress":[…],"originRequest":{…}}}`.
    ///
    /// It holds ``completedIngress`` with anchored paths, like ``configDocument``, but durations
    /// are whole seconds (cloudflared's JSON form). Keys are sorted, so equal tunnels give equal
    /// text.
    /// - Parameter prettyPrinted: Whether to indent the JSON for reading.
    public func remoteConfigurationJSON(prettyPrinted: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            prettyPrinted
            ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        let body = RemoteBody(
            config: RemoteBody.Configuration(
                ingress: completedIngress.map { rule in
                    RemoteBody.Rule(
                        hostname: (rule.hostname ?? "").isEmpty ? nil : rule.hostname,
                        path: rule.renderedPath,
                        service: rule.service,
                        originRequest: RemoteBody.Options(Self.originOptions(rule.originRequest, access: rule.access)))
                },
                originRequest: RemoteBody.Options(Self.originOptions(originRequest, access: nil))))
        // Encoding strings, integers and booleans cannot fail.
        return String(decoding: try! encoder.encode(body), as: UTF8.self)
    }

    /// The API call that sets this tunnel's rules on Cloudflare, for a remotely managed tunnel.
    public var remoteConfiguration: CloudflareAPICall {
        CloudflareAPICall(
            method: "PUT", path: "/client/v4/accounts/{account_id}/cfd_tunnel/\(id)/configurations",
            body: remoteConfigurationJSON())
    }
}

/// The remote configuration's JSON, with cloudflared's key names.
private struct RemoteBody: Encodable {
    struct Configuration: Encodable {
        var ingress: [Rule]
        var originRequest: Options?
    }

    struct Rule: Encodable {
        var hostname: String?
        var path: String?
        var service: String
        var originRequest: Options?
    }

    struct Options: Encodable {
        var entries: [(String, Tunnel.OptionValue)]

        /// `nil` when no option is set, so the key is left out.
        init?(_ entries: [(String, Tunnel.OptionValue)]) {
            guard !entries.isEmpty else { return nil }
            self.entries = entries
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (key, value) in entries {
                let key = Key(key)
                switch value {
                // cloudflared's CustomDuration reads JSON numbers as whole seconds.
                case .duration(let duration): try container.encode(duration.components.seconds, forKey: key)
                case .boolean(let flag): try container.encode(flag, forKey: key)
                case .integer(let number): try container.encode(number, forKey: key)
                case .string(let text): try container.encode(text, forKey: key)
                case .access(let access):
                    var nested = container.nestedContainer(keyedBy: Key.self, forKey: key)
                    try nested.encode(access.isRequired, forKey: Key("required"))
                    try nested.encodeIfPresent(access.teamName, forKey: Key("teamName"))
                    if !access.audTags.isEmpty { try nested.encode(access.audTags, forKey: Key("audTag")) }
                }
            }
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var config: Configuration
}
