import BerthCore
import BerthYAML

extension Tunnel {
    /// Where the cloudflared container reads the rendered `config.yml`.
    public static let configPath = "/etc/cloudflared/config.yml"

    /// The address cloudflared serves its metrics and `/ready` on, inside its container only.
    public static let metricsAddress = "0.0.0.0:2000"

    /// The path inside the container of the file the tunnel's secret is mounted as.
    public var secretPath: String { "/run/secrets/" + secretName }

    /// cloudflared's `config.yml` for a locally managed tunnel; `nil` for a remotely managed one,
    /// whose rules Cloudflare keeps.
    ///
    /// Keys are spelled as cloudflared reads them (they are case-sensitive): `tunnel`,
    /// `credentials-file`, `originRequest`, `ingress`, and per rule `hostname`, `path`, `service`
    /// and `originRequest`. The rules are ``completedIngress``, paths anchored with `^`, and
    /// durations are Go durations (`"30s"`). Emit it with `YAMLEmitter.emit(_:)`.
    public var configDocument: YAMLNode? {
        guard isLocallyManaged else { return nil }
        var root = YAMLMapping()
        root.append("tunnel", .string(id))
        root.append("credentials-file", .string(secretPath))
        if let originRequest {
            let options = Self.yamlOptions(originRequest, access: nil)
            if !options.isEmpty { root.append("originRequest", .mapping(options)) }
        }
        root.append("ingress", .sequence(completedIngress.map { .mapping(Self.yamlRule($0)) }))
        return .mapping(root)
    }

    /// The rendered `config.yml` as a stack ``Config``, for a locally managed tunnel; it holds no
    /// secret, since the credentials are a separate secret file.
    public var configFile: Config? {
        configFile(location: location)
    }

    /// The name of the stack config holding the rendered `config.yml`.
    public var configName: String { serviceName + "-config" }

    func configFile(location: SourceLocation) -> Config? {
        configDocument.map {
            Config(configName, .content(YAMLEmitter.emit($0)), fileID: location.fileID, line: location.line)
        }
    }

    private static func yamlRule(_ rule: IngressRule) -> YAMLMapping {
        var node = YAMLMapping()
        if let hostname = rule.hostname, !hostname.isEmpty { node.append("hostname", .string(hostname)) }
        if let path = rule.renderedPath { node.append("path", .string(path)) }
        node.append("service", .string(rule.service))
        let options = yamlOptions(rule.originRequest, access: rule.access)
        if !options.isEmpty { node.append("originRequest", .mapping(options)) }
        return node
    }

    private static func yamlOptions(_ options: OriginRequest?, access: Access?) -> YAMLMapping {
        var node = YAMLMapping()
        for (key, value) in originOptions(options, access: access) {
            switch value {
            case .duration(let duration): node.append(key, .string(GoDuration.format(duration)))
            case .boolean(let flag): node.append(key, .boolean(flag))
            case .integer(let number): node.append(key, .integer(number))
            case .string(let text): node.append(key, .string(text))
            case .access(let access):
                var entry = YAMLMapping()
                entry.append("required", .boolean(access.isRequired))
                if let team = access.teamName { entry.append("teamName", .string(team)) }
                if !access.audTags.isEmpty { entry.append("audTag", .sequence(access.audTags.map { .string($0) })) }
                node.append(key, .mapping(entry))
            }
        }
        return node
    }

    /// A value of an `originRequest` option, before it is written as YAML or JSON.
    enum OptionValue {
        case duration(Duration)
        case boolean(Bool)
        case integer(Int)
        case string(String)
        case access(Access)
    }

    /// The options that are set, by cloudflared's key, in the order of its `OriginRequestConfig`.
    static func originOptions(_ options: OriginRequest?, access: Access?) -> [(String, OptionValue)] {
        var entries: [(String, OptionValue)] = []
        if let options {
            func add<Value>(_ key: String, _ value: Value?, _ wrap: (Value) -> OptionValue) {
                if let value { entries.append((key, wrap(value))) }
            }
            add("connectTimeout", options.connectTimeout, OptionValue.duration)
            add("tlsTimeout", options.tlsTimeout, OptionValue.duration)
            add("tcpKeepAlive", options.tcpKeepAlive, OptionValue.duration)
            add("noHappyEyeballs", options.noHappyEyeballs, OptionValue.boolean)
            add("keepAliveConnections", options.keepAliveConnections, OptionValue.integer)
            add("keepAliveTimeout", options.keepAliveTimeout, OptionValue.duration)
            add("httpHostHeader", options.httpHostHeader, OptionValue.string)
            add("originServerName", options.originServerName, OptionValue.string)
            add("matchSNItoHost", options.matchSNIToHost, OptionValue.boolean)
            add("caPool", options.caPool, OptionValue.string)
            add("noTLSVerify", options.noTLSVerify, OptionValue.boolean)
            add("disableChunkedEncoding", options.disableChunkedEncoding, OptionValue.boolean)
            add("bastionMode", options.bastionMode, OptionValue.boolean)
            add("http2Origin", options.http2Origin, OptionValue.boolean)
        }
        // cloudflared reads Access only inside a rule's originRequest.
        if let access { entries.append(("access", .access(access))) }
        return entries
    }
}
