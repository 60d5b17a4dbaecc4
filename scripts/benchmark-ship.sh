#!/usr/bin/env bash
# Shipping benchmark: `berth ship IMAGE --host $CORE` (release build) against the same copy by
# hand, `docker save IMAGE | ssh core@127.0.0.1 -p 2222 docker load`, in one run.
#
#   scripts/benchmark-ship.sh                 a private copy of berth-test/nginx:1, 3 rounds each
#   ROUNDS=5 scripts/benchmark-ship.sh
#   SSH_ENG_MUX=0 scripts/benchmark-ship.sh   a cold ssh connection per docker call (no sharing)
#   IMAGE=my/image:tag scripts/benchmark-ship.sh   an image of your own: it is REMOVED from core
#   BERTH=.build/release/berth scripts/benchmark-ship.sh   a berth binary already built (no swift build)
#
# Each round removes the image from core first, so both sides copy the whole image; a last
# `berth ship` with the image in place times the skip. At the end the image is removed from
# core again. So that the lab's own test images are never touched, the default image is
# berth-bench/nginx:1, a one-layer copy of berth-test/nginx:1 (`docker export | docker import`)
# made on the local engine: same size, no layer shared with anything on core. Needs the local
# test engine and the remote lab; both are started here when they are not running.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROUNDS="${ROUNDS:-3}"

eval "$(scripts/engine.sh up)"
eval "$(scripts/remote-engines.sh up)"
CORE="$BERTH_REMOTE_CORE"                  # ssh://core@127.0.0.1:2222
core_address="${CORE#ssh://}"
core_port="${core_address##*:}"
core_login="${core_address%:*}"
docker --host "$CORE" info >/dev/null || { echo "$CORE does not answer; start the lab" >&2; exit 1; }

if [[ -z "${IMAGE:-}" ]]; then
    IMAGE=berth-bench/nginx:1
    if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
        source_container="$(docker create berth-test/nginx:1 true)"
        docker export "$source_container" | docker import - "$IMAGE" >/dev/null
        docker rm "$source_container" >/dev/null
    fi
fi

if [[ -n "${BERTH:-}" ]]; then
    berth="$BERTH"
else
    echo "building berth (release)…" >&2
    swift build -c release --product berth >&2
    berth="$(swift build -c release --show-bin-path)/berth"
fi

now() { date +%s.%N; }
remove_on_core() { docker --host "$CORE" image rm --force "$IMAGE" >/dev/null 2>&1 || true; }
trap remove_on_core EXIT

size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
printf 'image %s, %s MB, %s rounds each, ssh connection sharing %s\n' "$IMAGE" "$((size / 1000000))" "$ROUNDS" \
    "$([[ "${SSH_ENG_MUX:-1}" == 0 ]] && echo off || echo on)"

best() { sort -n | head -1; }
berth_times=()
hand_times=()
for _ in $(seq "$ROUNDS"); do
    remove_on_core
    t0=$(now)
    "$berth" ship "$IMAGE" --host "$CORE" >/dev/null 2>&1
    berth_times+=("$(echo "$(now) - $t0" | bc)")

    remove_on_core
    t0=$(now)
    docker save "$IMAGE" | ssh -p "$core_port" "$core_login" docker load >/dev/null
    hand_times+=("$(echo "$(now) - $t0" | bc)")
done
t0=$(now)
"$berth" ship "$IMAGE" --host "$CORE" >/dev/null 2>&1
skip=$(echo "$(now) - $t0" | bc)

printf 'berth ship:          best %.2f s  (%s)\n' "$(printf '%s\n' "${berth_times[@]}" | best)" "${berth_times[*]}"
printf 'docker save | ssh:   best %.2f s  (%s)\n' "$(printf '%s\n' "${hand_times[@]}" | best)" "${hand_times[*]}"
printf 'berth ship, already there: %.2f s\n' "$skip"
