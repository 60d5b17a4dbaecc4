import Testing

@testable import BerthCore

@Suite("Diagnostic")
struct DiagnosticTests {
    @Test func descriptionWithLocation() throws {
        let web = Service("web", image: "nginx:1.27")
        let (service, line) = (web.volume("data", at: "/data"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(
            diagnostic.description
                == "BerthCoreTests/DiagnosticTests.swift:\(line): error: [undeclared-volume] service 'web': It mounts volume 'data', which the stack does not declare. Fix: Declare Volume(\"data\") in the stack, or correct the name."
        )
        #expect("\(diagnostic)" == diagnostic.description)
    }

    @Test func descriptionOfAWarning() throws {
        let (service, line) = (Service("cache", image: "redis"), #line)
        let diagnostic = try onlyDiagnostic(of: Stack("shop") { service })
        #expect(
            diagnostic.description
                == "BerthCoreTests/DiagnosticTests.swift:\(line): warning: [unpinned-image] service 'cache': The image 'redis' has neither tag nor digest, so every deploy may run a different version. Fix: Pin the image with a tag or a digest, for example \"redis:1.0\"."
        )
    }

    @Test func descriptionWithoutLocation() {
        let diagnostic = Diagnostic(
            .note, .lossyRendering, element: "service 'web'", message: "Something is dropped.",
            fix: "Do this.",
            location: nil)
        #expect(
            diagnostic.description
                == "note: [lossy-rendering] service 'web': Something is dropped. Fix: Do this.")
    }

    @Test func severitiesAreOrdered() {
        #expect(Diagnostic.Severity.note < .warning)
        #expect(Diagnostic.Severity.warning < .error)
        #expect(Diagnostic.Severity.note < .error)
        #expect(!(Diagnostic.Severity.error < .error))
        #expect([Diagnostic.Severity.error, .note, .warning].sorted() == [.note, .warning, .error])
    }

    @Test func codesHaveStableRawValues() {
        let codes: [(Diagnostic.Code, String)] = [
            (.invalidName, "invalid-name"), (.duplicateName, "duplicate-name"),
            (.undeclaredNetwork, "undeclared-network"), (.undeclaredVolume, "undeclared-volume"),
            (.undeclaredSecret, "undeclared-secret"), (.undeclaredConfig, "undeclared-config"),
            (.undeclaredService, "undeclared-service"), (.dependencyCycle, "dependency-cycle"),
            (.healthyDependencyWithoutCheck, "healthy-dependency-without-check"),
            (.portConflict, "port-conflict"),
            (.invalidPort, "invalid-port"), (.invalidDuration, "invalid-duration"),
            (.invalidMemorySize, "invalid-memory-size"), (.invalidCPUCount, "invalid-cpu-count"),
            (.invalidCount, "invalid-count"), (.invalidHealthCheck, "invalid-health-check"),
            (.invalidPath, "invalid-path"), (.duplicateEnvironmentKey, "duplicate-environment-key"),
            (.secretInEnvironment, "secret-in-environment"), (.secretOnCommandLine, "secret-on-command-line"),
            (.composedEnvironment, "composed-environment"), (.invalidReleaseTask, "invalid-release-task"),
            (.invalidOptionalSecret, "invalid-optional-secret"),
            (.unpinnedImage, "unpinned-image"),
            (.invalidImage, "invalid-image"), (.lossyRendering, "lossy-rendering"), (.nulByte, "nul-byte"),
            (.missingFile, "missing-file"),
        ]
        for (code, rawValue) in codes {
            #expect(code.rawValue == rawValue)
            #expect(code.description == rawValue)
        }
        #expect(Set(codes.map(\.1)).count == codes.count)
    }

    @Test func errorFilters() {
        func make(_ severity: Diagnostic.Severity) -> Diagnostic {
            Diagnostic(severity, .invalidName, element: "x", message: "m", fix: "f", location: nil)
        }
        let mixed = [make(.warning), make(.error), make(.note), make(.error)]
        #expect(mixed.containsErrors)
        #expect(mixed.errors.map(\.severity) == [.error, .error])
        #expect(![make(.warning), make(.note)].containsErrors)
        #expect([make(.warning)].errors.isEmpty)
        #expect(![Diagnostic]().containsErrors)
    }
}
