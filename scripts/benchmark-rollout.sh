#!/usr/bin/env bash
# Rollout benchmark: Berth's `up` against `docker compose up -d --wait`, side by side, in one run.
#
#   scripts/benchmark-rollout.sh            5 timed rollouts each, then 3 each under load
#   ROUNDS=10 scripts/benchmark-rollout.sh
#
# The service is `web` of Tests/RolloutFixture behind an nginx gateway (release build), with a
# health check every second; each rollout changes one environment variable.
# - Time to roll out: wall time of `RolloutFixture up` (Berth: start the new container beside
#   the old, wait until healthy, switch the gateway, drain, stop the old) against
#   `docker compose up -d --wait web` on the same rendered file (stop the old, start the new,
#   wait until healthy), which then also needs the gateway reloaded (not timed).
# - Failed requests: `hey` at 200 requests/s through the gateway on 127.0.0.1 for 30 s while
#   three rollouts run, for each tool; a failure is a non-2xx answer or a connection error.
# Everything stays on loopback and on containers this script starts; it removes them at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROUNDS="${ROUNDS:-5}"
PORT="${PORT:-18480}"

eval "$(scripts/engine.sh up)"
command -v hey >/dev/null || { echo "hey is missing (apt-get install hey)" >&2; exit 1; }

echo "building RolloutFixture (release)…" >&2
swift build -c release --product RolloutFixture >&2
fixture="$(swift build -c release --show-bin-path)/RolloutFixture"

work="$(mktemp -d /tmp/berth-rollout-bench.XXXXXX)"
stack="bench-rollout"
project="$stack-dev"
export FIXTURE_STACK="$stack" FIXTURE_PORT="$PORT" FIXTURE_ONLY="gateway,web"
cleanup() {
    (cd "$work" && FIXTURE_VERSION=0 "$fixture" down --volumes --yes >/dev/null 2>&1) || true
    rm -rf "$work"
}
trap cleanup EXIT

deploy() { # version [args...]
    local version="$1"
    shift
    (cd "$work" && FIXTURE_VERSION="$version" "$fixture" "$@")
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

load() { # seconds -> prints "total failed rate"
    hey -z "$1s" -c 10 -q 20 -t 5 -host "web.$stack.localhost" "http://127.0.0.1:$PORT/" | awk '
        /^Status code distribution/ { m = 1; next }
        /^Error distribution/ { m = 2; next }
        /^[A-Z]/ { m = 0 }
        m && match($0, /\[[0-9]+\]/) {
            k = substr($0, RSTART + 1, RLENGTH - 2)
            if (m == 2) e += k; else if (k < 200 || k > 299) n += $2; else o += $2
        }
        /Requests\/sec/ { r = $2 }
        END { printf "%d %d %.0f\n", o + n + e, n + e, r }'
}

compose_rollout() { # version
    deploy "$1" render >/dev/null
    docker compose --project-name "$project" --file "$work/.berth/$stack/dev/compose.yaml" \
        up --detach --wait web >/dev/null 2>&1
}

reload_gateway() {
    docker exec "$(docker ps -q --filter "label=berth.stack=$stack" --filter label=berth.service=gateway)" \
        nginx -s reload >/dev/null
}

deploy 0 up >/dev/null 2>&1

berth_times=()
compose_times=()
version=1
for round in $(seq 1 "$ROUNDS"); do
    start="$(now)"
    deploy "$version" up >/dev/null 2>&1
    berth_times+=("$(elapsed "$start" "$(now)")")
    version=$((version + 1))

    start="$(now)"
    compose_rollout "$version"
    compose_times+=("$(elapsed "$start" "$(now)")")
    reload_gateway
    version=$((version + 1))
    # Back to a state Berth started: the next Berth rollout replaces Compose's container.
    deploy "$version" up >/dev/null 2>&1
    version=$((version + 1))
    echo "round $round: berth ${berth_times[-1]} s, compose ${compose_times[-1]} s" >&2
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Under load: three rollouts each while hey runs.
tmp_load="$work/load"
load 30 >"$tmp_load" &
sleep 2
for _ in 1 2 3; do
    deploy "$version" up >/dev/null 2>&1
    version=$((version + 1))
done
wait
read -r berth_total berth_failed berth_rate <"$tmp_load"

load 30 >"$tmp_load" &
sleep 2
for _ in 1 2 3; do
    compose_rollout "$version"
    reload_gateway
    version=$((version + 1))
    sleep 3
done
wait
read -r compose_total compose_failed compose_rate <"$tmp_load"

berth_median="$(median "${berth_times[@]}")"
compose_median="$(median "${compose_times[@]}")"
ratio="$(awk -v a="$berth_median" -v b="$compose_median" 'BEGIN { printf "%.2f", a / b }')"

echo
echo "Rollout of one routed service (web: health check every 1 s, exits on SIGTERM), $ROUNDS rounds, $(date -u +%F)"
echo
echo "| | Berth \`up\` | \`docker compose up -d --wait\` |"
echo "| --- | --- | --- |"
echo "| time to roll out, median (s) | $berth_median | $compose_median |"
echo "| time to roll out, each round (s) | ${berth_times[*]} | ${compose_times[*]} |"
echo "| Berth / Compose | $ratio× | |"
echo "| requests during 3 rollouts (200/s target, measured $berth_rate/s and $compose_rate/s) | $berth_total | $compose_total |"
echo "| failed requests (non-2xx or connection errors) | $berth_failed | $compose_failed |"
