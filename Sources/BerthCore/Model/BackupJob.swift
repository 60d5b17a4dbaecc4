/// The job that takes a scheduled backup (``Backup/schedule``): a service of the stack named
/// `<service>-backup` (`<service>-backup-<volume>` for a volume), added by
/// ``Stack/schedulingBackups(for:)``.
///
/// It runs the backed-up service's own image, so `pg_dump` has the server's version and `tar`
/// is there, under the scheduler every job has (``JobScheduler``): its runs never overlap, and
/// `status` and `logs` show each run. Each run writes what `backup --now` writes, in the same
/// format, so `backups` lists both and `restore` takes either: the archive under a temporary
/// name, then its record (`<id>.json`) with its size and SHA-256; a failure leaves a record of
/// the failure and a non-zero exit status. It then removes the oldest archives beyond `keep`.
///
/// Unlike `backup --now`, it runs without the deploying machine: a database is reached over the
/// stack's network with the password from the secret ``Backup/Kind/postgres(database:user:password:)``
/// names, and an encrypted archive is encrypted in the container, so the image must have
/// `openssl` (a run without it fails and says so).
public enum BackupJob {
    /// The job's service name for a scheduled backup of `service`.
    public static func name(of backup: Backup, service: String) -> String {
        switch backup.kind {
        case .postgres, .redis: "\(service)-backup"
        case .volume(let volume): "\(service)-backup-\(volume)"
        }
    }

    /// The label that marks a backup job, with the service it backs up.
    public static let label = "berth.backup-of"

    /// The job of one scheduled backup.
    public static func service(for backup: Backup, of service: Service, project: String) -> Service? {
        guard let schedule = backup.schedule else { return nil }
        var environment: [(String, String)] = [
            ("BERTH_PROJECT", project), ("BERTH_SERVICE", service.name), ("BERTH_POLICY", backup.name),
            ("BERTH_EXTENSION", backup.fileExtension), ("BERTH_KEEP", String(backup.keep)),
        ]
        var job = Service(name(of: backup, service: service.name), image: service.image)
        job.location = backup.location
        job.build = service.build
        switch backup.kind {
        case .postgres(let database, let user, let password):
            environment += [
                ("BERTH_KIND", "postgres"), ("BERTH_HOST", service.name), ("BERTH_DATABASE", database),
                ("BERTH_USER", user),
            ]
            if let password {
                environment.append(("BERTH_PASSWORD_FILE", "/run/secrets/\(password)"))
                job = job.secret(password, fileID: backup.location.fileID, line: backup.location.line)
            }
            job.networks = service.networks
        case .volume(let volume):
            environment.append(("BERTH_KIND", "volume"))
            job = job.volume(
                volume, at: "/data", readOnly: true, fileID: backup.location.fileID, line: backup.location.line)
            job.networks = []
            // Root reads files of any owner in the volume (a database's own files are 0600);
            // DAC_OVERRIDE, in Docker's default set, and not DAC_READ_SEARCH, which opens files by
            // handle and has been used to escape containers.
            job.addedCapabilities = ["DAC_OVERRIDE"]
        case .redis(let volume, let password):
            // The snapshot is asked for over the stack's network, then the volume is read as above.
            environment += [("BERTH_KIND", "redis"), ("BERTH_HOST", service.name)]
            if let password {
                environment.append(("BERTH_PASSWORD_FILE", "/run/secrets/\(password)"))
                job = job.secret(password, fileID: backup.location.fileID, line: backup.location.line)
            }
            job = job.volume(
                volume, at: "/data", readOnly: true, fileID: backup.location.fileID, line: backup.location.line)
            job.networks = service.networks
            job.addedCapabilities = ["DAC_OVERRIDE"]
        }
        if let key = backup.encryptionKey {
            environment += [("BERTH_ENCRYPTED_WITH", key), ("BERTH_KEY_FILE", "/run/secrets/\(key)")]
            job = job.secret(key, fileID: backup.location.fileID, line: backup.location.line)
        }
        switch backup.destination {
        case .volume(let name):
            job = job.volume(name, at: "/backups", fileID: backup.location.fileID, line: backup.location.line)
        case .hostDirectory(let path):
            job = job.mount(.bind(path), at: "/backups", fileID: backup.location.fileID, line: backup.location.line)
        case .bucket(let bucket):
            // The uploader's outbox: it uploads what the job writes there (``BucketUploader``).
            job = job.volume(
                BucketUploader.outbox(of: bucket), at: "/backups", fileID: backup.location.fileID,
                line: backup.location.line)
        }
        for (key, value) in environment {
            job = job.environment(key, value, fileID: backup.location.fileID, line: backup.location.line)
        }
        // Root: the destination belongs to root, whatever user the image runs as.
        job.user = "0:0"
        job.entrypoint = []
        job.command = ["/bin/sh", "-c", script]
        job.schedule = schedule
        job.restart = .unlessStopped
        job = job.label(label, service.name, fileID: backup.location.fileID, line: backup.location.line)
        job.stopGracePeriod = .seconds(30)
        // On the service's nodes: on a Swarm of several, a volume is the one of the node the
        // task runs on, and the archives go next to the data, where `backup --now` puts them.
        job.deploy.constraints = service.deploy.constraints
        // The limits of the service it backs up: the job runs its image doing part of its work
        // (a dump, an archive of its files), and is bounded like it.
        job.resources = Resources(cpuLimit: service.resources.cpuLimit, memoryLimit: service.resources.memoryLimit)
        return job
    }

