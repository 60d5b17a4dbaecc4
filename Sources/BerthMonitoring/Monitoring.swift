import BerthCore
import BerthYAML
import Foundation

/// A stack's monitoring, written from its description: Prometheus scraping every service that
/// declares ``BerthCore/Service/metrics(port:path:fileID:line:)`` (every replica, from a network
/// they share), exporters for the databases it knows, alert rules, and Grafana with its data
/// source and one dashboard for the stack.
///
/// ```swift
/// let monitoring = Monitoring(
///     prometheus: "prom/prometheus:v2.53.0", grafana: "grafana/grafana:11.1.0",
///     rules: [.serviceDown(), .highLatency(above: .milliseconds(800)), .queueLength(above: 200)],
///     exporters: [.postgres("db", passwordSecret: "db_password"), .redis("cache")])
/// let stack = monitoring.apply(to: Stack("sns") { … }, for: environment)
/// ```
///
/// ``apply(to:for:)`` adds the services and their configuration as configs (so a changed rule
/// recreates Prometheus, as any changed config does); what is wrong with the monitoring — an
/// expression that is not PromQL, an exporter of a service the stack lacks, a service Prometheus
/// could not reach — is reported with the stack's other diagnostics, at the line that declares it.
public struct Monitoring: Sendable {
    public var prometheusImage: Image
    /// Grafana's image; `nil` for no Grafana.
    public var grafanaImage: Image?
    public var scrapeInterval: Duration
    /// How long Prometheus keeps samples.
    public var retention: Duration
    public var rules: [AlertRule]
    public var exporters: [Exporter]
    /// Prometheus's limits. Its memory grows with the number of series it keeps: raise it for
    /// more than a few hundred thousand.
    public var prometheusResources: Resources
    /// Grafana's limits.
    public var grafanaResources: Resources
    /// Where the monitoring was declared.
    public var location: SourceLocation

    /// The rules a stack gets when it names none.
    public static var recommendedRules: [AlertRule] {
        [.serviceDown(), .highCPU(), .highMemory(), .highErrorRate(), .highLatency()]
    }

    /// The name of Prometheus's service in the stack.
    public static let prometheusService = "prometheus"
    /// The name of Grafana's service in the stack.
    public static let grafanaService = "grafana"
    /// Where Prometheus reads its rules.
    public static let rulesPath = "/etc/prometheus/berth-rules.yml"

    public init(
        prometheus: Image, grafana: Image? = nil, scrapeInterval: Duration = .seconds(15),
        retention: Duration = .seconds(15 * 86_400), rules: [AlertRule] = Monitoring.recommendedRules,
        exporters: [Exporter] = [], prometheusResources: Resources = Resources(cpuLimit: 1, memoryLimit: "2g"),
        grafanaResources: Resources = Resources(cpuLimit: 0.5, memoryLimit: "512m"), fileID: String = #fileID,
        line: Int = #line
    ) {
        self.prometheusImage = prometheus
        self.grafanaImage = grafana
        self.scrapeInterval = scrapeInterval
        self.retention = retention
        self.rules = rules
        self.exporters = exporters
        self.prometheusResources = prometheusResources
        self.grafanaResources = grafanaResources
        self.location = SourceLocation(fileID: fileID, line: line)
    }

    // MARK: What is scraped

    /// One scrape job: a service's replicas on a port and path.
    struct Target {
        var job: String
        /// The `service` label of its samples: the service watched (an exporter's database).
        var service: String
        var host: String
        var port: Int
        var path: String
    }

    func targets(of stack: Stack, for environment: Environment) -> [Target] {
        // On Swarm a service's name is its virtual IP; `tasks.NAME` lists every task.
        let prefix = environment.orchestrator == .swarm ? "tasks." : ""
        var targets = stack.services.compactMap { service -> Target? in
            guard let metrics = service.metrics else { return nil }
            return Target(
                job: service.name, service: service.name, host: prefix + service.name, port: metrics.port,
                path: metrics.path)
        }
        for exporter in exporters {
            targets.append(
                Target(
                    job: exporter.name, service: exporter.target, host: prefix + exporter.name, port: exporter.port,
                    path: "/metrics"))
        }
        return targets
    }

    /// The networks Prometheus joins: every network of a scraped service.
    func networks(of stack: Stack) -> [String] {
        var seen: [String] = []
        for service in stack.services
        where service.metrics != nil || exporters.contains(where: { $0.target == service.name }) {
            for network in service.networks where !seen.contains(network) { seen.append(network) }
        }
        return seen
    }

    // MARK: Rendered files

