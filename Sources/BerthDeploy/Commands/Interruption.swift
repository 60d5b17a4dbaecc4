import Foundation

/// A command stopped by `SIGINT` or `SIGTERM`.
///
/// The signal cancels the command's task instead of ending the process. A `docker compose`
/// that is creating or replacing containers runs to its end (stopped halfway, it would leave a
/// container under a temporary name); any other docker command is stopped. Then the deploy
/// lock is released and the process exits with 128 + the signal's number, as a shell reports it. Whatever the command left half-done, the next `up` converges
/// from: `plan` shows it as drift.
struct Interruption: Error, CustomStringConvertible {
    /// The signal's number.
    var number: Int32

    var status: Int32 { 128 + number }

    var description: String {
        "Interrupted by \(number == SIGINT ? "SIGINT" : "SIGTERM"): stopped cleanly and released the deploy lock. Run `plan` to see where the stack stands; `up` converges from there."
    }

    /// Runs `body` as a task that `SIGINT` and `SIGTERM` cancel.
    static func run(_ body: @escaping @Sendable () async throws -> Int32) async throws -> Int32 {
        let received = Received()
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                received.set(number)
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
        }
        do {
            let status = try await task.value
            if let number = received.value { throw Interruption(number: number) }
            return status
        } catch {
            if let number = received.value { throw Interruption(number: number) }
            throw error
        }
    }

    private final class Received: @unchecked Sendable {
        private let lock = NSLock()
        private var number: Int32?
        var value: Int32? { lock.withLock { number } }
        func set(_ value: Int32) { lock.withLock { number = value } }
    }
}
