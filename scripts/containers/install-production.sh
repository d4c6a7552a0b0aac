#!/bin/sh
# Run in the shared build stage of weft's Dockerfiles (identical in all three, so podman builds it once and the
# other two images reuse its cached layers): installs, from the npm cache the full install just filled, the
# production node_modules of each image into /prod/<image> (the repository's manifests beside it, so workspace
# links resolve once copied to /app), pruned of what the image's platform never loads and of what it never uses.
set -eu
cd /src
# install IMAGE "PACKAGES TO DROP" WORKSPACE...
install() {
  image="$1"; drop="$2"; shift 2
  dest="/prod/$image"
  mkdir -p "$dest"
  cp -a package.json package-lock.json "$dest/"
  for m in packages/*/package.json examples/*/package.json scripts/npm-stubs; do
    mkdir -p "$dest/$(dirname "$m")"
    cp -a "$m" "$dest/$(dirname "$m")/"
  done
  workspaces=""
  for ws in "$@"; do workspaces="$workspaces -w $ws"; done
  # shellcheck disable=SC2086
  (cd "$dest" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error $workspaces \
    && sh /src/scripts/containers/prune-node-modules.sh)
  for pkg in $drop; do rm -rf "$dest/node_modules/$pkg"; done
  echo "install-production: $image: $(du -sm "$dest/node_modules" | cut -f1) MB of node_modules"
}
# sharp (with libvips, 19 MB) is an optional peer of weft that npm installs because ImageEncoder needs it: only
# the ImageEncoder image decodes images (weft imports sharp only when loading an image URI, with a coded error)
install gateway "sharp @img" packages/weft
install image-encoder "" packages/weft packages/executor-image-encoder
install vector-indexer "sharp @img" packages/weft packages/executor-vector-indexer
