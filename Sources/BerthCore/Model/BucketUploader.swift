/// The service that uploads a stack's backups to a bucket (``Bucket``): one per bucket, named
/// `bucket-<bucket>`, added by ``Stack/schedulingBackups(for:)``; on a Swarm it runs on every
/// node (global mode), since each node has its own outbox.
///
/// Nothing writes to the bucket directly. A backup, taken by `backup --now` or by a scheduled
/// job, is written whole to the uploader's outbox (the volume `bucket-<bucket>-outbox`, mounted
/// at `/backups` by the uploader and by the jobs), in the same layout as a volume destination:
/// the archive, then its record. The uploader uploads each complete pair, archive first and
/// record last, so a record in the bucket always has its archive, and removes it from the
/// outbox once both are stored; then it removes the oldest archives beyond each policy's
/// `keep`. It does so every 15 seconds, and at once when `backup --now` asks, so that command
/// returns only once the archive is in the bucket. An upload that fails stays in the outbox,
/// where `backups` lists it as waiting, and is tried again.
///
/// Why an outbox: an upload needs the archive's length before it starts (S3 takes no chunked
/// body), and a scheduled backup runs in the backed-up service's own image, which has
/// `pg_dump` or `tar` but rarely `curl`. The uploader runs the bucket's client image, which has.
///
/// Every request is signed by `curl --aws-sigv4` with the keys from the stack's secrets; they
/// reach `curl` as a config line on its standard input, never in its arguments, and each
/// upload carries the archive's SHA-256 (`x-amz-content-sha256`), which the service checks.
public enum BucketUploader {
    /// The label that marks an uploader, with its bucket.
    public static let label = "berth.bucket"

