#!/usr/bin/env bash
# Fetches the test images for ImageEncoder's retrieval test: Debian's openclipart-svg (public-domain clip art,
# ~8,000 drawings in labelled category folders, a 25 MB .deb), unpacked without installing it, into
# ${WEFT_TEST_IMAGES:-~/.cache/weft/test-images}/openclipart-svg. Idempotent; needs apt-get and dpkg (Debian/Ubuntu).
set -euo pipefail

dest="${WEFT_TEST_IMAGES:-$HOME/.cache/weft/test-images}"
target="$dest/openclipart-svg"
if [ -d "$target/usr/share/openclipart/svg" ]; then
  echo "openclipart-svg is already unpacked in $target"
  exit 0
fi
for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "fetch-test-images: '$tool' is required (Debian/Ubuntu)" >&2; exit 1; }
done

mkdir -p "$dest"
work="$(mktemp -d "$dest/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download openclipart-svg 2>/dev/null; then
  # a fresh machine may have no package lists yet
  apt-get update -qq
  apt-get download openclipart-svg
fi
dpkg -x openclipart-svg_*.deb unpacked
rm -rf "$target"
mv unpacked "$target"
echo "openclipart-svg unpacked in $target ($(find "$target" -name '*.svg' | wc -l) drawings)"
