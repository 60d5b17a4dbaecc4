#!/usr/bin/env bash
# Remote-engine benchmark: what Berth costs over ssh, side by side with the local socket and
# with what a user would run by hand, in one run.
#
#   scripts/benchmark-remote.sh              10 no-op plans per target, then the shipping benchmark
#   RUNS=20 SHIP_ROUNDS=5 scripts/benchmark-remote.sh
#   SHIP=0 scripts/benchmark-remote.sh       plans only
#
# No-op plan. The stack is Tests/RolloutFixture (release build) with an nginx gateway, `web`
# (routed) and `pinned` (a published port), deployed with `up` on each engine. Then, RUNS times,
# round robin over the three targets, the script times
# - `RolloutFixture plan`: validate, render, read live state, the route and port checks; it must
#   exit 0 (nothing to change), or the benchmark stops;
# - `docker compose -p PROJECT -f FILE up --dry-run --no-build` on the file Berth rendered, the
#   closest Compose has to a plan (it reads the live containers and says what it would do,
#   offline for images that are present); it must not say it would create or recreate anything.
# Targets: (a) the local engine's unix socket; (b) DOCKER_HOST=ssh://core@127.0.0.1:2222 with
# ssh connection sharing (the lab's ssh wrapper: ControlMaster auto, ControlPersist 60);
# (c) the same with SSH_ENG_MUX=0: a cold ssh connection for every docker call, as a user
# without ControlMaster in ~/.ssh/config has.
# Times are wall time of the whole process, start included: median, p90 (nearest rank), min, max.
#
# Profile. One more cold-ssh plan runs with `docker` and `ssh` on PATH wrapped to log when each
# starts and ends: how many docker processes and ssh connections it makes, and when.
#
# Shipping. scripts/benchmark-ship.sh, with sharing on and off (its own image, never the lab's).
#
# The lab is two dockerd in network namespaces behind an sshd on 127.0.0.1:2222
# (scripts/remote-engines.sh): ssh latency here is loopback. Everything this script deploys it
# removes at the end (`down`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS="${RUNS:-10}"
PORT="${PORT:-18680}" # the gateway; `pinned` publishes PORT+1 (on the local engine's host)
SHIP="${SHIP:-1}"
SHIP_ROUNDS="${SHIP_ROUNDS:-3}"

eval "$(scripts/engine.sh up)"
eval "$(scripts/remote-engines.sh up)"
local_host="$DOCKER_HOST"
core="$BERTH_REMOTE_CORE"
ssh_wrapper="$(command -v ssh)"
real_docker="$(command -v docker)"

echo "building RolloutFixture and berth (release)…" >&2
swift build -c release --product RolloutFixture >&2
swift build -c release --product berth >&2
bin="$(swift build -c release --show-bin-path)"
fixture="$bin/RolloutFixture"

stack="bench-remote"
project="$stack-dev"
export FIXTURE_STACK="$stack" FIXTURE_PORT="$PORT" FIXTURE_ONLY="gateway,web,pinned" FIXTURE_VERSION=1
work="$(mktemp -d /tmp/berth-remote-bench.XXXXXX)"
mkdir -p "$work/local" "$work/core" "$work/trace"

targets=(local core-shared core-cold)
declare -A label=(
    [local]="local socket"
    [core-shared]="ssh, connection sharing"
    [core-cold]="ssh, cold connection per call"
)

# Runs a command against a target: its engine in DOCKER_HOST, its ssh mode in SSH_ENG_MUX, in
# the work directory of its engine.
on() { # target command...
    local target="$1"
    shift
    case "$target" in
        local) (cd "$work/local" && DOCKER_HOST="$local_host" "$@") ;;
        core-shared) (cd "$work/core" && DOCKER_HOST="$core" SSH_ENG_MUX=1 "$@") ;;
        core-cold) (cd "$work/core" && DOCKER_HOST="$core" SSH_ENG_MUX=0 "$@") ;;
    esac
}

cleanup() {
    on local timeout 120 "$fixture" down >/dev/null 2>&1 || true
    on core-shared timeout 120 "$fixture" down >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median p90 min max of the arguments, in seconds with two decimals.
stats() {
    printf '%s\n' "$@" | sort -n | awk '
        { a[NR] = $1 }
        END {
            m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
            p = int(NR * 0.9); if (p < NR * 0.9) p++
            printf "%.2f %.2f %.2f %.2f\n", m, a[p], a[1], a[NR]
        }'
}

for engine in local core-shared; do
    echo "deploying $stack on ${label[$engine]}…" >&2
    on "$engine" timeout 300 "$fixture" up >/dev/null 2>"$work/up.log" || {
        cat "$work/up.log" >&2
        exit 1
    }
done

compose_file() { # target
    case "$1" in
        local) echo "$work/local/.berth/$stack/dev/compose.yaml" ;;
        *) echo "$work/core/.berth/$stack/dev/compose.yaml" ;;
    esac
}

