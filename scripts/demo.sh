#!/usr/bin/env bash
# Deploys Examples/Hello onto a local Docker engine, the way an application repository does:
# `swift package deploy up`. When no engine answers, scripts/engine.sh provisions a private one
# (Debian packages, Compose v2, a dockerd under /tmp/berth-engine) and builds the local image
# the example runs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

eval "$(scripts/engine.sh up)"
cd Examples/Hello
swift package --allow-writing-to-package-directory --allow-network-connections docker \
    deploy up --env dev
swift package --allow-writing-to-package-directory --allow-network-connections docker \
    deploy status --env dev

# Loopback only: the example publishes its web service on 127.0.0.1:18080.
for _ in 1 2 3 4 5; do
    if page=$(curl -fsS --max-time 3 http://127.0.0.1:18080/index.html); then
        printf '\nGET http://127.0.0.1:18080/index.html -> %s\n' "$page"
        break
    fi
    sleep 1
done

cat <<MSG

Deployed. Next, from Examples/Hello (with DOCKER_HOST=${DOCKER_HOST:-the default socket}):
  swift package --allow-writing-to-package-directory --allow-network-connections docker deploy plan
  swift package --allow-writing-to-package-directory --allow-network-connections docker deploy down --volumes --yes
MSG
