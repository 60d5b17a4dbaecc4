import BerthCore
import Foundation

/// `up --pin-digests`: fetches each pulled tag of the stacks from its registry and writes the
/// digest it has now to ``ImagePins``, before anything is prepared, so the deploy that follows
/// renders and runs exactly the pinned images.
enum DigestPinning {
    /// - Returns: Whether a pin was added or moved.
    static func pin(_ stacks: [Stack], for environment: Environment, options: CommonOptions) async throws -> Bool {
        let console = Console()
        let directory = URL(
            fileURLWithPath: options.directory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
        let before = try ImagePins.load(from: directory)
        var pins = before
        var asked: Set<String> = []
        for stack in stacks {
            let engine = StackDeployer(for: environment, stack: stack, options: options).engine
            let references = ImagePins.pinnable(in: stack).subtracting(asked)
            guard !references.isEmpty else { continue }
            asked.formUnion(references)
            console.progress(
                "Pinning \(references.count) image tag(s) of \(stack.name) to the digests their registries have now (pulling on \(engine.target))…"
            )
            let (digests, unpinnable) = try await engine.registryDigests(of: references)
            for (reference, digest) in digests.sorted(by: { $0.key < $1.key }) {
                switch before.pins[reference] {
                case nil: console.progress("  \(reference): pinned to \(Plan.shortID(digest))")
                case digest: console.progress("  \(reference): \(Plan.shortID(digest)), unchanged")
                case let old?:
                    console.progress("  \(reference): \(Plan.shortID(old)) → \(Plan.shortID(digest)) (the tag moved)")
                }
                pins.pins[reference] = digest
            }
            for (reference, why) in unpinnable.sorted(by: { $0.key < $1.key }) {
                console.progress(
                    "  \(reference): not pinned: \(why)\(before.pins[reference] == nil ? "" : "; its pin stays")")
            }
        }
        guard pins != before else { return false }
        try pins.save(to: directory)
        console.progress(
            "Wrote \(ImagePins.fileName): commit it, so every deploy of this package runs these images.")
        return true
    }
}
