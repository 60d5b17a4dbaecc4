import BerthDeploy
import Foundation
import Testing

/// An S3 service for the bucket tests: moto's server (`moto==5.2.1`, installed by
/// `scripts/test.sh`), run in a container the test starts on a network of its own, with the
/// Python that has moto bind-mounted read-only from this machine (no image is pulled).
///
/// It checks every request's AWS Signature Version 4 against an IAM user it creates: the
/// first four requests (the bucket, the user, its policy, its key) are the only ones it takes
/// unsigned (`INITIAL_NO_AUTH_ACTION_COUNT`), so a wrongly signed request from Berth fails as it
/// would against AWS.
struct S3Server {
    /// The container.
    let container: String
    /// The network the stack's uploader joins; the server is `s3` on it.
    let network: String
    /// Where the test reaches it: a port of 127.0.0.1.
    let address: String
    /// The bucket it has.
    let bucket: String
    /// The IAM user's key.
    let accessKey: String
    let secretKey: String

    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// Where moto is: the interpreter's prefix and the folder moto was imported from.
    static func python() async throws -> (prefix: String, executable: String, packages: String) {
        let probe = try await ProcessRunner().run(
            [
                "python3", "-c",
                "import os, sys, moto.server; print(sys.prefix); print(sys.executable); print(os.path.dirname(os.path.dirname(moto.__file__)))",
            ], input: nil)
        let lines = probe.standardOutput.split(whereSeparator: \.isNewline).map(String.init)
        guard probe.succeeded, lines.count == 3 else {
            throw EngineError(
                "moto's S3 server is not importable by python3 (scripts/test.sh installs moto==5.2.1): \(probe.standardError)"
            )
        }
        return (
            URL(fileURLWithPath: lines[0]).resolvingSymlinksInPath().path,
            URL(fileURLWithPath: lines[1]).resolvingSymlinksInPath().path,
            URL(fileURLWithPath: lines[2]).resolvingSymlinksInPath().path
        )
    }

    /// Starts the server and creates `bucket` and a user allowed to use it; a failure removes
    /// what it started.
    static func start(name: String, port: Int, bucket: String) async throws -> S3Server {
        do {
            return try await started(name: name, port: port, bucket: bucket)
        } catch {
            let engine = DockerEngine()
            _ = try? await engine.run(["rm", "--force", "\(name)-s3"])
            _ = try? await engine.run(["network", "rm", "\(name)-storage"])
            throw error
        }
    }