    /// The uploader's service name.
    public static func name(of bucket: Bucket) -> String {
        "bucket-" + bucket.name.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    /// The volume its outbox is: a stack volume.
    public static func outbox(of bucket: Bucket) -> String {
        name(of: bucket) + "-outbox"
    }

    /// The uploader of `bucket` for `backups` (service and policy), in `project`.
    public static func service(
        for bucket: Bucket, backups: [(service: String, backup: Backup)], project: String
    ) -> Service {
        let location = backups.first?.backup.location ?? SourceLocation(fileID: "Berth/BucketUploader.swift", line: 1)
        let retention = backups.map { "\($0.service) \($0.backup.name) \($0.backup.keep)" }.sorted()
            .joined(separator: ";")
        var uploader = Service(name(of: bucket), image: bucket.client)
        uploader.location = location
        let environment = [
            ("BERTH_PROJECT", project), ("BERTH_ENDPOINT", bucket.endpoint), ("BERTH_BUCKET", bucket.name),
            ("BERTH_REGION", bucket.region), ("BERTH_RETENTION", retention),
            ("BERTH_ACCESS_KEY_FILE", "/run/secrets/\(bucket.accessKey)"),
            ("BERTH_SECRET_KEY_FILE", "/run/secrets/\(bucket.secretKey)"),
        ]
        for (key, value) in environment {
            uploader = uploader.environment(key, value, fileID: location.fileID, line: location.line)
        }
        for secret in [bucket.accessKey, bucket.secretKey] {
            uploader = uploader.secret(secret, fileID: location.fileID, line: location.line)
        }
        uploader = uploader.volume(outbox(of: bucket), at: "/backups", fileID: location.fileID, line: location.line)
        uploader.networks = bucket.network.map { [$0] } ?? []
        // Root: the outbox's files are root's, as the jobs that write them run.
        uploader.user = "0:0"
        uploader.entrypoint = []
        uploader.command = ["/bin/sh", "-c", script, "berth-bucket", "serve"]
        uploader.restart = .unlessStopped
        uploader.stopGracePeriod = .seconds(30)
        uploader.resources = Resources(cpuLimit: 0.5, memoryLimit: "128m")
        uploader = uploader.label(label, bucket.name, fileID: location.fileID, line: location.line)
        return uploader
    }

    /// The uploader's program, POSIX `sh` (busybox, dash): `serve` (the service), `ship` (once,
    /// now), `list SERVICE` (every record of a service, one JSON object a line; those still in
    /// the outbox with `"pending":true`), `fetch FILE` (an archive to standard output) and
    /// `sum FILE` (its SHA-256).
    public static let script = #"""
        set -u
        d="/backups/$BERTH_PROJECT"
        base="${BERTH_ENDPOINT%/}/$BERTH_BUCKET"
        empty=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
        tmp="/tmp/berth-bucket.$$"
        trap 'rm -f "$tmp" "$tmp".*' EXIT
        credentials() {
          printf 'user = "%s:%s"\n' "$(sed 's/[\\"]/\\&/g' "$BERTH_ACCESS_KEY_FILE")" \
            "$(sed 's/[\\"]/\\&/g' "$BERTH_SECRET_KEY_FILE")"
        }
        # s3 METHOD PATH PAYLOAD-SHA256 ANSWER-FILE [curl options]: one signed request.
        s3() {
          m=$1; p=$2; h=$3; o=$4; shift 4
          rm -f "$o"
          code=""
          code=$(credentials | curl -sS --connect-timeout 10 --retry 3 -K - --aws-sigv4 "aws:amz:$BERTH_REGION:s3" \
            -H "x-amz-content-sha256: $h" -X "$m" -o "$o" -w '%{http_code}' "$@" "$base$p") || {
            echo "$m $BERTH_BUCKET$p: the request failed" >&2; return 1; }
          case "$code" in 2??) return 0 ;; esac
          why=$(tr -d '\n' < "$o" 2>/dev/null | sed -n 's/.*<Code>\([^<]*\)<\/Code>.*<Message>\([^<]*\)<\/Message>.*/\1: \2/p')
          echo "$m $BERTH_BUCKET$p: HTTP $code${why:+ ($why)}" >&2
          return 1
        }
        # The keys of the project's objects, without the project's folder, into $tmp.keys.
        keys() {
          s3 GET "?list-type=2&prefix=$BERTH_PROJECT" "$empty" "$tmp.list" || return 1
          if grep -q '<IsTruncated>true</IsTruncated>' "$tmp.list"; then
            echo "the bucket $BERTH_BUCKET holds more than 1000 objects whose names begin with $BERTH_PROJECT; lower the kept backups, or move other objects away" >&2
            return 1
          fi
          tr '<' '\n' < "$tmp.list" | sed -n "s|^Key>$BERTH_PROJECT/||p" > "$tmp.keys"
        }
        # Each policy keeps its newest `keep` backups, and failures newer than its newest success.
        prune() {
          keys || return 1
          printf '%s\n' "$BERTH_RETENTION" | tr ';' '\n' > "$tmp.retention"
          while read -r s p k; do
            [ -n "$s" ] || continue
            kept=0
            for j in $(grep "^$s-$p-[0-9]\{8\}T[0-9]\{6\}\.[0-9]\{3\}Z\.json$" "$tmp.keys" | sort -r); do
              id=${j%.json}
              a=$(grep "^$id\.[a-z]" "$tmp.keys" | grep -v '\.json$' | head -n 1)
              if [ -n "$a" ]; then
                kept=$((kept + 1))
                [ "$kept" -gt "$k" ] || continue
                s3 DELETE "/$BERTH_PROJECT/$a" "$empty" "$tmp.answer" || return 1
                s3 DELETE "/$BERTH_PROJECT/$j" "$empty" "$tmp.answer" || return 1
                echo "removed $id from $BERTH_BUCKET, beyond the $k kept"
              elif [ "$kept" -gt 0 ]; then
                s3 DELETE "/$BERTH_PROJECT/$j" "$empty" "$tmp.answer" || return 1
              fi
            done
          done < "$tmp.retention"
        }
        # Uploads every complete backup in the outbox, archive first, then prunes. One at a
        # time: the service's loop and `backup --now` may ask at once.
        lock="/backups/.berth-upload.lock"
        failure="/backups/.berth-upload-failure"
        ship() (
          [ -d "$d" ] || exit 0
          # mkdir is atomic, and every image has it. A lock older than 30 minutes was left by
          # an uploader that was killed.
          i=0
          until mkdir "$lock" 2>/dev/null; do
            [ -z "$(find "$lock" -maxdepth 0 -mmin +30 2>/dev/null)" ] || rmdir "$lock" 2>/dev/null
            i=$((i + 1))
            [ "$i" -lt 600 ] || { echo "another upload has held $lock for 10 minutes" >&2; exit 1; }
            sleep 1
          done
          trap 'rmdir "$lock" 2>/dev/null; rm -f "$tmp" "$tmp".*' EXIT
          # What a killed writer left half-written: untouched for an hour, it is no backup.
          find "$d" -maxdepth 1 -name '.*.partial' -mmin +60 -exec rm -f {} + 2>/dev/null
          status=0
          : > "$tmp.errors"
          for j in $(ls "$d" | grep '\.json$'); do
            id=${j%.json}
            a=$(sed -n 's/.*"file":"\([^"]*\)".*/\1/p' "$d/$j" 2>/dev/null)
            [ -f "$d/$j" ] || continue
            if [ -n "$a" ]; then
              [ -f "$d/$a" ] || { echo "$id: its archive $a is not in the outbox" >> "$tmp.errors"; status=1; continue; }
              sum=$(sha256sum < "$d/$a"); sum=${sum%% *}
              s3 PUT "/$BERTH_PROJECT/$a" "$sum" "$tmp.answer" -T "$d/$a" 2>> "$tmp.errors" || { status=1; continue; }
            fi
            sum=$(sha256sum < "$d/$j"); sum=${sum%% *}
            s3 PUT "/$BERTH_PROJECT/$j" "$sum" "$tmp.answer" -T "$d/$j" 2>> "$tmp.errors" || { status=1; continue; }
            rm -f "$d/$j" ${a:+"$d/$a"}
            echo "uploaded $id to $BERTH_BUCKET"
          done
          prune 2>> "$tmp.errors" || status=1
          # The last failure, for `backups` and `status` to show beside what still waits.
          if [ "$status" = 0 ]; then
            rm -f "$failure"
          else
            cat "$tmp.errors" >&2
            tail -n 1 "$tmp.errors" | tr -d '"\\' | tr '\n\r\t' '   ' | cut -c1-300 > "$failure.partial" \
              && mv "$failure.partial" "$failure"
          fi
          exit $status
        )
        list() {
          why=""
          [ ! -s "$failure" ] || why=",\"uploadError\":\"$(sed 's/[&|\\]/\\&/g' "$failure")\""
          for j in $(ls "$d" 2>/dev/null | grep "^$1-.*\.json$"); do
            sed "s|}[[:space:]]*\$|,\"pending\":true$why}|" "$d/$j"
          done
          keys || return 1
          for j in $(grep "^$1-.*\.json$" "$tmp.keys"); do
            # 404: pruned since the listing (by this uploader's own round), so no longer a backup.
            if ! s3 GET "/$BERTH_PROJECT/$j" "$empty" "$tmp.record" 2>"$tmp.error"; then
              [ "$code" = 404 ] && continue
              cat "$tmp.error" >&2
              return 1
            fi
            cat "$tmp.record"; echo
          done
        }
        fetch() {
          if [ -f "$d/$1" ]; then cat "$d/$1"; return; fi
          credentials | curl -sS --fail --connect-timeout 10 --retry 3 -K - --aws-sigv4 "aws:amz:$BERTH_REGION:s3" \
            -H "x-amz-content-sha256: $empty" "$base/$BERTH_PROJECT/$1"
        }
        command -v curl >/dev/null 2>&1 || { echo "curl is not in this image, and the uploader runs it" >&2; exit 1; }
        command=${1:-serve}
        [ $# -eq 0 ] || shift
        case "$command" in
          serve)
            curl --help all 2>/dev/null | grep -q -e '--aws-sigv4' \
              || { echo "this image's curl has no --aws-sigv4 (curl 7.76 or newer has)" >&2; exit 1; }
            echo "uploading the backups of $BERTH_PROJECT from /backups to $BERTH_BUCKET at $BERTH_ENDPOINT every 15 s"
            trap 'exit 0' TERM INT
            # This container's earlier uploader, if any, was stopped: its lock is stale.
            rmdir "$lock" 2>/dev/null
            while :; do ship; sleep 15 & wait $!; done ;;
          ship) ship ;;
          list) list "$1" ;;
          fetch) fetch "$1" ;;
          sum)
            { fetch "$1" || echo failed > "$tmp.fetch"; } | sha256sum > "$tmp.sum"
            [ ! -f "$tmp.fetch" ] || exit 1
            sum=$(cat "$tmp.sum"); echo "${sum%% *}" ;;
          *) echo "unknown command $command" >&2; exit 2 ;;
        esac
        """#
}
