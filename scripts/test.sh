#!/usr/bin/env bash
# Berth's single test command: engine, format check, build, tests.
#
#   scripts/test.sh                    everything
#   scripts/test.sh --filter Compose   extra arguments go to `swift test`
#
# 1. Bring up a Docker engine with scripts/engine.sh (reused when one is already reachable).
#    The end-to-end tests run against it. On CI (CI set) a missing engine is an error, and
#    BERTH_ENGINE_REQUIRED=1 tells the Swift tests to fail rather than skip without one.
# 2. `swift format lint --strict` over the package's sources (.swift-format holds the rules).
# 3. The example packages' own tests (topology assertions), as their users would run them.
# 4. `swift build --build-tests`, then `swift test`; the exit code is the first failure's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

section() { printf '\n==== %s ====\n' "$*"; }

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
if engine_env="$(scripts/engine.sh up)"; then
    eval "$engine_env"
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
        swift test --package-path "$example" || rc=$?
    done
fi

# ---------------------------------------------------------------------------------------------
# Last, so its closing summary is the run's last line.
section "Tests (swift test${*:+ $*})"
swift test "$@" || rc=$?

section "Done: exit status $rc"
exit "$rc"
