#!/usr/bin/env bash
# Builds, on this machine, the image weft's Dockerfiles start FROM (node:<major>-bookworm-slim), for machines that
# reach no image registry: a Debian bookworm minbase root file system from mmdebstrap (Debian's apt mirror), plus
# this machine's own `node` binary and npm, and a `node` user (uid 1000) as in the official image, imported into
# podman under the official name so `FROM node:20-bookworm-slim` resolves to it without a pull.
# Cached: does nothing when the tag exists (REBUILD=1 builds it again).
#
#   scripts/containers/base-image.sh                  # tag from `node` on PATH: node:20-bookworm-slim
#   NODE_BIN=/opt/node24/bin/node scripts/containers/base-image.sh   # node:24-bookworm-slim
#
# Needs root (or podman + mmdebstrap set up rootless), and the Debian packages podman, runc and mmdebstrap.
set -euo pipefail

NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
NPM_DIR="${NPM_DIR:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"
major="$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')"
TAG="${BASE_IMAGE:-docker.io/library/node:${major}-bookworm-slim}"
SUITE="${DEBIAN_SUITE:-bookworm}"

podman() { command podman --runtime runc "$@"; }
# crun fails on this kernel's cgroup layout (hence runc), and a container may not ask for more than the machine's
# hard limits (podman's default nofile is 1048576)
ULIMITS=(--ulimit nofile=1024:4096 --ulimit nproc=1024:4096)

if [ -z "${REBUILD:-}" ] && podman image exists "$TAG"; then
  echo "base image $TAG exists (REBUILD=1 to build it again)"
  exit 0
fi
for tool in mmdebstrap podman; do
  command -v "$tool" >/dev/null || { echo "base-image: $tool is missing: apt-get install -y podman runc mmdebstrap" >&2; exit 1; }
done
[ -f "$NPM_DIR/bin/npm-cli.js" ] || { echo "base-image: no npm at $NPM_DIR (set NPM_DIR)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
start=$SECONDS
echo "--- mmdebstrap $SUITE (minbase) + node $("$NODE_BIN" --version) + npm $(node "$NPM_DIR/bin/npm-cli.js" --version) -> $TAG"
export NODE_BIN NPM_DIR
# Like the official slim images: no manuals, docs or locales; node and npm under /usr/local, a `node` user.
mmdebstrap --variant=minbase --quiet \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook='install -D -m 0755 "$NODE_BIN" "$1/usr/local/bin/node"' \
  --customize-hook='mkdir -p "$1/usr/local/lib/node_modules" && cp -a "$NPM_DIR" "$1/usr/local/lib/node_modules/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm"' \
  --customize-hook='ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"' \
  --customize-hook='chroot "$1" groupadd --gid 1000 node' \
  --customize-hook='chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  "$SUITE" "$work/rootfs.tar"

podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$("$NODE_BIN" -p process.versions.node)" \
  --change 'CMD ["node"]' \
  --message "weft scripts/containers/base-image.sh: $SUITE minbase + node $("$NODE_BIN" --version)" \
  "$work/rootfs.tar" "$TAG" >/dev/null
podman run --rm "${ULIMITS[@]}" --network none "$TAG" node -e 'console.log(`base image ok: node ${process.version}`)'
podman run --rm "${ULIMITS[@]}" --network none "$TAG" npm --version >/dev/null
echo "base image $TAG built in $((SECONDS - start)) s, $(podman image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
