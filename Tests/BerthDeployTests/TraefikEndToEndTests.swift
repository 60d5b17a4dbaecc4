import BerthCore
import BerthGateway
import Foundation
import Testing

@testable import BerthDeploy

/// Berth's Traefik validator against generated label sets, before any engine: it must accept
/// every valid set and refuse every invalid one. ``TraefikEndToEndTests`` then asks the real
/// Traefik about the same sets.
@Suite("Traefik label sets: Berth's validator")
struct TraefikLabelSetTests {
    static let valid = TraefikLabelSets.valid(count: 30, seed: 0x7EAF_1C)
    static let invalid = TraefikLabelSets.invalid(count: 30, seed: 0xBAD_1AB)

    /// The errors Berth reports before a deploy for a service with the set's labels.
    static func errors(_ set: TraefikLabelSet) -> [Diagnostic] {
        var service = Service(set.name, image: "berth-test/busybox:1").label("traefik.enable", "true")
        for label in set.labels { service = service.label(label.key, label.value) }
        let stack = Stack("traefik-label-sets") { service }
        return Preflight.modelDiagnostics(of: stack, for: Environment("dev")).filter { $0.severity == .error }
    }

    @Test("accepts every valid set", arguments: valid)
    func acceptsValid(_ set: TraefikLabelSet) {
        let errors = Self.errors(set)
        #expect(errors.isEmpty, "\(errors.map(\.message))\n\(set.labels.map { "\($0.key)=\($0.value)" })")
    }

    @Test("refuses every invalid set", arguments: invalid)
    func refusesInvalid(_ set: TraefikLabelSet) {
        #expect(!Self.errors(set).isEmpty, "\(set.labels.map { "\($0.key)=\($0.value)" })")
    }

    @Test("the sets are varied: every mistake, every matcher and a dozen middleware types")
    func variety() {
        #expect(Set(Self.invalid.map(\.feature)).count == 19)
        let rules = Self.valid.flatMap { $0.labels.filter { $0.key.hasSuffix(".rule") }.map(\.value) }.joined()
        for matcher in [
            "Host(", "HostRegexp(", "Path(", "PathPrefix(", "PathRegexp(", "Header(", "HeaderRegexp(", "Method(",
            "Query(", "QueryRegexp(", "ClientIP(", "&&", "||", "!",
        ] {
            #expect(rules.contains(matcher), "no valid rule uses \(matcher)")
        }
        let kinds = Set(
            Self.valid.flatMap { $0.labels.map(\.key) }.compactMap { key -> String? in
                let parts = key.split(separator: ".")
                return parts.count > 4 && parts[2] == "middlewares" ? String(parts[4]) : nil
            })
        #expect(kinds.count >= 10, "\(kinds.sorted())")
    }
}

/// The real Traefik v3 (`berth-test/traefik:3`) reading what Berth writes and what it accepts.
@Suite(
    "End to end: the real Traefik",
    .serialized,
    .enabled(
        if: RealEngine.shouldRun,
        "needs a Docker engine (see the WARNING line); BERTH_ENGINE_REQUIRED=1 makes it required"),
    .timeLimit(.minutes(5)))
struct TraefikEndToEndTests {
    /// Skips (loudly) when the engine has no Traefik image, which only `scripts/engine.sh up`
    /// builds; required runs fail instead.
    static func requireImage() async throws -> Bool {
        try RealEngine.require()
        if await RealTraefik.imageIsAvailable() { return true }
        if RealEngine.isRequired {
            Issue.record("\(RealTraefik.image) is not on the engine: run scripts/engine.sh up")
        } else {
            print(
                "WARNING: \(RealTraefik.image) is not on the engine: the real-Traefik test is SKIPPED (scripts/engine.sh up builds it)."
            )
        }
        return false
    }

    @Test("enables every router of the 30 valid sets and refuses all 30 invalid sets, as Berth's validator does")
    func labelSets() async throws {
        guard try await Self.requireImage() else { return }
        let valid = TraefikLabelSetTests.valid
        let invalid = TraefikLabelSetTests.invalid
        let started = ContinuousClock.now
        try await RealTraefik.with(run: RealEngine.uniqueName("traefik-sets")) { traefik in
            // One container per set: a set Traefik cannot decode takes only its own container down.
            try await withThrowingTaskGroup(of: Void.self) { group in
                var running = 0
                for set in valid + invalid {
                    if running == 6 {
                        try await group.next()
                        running -= 1
                    }
                    group.addTask { try await traefik.container(set.name, labels: set.pairs) }
                    running += 1
                }
                try await group.waitForAll()
            }
            // Traefik has seen a set when its routers are listed, or when its log names the
            // container it dropped or the router it could not link. Bounded: 60 reads, 30 s.
            func seen(_ set: TraefikLabelSet, _ data: RawData, _ logs: String) -> Bool {
                set.routers.allSatisfy { data.router($0) != nil }
                    || logs.contains("\(traefik.run)-\(set.name)-") || set.routers.contains { logs.contains($0) }
            }
            var data = RawData([:])
            var logs = ""
            for attempt in 1...60 {
                data = await traefik.rawdata() ?? data
                logs = await traefik.logs(tail: nil)
                let done =
                    valid.allSatisfy { set in set.routers.allSatisfy { data.router($0) != nil } }
                    && invalid.allSatisfy { seen($0, data, logs) }
                if done { break }
                if attempt < 60 { try await Task.sleep(for: .milliseconds(500)) }
            }
            let final = data
            for set in invalid where !seen(set, data, logs) {
                print("real Traefik: \(set.testDescription) is neither listed nor named in the log")
            }
            for set in valid {
                for router in set.routers {
                    let entry = final.router(router)
                    #expect(
                        entry?.status == "enabled",
                        "\(set.testDescription): router \(router) is \(entry?.status ?? "missing"): \(entry?.errors ?? [])"
                    )
                }
                for middleware in set.middlewares {
                    #expect(
                        final.middlewares["\(middleware)@docker"]?.status == "enabled", "\(set.name): \(middleware)")
                }
                for service in set.services {
                    #expect(final.services["\(service)@docker"]?.status == "enabled", "\(set.name): \(service)")
                }
            }
            for set in invalid {
                for router in set.routers {
                    if let entry = final.router(router) {
                        #expect(
                            entry.status == "disabled",
                            "\(set.testDescription): Traefik enabled router \(router), which Berth refuses: \(set.labels.map { "\($0.key)=\($0.value)" })"
                        )
                    } else {
                        // Dropped with its container (labels it cannot decode) or alone (no service
                        // to link it to): Traefik says so in its log.
                        #expect(
                            logs.contains("\(traefik.run)-\(set.name)-") || logs.contains(router),
                            "\(set.testDescription): router \(router) is neither listed nor named in Traefik's log")
                    }
                }
            }
        }
        print("real Traefik: 60 label sets checked in \(ContinuousClock.now - started)")
    }
}
