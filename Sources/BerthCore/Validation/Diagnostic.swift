/// A problem found in a stack, with where it was written and how to fix it.
///
/// Validation collects every diagnostic at once instead of stopping at the first, so a user
/// fixes all of them in one pass. Errors stop a deploy before any engine is touched; warnings
/// are printed and the deploy goes on.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How serious a problem is.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case note, warning, error

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.note, .warning, .error]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// How serious the problem is.
    public var severity: Severity
    /// A stable identifier for the kind of problem (`undeclared-network`), for tests and docs.
    public var code: Code
    /// The element concerned, as the user named it (`service 'web'`).
    public var element: String
    /// What is wrong.
    public var message: String
    /// What to change.
    public var fix: String
    /// Where the element was written, when known.
    public var location: SourceLocation?

    /// The key under which a part of a stack that checks its own options when it makes its
    /// services (an nginx gateway, the monitoring) leaves its diagnostics, as JSON, in a
    /// service's ``Service/attachments``; the deploy's preflight reports them with the rest.
    public static let attachmentKey = "berth.diagnostics"

    /// Creates a diagnostic.
    public init(
        _ severity: Severity,
        _ code: Code,
        element: String,
        message: String,
        fix: String,
        location: SourceLocation?
    ) {
        self.severity = severity
        self.code = code
        self.element = element
        self.message = message
        self.fix = fix
        self.location = location
    }

    /// The diagnostic in the `file:line: severity: message` form compilers and editors read.
    public var description: String { formatted { $0.rawValue } }

    /// The ``description`` with the severity's word as `style` writes it: a terminal colours
    /// the word alone, so the `file:line: severity:` form stays intact.
    public func formatted(
        severity style: (Severity) -> String, place: (SourceLocation) -> String = { $0.description }
    ) -> String {
        let place = location.map { "\(place($0)): " } ?? ""
        return "\(place)\(style(severity)): [\(code.rawValue)] \(element): \(message) Fix: \(fix)"
    }
}

extension Diagnostic {
    /// A stable identifier for a kind of problem.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidName = Code(rawValue: "invalid-name")
        public static let duplicateName = Code(rawValue: "duplicate-name")
        public static let undeclaredNetwork = Code(rawValue: "undeclared-network")
        public static let undeclaredVolume = Code(rawValue: "undeclared-volume")
        public static let undeclaredSecret = Code(rawValue: "undeclared-secret")
        public static let undeclaredConfig = Code(rawValue: "undeclared-config")
        public static let undeclaredService = Code(rawValue: "undeclared-service")
        public static let dependencyCycle = Code(rawValue: "dependency-cycle")
        public static let healthyDependencyWithoutCheck = Code(rawValue: "healthy-dependency-without-check")
        public static let portConflict = Code(rawValue: "port-conflict")
        public static let invalidPort = Code(rawValue: "invalid-port")
        public static let invalidDuration = Code(rawValue: "invalid-duration")
        public static let invalidMemorySize = Code(rawValue: "invalid-memory-size")
        public static let invalidCPUCount = Code(rawValue: "invalid-cpu-count")
        public static let invalidCount = Code(rawValue: "invalid-count")
        public static let invalidHealthCheck = Code(rawValue: "invalid-health-check")
        public static let invalidPath = Code(rawValue: "invalid-path")
        public static let duplicateEnvironmentKey = Code(rawValue: "duplicate-environment-key")
        /// A service sets a variable an ``EnvironmentGroup`` it applies sets too; the service's wins.
        public static let overriddenGroupVariable = Code(rawValue: "overridden-group-variable")
        public static let secretInEnvironment = Code(rawValue: "secret-in-environment")
        /// A command or entrypoint gives a password or token as a literal flag value.
        public static let secretOnCommandLine = Code(rawValue: "secret-on-command-line")
        /// A variable composed from secrets (``SecretTemplate``) that the shim cannot start.
        public static let composedEnvironment = Code(rawValue: "composed-environment")
        /// A release task (``ReleaseTask``) that cannot run.
        public static let invalidReleaseTask = Code(rawValue: "invalid-release-task")
        /// A job's ``Schedule`` that is not a cron expression, or a job that cannot run on one.
        public static let invalidSchedule = Code(rawValue: "invalid-schedule")
        /// A capability Linux does not have (``CapabilitySet``).
        public static let invalidCapability = Code(rawValue: "invalid-capability")
        /// A backup policy (``Backup``) that cannot run: what it copies, where to, or its key.
        public static let invalidBackup = Code(rawValue: "invalid-backup")
        /// A log driver's option that cannot work (``LogPolicy``).
        public static let invalidLogging = Code(rawValue: "invalid-logging")
        /// ``Secret/optional()`` on a secret whose source cannot be missing.
        public static let invalidOptionalSecret = Code(rawValue: "invalid-optional-secret")
        public static let unpinnedImage = Code(rawValue: "unpinned-image")
        public static let invalidImage = Code(rawValue: "invalid-image")
        public static let lossyRendering = Code(rawValue: "lossy-rendering")
        /// A string that reaches the engine holds a NUL byte (U+0000), which ends a C string.
        public static let nulByte = Code(rawValue: "nul-byte")
        /// A file the description reads (a config's source) does not exist.
        public static let missingFile = Code(rawValue: "missing-file")
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var containsErrors: Bool { contains { $0.severity == .error } }

    /// The errors only.
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
}
