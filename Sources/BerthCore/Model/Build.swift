/// How Berth builds a service's image from the application's own sources, so that a stack can
/// be deployed without a registry.
///
/// Declare it with ``Service/build(context:dockerfile:target:args:fileID:line:)``. Berth builds
/// the image on this machine's engine, tags it with a hash of everything the build reads (see
/// ``Service/build``), and ships it to the target engine when that is another machine.
public struct Build: Sendable, Hashable, Codable {
    /// The folder sent to the builder, relative to the package directory.
    public var context: String
    /// The Dockerfile, relative to ``context``.
    public var dockerfile: String
    /// The stage of a multi-stage Dockerfile to build, or `nil` for the last one.
    public var target: String?
    /// Build arguments (`ARG`), by name.
    public var arguments: [String: String]
    /// Where the user declared the build.
    public var location: SourceLocation

    /// Creates a build description.
    /// - Parameters:
    ///   - context: The folder sent to the builder, relative to the package directory.
    ///   - dockerfile: The Dockerfile, relative to `context`.
    ///   - target: The stage to build, or `nil` for the last one.
    ///   - arguments: Values for the Dockerfile's `ARG`s.
    public init(
        context: String, dockerfile: String = "Dockerfile", target: String? = nil, arguments: [String: String] = [:],
        location: SourceLocation
    ) {
        self.context = context
        self.dockerfile = dockerfile
        self.target = target
        self.arguments = arguments
        self.location = location
    }

    /// The repository a built image gets when the service names none: `berth-build/<stack>-<service>`.
    ///
    /// The `berth-build/` prefix keeps built images apart from pulled ones in `docker image ls`,
    /// and no registry serves it, so an engine never pulls something else under that name.
    public static func defaultRepository(stack: String, service: String) -> String {
        "berth-build/\(stack)-\(service)"
    }
}

extension Service {
    /// Declares a service whose image Berth builds; follow it with
    /// ``build(context:dockerfile:target:args:fileID:line:)``.
    ///
    /// The image is called `berth-build/<stack>-<service>`; to name its repository yourself
    /// (`ghcr.io/acme/web`), use ``init(_:image:fileID:line:)`` with a repository and no tag.
    public init(_ name: String, fileID: String = #fileID, line: Int = #line) {
        self.init(name, image: Image(repository: ""), fileID: fileID, line: line)
    }

    /// Builds the service's image from a Dockerfile in the application's repository.
    ///
    /// The image is tagged with a hash of its build inputs: every file of the context (path,
    /// executable bit and content; files matched by `.dockerignore`, and `.git`, `.build` and
    /// `.berth` folders, left out), the Dockerfile, the target and the arguments. An unchanged
    /// source keeps its tag, so it is neither rebuilt nor shipped again, and the service is
    /// not recreated; a changed file gives a new tag and updates the service.
    /// ```swift
    /// Service("web")
    ///     .build(context: "web", args: ["SWIFT_VERSION": "6.1"])
    /// ```
    /// - Parameters:
    ///   - context: The folder sent to the builder, relative to the package directory.
    ///   - dockerfile: The Dockerfile, relative to `context`.
    ///   - target: The stage of a multi-stage Dockerfile to build; `nil` for the last.
    ///   - args: Values for the Dockerfile's `ARG`s. They are part of the tag, so a secret
    ///     does not belong here.
    public func build(
        context: String,
        dockerfile: String = "Dockerfile",
        target: String? = nil,
        args: [String: String] = [:],
        fileID: String = #fileID,
        line: Int = #line
    ) -> Service {
        var copy = self
        copy.build = Build(
            context: context, dockerfile: dockerfile, target: target, arguments: args,
            location: SourceLocation(fileID: fileID, line: line))
        return copy
    }

}
