# Installing Debian packages for the scripts that provision test infrastructure.
# Sourced by scripts/engine.sh and scripts/remote-engines.sh, which define log, die and have_cmd.

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
