import Foundation
import Testing

/// SplitMix64: a small seeded generator, so the label sets are the same on every run and a
/// failure names a set that can be looked at again.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The labels of one container, as a user would write them by hand, and what Traefik should
/// make of them.
struct TraefikLabelSet: Sendable, CustomTestStringConvertible {
    /// The set's name, the prefix of its routers, services and middlewares; also its container's.
    var name: String
    /// What it exercises, or what is wrong with it.
    var feature: String
    var labels: [Pair]
    /// The routers it defines.
    var routers: [String]
    /// The middlewares and services it defines (valid sets only: Traefik enables each).
    var middlewares: [String] = []
    var services: [String] = []

    struct Pair: Sendable {
        var key: String
        var value: String
    }

    var testDescription: String { "\(name) (\(feature))" }

    var pairs: [(String, String)] { labels.map { ($0.key, $0.value) } }
}

/// Label sets generated from Traefik v3's features: rules built from every HTTP matcher with
/// `&&`, `||`, `!` and parentheses, priorities, entrypoints, TLS with domains, services with
/// health checks and sticky cookies, and middlewares of a dozen types, some chained.
/// ``invalid(count:seed:)`` writes one mistake into an otherwise valid set, from the mistakes
/// Traefik refuses: a router it disables, or labels it cannot decode, so it drops the container.
enum TraefikLabelSets {
    /// An `htpasswd -m` entry (user `test`, password `secret`).
    static let user = "test:$apr1$berthtst$DZYfYL19EQieZKw5hGEQP/"

    private static let words = ["shop", "api", "admin", "blog", "status", "media", "docs", "pay", "auth", "edge"]