    private static func started(name: String, port: Int, bucket: String) async throws -> S3Server {
        let engine = DockerEngine()
        let python = try await python()
        let network = "\(name)-storage"
        _ = try await engine.output(["network", "create", "--label", "berth.test=\(name)", network])
        var mounts = ["/usr:/usr:ro", "/usr/lib:/lib:ro", "\(python.prefix):\(python.prefix):ro"]
        if FileManager.default.fileExists(atPath: "/usr/lib64") { mounts.append("/usr/lib64:/lib64:ro") }
        if !python.packages.hasPrefix(python.prefix + "/") && !python.packages.hasPrefix("/usr/") {
            mounts.append("\(python.packages):\(python.packages):ro")
        }
        let container = try await engine.output(
            [
                "run", "--detach", "--pull", "never", "--name", "\(name)-s3", "--label", "berth.test=\(name)",
                "--network", network, "--network-alias", "s3", "--publish", "127.0.0.1:\(port):5000",
                "--env", "INITIAL_NO_AUTH_ACTION_COUNT=4", "--env", "PYTHONPATH=\(python.packages)",
                "--env", "LD_LIBRARY_PATH=\(python.prefix)/lib:/usr/lib/x86_64-linux-gnu:/usr/lib/aarch64-linux-gnu",
            ] + mounts.flatMap { ["--volume", $0] } + [
                "berth-test/busybox:1", python.executable, "-m", "moto.server", "-H", "0.0.0.0", "-p", "5000",
            ]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let address = "http://127.0.0.1:\(port)"
        // moto's own API answers without counting as one of the unsigned requests.
        guard await RealEngine.get("\(address)/moto-api/", attempts: 60) != nil else {
            let logs = (try? await engine.run(["logs", container]))?.standardError ?? ""
            throw EngineError("moto did not answer at \(address) within 30 s: \(logs.suffix(2000))")
        }
        func unsigned(_ service: String, _ arguments: [String]) async throws -> String {
            let result = try await ProcessRunner().run(
                [
                    "curl", "-sS", "--fail-with-body", "--aws-sigv4", "aws:amz:us-east-1:\(service)", "--user",
                    "boot:boot",
                ]
                    + arguments, input: nil)
            guard result.succeeded else { throw EngineError("moto setup \(arguments): \(result.standardOutput)") }
            return result.standardOutput
        }
        _ = try await unsigned("s3", ["-X", "PUT", "\(address)/\(bucket)"])
        _ = try await unsigned("iam", ["-d", "Action=CreateUser&UserName=berth&Version=2010-05-08", address + "/"])
        // Everything, IAM too: a test takes a permission away from the user and gives it back.
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try await unsigned(
            "iam",
            [
                "--data-urlencode", "Action=PutUserPolicy", "--data-urlencode", "UserName=berth", "--data-urlencode",
                "PolicyName=backups", "--data-urlencode", "PolicyDocument=\(policy)", "--data-urlencode",
                "Version=2010-05-08", address + "/",
            ])
        let key = try await unsigned(
            "iam", ["-d", "Action=CreateAccessKey&UserName=berth&Version=2010-05-08", address + "/"])
        func element(_ tag: String) throws -> String {
            guard let start = key.range(of: "<\(tag)>"),
                let end = key.range(of: "</\(tag)>", range: start.upperBound..<key.endIndex)
            else { throw EngineError("moto's CreateAccessKey answer has no \(tag): \(key)") }
            return String(key[start.upperBound..<end.lowerBound])
        }
        return S3Server(
            container: container, network: network, address: address, bucket: bucket,
            accessKey: try element("AccessKeyId"), secretKey: try element("SecretAccessKey"))
    }

    /// A signed request from this machine, the keys on curl's standard input.
    func request(_ arguments: [String], path: String, payloadHash: String = S3Server.empty) async throws
        -> CommandResult
    {
        try await ProcessRunner().run(
            [
                "curl", "-sS", "--fail-with-body", "-K", "-", "--aws-sigv4", "aws:amz:us-east-1:s3", "-H",
                "x-amz-content-sha256: \(payloadHash)",
            ] + arguments + ["\(address)/\(bucket)\(path)"],
            input: Array("user = \"\(accessKey):\(secretKey)\"\n".utf8))
    }

    /// A signed IAM request as the user (form fields, `Version` added).
    func iam(_ fields: [String: String]) async throws {
        let form = (fields.merging(["Version": "2010-05-08"]) { $1 }).sorted { $0.key < $1.key }
            .flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] }
        let result = try await ProcessRunner().run(
            ["curl", "-sS", "--fail-with-body", "-K", "-", "--aws-sigv4", "aws:amz:us-east-1:iam"] + form + [
                address + "/"
            ],
            input: Array("user = \"\(accessKey):\(secretKey)\"\n".utf8))
        guard result.succeeded else { throw EngineError("IAM \(fields["Action"] ?? ""): \(result.standardOutput)") }
    }

    /// Takes the right to upload away from the user, or gives it back.
    func allowUploads(_ allowed: Bool) async throws {
        if allowed {
            try await iam(["Action": "DeleteUserPolicy", "UserName": "berth", "PolicyName": "no-uploads"])
        } else {
            try await iam([
                "Action": "PutUserPolicy", "UserName": "berth", "PolicyName": "no-uploads",
                "PolicyDocument":
                    #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}"#,
            ])
        }
    }

    /// The names of the objects under `prefix`.
    func keys(prefix: String) async throws -> [String] {
        let listed = try await request([], path: "?list-type=2&prefix=\(prefix)")
        guard listed.succeeded else { throw EngineError("listing \(prefix): \(listed.standardOutput)") }
        return listed.standardOutput.components(separatedBy: "<Key>").dropFirst().compactMap {
            $0.components(separatedBy: "</Key>").first
        }
    }

    func stop() async {
        let engine = DockerEngine()
        _ = try? await engine.run(["rm", "--force", container])
        _ = try? await engine.run(["network", "rm", network])
    }
}
