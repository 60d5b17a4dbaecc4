import BerthCore
import Foundation

/// The optional secrets (``Secret/optional()``) whose source is missing on this machine, and the
/// stack as it deploys without them.
struct OptionalSecrets {
    /// The deployer's environment, which `.environment` sources read.
    var environment: [String: String]
    /// The package directory, which relative `.file` sources start from.
    var packageDirectory: URL

    /// The names of `stack`'s optional secrets whose source is missing.
    func absent(in stack: Stack) -> [String] {
        stack.secrets.filter { secret in
            guard secret.isOptional else { return false }
            switch secret.source {
            case .environment(let variable): return environment[variable] == nil
            case .file(let path):
                return !FileManager.default.isReadableFile(atPath: Workspace(root: packageDirectory).file(path).path)
            default: return false
            }
        }.map(\.name)
    }

    /// `stack` without the secrets named `absent`: no declaration, no mount (so no `*_FILE`
    /// variable), no variable composed from one of them.
    static func removing(_ absent: [String], from stack: Stack) -> Stack {
        guard !absent.isEmpty else { return stack }
        let gone = Set(absent)
        var stack = stack
        stack.secrets.removeAll { gone.contains($0.name) }
        stack.services = stack.services.map { service in
            var service = service
            service.secrets.removeAll { gone.contains($0.secret) }
            service.environment.removeAll { variable in
                guard case .composed(let template) = variable.value else { return false }
                return template.secrets.contains(where: gone.contains)
            }
            return service
        }
        return stack
    }

    /// What `up` and `plan` say about the secrets they go without.
    static func note(_ absent: [String], of stack: Stack) -> String? {
        guard !absent.isEmpty else { return nil }
        let described = absent.map { name -> String in
            let source = stack.secrets.first { $0.name == name }.map { secret -> String in
                switch secret.source {
                case .environment(let variable): return "\(variable) is not set"
                case .file(let path): return "\(path) does not exist"
                default: return "its source is missing"
                }
            }
            return "'\(name)' (\(source ?? "its source is missing"))"
        }
        return
            "Optional secret(s) \(described.joined(separator: ", ")): deploying without them; the services that mount them get no file."
    }
}
