import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as errors from './index.js';
import { ERROR_CODES, GrpcStatus, WeftError } from './index.js';

const docPath = new URL('../../../../docs/reference/errors.md', import.meta.url);

describe('errors', () => {
  it('docs/reference/errors.md lists exactly the codes in code, with the same statuses', () => {
    const rows = readFileSync(docPath, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('| `WEFT_'))
      .map((l) => l.split('|').map((c) => c.trim()));
    const documented = new Map(rows.map((r) => [r[1]?.replaceAll('`', ''), r]));
    assert.deepEqual([...documented.keys()].sort(), Object.keys(ERROR_CODES).sort());
    const grpcName = Object.fromEntries(Object.entries(GrpcStatus).map(([k, v]) => [v, k]));
    for (const [code, info] of Object.entries(ERROR_CODES)) {
      const row = documented.get(code) as string[];
      assert.equal(row[3], `${grpcName[info.grpc]} (${info.grpc})`, `${code} gRPC`);
      assert.equal(row[4], String(info.http), `${code} HTTP`);
      assert.equal(row[5], info.retryable ? 'yes' : 'no', `${code} retryable`);
      assert.equal(row[6], info.meaning, `${code} meaning`);
      const cls = (errors as Record<string, unknown>)[(row[2] as string).replaceAll('`', '')] as typeof WeftError;
      assert.equal(cls.code, code, `${code} class`);
    }
  });

  it('carries code, statuses, cause and serialises to JSON', () => {
    const cause = new Error('root');
    const e = new errors.DecodeError('bad bytes', { cause, details: { offset: 3 } });
    assert.ok(e instanceof WeftError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'DecodeError');
    assert.equal(e.code, 'WEFT_DECODE');
    assert.equal(e.grpcStatus, 3);
    assert.equal(e.httpStatus, 400);
    assert.equal(e.retryable, false);
    assert.equal(e.cause, cause);
    assert.deepEqual(e.toJSON(), {
      name: 'DecodeError',
      code: 'WEFT_DECODE',
      message: 'bad bytes',
      details: { offset: 3 },
      cause: 'root',
    });
  });

  it('MissingDependencyError names the install command', () => {
    const e = new errors.MissingDependencyError('sharp', 'Image decoding');
    assert.match(e.message, /npm install sharp/);
    assert.equal(e.details.package, 'sharp');
  });
});
