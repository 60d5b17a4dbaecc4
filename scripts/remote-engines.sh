#!/usr/bin/env bash
# Two remote Docker engines for Berth's remote-target tests, reached only over ssh.
#
#   eval "$(scripts/remote-engines.sh up)"   start the lab (or reuse it), load the test images
#   scripts/remote-engines.sh env            print the export lines for a running lab
#   scripts/remote-engines.sh down           stop the lab
#
# The lab itself is scripts/ssh-engines.sh: dockerd "hosts" `core` (10.250.0.2) and `edge`
# (10.250.0.3), each in its own network namespace, behind an sshd on 127.0.0.1:2222 with users
# core and edge. This script adds what the tests need around it:
#   - installs what is missing (openssh-server, iproute2, iptables), as scripts/engine.sh does;
#   - loads berth-test/busybox:1 and berth-test/nginx:1 from the local engine (DOCKER_HOST, as
#     `scripts/engine.sh up` left it) into both engines, skipping images whose ID already
#     matches: the lab engines cannot pull;
#   - prints, on stdout and nothing else, the export lines the Swift tests read:
#       BERTH_REMOTE_CORE, BERTH_REMOTE_EDGE            ssh://core@127.0.0.1:2222, ssh://edge@…
#       BERTH_REMOTE_CORE_ADDRESS, BERTH_REMOTE_EDGE_ADDRESS   the hosts' LAN addresses
#       BERTH_SWARM_MANAGER, BERTH_SWARM_WORKER, BERTH_SWARM_WORKER_NODE   the two-node Swarm
#       PATH   with the lab's `ssh` wrapper (its key, known_hosts and connection sharing) first
#
# Needs root (network namespaces, users, sshd). `up` is idempotent and safe to run twice at once.
# `down` is only for leaving a developer machine clean: CI machines are thrown away.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SSH_BIN=/tmp/ssh-eng-sshd/bin
LOCK=/tmp/ssh-eng-lab.lock
CORE=ssh://core@127.0.0.1:2222
EDGE=ssh://edge@127.0.0.1:2222
CORE_ADDRESS=10.250.0.2
EDGE_ADDRESS=10.250.0.3
# The Swarm of two nodes, reached by their engines' sockets: manager swa, worker swb.
SWARM_MANAGER=unix:///tmp/ssh-eng-swa/docker.sock
SWARM_WORKER=unix:///tmp/ssh-eng-swb/docker.sock
SWARM_WORKER_NODE=ssh-eng-swb
# Only what the remote-target tests run. berth-test/traefik:3 (185 MB) is left out on purpose:
# the Traefik tests run on the local engine, and loading it twice would cost every run.
IMAGES=(berth-test/busybox:1 berth-test/nginx:1)

log() { printf 'remote-engines: %s\n' "$*" >&2; }
die() {
    printf 'remote-engines: error: %s\n' "$*" >&2
    exit 1
}
have_cmd() { command -v "$1" >/dev/null 2>&1; }

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

ensure_packages() {
    local pkgs=()
    [[ -x /usr/sbin/sshd ]] || pkgs+=(openssh-server)
    have_cmd ip || [[ -x /usr/sbin/ip ]] || pkgs+=(iproute2)
    have_cmd iptables || [[ -x /usr/sbin/iptables ]] || pkgs+=(iptables)
    have_cmd docker || die "the docker CLI is missing: run scripts/engine.sh up first"
    apt_install ${pkgs[@]+"${pkgs[@]}"}
}

with_lab_path() { PATH="$SSH_BIN:$PATH" "$@"; }

# Loads each test image into an engine unless it already has the same image ID.
load_images() { # host [image...] (default: IMAGES)
    local host=$1 image wanted have missing=()
    shift
    local images=("$@")
    [[ ${#images[@]} -gt 0 ]] || images=("${IMAGES[@]}")
    for image in "${images[@]}"; do
        wanted="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null)" ||
            die "$image is not on the local engine (${DOCKER_HOST:-default socket}); run scripts/engine.sh up"
        have="$(with_lab_path docker --host "$host" image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
        [[ "$have" == "$wanted" ]] || missing+=("$image")
    done
    [[ ${#missing[@]} -gt 0 ]] || return 0
    log "loading ${missing[*]} into $host"
    docker save "${missing[@]}" | with_lab_path docker --host "$host" load >/dev/null ||
        die "could not load ${missing[*]} into $host"
}

print_env() {
    local path="$PATH"
    [[ ":$path:" == *":$SSH_BIN:"* ]] || path="$SSH_BIN:$path"
    printf 'export BERTH_REMOTE_CORE=%q\n' "$CORE" >&3
    printf 'export BERTH_REMOTE_EDGE=%q\n' "$EDGE" >&3
    printf 'export BERTH_REMOTE_CORE_ADDRESS=%q\n' "$CORE_ADDRESS" >&3
    printf 'export BERTH_REMOTE_EDGE_ADDRESS=%q\n' "$EDGE_ADDRESS" >&3
    printf 'export BERTH_SWARM_MANAGER=%q\n' "$SWARM_MANAGER" >&3
    printf 'export BERTH_SWARM_WORKER=%q\n' "$SWARM_WORKER" >&3
    printf 'export BERTH_SWARM_WORKER_NODE=%q\n' "$SWARM_WORKER_NODE" >&3
    printf 'export PATH=%q\n' "$path" >&3
}

engines_answer() {
    local host
    for host in "$CORE" "$EDGE" "$SWARM_MANAGER" "$SWARM_WORKER"; do
        with_lab_path timeout 20 docker --host "$host" info >/dev/null 2>&1 || return 1
    done
}

take_lock() {
    have_cmd flock || return 0
    exec 9>"$LOCK"
    flock -w 300 9 || die "another 'remote-engines.sh' has held $LOCK for 5 minutes"
}

cmd_up() {
    take_lock
    local t0=$SECONDS
    ensure_packages
    # 3>&-: the engines and sshd it starts outlive this script; holding fd 3 (the caller's
    # `$(…)` pipe) would keep `eval "$(scripts/remote-engines.sh up)"` waiting forever.
    scripts/ssh-engines.sh up 3>&- 9>&-
    engines_answer || die "the lab started but 'docker --host $CORE info' does not answer; see /tmp/ssh-eng-sshd/log and /tmp/ssh-eng-core/log"
    load_images "$CORE"
    load_images "$EDGE"
    # The Swarm's tests run busybox only.
    load_images "$SWARM_MANAGER" berth-test/busybox:1
    load_images "$SWARM_WORKER" berth-test/busybox:1
    log "remote engines ready in $((SECONDS - t0))s: $CORE ($CORE_ADDRESS), $EDGE ($EDGE_ADDRESS)"
    print_env
}

cmd_env() {
    engines_answer || die "the lab is not running (start it with: scripts/remote-engines.sh up)"
    print_env
}

cmd_down() {
    take_lock
    scripts/ssh-engines.sh down 3>&- 9>&-
    log "lab stopped"
}

# stdout is only for the export lines: keep it on fd 3 and send everything else to stderr.
exec 3>&1 1>&2

case "${1:-}" in
    up) cmd_up ;;
    env) cmd_env ;;
    down) cmd_down ;;
    *)
        echo "usage: $0 up|env|down" >&2
        exit 2
        ;;
esac
