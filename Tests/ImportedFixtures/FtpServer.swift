import Berth

/// The `ftp-server` Compose project, imported by `berth import`. IMPORT-REPORT.md lists what
/// was not carried over as it was; each such place is also a comment below.
public enum FtpServer {
    /// The environments `--env` accepts.
    public static let environments: [Environment] = [.dev, .prod]

    /// The deployment the `Deploy` program runs.
    public static let deployment = Deployment(environments: environments) { environment in
        stack(for: environment)
    }

    /// The stack, the same in every environment (as the Compose file was).
    public static func stack(for environment: Environment) -> Stack {
        Stack("ftp-server") {
            // A literal credential in the Compose file: export FTP_USER_PASS where you deploy.
            Secret("ftp_user_pass", .environment("FTP_USER_PASS"))
            Service("ftpd", image: "stilliard/pure-ftpd:hardened")
                // compose: container_name: "pure-ftpd" — not imported: Berth names containers <stack>-<environment>-<service>-<n>, so a service can run twice during an update.
                // compose: hostname: "ftp.example.test" — not imported: the service's name is its host name on its networks.
                // compose: ulimits: {nofile: {hard: 40000, soft: 20000}, nproc: 65535} — not imported: not supported yet.
                .environment("ADDED_FLAGS", "--tls=1")
                .environment("FTP_MAX_CLIENTS", "10")
                .environment("FTP_PASSIVE_PORTS", "30000:30009")
                .environment("FTP_USER_HOME", "/home/ftpusers/partner")
                .environment("FTP_USER_NAME", "partner")
                // FTP_USER_PASS was a literal credential: the service reads FTP_USER_PASS_FILE.
                .secret("ftp_user_pass", pathVariable: "FTP_USER_PASS_FILE")
                .environment("PUBLICHOST", "ftp.example.test")
                .publish(21, public: true)
                .publish(30000, public: true)
                .publish(30001, public: true)
                .publish(30002, public: true)
                .publish(30003, public: true)
                .publish(30004, public: true)
                .publish(30005, public: true)
                .publish(30006, public: true)
                .publish(30007, public: true)
                .publish(30008, public: true)
                .publish(30009, public: true)
                .mount(.bind("ftpdata"), at: "/home/ftpusers")
                .mount(.bind("passwd"), at: "/etc/pure-ftpd/passwd")
                .restart(.always)
                .logging(.jsonFile(maxSize: "5m", files: 2))
        }
    }
}
