#!/usr/bin/env bash
# Backup benchmark: `Deploy backup db --now` and `Deploy restore db ID --yes` (release build of the
# test fixture, an application's Deploy program) against the same by hand, in one run:
#   backup:  docker exec DB pg_dump --format=custom … > FILE   (and | openssl enc … > FILE)
#   restore: docker exec -i DB pg_restore --clean --if-exists --single-transaction … < FILE
# on a PostgreSQL 15 database filled by `pgbench -i -s SCALE`; then the same to an S3 bucket
# (moto's S3 server, which checks signatures, in a container on an engine network):
#   backup:  docker exec DB pg_dump … | aws s3 cp - s3://bench-backups/KEY
#   restore: aws s3 cp s3://bench-backups/KEY - | docker exec -i DB pg_restore …
#
#   scripts/benchmark-backup.sh              scale 20 (about 300 MB of tables), 3 rounds each
#   SCALE=5 ROUNDS=5 scripts/benchmark-backup.sh
#
# Berth's figures include what Berth adds: checking the engine, finding the container, writing
# the archive into a volume through a one-off container, its SHA-256 and record, retention; a
# restore also checks the archive, stops and restarts the writers (none here) and holds the lock.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROUNDS="${ROUNDS:-3}"
SCALE="${SCALE:-20}"
eval "$(scripts/engine.sh up)"

