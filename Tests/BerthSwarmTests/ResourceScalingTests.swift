import BerthCore
import BerthSwarm
import BerthYAML
import Testing

/// Resource classes and their production multiplier: exact, in decimal.
@Suite("Resource classes and scaling")
struct ResourceScalingTests {
    @Test("CPU counts scale without binary rounding")
    func cpus() {
        let scaled = Resources(cpuLimit: 0.1, cpuReservation: 0.05).scaled(by: 3)
        #expect(scaled.cpuLimit == 0.3)
        #expect(scaled.cpuReservation == 0.15)
        #expect(0.1 * 3 != 0.3)  // what plain multiplication gives instead
        #expect(Resources(cpuLimit: 0.05).scaled(by: 1.5).cpuLimit == 0.075)
        #expect(Resources(cpuLimit: 0.00001).scaled(by: 2).cpuLimit == 0.00002)
        #expect(Resources(cpuLimit: 0.5).scaled(by: 2).cpuLimit == 1)
    }

    @Test(
        "memory sizes scale exactly in the unit they were written in",
        arguments: [
            ("256M", 2.0, "512M"), ("1.5G", 2, "3G"), ("1G", 0.5, "0.5G"), ("64m", 1.5, "96m"),
            ("65536k", 3, "196608k"), ("512", 2, "1024"), ("1.5g", 3, "4.5g"), ("100M", 1, "100M"),
        ])
    func memory(_ text: String, _ factor: Double, _ expected: String) throws {
        let scaled = MemorySize(text).scaled(by: factor)
        #expect(scaled.text == expected)
        // And the byte count is exactly the original's times the factor.
        let bytes = try #require(MemorySize(text).bytes)
        #expect(scaled.bytes == Int(Double(bytes) * factor))
    }

    @Test("sizes Docker cannot read and unset values are left alone")
    func leftAlone() {
        #expect(MemorySize("512MB").scaled(by: 2).text == "512MB")
        #expect(Resources().scaled(by: 2) == Resources())
        #expect(Resources(memoryLimit: "1G").scaled(by: 2).cpuLimit == nil)
    }

    @Test("the seed's database class doubled is its production row: 0.20–1.00 CPU, 512M–1G")
    func seedProductionDatabase() throws {
        let production = ResourceClass.database.scaled(2)
        #expect(production.cpuReservation == 0.2)
        #expect(production.cpuLimit == 1)
        #expect(production.memoryReservation?.bytes == MemorySize("512M").bytes)
        #expect(production.memoryLimit?.bytes == MemorySize("1G").bytes)
    }

    @Test(
        "a factor of 1 returns every class unchanged",
        arguments: [ResourceClass.gateway, .database, .monitoring, .exporter])
    func identity(_ resourceClass: ResourceClass) {
        #expect(resourceClass.scaled(1) == resourceClass.resources)
    }

    @Test("scaled resources render as the stack loader reads them")
    func rendered() async throws {
        let stack = oneService(
            Service("db", image: "postgres:16.4").resources(Resources(cpuLimit: 0.1, memoryLimit: "1.5G").scaled(by: 3))
        )
        let document = try await renderChecked(stack)
        #expect(document.root["services", "db", "deploy", "resources", "limits"] == ["cpus": "0.3", "memory": "4.5G"])
    }

    @Test("a service takes a resource class directly")
    func serviceModifier() {
        let service = Service("proxy", image: "traefik:3.2.1").resources(ResourceClass.gateway)
        #expect(service.resources == ResourceClass.gateway.resources)
    }
}
