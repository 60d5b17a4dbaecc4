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
    /// open ports" behind a tunnel, Traefik labels written by hand, and what the stack's nginx
    /// gateway can serve.
    public static func modelDiagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        stack.validate(for: environment) + Tunnel.openPortDiagnostics(in: stack)
            + TraefikValidation.diagnostics(of: stack, for: environment) + nginxDiagnostics(of: stack)
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
    static func render<Document: RenderedDocument>(
        _ stack: Stack, for environment: Environment, with renderer: (Stack) -> Document
    ) throws -> (stack: Stack, document: Document, diagnostics: [Diagnostic]) {
        var diagnostics = modelDiagnostics(of: stack, for: environment)
        guard !diagnostics.containsErrors else { throw ValidationFailure(diagnostics: diagnostics) }
        let resolved = resolved(stack, for: environment)
        let document = renderer(resolved)
        diagnostics += document.diagnostics
        guard !diagnostics.containsErrors else { throw ValidationFailure(diagnostics: diagnostics) }
        return (resolved, document, diagnostics)
    }

    /// The stack as the renderers get it: with the labels a Traefik gateway reads on every
    /// routed service. Other stacks come back unchanged.
    public static func resolved(_ stack: Stack, for environment: Environment) -> Stack {
        TraefikLabels.apply(to: stack, for: environment)
    }

    /// What an nginx gateway would say of this stack's routes alone; "no running server" is
    /// left out, since nothing runs before the deploy.
    static func nginxDiagnostics(of stack: Stack) -> [Diagnostic] {
        guard let gateway = stack.gateway, gateway.kind == .nginx else { return [] }
        let routes = stack.services.flatMap { service in
            service.routes.map {
                GatewayRoute(
                    route: $0, stack: stack.name, environment: "preflight", service: service.name,
                    servers: [service.name])
            }
        }
        guard !routes.isEmpty else { return [] }
        return NginxGateway(gateway).routesConfiguration(routes).diagnostics.filter {
            $0.code != .nginxRouteWithoutServers
        }
    }
}

extension Preflight {
    /// The files the description reads from the package: a config whose file does not exist is
    /// an error at the line that declares it, caught by `validate` and before any deploy.
    public static func fileDiagnostics(of stack: Stack, packageDirectory: URL) -> [Diagnostic] {
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

    /// ``render(_:for:with:)`` and the checks of the files the description reads.
    static func render<Document: RenderedDocument>(
        _ stack: Stack, for environment: Environment, packageDirectory: URL, with renderer: (Stack) -> Document
    ) throws -> (stack: Stack, document: Document, diagnostics: [Diagnostic]) {
        let files = fileDiagnostics(of: stack, packageDirectory: packageDirectory)
        let checked: (stack: Stack, document: Document, diagnostics: [Diagnostic])
        do {
            checked = try render(stack, for: environment, with: renderer)
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
