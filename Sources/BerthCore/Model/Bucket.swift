/// An S3-compatible bucket that backups go to (``Backup/Destination/bucket(_:)``).
///
/// ```swift
/// .backup(.postgres(database: "app", user: "app", password: "db_password"),
///         to: .bucket(Bucket("app-backups", endpoint: "http://minio:9000",
///                            accessKey: "backup_s3_key_id", secretKey: "backup_s3_secret",
///                            client: "curlimages/curl:8.11.1", network: "storage")),
///         keep: 30, encryptedWith: "backup_key", schedule: "0 3 * * *")
/// ```
///
/// The stack gets one more service for each bucket, its uploader (``BucketUploader``), which
/// runs `client` with the two keys as secrets. Objects are named `<project>/<archive>` and
/// `<project>/<id>.json`, path-style (`<endpoint>/<bucket>/<key>`), every request signed with
/// AWS Signature Version 4 by `curl --aws-sigv4`.
public struct Bucket: Sendable, Hashable, Codable {
    /// The bucket's name, which must exist.
    public var name: String
    /// The service's URL, without the bucket: `https://s3.eu-west-1.amazonaws.com`,
    /// `https://<account>.r2.cloudflarestorage.com`, or a service of the stack,
    /// `http://minio:9000`.
    public var endpoint: String
    /// The region requests are signed for (`auto` for R2, `us-east-1` for MinIO).
    public var region: String
    /// The stack secret holding the access key ID.
    public var accessKey: String
    /// The stack secret holding the secret access key.
    public var secretKey: String
    /// The image the uploader runs: it must have `/bin/sh` and `curl` 7.76 or newer
    /// (`--aws-sigv4`, `--fail-with-body`), and `sha256sum`.
    public var client: Image
    /// The stack network the uploader joins to reach the endpoint (a storage service of the
    /// stack), or `nil` for the default one, which reaches the internet.
    public var network: String?

    /// Describes a bucket.
    public init(
        _ name: String, endpoint: String, region: String = "us-east-1", accessKey: String, secretKey: String,
        client: Image, network: String? = nil
    ) {
        self.name = name
        self.endpoint = endpoint
        self.region = region
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.client = client
        self.network = network
    }
}