    /// `prometheus.yml`.
    public func prometheusConfiguration(for stack: Stack, environment: Environment) -> String {
        var jobs: [YAMLNode] = [
            .mapping(
                YAMLMapping([
                    ("job_name", "prometheus"),
                    (
                        "static_configs",
                        .sequence([
                            .mapping(
                                YAMLMapping([
                                    ("targets", .sequence(["localhost:9090"])),
                                    ("labels", .mapping(YAMLMapping([("service", .string(Self.prometheusService))]))),
                                ]))
                        ])
                    ),
                ]))
        ]
        for target in targets(of: stack, for: environment) {
            jobs.append(
                .mapping(
                    YAMLMapping([
                        ("job_name", .string(target.job)),
                        ("metrics_path", .string(target.path)),
                        (
                            "dns_sd_configs",
                            .sequence([
                                .mapping(
                                    YAMLMapping([
                                        ("names", .sequence([.string(target.host)])),
                                        ("type", "A"),
                                        ("port", .integer(target.port)),
                                        ("refresh_interval", "30s"),
                                    ]))
                            ])
                        ),
                        (
                            "relabel_configs",
                            .sequence([
                                .mapping(
                                    YAMLMapping([("target_label", "service"), ("replacement", .string(target.service))])
                                )
                            ])
                        ),
                    ])))
        }
        let root = YAMLMapping([
            (
                "global",
                .mapping(
                    YAMLMapping([
                        ("scrape_interval", .string(GoDuration.format(scrapeInterval))),
                        ("evaluation_interval", .string(GoDuration.format(scrapeInterval))),
                        (
                            "external_labels",
                            .mapping(
                                YAMLMapping([
                                    ("stack", .string(stack.name)), ("environment", .string(environment.name)),
                                ]))
                        ),
                    ]))
            ),
            ("rule_files", .sequence([.string(Self.rulesPath)])),
            ("scrape_configs", .sequence(jobs)),
        ])
        return YAMLEmitter.emit(.mapping(root))
    }

    /// The rules file: one group for the stack, the rules whose expression applies to it.
    public func rulesFile(for stack: Stack, environment: Environment) -> String {
        let rules = self.rules.compactMap { rule -> YAMLNode? in
            guard let expression = rule.expression(for: stack) else { return nil }
            return .mapping(
                YAMLMapping([
                    ("alert", .string(rule.name)),
                    ("expr", .string(expression)),
                    ("for", .string(GoDuration.format(rule.duration))),
                    (
                        "labels",
                        .mapping(
                            YAMLMapping([
                                ("severity", .string(rule.severity.rawValue)), ("stack", .string(stack.name)),
                            ]))
                    ),
                    ("annotations", .mapping(YAMLMapping([("summary", .string(rule.summary))]))),
                ]))
        }
        let group = YAMLMapping([
            ("name", .string("\(stack.name)-\(environment.name)")), ("rules", .sequence(rules)),
        ])
        return YAMLEmitter.emit(.mapping(YAMLMapping([("groups", .sequence([.mapping(group)]))])))
    }

    /// Grafana's data source: this stack's Prometheus, the default.
    public var grafanaDataSource: String {
        YAMLEmitter.emit(
            .mapping(
                YAMLMapping([
                    ("apiVersion", 1),
                    (
                        "datasources",
                        .sequence([
                            .mapping(
                                YAMLMapping([
                                    ("name", "Prometheus"), ("uid", "berth-prometheus"), ("type", "prometheus"),
                                    ("access", "proxy"), ("url", .string("http://\(Self.prometheusService):9090")),
                                    ("isDefault", true), ("editable", false),
                                ]))
                        ])
                    ),
                ])))
    }

    /// Where Grafana finds the dashboards.
    public static let dashboardsDirectory = "/etc/grafana/dashboards"

    /// Grafana's dashboard provider: the files in ``dashboardsDirectory``.
    public var grafanaDashboardProvider: String {
        YAMLEmitter.emit(
            .mapping(
                YAMLMapping([
                    ("apiVersion", 1),
                    (
                        "providers",
                        .sequence([
                            .mapping(
                                YAMLMapping([
                                    ("name", "berth"), ("type", "file"), ("disableDeletion", true),
                                    ("allowUiUpdates", false),
                                    ("options", .mapping(YAMLMapping([("path", .string(Self.dashboardsDirectory))]))),
                                ]))
                        ])
                    ),
                ])))
    }

