import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestError } from '../errors/index.js';
import { composeInterceptors, type Interceptor } from './chain.js';
import { interceptStream } from './stream.js';

interface Ctx {
  log: string[];
}

const tag =
  (name: string): Interceptor<Ctx> =>
  async (ctx, next) => {
    ctx.log.push(`${name}>`);
    await next();
    ctx.log.push(`<${name}`);
  };

describe('composeInterceptors', () => {
  it('runs interceptors in order around the terminal', async () => {
    const run = composeInterceptors([tag('a'), tag('b')], async (ctx: Ctx) => {
      ctx.log.push('call');
    });
    const ctx = { log: [] };
    await run(ctx);
    assert.deepEqual(ctx.log, ['a>', 'b>', 'call', '<b', '<a']);
  });

  it('is the terminal itself without interceptors', () => {
    const terminal = async (): Promise<void> => undefined;
    assert.equal(composeInterceptors([], terminal), terminal);
  });

  it('lets an interceptor refuse by throwing, before the call', async () => {
    let called = false;
    const refuse: Interceptor<Ctx> = () => {
      throw new BadRequestError('no token');
    };
    const run = composeInterceptors([tag('a'), refuse], async () => {
      called = true;
    });
    const ctx = { log: [] };
    await assert.rejects(run(ctx), BadRequestError);
    assert.equal(called, false);
    assert.deepEqual(ctx.log, ['a>']);
  });

  it('refuses a second next()', async () => {
    const twice: Interceptor<Ctx> = async (_ctx, next) => {
      await next();
      await next();
    };
    await assert.rejects(composeInterceptors([twice], async () => undefined)({ log: [] }), /next\(\) more than once/);
  });
});

describe('interceptStream', () => {
  async function* three(): AsyncGenerator<number> {
    yield 1;
    yield 2;
    yield 3;
  }

  it('resolves next() once the stream is read to its end', async () => {
    const ctx = { log: [] as string[] };
    const out: number[] = [];
    const run = (c: Ctx, terminal: (c: Ctx) => Promise<void>) => composeInterceptors([tag('a')], terminal)(c);
    for await (const n of interceptStream(ctx, run, () => three())) {
      out.push(n);
      ctx.log.push(`got ${n}`);
    }
    assert.deepEqual(out, [1, 2, 3]);
    assert.deepEqual(ctx.log, ['a>', 'got 1', 'got 2', 'got 3', '<a']);
  });

  it('does not open the stream when an interceptor refuses', async () => {
    let opened = false;
    const run = (c: Ctx, terminal: (c: Ctx) => Promise<void>) =>
      composeInterceptors<Ctx>(
        [
          () => {
            throw new BadRequestError('refused');
          },
        ],
        terminal,
      )(c);
    const it = interceptStream({ log: [] }, run, () => {
      opened = true;
      return three();
    });
    await assert.rejects(it.next(), BadRequestError);
    assert.equal(opened, false);
  });

  it('hands the stream error to the interceptors', async () => {
    const seen: unknown[] = [];
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('broke');
    }
    const watch: Interceptor<Ctx> = async (_c, next) => {
      try {
        await next();
      } catch (err) {
        seen.push(err);
        throw err;
      }
    };
    const run = (c: Ctx, terminal: (c: Ctx) => Promise<void>) => composeInterceptors([watch], terminal)(c);
    const out: number[] = [];
    await assert.rejects(async () => {
      for await (const n of interceptStream({ log: [] }, run, () => failing())) out.push(n);
    }, /broke/);
    assert.deepEqual(out, [1]);
    assert.equal(seen.length, 1);
  });
});
