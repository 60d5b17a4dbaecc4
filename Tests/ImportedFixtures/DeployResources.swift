import Berth

/// The `deploy-resources` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum DeployResources {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("deploy-resources") {
            Network("data", internal: true, driver: "overlay")
            // compose: networks.web.attachable is not imported
            Network("web", driver: "overlay")
            Service("checkout", image: "registry.example.test/shop/checkout:4.1.0")
                .environment("PAYMENT_PROVIDER_URL", "https://payments.example.test")
                .networks("data", "web")
                .restart(.never)
                .replicas(2)
                .resources(Resources(cpuLimit: 1, memoryLimit: "512M", memoryReservation: "256M"))
            // compose: deploy.placement (not imported)
            // compose: deploy.restart_policy (not imported)
            // compose: deploy.update_config (not imported)
            Service("frontend", image: "registry.example.test/shop/frontend:4.1.0")
                .publish(80, on: 8080, public: true)
                .networks("web")
                .restart(.never)
                .replicas(3)
                .resources(
                    Resources(cpuLimit: 0.5, memoryLimit: "256M", cpuReservation: 0.25, memoryReservation: "128M"))
            // compose: deploy.endpoint_mode (not imported)
            // compose: deploy.labels (not imported)
            // compose: deploy.mode (not imported)
            // compose: deploy.restart_policy (not imported)
            // compose: deploy.rollback_config (not imported)
            // compose: deploy.update_config (not imported)
            Service("model-runner", image: "registry.example.test/shop/recommendations:0.9.2")
                .networks("data")
                .restart(.never)
            Service("node-agent", image: "registry.example.test/ops/node-agent:1.3.0")
                .networks("data")
                .restart(.never)
                .resources(Resources(memoryLimit: "64M"))
            // compose: deploy.mode (not imported)
            // compose: deploy.restart_policy (not imported)
        }
    }
}