    /// The stack's dashboard, as Grafana's JSON model: targets up, CPU, memory, request rate,
    /// error ratio and p95 latency, one series per service.
    public func grafanaDashboard(for stack: Stack, environment: Environment) -> String {
        let panels: [(String, String, String)] = [
            ("Targets up", "sum by (service) (up)", "short"),
            ("CPU (cores)", "sum by (service) (rate(process_cpu_seconds_total[5m]))", "short"),
            ("Resident memory", "sum by (service) (process_resident_memory_bytes)", "bytes"),
            ("Requests per second", "sum by (service) (rate(http_requests_total[5m]))", "reqps"),
            (
                "Error ratio (5xx)",
                "sum by (service) (rate(http_requests_total{status=~\"5..\"}[5m])) / sum by (service) (rate(http_requests_total[5m]))",
                "percentunit"
            ),
            (
                "Latency p95",
                "histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))", "s"
            ),
        ]
        let datasource: [String: Any] = ["type": "prometheus", "uid": "berth-prometheus"]
        let json: [String: Any] = [
            "uid": "berth-\(stack.name)-\(environment.name)".prefix(40).description,
            "title": "\(stack.name) (\(environment.name))",
            "tags": ["berth", stack.name],
            "schemaVersion": 39,
            "time": ["from": "now-6h", "to": "now"],
            "refresh": "30s",
            "panels": panels.enumerated().map { index, panel -> [String: Any] in
                [
                    "id": index + 1,
                    "type": "timeseries",
                    "title": panel.0,
                    "datasource": datasource,
                    "gridPos": ["h": 8, "w": 12, "x": (index % 2) * 12, "y": (index / 2) * 8],
                    "fieldConfig": ["defaults": ["unit": panel.2], "overrides": [Any]()],
                    "targets": [
                        ["refId": "A", "datasource": datasource, "expr": panel.1, "legendFormat": "{{service}}"]
                    ],
                ]
            },
        ]
        let data =
            (try? JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Every PromQL expression the rendered files hold: the rules' and the dashboard's.
    public func expressions(for stack: Stack) -> [String] {
        rules.compactMap { $0.expression(for: stack) }
    }

    // MARK: The stack

    /// `stack` with Prometheus, the exporters and (with an image) Grafana added, configured from
    /// its services; what is wrong with the monitoring rides on Prometheus's service and is
    /// reported with the stack's other diagnostics.
    public func apply(to stack: Stack, for environment: Environment) -> Stack {
        var stack = stack
        let problems = diagnostics(of: stack)
        let networks = networks(of: stack)
        for exporter in exporters {
            stack.services.append(
                exporter.service(networks: stack.services.first { $0.name == exporter.target }?.networks ?? []))
        }
        let name = stack.name
        stack.configs += [
            Config(
                "\(name)-prometheus-config", .content(prometheusConfiguration(for: stack, environment: environment))),
            Config("\(name)-prometheus-rules", .content(rulesFile(for: stack, environment: environment))),
        ]
        stack.volumes.append(Volume("prometheus-data"))
        var prometheus = Service(Self.prometheusService, image: prometheusImage)
            .command([
                "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                "--storage.tsdb.retention.time=\(GoDuration.format(retention))", "--web.enable-lifecycle",
            ])
            .config("\(name)-prometheus-config", at: "/etc/prometheus/prometheus.yml")
            .config("\(name)-prometheus-rules", at: Self.rulesPath)
            .volume("prometheus-data", at: "/prometheus")
            .expose(9090)
            .healthCheck(.http(port: 9090, path: "/-/ready", interval: .seconds(10), timeout: .seconds(5)))
        prometheus.networks = networks
        prometheus.resources = prometheusResources
        prometheus.location = location
        if !problems.isEmpty, let json = try? JSONEncoder().encode(problems) {
            prometheus.attachments = [Diagnostic.attachmentKey: String(decoding: json, as: UTF8.self)]
        }
        stack.services.append(prometheus)
        if let grafanaImage {
            stack.configs += [
                Config("\(name)-grafana-datasource", .content(grafanaDataSource)),
                Config("\(name)-grafana-dashboards", .content(grafanaDashboardProvider)),
                Config("\(name)-grafana-dashboard", .content(grafanaDashboard(for: stack, environment: environment))),
            ]
            stack.secrets.append(Secret.generated("grafana_admin_password"))
            stack.volumes.append(Volume("grafana-data"))
            var grafana = Service(Self.grafanaService, image: grafanaImage)
                .config("\(name)-grafana-datasource", at: "/etc/grafana/provisioning/datasources/berth.yml")
                .config("\(name)-grafana-dashboards", at: "/etc/grafana/provisioning/dashboards/berth.yml")
                .config("\(name)-grafana-dashboard", at: "\(Self.dashboardsDirectory)/\(name).json")
                .secret("grafana_admin_password")
                // Grafana reads any setting from a file named by `__FILE`.
                .environment("GF_SECURITY_ADMIN_PASSWORD__FILE", "/run/secrets/grafana_admin_password")
                .environment("GF_ANALYTICS_REPORTING_ENABLED", "false")
                .environment("GF_ANALYTICS_CHECK_FOR_UPDATES", "false")
                .volume("grafana-data", at: "/var/lib/grafana")
                .expose(3000)
                .dependsOn(Self.prometheusService, condition: .healthy)
            grafana.networks = networks
            grafana.resources = grafanaResources
            grafana.location = location
            stack.services.append(grafana)
        }
        return stack
    }

    // MARK: Checks

    /// What is wrong with the monitoring of `stack`, each at the line that declares it.
    public func diagnostics(of stack: Stack) -> [Diagnostic] {
        var found: [Diagnostic] = []
        for rule in rules {
            let element = "alert rule '\(rule.name)'"
            if rule.name.isEmpty || rule.name.contains(where: { $0.isNewline }) {
                found.append(
                    Diagnostic(
                        .error, .invalidAlertRule, element: element, message: "Its name is empty or spans lines.",
                        fix: "Name it in one word, such as \"HighLatency\".", location: rule.location))
            }
            if rule.duration < .zero {
                found.append(
                    Diagnostic(
                        .error, .invalidAlertRule, element: element,
                        message: "It must hold for \(GoDuration.format(rule.duration)), a negative time.",
                        fix: "Give it zero or more: for: .minutes(5).", location: rule.location))
            }
            guard let expression = rule.expression(for: stack) else {
                found.append(
                    Diagnostic(
                        .warning, .invalidAlertRule, element: element,
                        message: "It watches nothing here: no scraped service sets a memory limit.",
                        fix:
                            "Give the services a memory limit (.resources(Resources(memoryLimit: \"512M\"))), or leave the rule out.",
                        location: rule.location))
                continue
            }
            do {
                let type = try PromQL.check(expression)
                if type != .instantVector {
                    found.append(
                        Diagnostic(
                            .error, .invalidAlertRule, element: element,
                            message:
                                "Its expression is a \(type.rawValue); an alert fires on the series of an instant vector.",
                            fix: "Compare a metric to a threshold, as in `up == 0`.", location: rule.location))
                }
            } catch {
                found.append(
                    Diagnostic(
                        .error, .invalidAlertRule, element: element,
                        message: "Its expression `\(expression)` is not PromQL: \(error).",
                        fix:
                            "Correct the expression; `promtool check rules` and Prometheus would refuse the whole file.",
                        location: rule.location))
            }
        }
        let names = Set(stack.services.map(\.name))
        for exporter in exporters where !names.contains(exporter.target) {
            found.append(
                Diagnostic(
                    .error, .undeclaredService, element: "exporter '\(exporter.name)'",
                    message: "It watches service '\(exporter.target)', which the stack does not declare.",
                    fix: "Name a service of the stack: \(names.sorted().joined(separator: ", ")).",
                    location: exporter.location))
        }
        for taken in [Self.prometheusService, Self.grafanaService] + exporters.map(\.name) where names.contains(taken) {
            found.append(
                Diagnostic(
                    .error, .duplicateName, element: "service '\(taken)'",
                    message: "The monitoring adds a service '\(taken)', and the stack declares one already.",
                    fix: "Rename the stack's service, or leave the monitoring out of this stack.", location: location))
        }
        // Prometheus joins the scraped services' networks; a service on none of its own is on
        // Compose's default network, which Prometheus then leaves.
        let scraped = stack.services.filter { $0.metrics != nil }
        if !networks(of: stack).isEmpty {
            for service in scraped where service.networks.isEmpty {
                found.append(
                    Diagnostic(
                        .error, .undeclaredNetwork, element: "service '\(service.name)'",
                        message:
                            "Its metrics are scraped, but it joins no network while other scraped services do, so Prometheus could not reach it.",
                        fix: "Put it on a network: .networks(\"backend\").", location: service.metrics?.location))
            }
        }
        if scraped.isEmpty && exporters.isEmpty {
            found.append(
                Diagnostic(
                    .warning, .invalidAlertRule, element: "monitoring",
                    message:
                        "No service declares metrics and there is no exporter: Prometheus would scrape only itself.",
                    fix: "Declare .metrics(port:path:) on the services that serve metrics.", location: location))
        }
        return found
    }
}

extension Diagnostic.Code {
    /// An alert rule Prometheus would refuse, or one that watches nothing.
    public static let invalidAlertRule = Diagnostic.Code(rawValue: "invalid-alert-rule")
}
