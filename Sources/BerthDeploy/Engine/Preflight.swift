import BerthCloudflare
import BerthCompose
import BerthCore
import BerthGateway
import BerthSwarm
import Foundation

/// Everything Berth checks before it touches an engine, in one place, so `validate`, `plan`,
/// `up` and app tests (`BerthTesting.Topology`) can never disagree about what is allowed.
public enum Preflight {
    /// The model's own checks and the rules that hold whatever renders it: validation, "no
    /// open ports" behind a tunnel, Traefik labels written by hand, what the stack's gateway
    /// cannot serve (its ``GatewayAdapter``), and the ingress rules and declarations of the
    /// stack's tunnel.
    public static func modelDiagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        stack.validate(for: environment) + Tunnel.openPortDiagnostics(in: stack)
            + TraefikValidation.diagnostics(of: stack, for: environment)
            + (stack.gateway?.adapter.diagnostics(of: stack, for: environment) ?? [])
            + Tunnel.attachedTunnelDiagnostics(in: stack) + attachedDiagnostics(of: stack)
    }

    /// ``modelDiagnostics(of:for:)`` and, when they hold no error, what the renderer of the
    /// environment's orchestrator reports.
    public static func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        do {
            switch environment.orchestrator {
            case .compose:
                return try render(stack, for: environment) { ComposeRenderer().render($0, for: environment) }
                    .diagnostics
            case .swarm:
                return try render(stack, for: environment) { SwarmRenderer().render($0, for: environment) }
                    .diagnostics
            }
        } catch let failure as ValidationFailure {
            return failure.diagnostics
        } catch {
            preconditionFailure("Preflight.render throws only ValidationFailure: \(error)")
        }
    }

    /// The one way from a description to a rendered document: the model's checks, then the stack
    /// ``resolved(_:for:)`` and rendered, then the renderer's own diagnostics.
    /// - Returns: The resolved stack, its document, and every warning and note.
    /// - Throws: ``ValidationFailure`` with every diagnostic when one is an error; rendering a
    ///   stack whose model has errors would only repeat them, so it stops there.
    /// - Parameter resolvingBuilds: Gives each built service its image (``resolvingBuilds(of:packageDirectory:)``),
    ///   once the model is known to be valid.
    static func render<Document: RenderedDocument>(
        _ stack: Stack, for environment: Environment, resolvingBuilds: (Stack) throws -> Stack = { $0 },
        with renderer: (Stack) -> Document
    ) throws -> (stack: Stack, document: Document, diagnostics: [Diagnostic]) {
        var diagnostics = modelDiagnostics(of: stack, for: environment)
        guard !diagnostics.containsErrors else { throw ValidationFailure(diagnostics: diagnostics) }
        let resolved = try resolvingBuilds(resolved(stack, for: environment))
        let document = renderer(resolved)
        diagnostics += document.diagnostics
        guard !diagnostics.containsErrors else { throw ValidationFailure(diagnostics: diagnostics) }
        return (resolved, document, diagnostics)
    }

    /// The stack as the renderers get it: with what its gateway reads on the routed services
    /// (Traefik's labels). Stacks behind no gateway come back unchanged.
    public static func resolved(_ stack: Stack, for environment: Environment) -> Stack {
        stack.gateway?.adapter.resolved(stack, for: environment) ?? stack
    }

    /// What the parts of the stack found wrong with their own options when they made their
    /// services (an nginx gateway's unknown-host status), attached to those services.
    static func attachedDiagnostics(of stack: Stack) -> [Diagnostic] {
        stack.services.flatMap { service -> [Diagnostic] in
            guard let json = service.attachments?[NginxGateway.diagnosticsAttachmentKey] else { return [] }
            return (try? JSONDecoder().decode([Diagnostic].self, from: Data(json.utf8))) ?? []
        }
    }
}

extension Preflight {
    /// The files the description reads from the package: a config whose file does not exist is
    /// an error at the line that declares it, caught by `validate` and before any deploy.
    public static func fileDiagnostics(of stack: Stack, packageDirectory: URL) -> [Diagnostic] {
        configFileDiagnostics(of: stack, packageDirectory: packageDirectory)
            + buildFileDiagnostics(of: stack, packageDirectory: packageDirectory)
    }

