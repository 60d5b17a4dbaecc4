import BerthProcess
import Foundation
import Testing

@testable import BerthDeploy

@Suite("ProcessRunner.pipe: producer | consumer without a shell")
struct CommandPipelineTests {
    @Test func bytesStreamFromOneProcessToTheOther() async throws {
        let result = try await ProcessRunner().pipe(["head", "-c", "5000000", "/dev/zero"], into: ["wc", "-c"])
        #expect(result.succeeded)
        #expect(result.consumer.standardOutput.trimmed == "5000000")
    }

    @Test func aFailingProducerIsReportedWithItsErrorText() async throws {
        let result = try await ProcessRunner().pipe(["cat", "/nonexistent/berth"], into: ["wc", "-c"])
        #expect(!result.succeeded)
        #expect(result.producer.exitCode != 0)
        #expect(result.producer.standardError.contains("/nonexistent/berth"))
    }

    @Test func aConsumerThatGivesUpStopsAnEndlessProducer() async throws {
        let started = ContinuousClock().now
        let result = try await ProcessRunner().pipe(["cat", "/dev/zero"], into: ["head", "-c", "1"])
        #expect(result.consumer.succeeded)
        #expect(ContinuousClock().now - started < .seconds(10))
        let failed = try await ProcessRunner().pipe(["cat", "/dev/zero"], into: ["false"])
        #expect(failed.consumer.exitCode == 1)
    }

    @Test func aProcessStartedMeanwhileDoesNotHoldTheStreamOpen() async throws {
        // Another command started while the pipeline runs must not inherit the pipe's writing
        // end: the consumer would then wait for it to exit before it saw the end of the stream.
        // The sleeper outlives any delay a loaded machine adds: a pipeline that waited for it
        // takes 60 s, one that did not takes well under 30 s. Leaving the scope cancels (and so
        // ends) the sleeper without reading it.
        let runner = ProcessRunner()
        let started = ContinuousClock().now
        async let _ = runner.run(["sleep", "60"], input: nil)
        let result = try await runner.pipe(["head", "-c", "100000", "/dev/zero"], into: ["wc", "-c"])
        #expect(result.consumer.standardOutput.trimmed == "100000")
        #expect(ContinuousClock().now - started < .seconds(30))
    }

    @Test func aMissingExecutableIsNamed() async throws {
        await #expect(throws: CommandError.self) {
            try await ProcessRunner().pipe(["berth-no-such-command"], into: ["wc", "-c"])
        }
    }

    @Test("three commands: encrypted and decrypted on the way, the middle one's failure stops the others")
    func threeCommands() async throws {
        let key = try TemporaryDirectory("berth-pipeline")
        defer { key.remove() }
        let file = key.url.appendingPathComponent("key")
        try Data("correct horse".utf8).write(to: file)
        let encrypt = [
            "openssl", "enc", "-e", "-aes-256-cbc", "-pbkdf2", "-iter", "1000", "-pass", "file:\(file.path)",
        ]
        let decrypt = [
            "openssl", "enc", "-d", "-aes-256-cbc", "-pbkdf2", "-iter", "1000", "-pass", "file:\(file.path)",
        ]
        let runner = ProcessRunner()
        let sizes = try await runner.pipeline([["head", "-c", "3000000", "/dev/zero"], encrypt, ["wc", "-c"]])
        #expect(sizes.allSatisfy { $0.succeeded })
        // Salt header, and padding to the next block.
        #expect(Int(sizes[2].standardOutput.trimmed) == 3_000_000 + 16 + 16)

        let text = try await runner.pipeline([["printf", "berth"], encrypt])
        #expect(text.count == 2 && text[1].standardOutput.hasPrefix("Salted__"))

        let garbage = try await runner.pipeline([["head", "-c", "100000", "/dev/urandom"], decrypt, ["wc", "-c"]])
        #expect(garbage[1].exitCode != 0 && garbage[1].standardError.contains("bad"))
        #expect(!garbage.allSatisfy { $0.succeeded })

        let cancelled = try await runner.pipeline([["cat", "/dev/zero"], ["cat"], ["false"]])
        #expect(cancelled[2].exitCode == 1 && cancelled[0].exitCode != 0)
    }
}

@Suite("Command.run with a time limit")
struct CommandTimeoutTests {
    @Test("a program that ignores SIGTERM and leaves a child holding its output is stopped, child and all")
    func stubbornProgram() async throws {
        let started = ContinuousClock().now
        let outcome = try await Command.run(
            ["/bin/sh", "-c", "trap '' TERM; sleep 67; echo late"], timeout: .seconds(1))
        #expect(outcome == nil)
        // SIGTERM ignored, SIGKILL ten seconds later; the `sleep` holding the output ends with it.
        #expect(ContinuousClock().now - started < .seconds(20))
        // The child got the SIGTERM its parent ignored: nothing of the command is left.
        let left = try await Command.run(["pgrep", "-f", "sleep 67"])
        #expect(left.status == 1, "left running: \(left.outputText)")
    }
}
