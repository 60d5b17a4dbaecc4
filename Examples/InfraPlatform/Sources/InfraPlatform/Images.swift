import Berth

extension InfraPlatform {
    /// Every image, pinned: a deploy runs exactly these versions until someone changes a line here.
    public enum Images {
        public static let traefik: Image = "traefik:v3.3.1"
        public static let keycloak: Image = "quay.io/keycloak/keycloak:26.0.7"
        /// The Alpine flavour: the default one is distroless, without a shell or `wget`, so it
        /// could neither read its cookie secret from a file nor run a health check.
        public static let oauth2Proxy: Image = "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1-alpine"
        public static let prometheus: Image = "prom/prometheus:v3.0.1"
        public static let loki: Image = "grafana/loki:3.3.0"
        public static let tempo: Image = "grafana/tempo:2.6.1"
        public static let grafana: Image = "grafana/grafana:11.3.0"
        public static let postgres: Image = "postgres:16.6-alpine"
        public static let redis: Image = "redis:7.4.1-alpine"
        public static let minio: Image = "minio/minio:RELEASE.2024-11-07T00-52-20Z"
        public static let kafka: Image = "apache/kafka:3.9.0"
        public static let ollama: Image = "ollama/ollama:0.4.7"
    }
}
