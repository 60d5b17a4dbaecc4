import Foundation

/// The outcome of two commands run as `producer | consumer`.
public struct PipelineResult: Sendable, Hashable {
    /// The producer's exit status and error text; its output went to the consumer.
    public var producer: CommandResult
    /// The consumer's exit status, output and error text.
    public var consumer: CommandResult

    /// Creates a result.
    public init(producer: CommandResult, consumer: CommandResult) {
        self.producer = producer
        self.consumer = consumer
    }

    /// Whether both commands exited with status 0.
    public var succeeded: Bool { producer.succeeded && consumer.succeeded }
}

extension CommandRunner {
    /// Runners that replay recorded output cannot stream bytes between two commands; the
    /// recorded-output runners of tests implement it themselves when they need it.
    public func pipe(_ producer: [String], into consumer: [String]) async throws -> PipelineResult {
        throw CommandError.cannotStart(
            producer.first ?? "", "\(type(of: self)) cannot stream one command's output into another")
    }
}

extension CommandRunner {
    /// Runs `first | second | …`. Runners that cannot stream answer two commands with
    /// ``pipe(_:into:)`` and refuse more.
    public func pipeline(_ commands: [[String]]) async throws -> [CommandResult] {
        guard commands.count == 2 else {
            throw CommandError.cannotStart(
                commands.first?.first ?? "", "\(type(of: self)) cannot stream through \(commands.count) commands")
        }
        let result = try await pipe(commands[0], into: commands[1])
        return [result.producer, result.consumer]
    }
}
