#!/usr/bin/env bash
# Two "remote" Docker engines on this machine, reachable only over ssh, and a Swarm of two nodes.
#   scripts/ssh-engines.sh up     start engines core+edge and sshd on 127.0.0.1:2222, and the
#                                 Swarm: manager swa, worker swb (reached by their sockets)
#   scripts/ssh-engines.sh down   stop them (by pid), remove namespaces, bridge, FORWARD rule
#
# `up` is idempotent: an engine or sshd that already runs (by its pidfile) is kept, so a second
# `up` only checks. scripts/remote-engines.sh wraps this for the tests (packages, images, exports).
set -euo pipefail

SSHD_DIR=/tmp/ssh-eng-sshd
CLIENT_DIR=/tmp/ssh-eng-client # client-side workspace, hidden from the engines
PORT=2222

log() { printf 'lab: %s\n' "$*" >&2; }

# The fake hosts share one L2 "LAN" (a host bridge); each engine lives in its own network
# namespace: own docker0, own iptables, own ports (2377/7946/80...), no clash with the host's engine.
LAN_BR=sshe-lan0
LAN_HOST_IP=10.250.0.1
declare -A IP=([core]=10.250.0.2 [edge]=10.250.0.3 [swa]=10.250.0.4 [swb]=10.250.0.5)

start_lan() {
    if ! ip link show "$LAN_BR" >/dev/null 2>&1; then
        ip link add "$LAN_BR" type bridge
        ip addr add "$LAN_HOST_IP/24" dev "$LAN_BR"
        ip link set "$LAN_BR" up
    fi
    # br_netfilter is on and the host's own dockerd set FORWARD policy DROP: without this rule
    # core and edge cannot reach each other (host<->netns traffic works without it).
    iptables -C FORWARD -i "$LAN_BR" -o "$LAN_BR" -j ACCEPT 2>/dev/null ||
        iptables -I FORWARD 1 -i "$LAN_BR" -o "$LAN_BR" -j ACCEPT
}

# The pid in a pidfile when it is alive and its command line contains `pattern` (a stale
# pidfile whose pid was reused does not count).
live_pid() { # pidfile pattern
    local pid cmd
    [[ -f $1 ]] || return 1
    pid=$(tr -dc 0-9 <"$1")
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    [[ $cmd == *"$2"* ]] || return 1
    printf '%s\n' "$pid"
}

wait_for_engine() { # name
    local n=$1 root=/tmp/ssh-eng-$1 i
    for i in $(seq 1 120); do
        DOCKER_HOST=unix://$root/docker.sock timeout 10 docker info >/dev/null 2>&1 && {
            log "engine $n up after $((i / 2))s (pid $(cat "$root/pid"), host ${IP[$n]})"
            return 0
        }
        sleep 0.5
    done
    tail -20 "$root/log" >&2
    return 1
}

start_engine() { # name
    local n=$1 root=/tmp/ssh-eng-$1 ns=ssh-eng-$1
    if [[ -e /run/netns/$ns ]] && live_pid "$root/pid" "--data-root $root/data" >/dev/null; then
        log "engine $n already running (pid $(cat "$root/pid"))"
        wait_for_engine "$n"
        return
    fi
    mkdir -p "$root/data" "$root/exec" "$CLIENT_DIR"
    chmod 755 "$root"
    groupadd -f "ssheng-$n" # the socket's group (core's and edge's ssh users are in theirs)
    # deprecated-key-path: dockerd 20.10 derives `docker info .ID` from /etc/docker/key.json, so
    # without it every engine on the machine reports the same ID.
    printf '{"deprecated-key-path":"%s"}\n' "$root/key.json" >"$root/daemon.json"
    if [[ ! -e /run/netns/$ns ]]; then
        ip netns add "$ns"
        ip link add "sshe-$n" type veth peer name eth0 netns "$ns"
        ip link set "sshe-$n" master "$LAN_BR" up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "${IP[$n]}/24" dev eth0
        ip -n "$ns" link set eth0 up
        # No default route on purpose: with one, the engine's registry lookups (swarm tasks try to
        # pull every tagged image) wait 20 s on DNS; without, they fail at once.
    fi
    rm -f "$root/docker.sock"
    # nsenter --net (not `ip netns exec`, which remounts /sys and so hides the cgroup mounts).
    # unshare --uts + hostname: `docker info .Name` and the swarm node name become distinct.
    # unshare --mount + empty tmpfs over the client workspace: the engine cannot see client-side
    # files, as on a real remote host (a bind mount of a client path fails as it would there).
    setsid nsenter --net="/run/netns/$ns" -- unshare --mount --uts --propagation private -- sh -c \
        "hostname $ns && mount -t tmpfs -o size=1m,mode=755 ssh-eng-hide $CLIENT_DIR && exec dockerd \
        --data-root $root/data --exec-root $root/exec \
        -H unix://$root/docker.sock --group ssheng-$n \
        --pidfile $root/pid --config-file $root/daemon.json" \
        </dev/null >"$root/log" 2>&1 3>&- 9>&- &
    wait_for_engine "$n"
}

setup_users() {
    local n
    for n in core edge; do
        groupadd -f "ssheng-$n"
        id "$n" >/dev/null 2>&1 || useradd -m -s /bin/sh -G "ssheng-$n" "$n"
        usermod -p '*' "$n" # '!' (locked, useradd's default) makes sshd refuse keys when UsePAM=no
    done
}