    /// One run: the same archive and record `backup --now` writes. POSIX `sh` (dash, busybox),
    /// with no `pipefail`: each stage's status is kept in a file.
    public static let script = #"""
        set -u
        d="/backups/$BERTH_PROJECT"
        mkdir -p "$d" || exit 1
        id="$BERTH_SERVICE-$BERTH_POLICY-$(date -u +%Y%m%dT%H%M%S).000Z"
        time="$(date -u +%Y-%m-%dT%H:%M:%S).000Z"
        f="$id.$BERTH_EXTENSION"
        t="$d/.$f.partial"
        e="$d/.$id.errors"
        key=""
        if [ -n "${BERTH_ENCRYPTED_WITH:-}" ]; then key=",\"encryptionKey\":\"$BERTH_ENCRYPTED_WITH\""; fi
        record() {
          printf '{"host":"%s","id":"%s","policy":"%s","service":"%s","status":"%s","time":"%s","user":"scheduler"%s%s}\n' \
            "$(cat /etc/hostname 2>/dev/null || echo job)" "$id" "$BERTH_POLICY" "$BERTH_SERVICE" "$1" "$time" "$key" "$2" \
            > "$d/.$id.json.partial" && mv "$d/.$id.json.partial" "$d/$id.json"
        }
        fail() {
          reason=$(printf '%s' "$1" | tr -d '"\\' | tr '\n\r\t' '   ' | cut -c1-500)
          rm -f "$t" "$e" "$d/.$id.status"
          record failed ",\"error\":\"$reason\""
          echo "backup $id failed: $1" >&2
          exit 1
        }
        produce() {
          case "$BERTH_KIND" in
            postgres)
              if [ -n "${BERTH_PASSWORD_FILE:-}" ]; then
                PGPASSWORD=$(cat "$BERTH_PASSWORD_FILE") pg_dump --format=custom -h "$BERTH_HOST" -U "$BERTH_USER" -d "$BERTH_DATABASE"
              else
                pg_dump --format=custom -h "$BERTH_HOST" -U "$BERTH_USER" -d "$BERTH_DATABASE"
              fi ;;
            volume) tar -C /data -cf - . ;;
            redis)
              if [ -n "${BERTH_PASSWORD_FILE:-}" ]; then
                saved=$(REDISCLI_AUTH=$(cat "$BERTH_PASSWORD_FILE") redis-cli -h "$BERTH_HOST" SAVE 2>&1)
              else
                saved=$(redis-cli -h "$BERTH_HOST" SAVE 2>&1)
              fi
              [ "$saved" = OK ] || { echo "redis-cli SAVE: $saved" >&2; return 1; }
              tar -C /data -cf - . ;;
          esac
        }
        if [ -n "${BERTH_KEY_FILE:-}" ]; then
          command -v openssl >/dev/null 2>&1 || fail "openssl is not in this image, and an encrypted backup is encrypted in it"
          { produce 2>"$e"; echo $? > "$d/.$id.status"; } \
            | openssl enc -e -aes-256-cbc -md sha256 -pbkdf2 -iter 200000 -pass "file:$BERTH_KEY_FILE" > "$t" 2>>"$e"
          encrypted=$?
        else
          { produce 2>"$e"; echo $? > "$d/.$id.status"; } > "$t"
          encrypted=0
        fi
        produced=$(cat "$d/.$id.status" 2>/dev/null || echo 1)
        rm -f "$d/.$id.status"
        [ "$produced" = 0 ] || fail "$(tail -n 5 "$e")"
        [ "$encrypted" = 0 ] || fail "openssl: $(tail -n 5 "$e")"
        [ -s "$t" ] || fail "the backup wrote nothing"
        rm -f "$e"
        size=$(wc -c < "$t" | tr -d ' ')
        sum=$(sha256sum < "$t")
        sum=${sum%% *}
        mv "$t" "$d/$f" || fail "the archive could not be renamed"
        record ok ",\"file\":\"$f\",\"sha256\":\"$sum\",\"size\":$size"
        echo "backup $id written ($size bytes, sha256 $sum)"
        kept=0
        for j in $(ls -r "$d" | grep "^$BERTH_SERVICE-$BERTH_POLICY-.*\.json$"); do
          if grep -q '"status":"ok"' "$d/$j"; then
            kept=$((kept + 1))
            if [ "$kept" -gt "$BERTH_KEEP" ]; then
              a=$(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' "$d/$j")
              rm -f "$d/$j" ${a:+"$d/$a"}
              echo "removed ${j%.json}, beyond the $BERTH_KEEP kept"
            fi
          elif [ "$kept" -gt 0 ]; then
            rm -f "$d/$j"
          fi
        done
        """#
}

extension Stack {
    /// The stack with a job for each scheduled backup (``BackupJob``) and an uploader, with its
    /// outbox volume, for each bucket backups go to (``BucketUploader``); the stack itself when
    /// it has neither. Every command sees the stack this way (``Deployment``), so they are
    /// planned, validated, deployed and removed with it.
    public func schedulingBackups(for environment: Environment) -> Stack {
        let project = "\(name)-\(environment.name)"
        var copy = self
        var buckets: [Bucket] = []
        var backedUp: [Bucket: [(service: String, backup: Backup)]] = [:]
        for service in services {
            for backup in service.backups {
                if let job = BackupJob.service(for: backup, of: service, project: project),
                    !copy.services.contains(where: { $0.name == job.name })
                {
                    copy.services.append(job)
                }
                if case .bucket(let bucket) = backup.destination {
                    if backedUp[bucket] == nil { buckets.append(bucket) }
                    backedUp[bucket, default: []].append((service.name, backup))
                }
            }
        }
        for bucket in buckets {
            var uploader = BucketUploader.service(for: bucket, backups: backedUp[bucket] ?? [], project: project)
            // On a Swarm, one on every node: an outbox is a volume of the node its job ran on.
            if environment.orchestrator == .swarm { uploader.deploy.mode = .global }
            guard !copy.services.contains(where: { $0.name == uploader.name }) else { continue }
            copy.services.append(uploader)
            let outbox = BucketUploader.outbox(of: bucket)
            if !copy.volumes.contains(where: { $0.name == outbox }) {
                copy.volumes.append(
                    Volume(outbox, fileID: uploader.location.fileID, line: uploader.location.line))
            }
        }
        return copy
    }
}
