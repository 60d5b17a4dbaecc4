import Berth

extension NextCandle {
    /// Every image, pinned: a deploy runs exactly these versions until someone changes a line here.
    public enum Images {
        // The environment stack: the seed's Traefik v3.6, PostgreSQL 17 + pgvector, Redis 7.4.
        public static let traefik: Image = "traefik:v3.6.1"
        /// 2025.4.0 is the first cloudflared that reads `TUNNEL_TOKEN_FILE`.
        public static let cloudflared: Image = "cloudflare/cloudflared:2025.4.0"
        public static let postgres: Image = "pgvector/pgvector:0.8.0-pg17"
        public static let redis: Image = "redis:7.4.1-alpine"

        // The shared stack.
        public static let minio: Image = "minio/minio:RELEASE.2025-04-22T22-12-26Z"
        public static let prometheus: Image = "prom/prometheus:v3.4.0"
        public static let grafana: Image = "grafana/grafana:12.0.0"
        public static let loki: Image = "grafana/loki:3.5.0"
        public static let promtail: Image = "grafana/promtail:3.5.0"
        public static let redisExporter: Image = "oliver006/redis_exporter:v1.67.0"
        public static let nodeExporter: Image = "prom/node-exporter:v1.9.1"
        public static let cadvisor: Image = "gcr.io/cadvisor/cadvisor:v0.49.1"
        public static let n8n: Image = "n8nio/n8n:1.91.3"
    }
}