start_sshd() {
    mkdir -p "$SSHD_DIR/keys" "$SSHD_DIR/client" /run/sshd
    [[ -f $SSHD_DIR/keys/host_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/keys/host_ed25519"
    [[ -f $SSHD_DIR/client/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C ssh-eng-client -f "$SSHD_DIR/client/id_ed25519"
    local n
    for n in core edge; do
        cp "$SSHD_DIR/client/id_ed25519.pub" "$SSHD_DIR/keys/authorized_keys.$n"
    done
    chmod 644 "$SSHD_DIR"/keys/authorized_keys.*
    cat >"$SSHD_DIR/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/keys/host_ed25519
PidFile $SSHD_DIR/pid
AuthorizedKeysFile $SSHD_DIR/keys/authorized_keys.%u
# /tmp is world-writable, which StrictModes rejects for the authorized_keys path
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers core edge
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
# compose opens one ssh connection per concurrent API call (30 for a 12-service compose up); the default
# MaxStartups 10:30:100 drops some of them, MaxSessions 10 caps multiplexed ones
MaxStartups 200
MaxSessions 200
# docker's ssh helper runs 'docker system dial-stdio' remotely; it reads DOCKER_HOST
Match User core
    SetEnv DOCKER_HOST=unix:///tmp/ssh-eng-core/docker.sock
Match User edge
    SetEnv DOCKER_HOST=unix:///tmp/ssh-eng-edge/docker.sock
EOF
    /usr/sbin/sshd -t -f "$SSHD_DIR/sshd_config"
    local pid
    if pid=$(live_pid "$SSHD_DIR/pid" "$SSHD_DIR/sshd_config"); then
        kill -HUP "$pid" # rereads the config written above (and rewrites its pidfile)
        log "sshd already running on 127.0.0.1:$PORT (pid $pid)"
    else
        /usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/log" </dev/null >/dev/null 2>&1 3>&- 9>&-
        sleep 0.3
        log "sshd up on 127.0.0.1:$PORT (pid $(cat "$SSHD_DIR/pid"))"
    fi
    # Client side: a private config + known_hosts, wired in through a PATH 'ssh' wrapper
    cat >"$SSHD_DIR/client/config" <<EOF
Host 127.0.0.1 localhost
    Port $PORT
    IdentityFile $SSHD_DIR/client/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $SSHD_DIR/client/known_hosts
    StrictHostKeyChecking accept-new
    BatchMode yes
    LogLevel ERROR
    ControlMaster auto
    ControlPath $SSHD_DIR/client/cm-%r@%h:%p
    ControlPersist 60
EOF
    mkdir -p "$SSHD_DIR/bin"
    cat >"$SSHD_DIR/bin/ssh" <<EOF
#!/bin/sh
# SSH_ENG_MUX=0 turns connection sharing off (to measure a cold ssh per docker call)
if [ "\${SSH_ENG_MUX:-1}" = 0 ]; then
    exec /usr/bin/ssh -F $SSHD_DIR/client/config -o ControlMaster=no -o ControlPath=none "\$@"
fi
exec /usr/bin/ssh -F $SSHD_DIR/client/config "\$@"
EOF
    chmod +x "$SSHD_DIR/bin/ssh"
}

# swa manages a Swarm that swb joins as a worker: the tests of what runs on a node Berth does
# not talk to (a restore of a volume on a worker).
form_swarm() {
    local manager=unix:///tmp/ssh-eng-swa/docker.sock worker=unix:///tmp/ssh-eng-swb/docker.sock state token
    state=$(DOCKER_HOST=$manager docker info --format '{{.Swarm.LocalNodeState}}')
    if [[ $state != active ]]; then
        DOCKER_HOST=$manager docker swarm init --advertise-addr "${IP[swa]}" >/dev/null
    fi
    state=$(DOCKER_HOST=$worker docker info --format '{{.Swarm.LocalNodeState}}')
    if [[ $state != active ]]; then
        token=$(DOCKER_HOST=$manager docker swarm join-token --quiet worker)
        DOCKER_HOST=$worker docker swarm join --token "$token" --advertise-addr "${IP[swb]}" "${IP[swa]}:2377" >/dev/null
    fi
    local i
    for i in $(seq 1 60); do
        [[ $(DOCKER_HOST=$manager docker node ls --filter role=worker --format '{{.Status}}' 2>/dev/null) == Ready ]] && {
            log "swarm of swa (manager) and swb (worker) ready"
            return 0
        }
        sleep 0.5
    done
    DOCKER_HOST=$manager docker node ls >&2 || true
    return 1
}

stop_pidfile() { # pidfile
    local f=$1 pid
    [[ -f $f ]] || return 0
    pid=$(tr -dc 0-9 <"$f")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid"
    for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
}

case "${1:-}" in
up)
    setup_users
    start_lan
    start_engine core
    start_engine edge
    start_engine swa
    start_engine swb
    form_swarm
    start_sshd
    ;;
down)
    # ssh ControlMaster processes (ControlPersist) exit on 'ssh -O exit'
    for s in "$SSHD_DIR"/client/cm-*; do
        [[ -S $s ]] && /usr/bin/ssh -F "$SSHD_DIR/client/config" -o ControlPath="$s" -O exit x 2>/dev/null || true
    done
    stop_pidfile "$SSHD_DIR/pid"
    for n in core edge swa swb; do
        stop_pidfile "/tmp/ssh-eng-$n/pid"
        # containers' shims outlive a killed dockerd; anything left in the namespace is ours
        for p in $(ip netns pids "ssh-eng-$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns del "ssh-eng-$n" 2>/dev/null || true # also removes the veth pair
    done
    iptables -D FORWARD -i "$LAN_BR" -o "$LAN_BR" -j ACCEPT 2>/dev/null || true
    ip link del "$LAN_BR" 2>/dev/null || true
    ;;
*) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
