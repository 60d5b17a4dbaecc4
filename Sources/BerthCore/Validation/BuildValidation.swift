extension Diagnostic.Code {
    /// A build whose context, Dockerfile, target or arguments cannot work.
    public static let invalidBuild = Diagnostic.Code(rawValue: "invalid-build")
}

/// Checks of a service Berth builds (``Service/build``): the paths stay inside the package, the
/// names are ones Docker accepts, and the image reference leaves the tag to Berth. Whether the
/// files exist is the deploy layer's check, which knows the package directory.
extension StackValidator {
    mutating func checkBuild(of service: Service) {
        let element = "service '\(service.name)'"
        guard let build = service.build else {
            report(
                .error, .invalidImage, element,
                "The service has no image and no build, so the engine has nothing to run.",
                fix:
                    "Give it an image, Service(\"\(service.name)\", image: \"nginx:1.27\"), or build one with .build(context: \"\(service.name)\").",
                at: service.location)
            return
        }
        checkBuiltImageReference(of: service, element: element, at: build.location)
        let fields = [("context", build.context), ("Dockerfile path", build.dockerfile)]
        for (field, path) in fields {
            if Naming.containsNUL(path) {
                reportNULByte(in: "the build's \(field)", of: element, at: build.location)
            } else if path.isEmpty && field == "Dockerfile path" {
                report(
                    .error, .invalidBuild, element, "The build's Dockerfile path is empty.",
                    fix: "Name the Dockerfile relative to the context, such as \"Dockerfile\".", at: build.location)
            } else if path.hasPrefix("/") {
                report(
                    .error, .invalidBuild, element,
                    "The build's \(field) '\(path)' is an absolute path; builds read only the package's own files, so a deploy from another checkout builds the same image.",
                    fix: field == "context"
                        ? "Write the context relative to the package directory, such as \"app\"."
                        : "Write the Dockerfile relative to the context, such as \"Dockerfile\".",
                    at: build.location)
            }
        }
        // The Dockerfile is relative to the context; together they must stay inside the package.
        if !build.context.hasPrefix("/"), !build.dockerfile.hasPrefix("/") {
            if Self.escapesPackage(build.context) {
                report(
                    .error, .invalidBuild, element,
                    "The build's context '\(build.context)' climbs out of the package directory with '..'.",
                    fix:
                        "Keep the context inside the package; move the sources into it, or build from the package directory itself (\".\").",
                    at: build.location)
            } else if Self.escapesPackage(build.context + "/" + build.dockerfile) {
                report(
                    .error, .invalidBuild, element,
                    "The Dockerfile '\(build.dockerfile)' climbs out of the package directory with '..'.",
                    fix: "Keep the Dockerfile inside the package; it is relative to the context '\(build.context)'.",
                    at: build.location)
            }
        }
        if let target = build.target {
            if Naming.containsNUL(target) {
                reportNULByte(in: "the build target", of: element, at: build.location)
            } else if !Self.isStageName(target) {
                report(
                    .error, .invalidBuild, element,
                    "The build target '\(target)' is not a stage name Docker accepts.",
                    fix:
                        "Name a stage of the Dockerfile (FROM … AS NAME): letters, digits, '.', '_' and '-', starting with a letter.",
                    at: build.location)
            }
        }
        for (key, value) in build.arguments.sorted(by: { $0.key < $1.key }) {
            if Naming.containsNUL(key) || Naming.containsNUL(value) {
                reportNULByte(in: "the build argument '\(key)'", of: element, at: build.location)
            } else if !Self.isArgumentName(key) {
                report(
                    .error, .invalidBuild, element,
                    "The build argument name '\(key)' is not one a Dockerfile can declare with ARG.",
                    fix: "Use letters, digits and '_', starting with a letter or '_'.", at: build.location)
            }
        }
    }

    /// A built image's tag is the hash of its inputs, so the declared image may name only the
    /// repository.
    private mutating func checkBuiltImageReference(of service: Service, element: String, at location: SourceLocation) {
        let image = service.image
        if Naming.containsNUL(image.repository) {
            reportNULByte(in: "the image repository", of: element, at: service.location)
        } else if image.tag != nil || image.digest != nil {
            report(
                .error, .invalidImage, element,
                "The image '\(image.reference)' has a \(image.tag != nil ? "tag" : "digest"), but Berth builds this image and tags it with the hash of its build inputs.",
                fix:
                    "Name only the repository, Service(\"\(service.name)\", image: \"\(image.repository)\"), or leave the image out.",
                at: service.location)
        } else if image.repository.isEmpty {
            let repository = Build.defaultRepository(stack: stack.name, service: service.name)
            // A stack or service name can hold what a repository may not (`a__-b`); the stack's
            // name has its own diagnostic when it is invalid.
            if Naming.isProjectName(stack.name), Naming.isServiceName(service.name),
                !Naming.isImageRepository(repository)
            {
                report(
                    .error, .invalidImage, element,
                    "The built image would be called '\(repository)', which is not a valid image repository.",
                    fix:
                        "Name the repository, Service(\"\(service.name)\", image: \"berth-build/\(Naming.suggestServiceName(service.name))\").",
                    at: location)
            }
        } else if !Naming.isImageRepository(image.repository) {
            report(
                .error, .invalidImage, element,
                "The image repository '\(image.repository)' is not valid.",
                fix:
                    "Write it as lowercase path components, optionally after a registry host, such as \"ghcr.io/acme/web\".",
                at: service.location)
        }
    }

    /// Whether a relative path climbs above the folder it starts in at any point.
    static func escapesPackage(_ path: String) -> Bool {
        var depth = 0
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return true }
            default: depth += 1
            }
        }
        return false
    }

    /// Dockerfile stage names: `[a-zA-Z][a-zA-Z0-9._-]*`.
    static func isStageName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0))
        }
    }

    /// `ARG` names: `[A-Za-z_][A-Za-z0-9_]*`, the names every shell in a `RUN` can read.
    static func isArgumentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
            first.properties.isAlphabetic || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_")
        }
    }
}
