#!/usr/bin/env bash
# Berth's single test command: engine, format check, build, tests.
#
#   scripts/test.sh                    everything
#   scripts/test.sh --filter Compose   extra arguments go to `swift test`
#
# 1. Bring up a Docker engine with scripts/engine.sh (reused when one is already reachable).
#    The end-to-end tests run against it. On CI (CI set) a missing engine is an error, and
#    BERTH_ENGINE_REQUIRED=1 tells the Swift tests to fail rather than skip without one.
#    Then the two remote engines behind ssh (scripts/remote-engines.sh): their BERTH_REMOTE_*
#    addresses go to the remote-target tests; on CI a lab that cannot start is an error, and
#    BERTH_REMOTE_REQUIRED=1 makes those tests fail rather than skip.
#    moto's S3 server for the bucket backup tests (installed with pip when missing).
# 2. `swift format lint --strict` over the package's sources (.swift-format holds the rules).
# 3. The example packages' own tests (topology assertions), as their users would run them.
# 4. `swift build --build-tests`, then `swift test`; the exit code is the first failure's. Each
#    test step has a time limit (bounded), so a hung test fails the run with its name.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() { printf '\n==== %s ====\n' "$*"; }

# The set-up scripts print export lines; they go to a file, not through `$(…)`, so a daemon that
# kept the pipe open by mistake could never hang the run.
env_out="$(mktemp)"
trap 'rm -f "$env_out"' EXIT

# Runs a test step with a time limit, so a hung test ends the run with a message naming it
# instead of running into CI's own limit silently.
bounded() {
    local minutes=$1
    shift
    local status=0
    timeout --signal=INT --kill-after=60 "${minutes}m" "$@" || status=$?
    if [[ $status -eq 124 || $status -eq 137 ]]; then
        echo "error: '$*' did not finish within ${minutes} minutes; stopped it." >&2
    fi
    return "$status"
}

is_ci() {
    case "${CI:-}" in
        "" | 0 | false | False | FALSE | no) return 1 ;;
        *) return 0 ;;
    esac
}

# ---------------------------------------------------------------------------------------------
section "Docker engine"
if is_ci; then
    export BERTH_ENGINE_REQUIRED=1
fi
if scripts/engine.sh up >"$env_out"; then
    eval "$(cat "$env_out")"
    echo "DOCKER_HOST=${DOCKER_HOST:-}"
    docker version --format 'docker client {{.Client.Version}}, engine {{.Server.Version}} (API {{.Server.APIVersion}})' || true
    docker compose version || true
elif is_ci; then
    echo "error: no Docker engine could be brought up (see the messages above)." >&2
    echo "The end-to-end tests need one on CI; refusing to run without it." >&2
    exit 1
else
    echo "WARNING: no Docker engine could be brought up (see the messages above)." >&2
    echo "WARNING: tests that need Docker will be SKIPPED; set CI=true to make that an error." >&2
fi

# ---------------------------------------------------------------------------------------------
section "Remote engines over ssh"
if is_ci; then
    export BERTH_REMOTE_REQUIRED=1
fi
if scripts/remote-engines.sh up >"$env_out"; then
    eval "$(cat "$env_out")"
    echo "BERTH_REMOTE_CORE=$BERTH_REMOTE_CORE ($BERTH_REMOTE_CORE_ADDRESS)"
    echo "BERTH_REMOTE_EDGE=$BERTH_REMOTE_EDGE ($BERTH_REMOTE_EDGE_ADDRESS)"
elif is_ci; then
    echo "error: the remote engines (scripts/remote-engines.sh up) could not be brought up (see above)." >&2
    echo "The remote-target tests need them on CI; refusing to run without them." >&2
    exit 1
else
    echo "WARNING: the remote engines could not be brought up (see the messages above)." >&2
    echo "WARNING: tests of remote (ssh://) targets will be SKIPPED; set CI=true to make that an error." >&2
fi

# ---------------------------------------------------------------------------------------------
section "S3 test server (moto)"
# The bucket backup tests run moto's S3 server, which checks request signatures, with this
# machine's python3 mounted into a container; installed here when python3 cannot import it.
MOTO_PIP_SPEC="moto[server]==5.2.1"
if python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "moto $(python3 -c 'import moto; print(moto.__version__)')"
elif python3 -m pip install --quiet "$MOTO_PIP_SPEC" && python3 -c 'import moto.server' >/dev/null 2>&1; then
    echo "installed $MOTO_PIP_SPEC"
elif is_ci; then
    echo "error: python3 cannot import moto.server and '$MOTO_PIP_SPEC' could not be installed." >&2
    exit 1
else
    echo "WARNING: moto is not available; the bucket backup tests will FAIL (python3 -m pip install '$MOTO_PIP_SPEC')." >&2
fi

# ---------------------------------------------------------------------------------------------
section "Format check (swift format lint --strict)"
# The files git tracks or would track: build folders (with their dependency checkouts) are ignored.
mapfile -t swift_files < <(git ls-files --cached --others --exclude-standard -- '*.swift')
if [[ ${#swift_files[@]} -eq 0 ]]; then
    echo "nothing to check"
else
    echo "checking ${#swift_files[@]} files"
    swift format lint --strict "${swift_files[@]}"
    echo "format check passed"
fi

# ---------------------------------------------------------------------------------------------
section "Build (swift build --build-tests)"
swift --version
swift build --build-tests

# ---------------------------------------------------------------------------------------------
rc=0
if [[ $# -eq 0 ]]; then
    # Every example package with tests of its own; a group of packages (Examples/Behindy) is
    # one folder deeper.
    for manifest in Examples/*/Package.swift Examples/*/*/Package.swift; do
        example="$(dirname "$manifest")"
        [[ -d "$example/Tests" ]] || continue
        section "Example tests (swift test --package-path $example)"
        bounded 15 swift test --package-path "$example" || rc=$?
    done
fi

# ---------------------------------------------------------------------------------------------
# Last, so its closing summary is the run's last line. Swift Testing would start every test at
# once: some eighty end-to-end tests then start containers, builds and health checks on one
# engine in the same second, and the first minute's load, not Berth, decides which deadline
# passes. A bounded number of tests at a time (BERTH_TEST_WIDTH, 12 by default) keeps the
# engine as busy as a shared production host and the run as short as its longest test allows.
width="${BERTH_TEST_WIDTH:-12}"
section "Tests (swift test, $width at a time${*:+, $*})"
bounded 45 swift test --experimental-maximum-parallelization-width "$width" "$@" || rc=$?

section "Done: exit status $rc"
exit "$rc"
