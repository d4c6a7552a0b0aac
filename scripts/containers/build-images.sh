#!/usr/bin/env bash
# Builds weft's three images from the repository (build context: the repository root) with podman:
# weft-gateway, weft-image-encoder and weft-vector-indexer, tagged with the weft package version, the names
# `weft export` gives them. Builds the local base image first when it is missing (scripts/containers/base-image.sh).
# The three Dockerfiles share one build stage (installs and compiles everything once): the first image builds it,
# the other two reuse podman's cached layers, and a rebuild after a source change only compiles again.
#   scripts/containers/build-images.sh [gateway] [image-encoder] [vector-indexer]   (default: all three)
#   QUIET=1 scripts/containers/build-images.sh      # only the time, size and node_modules of each image
set -euo pipefail
cd "$(dirname "$0")/../.."
version="$(node -p "require('./packages/weft/package.json').version")"
bash scripts/containers/base-image.sh
# runc: crun fails on this kernel's cgroup layout; ulimits at or below the machine's hard limits; host network for
# npm ci; a TLS-inspecting proxy's CA (NODE_EXTRA_CA_CERTS) mounted into the build and named by a build argument
# (not --env, which would leave NODE_EXTRA_CA_CERTS pointing at a missing file in every image).
ULIMITS=(--ulimit nofile=1024:4096 --ulimit nproc=1024:4096)
args=(--runtime runc build --format docker --network host "${ULIMITS[@]}")
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  args+=(-v "$NODE_EXTRA_CA_CERTS:/etc/extra-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/etc/extra-ca.crt)
fi
declare -A dockerfile=(
  [gateway]=packages/weft/Dockerfile
  [image-encoder]=packages/executor-image-encoder/Dockerfile
  [vector-indexer]=packages/executor-vector-indexer/Dockerfile
)
total=$SECONDS
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(gateway image-encoder vector-indexer)
for t in "${targets[@]}"; do
  start=$SECONDS
  image="weft-$t:$version"
  log="$(mktemp)"
  if ! podman "${args[@]}" -f "${dockerfile[$t]}" -t "$image" . >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    rm -f "$log"
    echo "build-images: $image failed" >&2
    exit 1
  fi
  if [ -z "${QUIET:-}" ]; then cat "$log" >&2; fi
  rm -f "$log"
  size="$(podman --runtime runc image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
  modules="$(podman --runtime runc run --rm --network none "${ULIMITS[@]}" --entrypoint du "$image" -sm /app/node_modules | cut -f1)"
  echo "$image built in $((SECONDS - start)) s: $size, node_modules $modules MB"
done
echo "images built in $((SECONDS - total)) s"
