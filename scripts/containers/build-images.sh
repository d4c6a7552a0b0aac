#!/usr/bin/env bash
# Builds weft's three images from the repository (build context: the repository root) with podman:
# weft-gateway, weft-image-encoder and weft-vector-indexer, tagged with the weft package version.
# Builds the local base image first when it is missing (scripts/containers/base-image.sh).
#   scripts/containers/build-images.sh [gateway] [image-encoder] [vector-indexer]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/../.."
version="$(node -p "require('./packages/weft/package.json').version")"
bash scripts/containers/base-image.sh
# runc: crun fails on this kernel's cgroup layout; ulimits at or below the machine's hard limits; host network for
# npm ci; a TLS-inspecting proxy's CA (NODE_EXTRA_CA_CERTS) passed into the build.
args=(--runtime runc build --format docker --network host --ulimit nofile=1024:4096 --ulimit nproc=1024:4096)
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  args+=(-v "$NODE_EXTRA_CA_CERTS:/etc/extra-ca.crt:ro" --env NODE_EXTRA_CA_CERTS=/etc/extra-ca.crt)
fi
declare -A dockerfile=(
  [gateway]=packages/weft/Dockerfile
  [image-encoder]=packages/executor-image-encoder/Dockerfile
  [vector-indexer]=packages/executor-vector-indexer/Dockerfile
)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gateway image-encoder vector-indexer)
for t in "${targets[@]}"; do
  start=$SECONDS
  podman "${args[@]}" -f "${dockerfile[$t]}" -t "weft-$t:$version" . >&2
  echo "weft-$t:$version built in $((SECONDS - start)) s"
done
