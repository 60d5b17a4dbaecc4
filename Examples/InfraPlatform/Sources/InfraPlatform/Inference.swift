import Berth

extension InfraPlatform {
    /// Ollama, which serves local language models to the apps on `infra_net`.
    ///
    /// It has no authentication, so it is not routed: only services on the shared network reach
    /// it, at `ollama:11434`. Pulled models are kept in the `ollama-data` volume.
    public static func inferencePart(_ environment: Environment) -> StackPart {
        StackPart {
            Volume("ollama-data")
            Service(ollama.name, image: Images.ollama)
                .environment("OLLAMA_KEEP_ALIVE", "10m")
                .volume("ollama-data", at: "/root/.ollama")
                .networks(network.name)
                .expose(ollama.port)
                // `ollama list` asks the running server, so it fails until the API answers.
                .healthCheck(
                    HealthCheck(
                        .command(["ollama", "list"]), interval: .seconds(30), timeout: .seconds(10), retries: 3,
                        startPeriod: .seconds(10))
                )
                .resources(Resources(cpuLimit: 4, memoryLimit: environment.isProduction ? "16g" : "8g"))
        }
    }
}
