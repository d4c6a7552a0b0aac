import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  BadRequestError,
  bodyOfWire,
  ConfigError,
  closeReasonPrefix,
  ERROR_BRAND,
  ERROR_CLASSES,
  ERROR_CODES,
  type ErrorCode,
  ExecutorError,
  errorFromStatus,
  errorOfCode,
  fromWire,
  GRPC_ERROR_KEYS,
  grpcTrailersOf,
  MissingDependencyError,
  statusFromError,
  statusOfWire,
  toWire,
  UnavailableError,
  WeftError,
  type WireError,
  wireOfBody,
  wireOfCloseReason,
  wireOfGrpc,
  wireOfStatus,
} from './index.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

/** The facts of `wire` after each envelope a hop wraps them in, and back. */
const ENVELOPES: Record<string, (w: WireError) => WireError | undefined> = {
  status: (w) => wireOfStatus(JSON.parse(JSON.stringify(statusOfWire(w)))),
  grpc: (w) => {
    const trailers = grpcTrailersOf(w);
    return wireOfGrpc(ERROR_CODES[w.code as ErrorCode]?.grpc ?? 2, w.message, (k) => trailers[k]);
  },
  body: (w) => {
    const body = { header: { status: statusOfWire(w) }, ...bodyOfWire(w) };
    return wireOfBody(ERROR_CODES[w.code as ErrorCode]?.http, JSON.parse(JSON.stringify(body)));
  },
  close: (w) => wireOfCloseReason(`${closeReasonPrefix(w)}: ${w.message}`),
};

describe('toWire / fromWire', () => {
  it('every code comes back as its own class, code and retryable through every envelope', () => {
    for (const code of CODES) {
      const sent = errorOfCode(code, `failure ${code}`);
      assert.ok(sent instanceof (ERROR_CLASSES[code] as unknown as typeof WeftError), code);
      for (const [envelope, carry] of Object.entries(ENVELOPES)) {
        const wire = carry(toWire(sent));
        assert.ok(wire, `${code} over ${envelope}`);
        const back = fromWire(wire);
        const what = `${code} over ${envelope}: ${back.name} ${back.code}`;
        assert.equal(back.constructor, ERROR_CLASSES[code], what);
        assert.equal(back.code, code, what);
        assert.equal(back.retryable, sent.retryable, what);
        assert.match(back.message, new RegExp(`failure ${code}`), what);
      }
    }
  });

  it("an executor's own exception arrives as ExecutorError with its name, code and executor in fields", () => {
    const own = Object.assign(new RangeError('no such file'), { code: 'ENOENT' });
    for (const [envelope, carry] of Object.entries(ENVELOPES)) {
      const back = fromWire(carry(toWire(own, { executor: 'indexer/rep-0' })) as WireError);
      assert.ok(back instanceof ExecutorError, envelope);
      assert.equal(back.code, 'WEFT_EXECUTOR', envelope);
      assert.equal(back.name, 'RangeError', envelope);
      assert.equal(back.remoteName, 'RangeError', envelope);
      assert.match(back.message, /no such file/, envelope);
      if (envelope === 'status' || envelope === 'body') {
        assert.equal(back.remoteCode, 'ENOENT', envelope);
        assert.equal(back.executor, 'indexer/rep-0', envelope);
        assert.match(back.remoteStack, /RangeError: no such file/, envelope);
      }
    }
  });

  it('an ExecutorError keeps the remote facts over a second hop (a head, then the gateway)', () => {
    const first = errorFromStatus(statusFromError(Object.assign(new TypeError('bad'), { code: 'E_X' }), 'enc'));
    const second = errorFromStatus(statusFromError(first, 'head')) as ExecutorError;
    assert.ok(second instanceof ExecutorError);
    assert.equal(second.remoteName, 'TypeError');
    assert.equal(second.remoteCode, 'E_X');
    assert.equal(second.executor, 'enc');
    assert.deepEqual(second.remoteArgs, ['bad']);
    assert.equal(second.remoteStack, (first as ExecutorError).remoteStack);
  });

  it("an executor's ConfigError is a ConfigError naming the executor, not an ExecutorError", () => {
    const back = errorFromStatus(statusFromError(new ConfigError('bad key x'), 'enc/rep-0'));
    assert.ok(back instanceof ConfigError);
    assert.equal(back.code, 'WEFT_CONFIG');
    assert.equal(back.message, 'bad key x');
    assert.equal(back.details.executor, 'enc/rep-0');
  });

  it("a user's subclass of a weft error comes back as the weft class, its own name in details", () => {
    class IndexMissingError extends BadRequestError {}
    const back = errorFromStatus(statusFromError(new IndexMissingError('no index'), 'idx'));
    assert.equal(back.constructor, BadRequestError);
    assert.equal(back.details.remoteName, 'IndexMissingError');
  });

  it("a Jina status (no code in its description) is an ExecutorError; a peer's bare gRPC status its class", () => {
    const jina = errorFromStatus({
      code: 1,
      description: "ValueError('x')",
      exception: { name: 'ValueError', args: ['x'], stacks: ['Traceback…\n'], executor: 'py' },
    });
    assert.ok(jina instanceof ExecutorError);
    assert.equal(jina.remoteName, 'ValueError');
    assert.ok(fromWire(wireOfGrpc(14, 'connection refused', () => undefined)) instanceof UnavailableError);
    assert.equal(fromWire(wireOfGrpc(2, 'boom', () => undefined)).constructor, WeftError);
  });

  it('a gRPC trailer names a non-ASCII class name safely, and a class that is its own name is left out', () => {
    assert.deepEqual(grpcTrailersOf(toWire(new BadRequestError('x'))), { [GRPC_ERROR_KEYS.code]: 'WEFT_BAD_REQUEST' });
    const named = grpcTrailersOf({ code: 'WEFT_EXECUTOR', name: 'Erreur€', message: 'x' });
    assert.equal(named[GRPC_ERROR_KEYS.name], 'Erreur?');
  });

  it('rebuilds a MissingDependencyError with its message as sent (its constructor composes messages)', () => {
    const sent = new MissingDependencyError('sharp', 'Image decoding');
    const back = fromWire(toWire(sent));
    assert.ok(back instanceof MissingDependencyError);
    assert.equal(back.message, sent.message);
  });
});