    private static func configFileDiagnostics(of stack: Stack, packageDirectory: URL) -> [Diagnostic] {
        stack.configs.compactMap { config in
            guard case .file(let path) = config.source else { return nil }
            let url = Workspace(root: packageDirectory).file(path)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return nil
            }
            return Diagnostic(
                .error, .missingFile, element: "config '\(config.name)'",
                message: "It reads \(url.path), which \(isDirectory.boolValue ? "is a folder" : "does not exist").",
                fix: "Create the file, or correct the path (relative paths start at the package directory).",
                location: config.location)
        }
    }

    /// A built service's context folder or Dockerfile that does not exist is an error at the
    /// line of its `.build(…)`, before any engine is asked to build it.
    private static func buildFileDiagnostics(of stack: Stack, packageDirectory: URL) -> [Diagnostic] {
        stack.services.compactMap { service in
            guard let build = service.build, !build.context.hasPrefix("/"), !build.dockerfile.hasPrefix("/") else {
                return nil
            }
            let inputs = BuildInputs(build: build, packageDirectory: packageDirectory)
            var isDirectory: ObjCBool = false
            let contextExists = FileManager.default.fileExists(
                atPath: inputs.contextDirectory.path, isDirectory: &isDirectory)
            if !contextExists || !isDirectory.boolValue {
                return Diagnostic(
                    .error, .missingFile, element: "service '\(service.name)'",
                    message:
                        "Its build context \(inputs.contextDirectory.path) \(contextExists ? "is a file, not a folder" : "does not exist").",
                    fix: "Create the folder, or correct the context (relative to the package directory).",
                    location: build.location)
            }
            let dockerfileExists = FileManager.default.fileExists(
                atPath: inputs.dockerfile.path, isDirectory: &isDirectory)
            guard !dockerfileExists || isDirectory.boolValue else { return nil }
            return Diagnostic(
                .error, .missingFile, element: "service '\(service.name)'",
                message:
                    "Its Dockerfile \(inputs.dockerfile.path) \(dockerfileExists ? "is a folder" : "does not exist").",
                fix:
                    "Create the Dockerfile, or pass dockerfile: with its path relative to the context '\(build.context)'.",
                location: build.location)
        }
    }

    /// The stack with each built service's image named by its repository and the tag of its
    /// build inputs (``BuildInputs``): rendering then writes the final reference, and a changed
    /// source changes the service's configuration hash like any other change.
    /// - Throws: ``ValidationFailure`` naming each build whose inputs cannot be read.
    public static func resolvingBuilds(of stack: Stack, packageDirectory: URL) throws -> Stack {
        var stack = stack
        var problems: [Diagnostic] = []
        for index in stack.services.indices {
            let service = stack.services[index]
            guard let build = service.build else { continue }
            do {
                let tag = try BuildInputs(build: build, packageDirectory: packageDirectory).tag()
                let repository =
                    service.image.repository.isEmpty
                    ? Build.defaultRepository(stack: stack.name, service: service.name) : service.image.repository
                stack.services[index].image = Image(repository: repository, tag: tag)
            } catch let error as BuildInputError {
                problems.append(
                    Diagnostic(
                        .error, .missingFile, element: "service '\(service.name)'",
                        message: "Its build inputs cannot be hashed: \(error.path): \(error.reason).",
                        fix: "Make the file readable, or list it in the context's .dockerignore.",
                        location: build.location))
            }
        }
        guard problems.isEmpty else { throw ValidationFailure(diagnostics: problems) }
        return stack
    }

    /// ``render(_:for:resolvingBuilds:with:)`` and the checks of the files the description
    /// reads; built services get their images from the package directory.
    static func render<Document: RenderedDocument>(
        _ stack: Stack, for environment: Environment, packageDirectory: URL, with renderer: (Stack) -> Document
    ) throws -> (stack: Stack, document: Document, diagnostics: [Diagnostic]) {
        let files = fileDiagnostics(of: stack, packageDirectory: packageDirectory)
        let checked: (stack: Stack, document: Document, diagnostics: [Diagnostic])
        do {
            // Missing build files leave the builds unresolved: the files' errors say why.
            checked = try render(
                stack, for: environment,
                resolvingBuilds: {
                    files.containsErrors ? $0 : try resolvingBuilds(of: $0, packageDirectory: packageDirectory)
                }, with: renderer)
        } catch let failure as ValidationFailure {
            throw ValidationFailure(diagnostics: files + failure.diagnostics)
        }
        guard !files.containsErrors else { throw ValidationFailure(diagnostics: files + checked.diagnostics) }
        return checked
    }
}

/// A rendered document and what its renderer reported.
protocol RenderedDocument {
    var diagnostics: [Diagnostic] { get }
}

extension ComposeDocument: RenderedDocument {}
extension SwarmDocument: RenderedDocument {}
