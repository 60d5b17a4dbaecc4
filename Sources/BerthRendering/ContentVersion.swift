import BerthYAML

/// The version of a config's content, recorded with the services that mount it so that a
/// changed file or text replaces exactly them.
///
/// Configs are not secret: the version is a plain hash, the first 8 bytes of the content's
/// SHA-256 in hex. Secrets get a keyed hash instead (`SecretStore`), which tells nothing about
/// the value.
public enum ContentVersion {
    /// The version of some content.
    public static func of(_ content: some Collection<UInt8>) -> String {
        SHA256.hex(SHA256.hash(content).prefix(8))
    }
}
