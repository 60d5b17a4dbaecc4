import BerthCore
import Foundation

extension NginxGateway {
    /// What is wrong with the gateway's own options, at `location` (where the gateway's
    /// stack part is declared).
    ///
    /// nginx takes any `return` code up to 999 and answers it as is, so a typo (`99`, `700`)
    /// would reach clients; a host no route has gets `444` (close without an answer) or a
    /// 4xx/5xx status, never a success or a redirect without a target.
    public func optionDiagnostics(at location: SourceLocation) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let element = "nginx gateway '\(gateway.service)'"
        if unknownHostStatus != 444 && !(400...599).contains(unknownHostStatus) {
            diagnostics.append(
                Diagnostic(
                    .error, .nginxInvalidOption, element: element,
                    message:
                        "Its unknownHostStatus \(unknownHostStatus) is not an answer for a host no route has: nginx would send it as is.",
                    fix:
                        "Use 404 (the default), 421, another 4xx or 5xx status, or 444 to close the connection without an answer.",
                    location: location))
        }
        if !healthPath.hasPrefix("/")
            || healthPath.contains(where: { $0.isWhitespace || $0 == ";" || $0 == "{" || $0 == "}" })
        {
            diagnostics.append(
                Diagnostic(
                    .error, .nginxInvalidOption, element: element,
                    message: "Its healthPath '\(healthPath)' is not an absolute path nginx can match exactly.",
                    fix: "Write a path starting with '/', without spaces, ';' or braces, such as '/healthz'.",
                    location: location))
        }
        return diagnostics + staticFilesDiagnostics()
    }

    /// The key of the gateway's option diagnostics, as JSON, in its service's
    /// ``Service/attachments``: the preflight reports them with the owner stack's other checks.
    public static let diagnosticsAttachmentKey = Diagnostic.attachmentKey

    /// ``optionDiagnostics(at:)`` as the gateway service's attachments; `nil` when there are none.
    func optionAttachments(at location: SourceLocation) -> [String: String]? {
        let problems = optionDiagnostics(at: location)
        guard !problems.isEmpty, let json = try? JSONEncoder().encode(problems) else { return nil }
        return [Self.diagnosticsAttachmentKey: String(decoding: json, as: UTF8.self)]
    }
}
