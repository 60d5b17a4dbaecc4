import Testing

@testable import BerthCore

/// Every initialiser and modifier records the file and line it was written on.
@Suite("Source locations")
struct SourceLocationTests {
    @Test func descriptionIsFileColonLine() {
        #expect(
            BerthCore.SourceLocation(fileID: "App/Deploy.swift", line: 42).description
                == "App/Deploy.swift:42")
    }

    @Test func fileIDIsTheTestFile() {
        #expect(#fileID == "BerthCoreTests/SourceLocationTests.swift")
        let service = Service("web", image: "nginx:1.27")
        #expect(service.location.fileID == "BerthCoreTests/SourceLocationTests.swift")
    }

    @Test func elements() {
        let (service, serviceLine) = (Service("web", image: "nginx:1.27"), #line)
        let (network, networkLine) = (Network("backend"), #line)
        let (externalNetwork, externalNetworkLine) = (Network.external("proxy"), #line)
        let (volume, volumeLine) = (Volume("data"), #line)
        let (externalVolume, externalVolumeLine) = (Volume.external("backups"), #line)
        let (secret, secretLine) = (Secret("key", .environment("KEY")), #line)
        let (generated, generatedLine) = (Secret.generated("session"), #line)
        let (config, configLine) = (Config("conf", .content("x")), #line)
        let (check, checkLine) = (HealthCheck(.shell("true")), #line)
        let (httpCheck, httpCheckLine) = (HealthCheck.http(port: 80), #line)
        #expect(service.location == here(serviceLine))
        #expect(network.location == here(networkLine))
        #expect(externalNetwork.location == here(externalNetworkLine))
        #expect(volume.location == here(volumeLine))
        #expect(externalVolume.location == here(externalVolumeLine))
        #expect(secret.location == here(secretLine))
        #expect(generated.location == here(generatedLine))
        #expect(config.location == here(configLine))
        #expect(check.location == here(checkLine))
        #expect(httpCheck.location == here(httpCheckLine))
    }

    @Test func stack() {
        let (stack, line) = (Stack("shop") {}, #line)
        #expect(stack.location == here(line))
    }

    @Test func elementsInsideAStackKeepTheirOwnLines() {
        // `#line` must stay on the line of `Stack(`.
        // swift-format-ignore
        let (stackLine, stack) = (#line, Stack("shop") {
            Network("backend")  // stackLine + 1
            Service("web", image: "nginx:1.27")  // stackLine + 2
        })
        #expect(stack.location == here(stackLine))
        #expect(stack.networks.first?.location == here(stackLine + 1))
        #expect(stack.services.first?.location == here(stackLine + 2))
    }

    @Test func modifiersRecordTheirOwnLine() {
        let (base, baseLine) = (Service("web", image: "nginx:1.27"), #line)
        let (withEnvironment, environmentLine) = (base.environment("MODE", "prod"), #line)
        let (withValue, valueLine) = (base.environment("TAG", .interpolated("${TAG}")), #line)
        let (withPairs, pairsLine) = (base.environment(["A": "1"]), #line)
        let (exposed, exposeLine) = (base.expose(80), #line)
        let (published, publishLine) = (base.publish(80), #line)
        let (withVolume, volumeLine) = (base.volume("data", at: "/data"), #line)
        let (withMount, mountLine) = (base.mount(.tmpfs(sizeBytes: nil), at: "/tmp"), #line)
        let (withSecret, secretLine) = (base.secret("key"), #line)
        let (withConfig, configLine) = (base.config("conf", at: "/etc/conf"), #line)
        let (withDependency, dependencyLine) = (base.dependsOn("db"), #line)
        let (withLabel, labelLine) = (base.label("a", "b"), #line)

        // The service keeps the line of its initialiser.
        #expect(withEnvironment.location == here(baseLine))
        #expect(withEnvironment.environment.first?.location == here(environmentLine))
        #expect(withValue.environment.first?.location == here(valueLine))
        #expect(withPairs.environment.first?.location == here(pairsLine))
        #expect(exposed.ports.first?.location == here(exposeLine))
        #expect(published.ports.first?.location == here(publishLine))
        #expect(withVolume.mounts.first?.location == here(volumeLine))
        #expect(withMount.mounts.first?.location == here(mountLine))
        #expect(withSecret.secrets.first?.location == here(secretLine))
        #expect(withConfig.configs.first?.location == here(configLine))
        #expect(withDependency.dependencies.first?.location == here(dependencyLine))
        #expect(withLabel.labels.first?.location == here(labelLine))
    }

    @Test func chainedModifiersOnSeparateLines() {
        // `#line` must stay on the line of `Service(`.
        // swift-format-ignore
        let (line, service) = (#line, Service("web", image: "nginx:1.27")
            .publish(80)  // line + 1
            .dependsOn("db")  // line + 2
            .secret("key"))  // line + 3
        #expect(service.location == here(line))
        #expect(service.ports.first?.location == here(line + 1))
        #expect(service.dependencies.first?.location == here(line + 2))
        #expect(service.secrets.first?.location == here(line + 3))
    }
}
