import BerthCloudflare
import BerthCompose
import BerthCore
import BerthSwarm

/// Everything Berth checks before it touches an engine, in one place, so `validate`, `plan`,
/// `up` and app tests (`BerthTesting.Topology`) can never disagree about what is allowed.
public enum Preflight {
    /// The model's own checks and the rules that hold whatever renders it: validation, and "no
    /// open ports" behind a tunnel.
    public static func modelDiagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        stack.validate(for: environment) + Tunnel.openPortDiagnostics(in: stack)
    }

    /// ``modelDiagnostics(of:for:)`` and, when they hold no error, what the renderer of the
    /// environment's orchestrator reports.
    public static func diagnostics(of stack: Stack, for environment: Environment) -> [Diagnostic] {
        let diagnostics = modelDiagnostics(of: stack, for: environment)
        // Rendering a stack with dangling references would only repeat those errors.
        if diagnostics.containsErrors { return diagnostics }
        switch environment.orchestrator {
        case .compose: return diagnostics + ComposeRenderer().render(stack, for: environment).diagnostics
        case .swarm: return diagnostics + SwarmRenderer().render(stack, for: environment).diagnostics
        }
    }
}
