#!/bin/sh
# Removes from an image's node_modules what this platform never loads: onnxruntime-node's darwin and win32
# binaries (219 of its 288 MB) and other architectures' folders, and nsfwjs's browser bundle. Run inside the image
# build, after `npm ci --omit=dev`, from the folder holding node_modules.
set -eu
platform="$(node -p 'process.platform + "/" + process.arch')"
ort=node_modules/onnxruntime-node/bin/napi-v6
if [ -d "$ort" ]; then
  for dir in "$ort"/*/*; do
    case "$dir" in "$ort/$platform") ;; *) rm -rf "$dir" ;; esac
  done
  find "$ort" -mindepth 1 -maxdepth 1 -type d -empty -delete
fi
rm -rf node_modules/nsfwjs/dist/browser
