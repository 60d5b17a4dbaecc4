/// The version of Berth, the one place it is written: `Deploy --version`, the plugin's
/// `deploy --version` and `berth --version` all print ``line``.
public enum BerthVersion {
    /// The release number, as tagged.
    public static let number = "0.1.0"

    /// What `--version` prints: `berth 0.1.0`.
    public static let line = "berth \(number)"
}
