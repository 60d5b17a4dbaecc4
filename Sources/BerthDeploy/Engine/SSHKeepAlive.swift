import BerthRendering
import Foundation

/// Keep-alive probes on the ssh connections the Docker CLI opens to `ssh://` engines.
///
/// The CLI runs `ssh` from `PATH` with no options of its own, so a connection whose far end
/// stops answering (a server that hangs, a network that drops packets without resetting the
/// connection) would hold a `docker` command for as long as TCP takes to give up, a quarter of an
/// hour or more. Berth puts a small `ssh` in front of the real one on the `PATH` of the docker
/// commands it runs, adding `ServerAliveInterval` and `ServerAliveCountMax`: a connection silent
/// for three probes ends, ssh exits 255, and the command fails with an error that names the
/// engine (``DockerEngine/run(_:input:)``). It also shortens the CLI's 30 s `ConnectTimeout` to
/// the probe interval (at least 10 s): Compose retries its calls on new connections, one after
/// the other, and each waits that long when the server no longer answers. Everything else comes
/// from the user's ssh configuration as before.
///
/// `BERTH_SSH_KEEPALIVE=0` turns it off; `BERTH_SSH_KEEPALIVE=N` probes every N seconds
/// (default 10, so a dead connection is noticed within about 30 s).
enum SSHKeepAlive {
    /// The folder to put first on a docker command's `PATH`, or `nil` when it is off or cannot be
    /// made safely.
    static let pathEntry: String? = makeWrapper()

    /// The probe interval in seconds, or `nil` when turned off.
    static var interval: Int? {
        let setting = ProcessInfo.processInfo.environment["BERTH_SSH_KEEPALIVE"] ?? ""
        if setting.isEmpty { return 10 }
        guard let seconds = Int(setting), seconds > 0 else { return nil }
        return seconds
    }

    /// The folder every wrapper lives under: short, because ssh's control sockets have a length
    /// limit, and private to this user.
    static var root: String { "/tmp/berth-ssh-\(getuid())" }

    private static func makeWrapper() -> String? {
        guard let interval, let ssh = realSSH() else { return nil }
        let script = """
            #!/bin/sh
            # Written by Berth: keep-alive probes on the Docker CLI's ssh connections.
            exec '\(ssh.replacingOccurrences(of: "'", with: "'\\''"))' -o ServerAliveInterval=\(interval) -o ServerAliveCountMax=3 -o ConnectTimeout=\(max(interval, 10)) "$@"

            """
        // One folder per script, named by its content: processes with another real ssh on
        // their PATH never overwrite each other's wrapper.
        let directory = root + "/" + ContentVersion.of(Array(script.utf8))
        guard privateDirectory(root), privateDirectory(directory) else { return nil }
        let wrapper = directory + "/ssh"
        if FileManager.default.contents(atPath: wrapper) == Data(script.utf8) { return directory }
        do {
            try Workspace.writeAtomically(Data(script.utf8), to: URL(fileURLWithPath: wrapper), permissions: 0o700)
        } catch {
            return nil
        }
        return directory
    }

    /// The first `ssh` on `PATH` that is not a wrapper of Berth's.
    private static func realSSH() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.hasPrefix(root) {
            let candidate = "\(directory)/ssh"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Creates a folder only this user can use, or checks that it is one: another user's
    /// folder, or one others can write to, is never used.
    private static func privateDirectory(_ path: String) -> Bool {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
        var status = stat()
        guard lstat(path, &status) == 0 else { return false }
        return (status.st_mode & S_IFMT) == S_IFDIR && status.st_uid == getuid() && (status.st_mode & 0o077) == 0
    }

    /// The environment a docker command gets: `PATH` with the wrapper first.
    static func environment(base: [String: String]) -> [String: String] {
        guard let pathEntry else { return [:] }
        let path = base["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return ["PATH": pathEntry + ":" + path]
    }
}
