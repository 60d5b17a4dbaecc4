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

extension ProcessRunner {
    /// Runs `producer | consumer` as two processes joined by a pipe, without a shell.
    public func pipe(_ producer: [String], into consumer: [String]) async throws -> PipelineResult {
        let results = try await pipeline([producer, consumer])
        return PipelineResult(producer: results[0], consumer: results[1])
    }

    /// Runs `first | second | …` as processes joined by pipes, without a shell.
    ///
    /// The bytes go from one process to the next through the kernel's pipe buffers and never
    /// through this process, so a stream of any size takes no memory here. When a command
    /// fails, every other one still running is stopped: a consumer that gave up leaves its
    /// producer blocked on a full pipe otherwise. Cancelling the task stops them all.
    /// - Returns: Each command's exit status and error text, in order; the last one's output too.
    public func pipeline(_ commands: [[String]]) async throws -> [CommandResult] {
        guard !commands.isEmpty else { return [] }
        let processes = try commands.map { try makeProcess($0) }
        let links = (0..<(commands.count - 1)).map { _ in Pipe() }
        let errors = commands.map { _ in Pipe() }
        let output = Pipe()
        for (index, process) in processes.enumerated() {
            process.standardInput = index == 0 ? FileHandle.nullDevice : links[index - 1]
            process.standardOutput = index == processes.count - 1 ? output : links[index]
            process.standardError = errors[index]
        }
        // Each exit is reported by the process's termination handler, not waited for with
        // `waitUntilExit()`, which on a thread without a run loop (any thread but the main
        // one) spins a core for as long as the command runs: a whole core per stage, taken from
        // the very commands streaming the bytes. A command that fails stops the others: a
        // consumer that gave up leaves its producer blocked on a full pipe otherwise.
        let exited = DispatchGroup()
        for process in processes {
            process.terminationHandler = { finished in
                if finished.terminationStatus != 0 {
                    for other in processes where other !== finished && other.isRunning { other.terminate() }
                }
                exited.leave()
            }
        }
        defer {
            // The handlers hold the processes: let them go.
            for process in processes { process.terminationHandler = nil }
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                // Reading the error streams to their ends blocks: threads of their own, as in `run`.
                Thread.detachNewThread {
                    // Each command starts before the one reading from it, so no reader ever holds
                    // the writing end of its own input and each sees the end of its stream.
                    for (index, process) in processes.enumerated() {
                        exited.enter()
                        do {
                            try process.run()
                        } catch {
                            // This one never ran, so no handler leaves for it.
                            exited.leave()
                            for started in processes[..<index] { started.terminate() }
                            exited.wait()
                            continuation.resume(
                                throwing: CommandError.cannotStart(commands[index][0], error.localizedDescription))
                            return
                        }
                    }
                    // This process's copies of the pipes' ends would keep each reader waiting
                    // for more input after its writer is done.
                    for link in links {
                        try? link.fileHandleForWriting.close()
                        try? link.fileHandleForReading.close()
                    }
                    let errorTexts = errors.map(Self.drain)
                    let outputText = Self.drain(output)
                    exited.wait()
                    continuation.resume(
                        returning: processes.enumerated().map { index, process in
                            CommandResult(
                                exitCode: process.terminationStatus,
                                standardOutput: index == processes.count - 1 ? outputText.wait() : "",
                                standardError: errorTexts[index].wait())
                        })
                }
            }
        } onCancel: {
            for process in processes where process.isRunning { process.terminate() }
        }
    }

    /// Reads a pipe to its end on a thread of its own; a full pipe would block its writer.
    private static func drain(_ pipe: Pipe) -> DrainedText {
        let text = DrainedText()
        Thread.detachNewThread {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            text.finish(String(decoding: data, as: UTF8.self))
        }
        return text
    }
}

/// Text read by another thread, handed over once it is complete.
private final class DrainedText: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var text = ""

    func finish(_ value: String) {
        text = value
        done.signal()
    }

    /// Blocks until the text is complete.
    func wait() -> String {
        done.wait()
        // Once the semaphore is taken the text never changes; signal again for a second reader.
        done.signal()
        return text
    }
}
