#!/usr/bin/env node
// Builds packages/weft into dist/: the JavaScript as an esbuild bundle with code splitting (one file per public
// entry and per runtime process, shared code in dist/chunks/, so every module exists once and classes keep their
// identity across entries), and the type declarations per file with tsc. A runtime process then loads a handful of
// files instead of ~180, which is most of its start-up cost besides node itself and @grpc/grpc-js
// (bench/flow-startup.bench.ts measures both layouts in one run).
//
//   node scripts/build.mjs [--out <dir>] [--layout bundle|files] [--no-types]
//     --layout files: tsc's per-file JavaScript instead of the bundle (what the bench compares against)
//     --no-types: skip the declarations (benchmarks and tests that only run the JavaScript)
//
// Dependencies stay external (installed beside weft), except @grpc/grpc-js, which every runtime process loads at
// start: node's CommonJS loader resolves, reads and compiles its ~65 files one by one, and inlined into the bundle
// it costs a worker ~30 ms less CPU per start (bench/flow-startup). Its types never appear in weft's public API, and
// the packages that load it themselves (@grpc/reflection, on the first reflection request) only exchange plain
// service definitions with it. Modules that locate files relative to themselves (`new URL('../../package.json',
// import.meta.url)`, createRequire) see the URL their source file would have in a per-file build: the
// `import.meta.url` plugin below rewrites it per module, so both layouts behave alike.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(PKG, 'src');
const require = createRequire(import.meta.url);

/** Every file a user or a process supervisor starts from: the package's exports, the CLI and the runtime mains. */
export const ENTRY_POINTS = [
  'index.ts',
  'client/index.ts',
  'observability/index.ts',
  'export/index.ts',
  'testing/index.ts',
  'cli/main.ts',
  'runtime/worker/worker-main.ts',
  'runtime/gateway/gateway-main.ts',
  'runtime/head/head-main.ts',
];

function args(argv) {
  const o = { out: join(PKG, 'dist'), layout: 'bundle', types: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') o.out = resolve(argv[++i]);
    else if (a === '--layout') o.layout = argv[++i];
    else if (a === '--no-types') o.types = false;
    else throw new Error(`build: unknown argument ${a}`);
  }
  if (o.layout !== 'bundle' && o.layout !== 'files') throw new Error('build: --layout is bundle or files');
  // the bundle finds its own root by the folder name (see importMetaUrl)
  if (basename(o.out) !== 'dist') throw new Error(`build: the output folder must be named dist (got ${o.out})`);
  return o;
}

/**
 * `import.meta.url` of a bundled module is its chunk's URL; replace it by the URL the module has in a per-file
 * build (dist/<its path>.js), found at run time from the chunk's own URL (every output lives under one `dist/`).
 */
const importMetaUrl = {
  name: 'weft-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      if (!a.path.startsWith(SRC) || !text.includes('import.meta.url')) return undefined;
      const asBuilt = relative(SRC, a.path).replace(/\\/g, '/').replace(/\.ts$/, '.js');
      const root = "import.meta.url.slice(0, import.meta.url.lastIndexOf('/dist/') + 6)";
      const url = `new URL(${JSON.stringify(asBuilt)}, ${root}).href`;
      return { contents: text.replaceAll('import.meta.url', `(${url})`), loader: 'ts' };
    });
  },
};

/** Packages compiled into the bundle (with the dependencies they import); every other package stays external. */
const INLINED = ['@grpc/grpc-js', '@js-sdsl/ordered-map'];
const inlined = (path) => INLINED.some((p) => path === p || path.startsWith(`${p}/`));

/** Bare imports stay external unless they name (or come from inside) an inlined package. */
const externals = {
  name: 'weft-externals',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (a) => {
      // node builtins and every other package, including grpc-js's lazy require of @grpc/proto-loader (channelz)
      return inlined(a.path) ? undefined : { path: a.path, external: true };
    });
  },
};

/** Inlined CommonJS code calls `require` (node builtins, lazy external requires): give every chunk one. */
const REQUIRE_BANNER =
  "import { createRequire as __weftCreateRequire } from 'node:module'; var require = __weftCreateRequire(import.meta.url);";

async function bundle(out) {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: PKG,
    entryPoints: ENTRY_POINTS.map((e) => join(SRC, e)),
    outdir: out,
    outbase: SRC,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: 'linked',
    // class and function names appear in errors, logs and `weft` output
    keepNames: true,
    tsconfig: join(PKG, 'tsconfig.build.json'),
    logLevel: 'warning',
    banner: { js: REQUIRE_BANNER },
    plugins: [externals, importMetaUrl],
  });
  if (result.errors.length > 0) process.exit(1);
}

function tsc(out, emit) {
  const bin = require.resolve('typescript/bin/tsc');
  const flags =
    emit === 'types'
      ? ['--emitDeclarationOnly', '--declarationMap', 'false']
      : ['--declaration', 'false', '--sourceMap', 'false'];
  const r = spawnSync(
    process.execPath,
    [bin, '-p', join(PKG, 'tsconfig.build.json'), '--outDir', out, '--customConditions', 'null', ...flags],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const o = args(process.argv.slice(2));
const t0 = performance.now();
if (existsSync(o.out)) rmSync(o.out, { recursive: true, force: true });
if (o.layout === 'bundle') await bundle(o.out);
else tsc(o.out, 'js');
if (o.types) tsc(o.out, 'types');
console.log(
  `built weft (${o.layout}${o.types ? ' + types' : ''}) into ${o.out} in ${Math.round(performance.now() - t0)} ms`,
);
