import Berth

/// The `elasticsearch-kibana` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum ElasticsearchKibana {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("elasticsearch-kibana") {
            // compose: volumes.esdata01.driver is not imported
            Volume("esdata01")
            // compose: volumes.kibanadata.driver is not imported
            Volume("kibanadata")
            // A literal credential in the Compose file: export ELASTIC_PASSWORD where you deploy.
            Secret("elastic_password", .environment("ELASTIC_PASSWORD"))
            // A literal credential in the Compose file: export ELASTICSEARCH_PASSWORD where you deploy.
            Secret("elasticsearch_password", .environment("ELASTICSEARCH_PASSWORD"))
            Service("es01", image: "docker.elastic.co/elasticsearch/elasticsearch:8.14.1")
                // compose: container_name: "es01" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: hostname: "es01" — not imported: the service's name is its host name on its networks.
                // compose: mem_limit: "2147483648" — not imported: no equivalent in Berth
                // compose: ulimits: {memlock: {hard: -1, soft: -1}, nofile: 65536} — not imported: not supported yet.
                // ELASTIC_PASSWORD was a literal credential: the service reads ELASTIC_PASSWORD_FILE.
                .secret("elastic_password", pathVariable: "ELASTIC_PASSWORD_FILE")
                .environment("ES_JAVA_OPTS", "-Xms1g -Xmx1g")
                .environment("bootstrap.memory_lock", "true")
                .environment("cluster.name", "docker-cluster")
                .environment("discovery.type", "single-node")
                .environment("node.name", "es01")
                .environment("xpack.license.self_generated.type", "basic")
                .environment("xpack.security.enabled", "true")
                .environment("xpack.security.http.ssl.enabled", "false")
                .publish(9200)
                .volume("esdata01", at: "/usr/share/elasticsearch/data")
                .healthCheck(
                    HealthCheck(
                        .shell("curl -s http://localhost:9200 | grep -q 'missing authentication credentials'"),
                        interval: .seconds(10), timeout: .seconds(10), retries: 120, startPeriod: .seconds(0))
                )
                .capabilities(["IPC_LOCK"])
            Service("kibana", image: "docker.elastic.co/kibana/kibana:8.14.1")
                // compose: mem_limit: "1073741824" — not imported: no equivalent in Berth
                .environment("ELASTICSEARCH_HOSTS", "http://es01:9200")
                // ELASTICSEARCH_PASSWORD was a literal credential: the service reads ELASTICSEARCH_PASSWORD_FILE.
                .secret("elasticsearch_password", pathVariable: "ELASTICSEARCH_PASSWORD_FILE")
                .environment("ELASTICSEARCH_USERNAME", "kibana_system")
                .environment("SERVERNAME", "kibana")
                .publish(5601, public: true)
                .volume("kibanadata", at: "/usr/share/kibana/data")
                .mount(.bind("kibana.yml"), at: "/usr/share/kibana/config/kibana.yml", readOnly: true)
                .healthCheck(
                    HealthCheck(
                        .shell("curl -s -I http://localhost:5601 | grep -q 'HTTP/1.1 302 Found'"),
                        interval: .seconds(10), timeout: .seconds(10), retries: 120, startPeriod: .seconds(0))
                )
                .dependsOn("es01", condition: .healthy)
            Service("setup", image: "docker.elastic.co/elasticsearch/elasticsearch:8.14.1")
                .command([
                    "bash", "-c",
                    "\n  until curl -s http://es01:9200 | grep -q \"missing authentication credentials\"; do sleep 5; done;\n  echo \"Setting kibana_system password\";\n  until curl -s -X POST -u \"elastic:not-a-real-password\" -H \"Content-Type: application/json\" http://es01:9200/_security/user/kibana_system/_password -d \"{\\\"password\\\":\\\"not-a-real-password-either\\\"}\" | grep -q \"^{}\"; do sleep 10; done;\n  echo \"All done!\";\n",
                ])
                .dependsOn("es01", condition: .started)
                .restart(.never)
                .user("0")
        }
    }
}