    static func valid(count: Int, seed: UInt64) -> [TraefikLabelSet] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in validSet("v\(index)", &random) }
    }

    static func invalid(count: Int, seed: UInt64) -> [TraefikLabelSet] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in invalidSet("x\(index)", mistake: index, &random) }
    }

    // MARK: Valid sets

    private static func validSet(_ name: String, _ random: inout SeededGenerator) -> TraefikLabelSet {
        var labels: [TraefikLabelSet.Pair] = []
        func add(_ key: String, _ value: String) { labels.append(.init(key: "traefik.http." + key, value: value)) }
        var features: [String] = []

        let service = "\(name)-svc"
        add("services.\(service).loadbalancer.server.port", ["80", "8080", "3000"].randomElement(using: &random)!)
        if Bool.random(using: &random) {
            add("services.\(service).loadbalancer.healthcheck.path", "/healthz")
            add(
                "services.\(service).loadbalancer.healthcheck.interval",
                ["10s", "30s", "1m"].randomElement(using: &random)!)
            add("services.\(service).loadbalancer.healthcheck.timeout", "3s")
            features.append("health check")
        }
        if Bool.random(using: &random) {
            add("services.\(service).loadbalancer.sticky.cookie.name", "\(name)_sticky")
            add("services.\(service).loadbalancer.sticky.cookie.httponly", "true")
            features.append("sticky cookie")
        }
        if Bool.random(using: &random) {
            add("services.\(service).loadbalancer.passhostheader", String(Bool.random(using: &random)))
        }

        // Middlewares, defined once and used by any router of the set.
        var middlewares: [String] = []
        let kinds = Array(middlewareKinds.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)))
        for kind in kinds {
            let middleware = "\(name)-\(kind)"
            for (field, value) in middlewareFields(kind, name: name, &random) {
                add("middlewares.\(middleware).\(kind)\(field.isEmpty ? "" : "." + field)", value)
            }
            middlewares.append(middleware)
        }
        if middlewares.count >= 2, Bool.random(using: &random) {
            let chain = "\(name)-chain"
            add("middlewares.\(chain).chain.middlewares", middlewares.joined(separator: ","))
            middlewares.append(chain)
            features.append("chain")
        }
        features += kinds

        var routers: [String] = []
        let routerCount = Int.random(in: 1...2, using: &random)
        for index in 0..<routerCount {
            let router = "\(name)-r\(index)"
            routers.append(router)
            add("routers.\(router).rule", rule(depth: Int.random(in: 0...2, using: &random), &random))
            let entrypoints = ["web", "websecure", "web,websecure"].randomElement(using: &random)!
            add("routers.\(router).entrypoints", entrypoints)
            // One service only: Traefik links a router without `service` to it.
            if routerCount > 1 || Bool.random(using: &random) {
                add("routers.\(router).service", service)
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                add("routers.\(router).priority", String(Int.random(in: -10...1000, using: &random)))
                features.append("priority")
            }
            if entrypoints.contains("websecure"), Bool.random(using: &random) {
                add("routers.\(router).tls", "true")
                if Bool.random(using: &random) {
                    let word = words.randomElement(using: &random)!
                    add("routers.\(router).tls.domains[0].main", "\(word).example.test")
                    add("routers.\(router).tls.domains[0].sans", "*.\(word).example.test")
                }
                features.append("tls")
            }
            if !middlewares.isEmpty {
                let used = middlewares.filter { _ in Bool.random(using: &random) }
                if !used.isEmpty { add("routers.\(router).middlewares", used.joined(separator: ",")) }
            }
        }
        return TraefikLabelSet(
            name: name, feature: features.isEmpty ? "rule" : features.joined(separator: ", "), labels: labels,
            routers: routers, middlewares: middlewares, services: [service])
    }

    static let middlewareKinds = [
        "headers", "ratelimit", "basicauth", "stripprefix", "addprefix", "redirectscheme", "compress",
        "ipallowlist", "retry", "inflightreq", "buffering", "replacepathregex",
    ]

    private static func middlewareFields(_ kind: String, name: String, _ random: inout SeededGenerator)
        -> [(String, String)]
    {
        switch kind {
        case "headers":
            return [
                ("customresponseheaders.X-Berth-Set", name), ("framedeny", "true"),
                ("stsseconds", String(Int.random(in: 0...31_536_000, using: &random))),
                ("contenttypenosniff", "true"), ("referrerpolicy", "no-referrer"),
            ]
        case "ratelimit":
            return [
                ("average", String(Int.random(in: 1...100, using: &random))),
                ("burst", String(Int.random(in: 1...50, using: &random))),
                ("period", ["1s", "10s", "1m"].randomElement(using: &random)!),
            ]
        case "basicauth": return [("users", user), ("realm", name)]
        case "stripprefix": return [("prefixes", "/api,/v1")]
        case "addprefix": return [("prefix", "/v2")]
        case "redirectscheme": return [("scheme", "https"), ("permanent", String(Bool.random(using: &random)))]
        case "compress": return [("", "true")]
        case "ipallowlist":
            return [("sourcerange", "10.0.0.0/8,192.168.0.0/16,127.0.0.1/32"), ("ipstrategy.depth", "1")]
        case "retry":
            return [("attempts", String(Int.random(in: 1...5, using: &random))), ("initialinterval", "100ms")]
        case "inflightreq": return [("amount", String(Int.random(in: 1...50, using: &random)))]
        case "buffering": return [("maxrequestbodybytes", String(Int.random(in: 1024...10_485_760, using: &random)))]
        default: return [("regex", "^/old/(.*)"), ("replacement", "/new/$1")]
        }
    }

    /// A rule: a matcher, or matchers joined with `&&`, `||`, `!` and parentheses.
    static func rule(depth: Int, _ random: inout SeededGenerator) -> String {
        guard depth > 0 else { return matcher(&random) }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return "\(rule(depth: depth - 1, &random)) && \(rule(depth: depth - 1, &random))"
        case 1: return "(\(rule(depth: depth - 1, &random)) || \(rule(depth: depth - 1, &random)))"
        case 2: return "\(matcher(&random)) && !\(matcher(&random))"
        default: return "(\(matcher(&random)) || \(matcher(&random))) && \(rule(depth: depth - 1, &random))"
        }
    }

    private static func matcher(_ random: inout SeededGenerator) -> String {
        let word = words.randomElement(using: &random)!
        let number = Int.random(in: 1...254, using: &random)
        switch Int.random(in: 0..<12, using: &random) {
        case 0, 1: return "Host(`\(word).example.test`)"
        case 2: return "HostRegexp(`^[a-z0-9-]+\\.\(word)\\.test$`)"
        case 3: return "Path(`/\(word)`)"
        case 4: return "PathPrefix(`/\(word)/`)"
        case 5: return "PathRegexp(`^/\(word)/[0-9]+$`)"
        case 6: return "Header(`X-\(word.capitalized)`, `\(number)`)"
        case 7: return "HeaderRegexp(`User-Agent`, `^curl/[0-9.]+$`)"
        case 8: return "Method(`\(["GET", "POST", "PUT", "DELETE"].randomElement(using: &random)!)`)"
        case 9: return Bool.random(using: &random) ? "Query(`\(word)`)" : "Query(`\(word)`, `\(number)`)"
        case 10: return "QueryRegexp(`id`, `^[0-9]{1,6}$`)"
        default:
            return ["ClientIP(`10.\(number).0.0/16`)", "ClientIP(`192.0.2.\(number)`)", "ClientIP(`2001:db8::/32`)"]
                .randomElement(using: &random)!
        }
    }

    // MARK: Invalid sets

    /// Mistakes Traefik refuses, each with variants; set `index` takes mistake `index % count`.
    private static func invalidSet(_ name: String, mistake index: Int, _ random: inout SeededGenerator)
        -> TraefikLabelSet
    {
        let word = words.randomElement(using: &random)!
        let host = "Host(`\(word).example.test`)"
        let router = "\(name)-r"
        let service = "\(name)-svc"
        var routers = [router]
        var labels: [(String, String)] = [
            ("routers.\(router).entrypoints", "web"), ("services.\(service).loadbalancer.server.port", "80"),
        ]
        var rule = host
        let feature: String
        func pick(_ variants: [String]) -> String { variants.randomElement(using: &random)! }
        switch index % 19 {
        case 0:
            feature = "several arguments to a one-argument matcher"
            rule = pick([
                "Host(`a.example.test`, `b.example.test`)", "Method(`GET`, `POST`)", "PathPrefix(`/a`, `/b`)",
                "ClientIP(`10.0.0.1`, `10.0.0.2`)",
            ])
        case 1:
            feature = "unknown matcher"
            rule = pick(["Hots(`\(word).example.test`)", "\(host) && Nope(`x`)", "PathStarts(`/\(word)`)"])
        case 2:
            feature = "v2 matcher"
            rule = pick(["HostHeader(`\(word).example.test`)", "\(host) && Headers(`X-A`, `b`)"])
        case 3:
            feature = "rule that does not parse"
            rule = pick([
                "Host(`\(word).example.test`", "Host(`\(word).example.test)", "\(host) Path(`/x`)", "\(host) &&",
                "(\(host)",
            ])
        case 4:
            feature = "too few arguments"
            rule = pick(["Header(`X-Env`)", "\(host) && HeaderRegexp(`X-A`)", "Path()", "Host()"])
        case 5:
            feature = "path without its leading slash"
            rule = pick(["\(host) && Path(`\(word)`)", "PathPrefix(`\(word)/v1`)"])
        case 6:
            feature = "ClientIP that is no address"
            rule = pick(["ClientIP(`10.0.0.300`)", "ClientIP(`\(word)`)", "ClientIP(`10.0.0.0/33`)"])
        case 7:
            feature = "regular expression Go refuses"
            rule = pick([
                "PathRegexp(`^/\(word)/[0-9`)", "HostRegexp(`(\(word)`)", "\(host) && HeaderRegexp(`X-A`, `*a`)",
                "QueryRegexp(`q`, `a{2,1}`)",
            ])
        case 8:
            feature = "unknown router field"
            labels.append((pick(["routers.\(router).rulez", "routers.\(router).entrypoint"]), "web"))
        case 9:
            feature = "unknown middleware type"
            labels.append(
                (pick(["middlewares.\(name)-m.ipwhitelist.sourcerange", "middlewares.\(name)-m.nope.x"]), "10.0.0.0/8"))
        case 10:
            feature = "unknown middleware field"
            labels.append(
                (pick(["middlewares.\(name)-m.headers.framedenyy", "middlewares.\(name)-m.ratelimit.averag"]), "1"))
        case 11:
            feature = "field v3 removed"
            labels.append(("middlewares.\(name)-m.headers.accesscontrolalloworigin", "*"))
        case 12:
            feature = "unknown service field"
            labels.append(
                (
                    pick([
                        "services.\(service).loadbalancer.server.prot",
                        "services.\(service).loadbalancer.healthcheck.pth",
                    ]), "80"
                ))
        case 13:
            feature = "router without service among two services"
            labels.append(("services.\(name)-other.loadbalancer.server.port", "81"))
        case 14:
            feature = "'@' in a router name"
            routers = ["\(router)@x"]
            labels[0].0 = "routers.\(router)@x.entrypoints"
        case 15:
            feature = "a word where a number belongs"
            labels.append(
                pick(["priority", "ratelimit", "inflightreq"]) == "priority"
                    ? ("routers.\(router).priority", pick(["high", "1.5"]))
                    : (
                        "middlewares.\(name)-m.\(pick(["ratelimit.average", "inflightreq.amount", "retry.attempts"]))",
                        "many"
                    ))
        case 16:
            feature = "server port that is no number"
            labels[1].1 = pick(["http", "80/tcp", "eighty"])
        case 17:
            feature = "'@' in a service name"
            labels[1].0 = "services.\(service)@x.loadbalancer.server.port"
            labels.append(("routers.\(router).service", "\(service)@x"))
        default:
            feature = "unknown TLS field"
            labels.append((pick(["routers.\(router).tls.certresolvers", "routers.\(router).tls.domain"]), "le"))
        }
        if ![13, 17].contains(index % 19) { labels.append(("routers.\(routers[0]).service", service)) }
        labels.insert(("routers.\(routers[0]).rule", rule), at: 0)
        return TraefikLabelSet(
            name: name, feature: feature, labels: labels.map { .init(key: "traefik.http." + $0.0, value: $0.1) },
            routers: routers)
    }
}