describe('instanceof across two installed copies of weft', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  let copyDir: string | undefined;
  after(() => (copyDir ? rm(copyDir, { recursive: true, force: true }) : undefined));

  /** A second copy of this errors module tree, loaded from another directory (as a second install would be). */
  async function secondCopy(): Promise<typeof import('./index.js')> {
    copyDir = await mkdtemp(join(tmpdir(), 'weft-errors-copy-'));
    for (const f of await readdir(here)) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) await cp(join(here, f), join(copyDir, f));
    }
    await writeFile(join(copyDir, 'package.json'), JSON.stringify({ type: 'module' }));
    return import(pathToFileURL(join(copyDir, 'index.ts')).href);
  }

  it("a second copy's errors are instances of this copy's classes, and the other way round", async () => {
    const other = await secondCopy();
    assert.notEqual(other.BadRequestError, BadRequestError, 'really a second copy');
    const theirs = new other.BadRequestError('from the other copy');
    assert.ok(theirs instanceof BadRequestError);
    assert.ok(theirs instanceof WeftError);
    assert.ok(!(theirs instanceof ConfigError));
    assert.ok(!(theirs instanceof ExecutorError));
    assert.ok(theirs instanceof Error);
    const ours = new ConfigError('from this copy');
    assert.ok(ours instanceof other.ConfigError);
    assert.ok(ours instanceof other.WeftError);
    assert.ok(!(ours instanceof other.BadRequestError));
    // toWire of this copy knows the other copy's errors for weft errors (they keep their code, not WEFT_EXECUTOR)
    assert.equal(toWire(new other.ConfigError('x'), { executor: 'e' }).code, 'WEFT_CONFIG');
    const remote = new other.ExecutorError('m', { name: 'TypeError', executor: 'e', code: 'E1' });
    assert.deepEqual(
      { ...toWire(remote), stack: undefined },
      {
        code: 'WEFT_EXECUTOR',
        name: 'TypeError',
        message: 'm',
        remoteCode: 'E1',
        executor: 'e',
        args: ['m'],
        stack: undefined,
      },
    );
  });

  it('the brand is what decides: a plain object with it passes, an Error without it does not', () => {
    const branded = Object.assign(new Error('x'), { [ERROR_BRAND]: ['UnavailableError', 'WeftError'] });
    assert.ok(branded instanceof UnavailableError);
    assert.ok(branded instanceof WeftError);
    assert.ok(!(branded instanceof BadRequestError));
    assert.ok(!(new Error('plain') instanceof WeftError));
    assert.ok(!((null as unknown) instanceof WeftError));
    assert.ok(!(Object.assign(new Error('x'), { [ERROR_BRAND]: 'WeftError' }) instanceof WeftError));
  });
});
