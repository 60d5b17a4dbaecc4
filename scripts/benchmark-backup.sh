#!/usr/bin/env bash
# Backup benchmark: `Deploy backup db --now` and `Deploy restore db ID --yes` (release build of the
# test fixture, an application's Deploy program) against the same by hand, in one run:
#   backup:  docker exec DB pg_dump --format=custom … > FILE   (and | openssl enc … > FILE)
#   restore: docker exec -i DB pg_restore --clean --if-exists --single-transaction … < FILE
# on a PostgreSQL 15 database filled by `pgbench -i -s SCALE`.
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
    rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && "$fixture" up --timeout 180 >&2)
db="$(docker ps -q --filter label=berth.stack=bench-backup --filter label=berth.service=db | head -1)"
echo "filling the database: pgbench -i -s $SCALE…" >&2
docker exec "$db" pgbench -i -q -s "$SCALE" -U app app >&2
size="$(docker exec "$db" psql -U app -d app -tAc "select pg_size_pretty(pg_database_size('app'))")"
key="$work/.berth/bench-backup/dev/secrets/backup_key"

seconds() { # command… -> elapsed seconds
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
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

printf '\nPostgreSQL 15, pgbench scale %s: database %s, dump %s; median of %s rounds (seconds)\n\n' \
    "$SCALE" "$size" "$archive" "$ROUNDS"
printf '| step | Berth | by hand | Berth, each round | by hand, each round |\n| --- | --- | --- | --- | --- |\n'
row() { printf '| %s | %s | %s | %s | %s |\n' "$1" "$(median <<<"${times[$2]}")" "$(median <<<"${times[$3]}")" "${times[$2]# }" "${times[$3]# }"; }
row "backup (pg_dump)" bb hb
row "backup, encrypted" be he
row "restore (pg_restore, one transaction)" br hr
