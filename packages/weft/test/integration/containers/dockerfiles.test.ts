// weft's three Dockerfiles, read as text (no podman needed): they share one build stage word for word, which is
// what lets podman build it once for all three images; each image takes its own production node_modules from it;
// and the images scripts/containers/build-images.sh tags are the ones `weft export` names for the built-ins.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { WEFT_IMAGES } from '../../../src/export/index.js';

const ROOT = new URL('../../../../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, ROOT), 'utf8');
const DOCKERFILES = {
  gateway: 'packages/weft/Dockerfile',
  'image-encoder': 'packages/executor-image-encoder/Dockerfile',
  'vector-indexer': 'packages/executor-vector-indexer/Dockerfile',
};

function buildStage(text: string): string {
  const start = text.indexOf('ARG NODE_IMAGE=');
  const end = text.indexOf('# --- end of the shared build stage');
  assert.ok(start >= 0 && end > start, 'the Dockerfile marks its shared build stage');
  return text.slice(start, end);
}

describe("weft's Dockerfiles", () => {
  it('share one build stage, word for word', () => {
    const [first, ...others] = Object.values(DOCKERFILES).map((f) => buildStage(read(f)));
    for (const [i, stage] of others.entries()) {
      assert.equal(stage, first, `${Object.values(DOCKERFILES)[i + 1]} has the same build stage as the gateway's`);
    }
  });

  it("copy each image's own production node_modules from it", () => {
    const installs = read('scripts/containers/install-production.sh');
    for (const [image, file] of Object.entries(DOCKERFILES)) {
      assert.match(read(file), new RegExp(`COPY --from=build /prod/${image}/ \\./`), file);
      assert.match(installs, new RegExp(`^install ${image} `, 'm'), `install-production.sh installs ${image}`);
    }
  });

  it('are built under the names the export gives the built-in executors and the gateway', () => {
    const script = read('scripts/containers/build-images.sh');
    for (const [target, file] of Object.entries(DOCKERFILES)) assert.ok(script.includes(`[${target}]=${file}`));
    assert.match(script, /image="weft-\$t:\$version"/);
    assert.match(script, /-t "\$image"/);
    const built = Object.keys(DOCKERFILES).map((t) => `weft-${t}`);
    assert.ok(built.includes(WEFT_IMAGES.gateway));
    for (const image of Object.values(WEFT_IMAGES.builtins)) assert.ok(built.includes(image), image);
  });
});
