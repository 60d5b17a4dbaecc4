import Berth

extension InfraPlatform {
    /// Kafka, one node in KRaft mode: the same process is broker and controller, so there is no
    /// ZooKeeper.
    ///
    /// Clients connect to `kafka:9092` on `infra_net`; nothing outside the server reaches it. The
    /// cluster ID identifies the data directory's cluster and is formatted into it at the first
    /// start; it is an identifier, not a secret.
    public static func messagingPart(_ environment: Environment) -> StackPart {
        StackPart {
            Volume("kafka-1-data")
            kafkaService(environment)
        }
    }

    /// The KRaft cluster ID, 16 bytes in URL-safe Base64 as `kafka-storage.sh random-uuid` prints it.
    static let kafkaClusterID = "Zq3xM0vLT8SmIn3y2sUb1A"

    static func kafkaService(_ environment: Environment) -> Service {
        Service(kafka.name, image: Images.kafka)
            .environment([
                "CLUSTER_ID": kafkaClusterID,
                "KAFKA_NODE_ID": "1",
                "KAFKA_PROCESS_ROLES": "broker,controller",
                "KAFKA_LISTENERS": "PLAINTEXT://:\(kafka.port),CONTROLLER://:9093",
                "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://\(kafka.address)",
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
                "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@\(kafka.host):9093",
                "KAFKA_INTER_BROKER_LISTENER_NAME": "PLAINTEXT",
                "KAFKA_LOG_DIRS": "/var/lib/kafka/data",
                // One node: every internal topic has one replica.
                "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
                "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
                "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
                "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
                "KAFKA_LOG_RETENTION_HOURS": environment.isProduction ? "168" : "24",
                "KAFKA_HEAP_OPTS": environment.isProduction ? "-Xms1g -Xmx1g" : "-Xms512m -Xmx512m",
            ])
            .volume("kafka-1-data", at: "/var/lib/kafka/data")
            .networks(network.name)
            .expose(kafka.port)
            .healthCheck(
                // The check's client JVM gets a small heap: it would otherwise take the broker's.
                HealthCheck(
                    .shell(
                        "KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:\(kafka.port) > /dev/null"
                    ),
                    interval: .seconds(30), timeout: .seconds(20), retries: 5, startPeriod: .seconds(30))
            )
            .resources(Resources(cpuLimit: 2, memoryLimit: environment.isProduction ? "2g" : "1g"))
    }
}
