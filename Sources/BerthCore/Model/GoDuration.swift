/// Durations in the notation Docker and Compose read (Go's `time.ParseDuration`: `1m30s`,
/// `500ms`).
public enum GoDuration {
    /// Formats a duration, exactly, with the largest units first.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || attoseconds < 0 {
            return "-" + format(.zero - duration)
        }
        var text = ""
        var rest = seconds
        let hours = rest / 3600
        rest %= 3600
        let minutes = rest / 60
        rest %= 60
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        let nanoseconds = attoseconds / 1_000_000_000
        if nanoseconds == 0 {
            if rest > 0 || text.isEmpty { text += "\(rest)s" }
        } else if rest > 0 {
            text += "\(rest)s"
            text += nanoseconds % 1_000_000 == 0 ? "\(nanoseconds / 1_000_000)ms" : "\(nanoseconds)ns"
        } else {
            text += nanoseconds % 1_000_000 == 0 ? "\(nanoseconds / 1_000_000)ms" : "\(nanoseconds)ns"
        }
        return text
    }
}