echo "building the fixture (release)…" >&2
swift build -c release --product RolloutFixture >&2
fixture="$PWD/.build/release/RolloutFixture"
work="$(mktemp -d)"
export FIXTURE_STACK="bench-backup" FIXTURE_ONLY="db"
cleanup() {
    (cd "$work" && "$fixture" down --volumes --yes >/dev/null 2>&1) || true
    docker rm -f bench-backup-s3 >/dev/null 2>&1 || true
    docker network rm bench-backup-storage >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
S3_PORT=18706

(cd "$work" && "$fixture" up --timeout 180 >&2)
db="$(docker ps -q --filter label=berth.stack=bench-backup --filter label=berth.service=db | head -1)"
echo "filling the database: pgbench -i -s $SCALE…" >&2
docker exec "$db" pgbench -i -q -s "$SCALE" -U app app >&2
size="$(docker exec "$db" psql -U app -d app -tAc "select pg_size_pretty(pg_database_size('app'))")"
key="$work/.berth/bench-backup/dev/secrets/backup_key"

seconds() { # command… -> elapsed seconds
    local start end
    start=$(date +%s%N)
    # A step that failed has no time worth printing: the run stops and says which.
    "$@" >"$work/step.log" 2>&1 || {
        echo "error: '$*' failed:" >&2
        tail -20 "$work/step.log" >&2
        exit 1
    }
    end=$(date +%s%N)
    awk -v ns=$((end - start)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

berth_backup() { (cd "$work" && "$fixture" backup db --now); }
berth_backup_encrypted() { (cd "$work" && FIXTURE_BACKUP_KEY=1 "$fixture" backup db --now); }
hand_backup() { docker exec "$db" pg_dump --format=custom -U app -d app >"$work/hand.dump"; }
hand_backup_encrypted() {
    docker exec "$db" pg_dump --format=custom -U app -d app |
        openssl enc -e -aes-256-cbc -md sha256 -pbkdf2 -iter 200000 -pass "file:$key" >"$work/hand.dump.enc"
}
newest() { (cd "$work" && "$fixture" backups db --json) | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])'; }
berth_restore() { (cd "$work" && "$fixture" restore db "$1" --yes); }
hand_restore() {
    docker exec -i "$db" pg_restore --clean --if-exists --single-transaction --exit-on-error -U app -d app \
        <"$work/hand.dump"
}

declare -A times
for round in $(seq "$ROUNDS"); do
    times[bb]+=" $(seconds berth_backup)"
    times[hb]+=" $(seconds hand_backup)"
    times[be]+=" $(seconds berth_backup_encrypted)"
    times[he]+=" $(seconds hand_backup_encrypted)"
    id="$(newest)"
    times[br]+=" $(seconds berth_restore "$id")"
    times[hr]+=" $(seconds hand_restore)"
    echo "round $round done" >&2
done
archive="$(du -h "$work/hand.dump" | cut -f1)"

# The bucket: moto with this machine's python3 mounted read-only (as the bucket tests run it).
echo "starting moto's S3 server…" >&2
mapfile -t py < <(python3 -c 'import os, sys, moto.server; print(sys.prefix); print(sys.executable); print(os.path.dirname(os.path.dirname(moto.__file__)))')
docker network create bench-backup-storage >/dev/null
docker run -d --pull never --name bench-backup-s3 --network bench-backup-storage --network-alias s3 \
    -p "127.0.0.1:$S3_PORT:5000" -e INITIAL_NO_AUTH_ACTION_COUNT=4 -e "PYTHONPATH=${py[2]}" \
    -e "LD_LIBRARY_PATH=${py[0]}/lib:/usr/lib/x86_64-linux-gnu" -v /usr:/usr:ro -v /usr/lib:/lib:ro \
    -v /usr/lib64:/lib64:ro -v "${py[0]}:${py[0]}:ro" berth-test/busybox:1 \
    "${py[1]}" -m moto.server -H 0.0.0.0 -p 5000 >/dev/null
s3="http://127.0.0.1:$S3_PORT"
for _ in $(seq 60); do curl -fs "$s3/moto-api/" >/dev/null && break; sleep 0.5; done
unsigned() { curl -fsS --aws-sigv4 "aws:amz:us-east-1:$1" --user boot:boot "${@:2}"; }
unsigned s3 -X PUT "$s3/bench-backups" >/dev/null
unsigned iam -d "Action=CreateUser&UserName=bench&Version=2010-05-08" "$s3/" >/dev/null
unsigned iam --data-urlencode Action=PutUserPolicy --data-urlencode UserName=bench --data-urlencode PolicyName=all \
    --data-urlencode 'PolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}' \
    --data-urlencode Version=2010-05-08 "$s3/" >/dev/null
keys="$(unsigned iam -d "Action=CreateAccessKey&UserName=bench&Version=2010-05-08" "$s3/")"
export FIXTURE_S3_KEY_ID="$(sed -n 's/.*<AccessKeyId>\([^<]*\).*/\1/p' <<<"$keys")"
export FIXTURE_S3_SECRET="$(sed -n 's/.*<SecretAccessKey>\([^<]*\).*/\1/p' <<<"$keys")"
export FIXTURE_BUCKET=bench-backup-storage
(cd "$work" && "$fixture" up --timeout 180 >&2)
db="$(docker ps -q --filter label=berth.stack=bench-backup --filter label=berth.service=db | head -1)"
export AWS_ACCESS_KEY_ID="$FIXTURE_S3_KEY_ID" AWS_SECRET_ACCESS_KEY="$FIXTURE_S3_SECRET" AWS_DEFAULT_REGION=us-east-1
hand_bucket_backup() {
    docker exec "$db" pg_dump --format=custom -U app -d app | aws --endpoint-url "$s3" s3 cp - s3://bench-backups/hand.dump
}
hand_bucket_restore() {
    aws --endpoint-url "$s3" s3 cp s3://bench-backups/hand.dump - |
        docker exec -i "$db" pg_restore --clean --if-exists --single-transaction --exit-on-error -U app -d app
}
for round in $(seq "$ROUNDS"); do
    times[bs]+=" $(seconds berth_backup)"
    times[hs]+=" $(seconds hand_bucket_backup)"
    id="$(newest)"
    times[bt]+=" $(seconds berth_restore "$id")"
    times[ht]+=" $(seconds hand_bucket_restore)"
    echo "bucket round $round done" >&2
done
# Berth's archives and records (3 kept, each with its record) and the hand-made dump.
echo "the bucket holds: $(aws --endpoint-url "$s3" s3 ls s3://bench-backups --recursive | awk '{ print $4 }' | tr '\n' ' ')" >&2

printf '\nPostgreSQL 15, pgbench scale %s: database %s, dump %s; median of %s rounds (seconds)\n\n' \
    "$SCALE" "$size" "$archive" "$ROUNDS"
printf '| step | Berth | by hand | Berth, each round | by hand, each round |\n| --- | --- | --- | --- | --- |\n'
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$(median <<<"${times[$2]}")" "$(median <<<"${times[$3]}")" "${times[$2]# }" "${times[$3]# }"; }
row "backup (pg_dump)" bb hb
row "backup, encrypted" be he
row "restore (pg_restore, one transaction)" br hr
row "backup to an S3 bucket (by hand: aws s3 cp)" bs hs
row "restore from the bucket" bt ht