berth_plan() { # target
    local rc=0
    on "$1" timeout 60 "$fixture" plan >"$work/plan.out" 2>&1 || rc=$?
    if [[ "$rc" != 0 ]]; then
        echo "plan on ${label[$1]} exited $rc (0 = nothing to change expected):" >&2
        cat "$work/plan.out" >&2
        exit 1
    fi
}

compose_plan() { # target
    local rc=0
    on "$1" timeout 60 docker compose -p "$project" -f "$(compose_file "$1")" up --dry-run --no-build \
        >"$work/compose.out" 2>&1 || rc=$?
    if [[ "$rc" != 0 ]] || grep -Eq 'Creat|Recreat' "$work/compose.out"; then
        echo "docker compose up --dry-run on ${label[$1]} exited $rc or would change something:" >&2
        cat "$work/compose.out" >&2
        exit 1
    fi
}

declare -A berth_times compose_times
for round in $(seq 1 "$RUNS"); do
    for target in "${targets[@]}"; do
        t0="$(now)"
        berth_plan "$target"
        berth_times[$target]+="$(elapsed "$t0" "$(now)") "
        t0="$(now)"
        compose_plan "$target"
        compose_times[$target]+="$(elapsed "$t0" "$(now)") "
    done
    echo "round $round/$RUNS done" >&2
done

# The profile: one cold-ssh plan with docker and ssh logging each process they run.
cat >"$work/trace/docker" <<EOF
#!/bin/sh
s=\$(date +%s.%N)
"$real_docker" "\$@"
rc=\$?
printf 'docker %s %s %s\n' "\$s" "\$(date +%s.%N)" "\$*" >>"$work/trace.log"
exit \$rc
EOF
# docker kills its ssh when it is done with the connection: ssh logs only its start.
cat >"$work/trace/ssh" <<EOF
#!/bin/sh
printf 'ssh %s - %s\n' "\$(date +%s.%N)" "\$*" >>"$work/trace.log"
exec "$ssh_wrapper" "\$@"
EOF
chmod +x "$work/trace/docker" "$work/trace/ssh"
: >"$work/trace.log"
t0="$(now)"
PATH="$work/trace:$PATH" berth_plan core-cold
t1="$(now)"

echo
echo "No-op plan of a 3-service stack (nginx gateway, a routed and a published service), $RUNS runs per target, $(date -u +%F)"
echo "Seconds, wall time per command: median / p90 / min–max."
echo
echo "| target | Berth \`plan\` | \`docker compose up --dry-run\` |"
echo "| --- | --- | --- |"
for target in "${targets[@]}"; do
    # shellcheck disable=SC2086
    read -r bm bp bmin bmax <<<"$(stats ${berth_times[$target]})"
    # shellcheck disable=SC2086
    read -r cm cp cmin cmax <<<"$(stats ${compose_times[$target]})"
    echo "| ${label[$target]} | $bm / $bp / $bmin–$bmax | $cm / $cp / $cmin–$cmax |"
done
# shellcheck disable=SC2086
cold_p90="$(stats ${berth_times[core-cold]} | awk '{ print $2 }')"
echo
echo "Goal: a no-op plan over ssh in ≤ 1.5 s. Cold ssh, p90: $cold_p90 s ($(awk -v p="$cold_p90" 'BEGIN { print (p <= 1.5) ? "met" : "missed" }'))."

echo
echo "Profile of one cold-ssh plan ($(elapsed "$t0" "$t1") s): when each process started and ended, seconds after the plan started"
echo
sort -k2,2n "$work/trace.log" | awk -v t0="$t0" '
    $1 == "docker" { d++ }
    $1 == "ssh" { s++ }
    {
        line = $0
        sub(/^[a-z]+ [0-9.]+ [-0-9.]+ /, "", line)
        if ($1 == "ssh") sub(/^.* -- /, "", line)
        if (length(line) > 90) line = substr(line, 1, 87) "…"
        if ($1 == "ssh") printf "  %5.2f           ssh %s\n", $2 - t0, line
        else printf "  %5.2f–%5.2f  docker %s\n", $2 - t0, $3 - t0, line
    }
    END { printf "\n  %d docker processes, %d ssh connections\n", d, s }'

if [[ "$SHIP" == 1 ]]; then
    echo
    echo "Shipping (scripts/benchmark-ship.sh, $SHIP_ROUNDS rounds), ssh connection sharing on:"
    BERTH="$bin/berth" ROUNDS="$SHIP_ROUNDS" SSH_ENG_MUX=1 scripts/benchmark-ship.sh 2>/dev/null | sed 's/^/  /'
    echo "Shipping, a cold ssh connection per call:"
    BERTH="$bin/berth" ROUNDS="$SHIP_ROUNDS" SSH_ENG_MUX=0 scripts/benchmark-ship.sh 2>/dev/null | sed 's/^/  /'
fi
