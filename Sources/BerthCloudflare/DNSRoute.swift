import BerthCore
import Foundation

/// The DNS record one public hostname needs: a proxied CNAME to `<tunnel ID>.cfargotunnel.com`.
///
/// Berth lists routes and never creates them; run ``command`` where `cloudflared tunnel login`
/// left a certificate, or make ``apiCall`` with an API token allowed to edit the zone's DNS.
public struct DNSRoute: Sendable, Hashable, Codable {
    /// The public hostname.
    public var hostname: String
    /// The UUID of the tunnel the hostname points at.
    public var tunnelID: String
    /// Where the first rule for the hostname was written.
    public var location: SourceLocation

    /// Describes a route.
    public init(hostname: String, tunnelID: String, location: SourceLocation) {
        self.hostname = hostname
        self.tunnelID = tunnelID
        self.location = location
    }

    /// The record's target.
    public var target: String { "\(tunnelID).cfargotunnel.com" }

    /// `cloudflared tunnel route dns <TUNNEL> <HOSTNAME>`, as an argument array.
    public var command: [String] { ["cloudflared", "tunnel", "route", "dns", tunnelID, hostname] }

    /// The same record through Cloudflare's DNS API; `{zone_id}` is the hostname's zone.
    public var apiCall: CloudflareAPICall {
        let record: [String: Any] = ["type": "CNAME", "name": hostname, "content": target, "proxied": true]
        // A dictionary of strings and a boolean always serialises.
        let body = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes])
        return CloudflareAPICall(
            method: "POST", path: "/client/v4/zones/{zone_id}/dns_records", body: String(decoding: body, as: UTF8.self))
    }
}

extension Tunnel {
    /// The DNS records the tunnel's hostnames need, one per hostname, in the order written.
    ///
    /// Rules without a hostname (or with `*`) need none; a hostname routed with several paths
    /// needs one.
    public var dnsRoutes: [DNSRoute] {
        var seen: Set<String> = []
        return ingress.compactMap { rule in
            guard let hostname = rule.hostname, !hostname.isEmpty, hostname != "*",
                seen.insert(hostname.lowercased()).inserted
            else { return nil }
            return DNSRoute(hostname: hostname, tunnelID: id, location: rule.location)
        }
    }
}
