import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { DocumentArray } from '../document/index.js';
import {
  BadRequestError,
  DeadlineExceededError,
  MessageTooLargeError,
  UnavailableError,
  WeftError,
} from '../errors/index.js';
import { DataRequest, requestFromJson, requestToJson } from '../request/index.js';
import { HttpTransport } from './http-transport.js';
import { Client } from './index.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A stand-in gateway: each test installs the handler it needs. */
let handler: Handler = (_req, _body, res) => res.end('{}');
let server: Server;
let port: number;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

const transport = () => new HttpTransport({ host: '127.0.0.1', port, tls: false });

function requests(n: number): DataRequest[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new DataRequest({
        header: { requestId: `r${i}`, execEndpoint: '/index' },
        parameters: { i },
        docs: new DocumentArray([{ id: `d${i}`, text: `doc ${i}` }]),
      }),
  );
}

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect(t: HttpTransport, reqs: DataRequest[], prefetch?: number): Promise<DataRequest[]> {
  const out: DataRequest[] = [];
  for await (const r of t.stream(from(reqs), prefetch === undefined ? {} : { prefetch })) out.push(r);
  return out;
}

/** Echo each request back as the gateway would answer it (Jina's JSON). */
function answer(res: ServerResponse, body: string, edit?: (r: DataRequest) => void): void {
  const req = requestFromJson(JSON.parse(body));
  edit?.(req);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(requestToJson(req)));
}

describe('HttpTransport', () => {
  it('POSTs each request to /post as Jina’s JSON and reads the answers', async () => {
    const seen: { method?: string; url?: string; type?: string; body: unknown }[] = [];
    handler = (req, body, res) => {
      seen.push({ method: req.method, url: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      answer(res, body, (r) => {
        for (const d of r.docs) d.text = `seen ${d.text}`;
      });
    };
    const t = transport();
    try {
      const out = await collect(t, requests(3));
      assert.deepEqual(out.map((r) => r.header.requestId).sort(), ['r0', 'r1', 'r2']);
      assert.deepEqual(out.map((r) => r.docs.at(0)?.text).sort(), ['seen doc 0', 'seen doc 1', 'seen doc 2']);
      assert.deepEqual(out.find((r) => r.header.requestId === 'r1')?.parameters, { i: 1 });
      assert.equal(seen.length, 3);
      for (const s of seen) {
        assert.equal(s.method, 'POST');
        assert.equal(s.url, '/post');
        assert.equal(s.type, 'application/json');
        assert.equal((s.body as { header: { execEndpoint: string } }).header.execEndpoint, '/index');
      }
    } finally {
      await t.close();
    }
  });

  it('keeps at most `prefetch` requests in flight, and reaches it', async () => {
    const total = 10;
    const prefetch = 3;
    let answered = 0;
    let arrived = 0;
    const held: (() => void)[] = [];
    handler = (_req, body, res) => {
      arrived++;
      held.push(() => {
        answered++;
        answer(res, body);
      });
      // answer only once the client has filled its window (or sent everything): the window must be used
      if (held.length === prefetch || arrived === total) for (const release of held.splice(0).reverse()) release();
    };
    // how far the transport reads its input ahead of the answers the gateway has sent
    let pulled = 0;
    let ahead = 0;
    async function* input(): AsyncGenerator<DataRequest> {
      for (const r of requests(total)) {
        pulled++;
        ahead = Math.max(ahead, pulled - answered);
        yield r;
      }
    }
    const t = transport();
    try {
      const out: DataRequest[] = [];
      for await (const r of t.stream(input(), { prefetch })) out.push(r);
      assert.equal(out.length, total);
      assert.equal(ahead, prefetch);
    } finally {
      await t.close();
    }
  });

  it('pipelines more than 10 requests at once without a MaxListenersExceededWarning', async () => {
    // Node warns past 10 listeners on one AbortSignal: the window is well over that, and fully used
    const prefetch = 40;
    const total = 2 * prefetch;
    let arrived = 0;
    let peak = 0;
    const held: (() => void)[] = [];
    handler = (_req, body, res) => {
      arrived++;
      held.push(() => answer(res, body));
      peak = Math.max(peak, held.length);
      // answer only once the whole window is open at the same time
      if (held.length === prefetch || arrived === total) for (const release of held.splice(0)) release();
    };
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(`${w.name}: ${w.message}`);
    };
    process.on('warning', onWarning);
    const client = new Client({ host: `http://127.0.0.1:${port}`, showProgress: false });
    try {
      const docs = await client.post('/', DocumentArray.empty(total), { requestSize: 1, prefetch });
      assert.equal(docs.length, total);
      assert.equal(peak, prefetch);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      assert.deepEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      await client.close();
    }
  });

  it('reuses keep-alive connections', async () => {
    const sockets = new Set<unknown>();
    handler = (req, body, res) => {
      sockets.add(req.socket);
      answer(res, body);
    };
    const t = transport();
    try {
      await collect(t, requests(6), 1);
      assert.equal(sockets.size, 1);
    } finally {
      await t.close();
    }
  });

  it('turns HTTP statuses into weft errors carrying the gateway’s message', async () => {
    const cases: [number, unknown, (err: Error) => boolean][] = [
      [
        503,
        { header: { status: { code: 1, description: "executor 'enc' at 1.2.3.4:5 is unavailable" } } },
        (e) => e instanceof UnavailableError && /enc' at 1\.2\.3\.4:5/.test(e.message),
      ],
      [
        504,
        { detail: 'encoder did not answer within 100 ms' },
        (e) => e instanceof DeadlineExceededError && /within 100 ms/.test(e.message),
      ],
      [
        400,
        { detail: 'data[3].tensor: bad', field: 'data[3].tensor' },
        (e) =>
          e instanceof BadRequestError &&
          /data\[3\]\.tensor: bad/.test(e.message) &&
          (e as WeftError).details.field === 'data[3].tensor',
      ],
      [
        413,
        { detail: 'over the limit of 10 bytes' },
        (e) => e instanceof MessageTooLargeError && /limit of 10 bytes/.test(e.message),
      ],
      [404, { detail: 'no route POST /post' }, (e) => e instanceof WeftError && /debug endpoints/.test(e.message)],
      [
        500,
        'Internal Server Error',
        (e) => e instanceof WeftError && /Internal Server Error \(HTTP 500\)/.test(e.message),
      ],
    ];
    const t = transport();
    try {
      for (const [status, body, check] of cases) {
        handler = (_req, _body, res) => {
          res.statusCode = status;
          res.end(typeof body === 'string' ? body : JSON.stringify(body));
        };
        await assert.rejects(collect(t, requests(1)), (err: Error) => check(err), `HTTP ${status}`);
      }
    } finally {
      await t.close();
    }
  });

  it('fails with DeadlineExceededError when no answer comes within timeoutMs', async () => {
    handler = () => undefined; // never answers
    const t = transport();
    try {
      const it = t.stream(from(requests(1)), { timeoutMs: 50 });
      await assert.rejects(
        (async () => {
          for await (const _ of it) assert.fail('no answer expected');
        })(),
        (err: Error) =>
          err instanceof DeadlineExceededError &&
          /no answer to request r0 within 50 ms from the http gateway/.test(err.message),
      );
    } finally {
      await t.close();
    }
  });

  it('cancels every request in flight when the caller’s signal aborts', async () => {
    const n = 3;
    let arrivals = 0;
    let closes = 0;
    let allArrived: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => {
      allArrived = resolve;
    });
    let allClosed: () => void = () => undefined;
    const cancelled = new Promise<void>((resolve) => {
      allClosed = resolve;
    });
    handler = (_req, _body, res) => {
      res.on('close', () => {
        if (++closes === n) allClosed();
      }); // never answers
      if (++arrivals === n) allArrived();
    };
    const t = transport();
    const abort = new AbortController();
    try {
      const run = (async () => {
        for await (const _ of t.stream(from(requests(n)), { signal: abort.signal })) assert.fail('no answer expected');
      })();
      await reached;
      abort.abort();
      await assert.rejects(run, /was cancelled/);
      await cancelled; // the gateway saw every request go away
    } finally {
      await t.close();
    }
  });

  it('reports an input generator’s own failure', async () => {
    handler = (_req, body, res) => answer(res, body);
    const t = transport();
    async function* broken(): AsyncGenerator<DataRequest> {
      yield requests(1)[0] as DataRequest;
      throw new RangeError('input ran dry');
    }
    try {
      await assert.rejects(
        (async () => {
          for await (const _ of t.stream(broken(), {})) {
            // drain
          }
        })(),
        /input ran dry/,
      );
    } finally {
      await t.close();
    }
  });

  it('answers health, dry run and status from GET /, /dry_run and /status', async () => {
    handler = (req, _body, res) => {
      if (req.url === '/') return res.end('{}');
      if (req.url === '/dry_run') return res.end('{"code":1,"description":"executor down"}');
      if (req.url === '/status') return res.end('{"jina":{"weft":"9.9.9"},"envs":{"JINA_X":"1"}}');
      res.statusCode = 404;
      res.end();
    };
    const t = transport();
    try {
      assert.equal(await t.isReady(1000), true);
      assert.deepEqual(await t.dryRun(1000), { code: 1, description: 'executor down' });
      assert.deepEqual(await t.status(1000), { jina: { weft: '9.9.9' }, envs: { JINA_X: '1' } });
    } finally {
      await t.close();
    }
  });

  it('says an absent gateway is unavailable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const freePort = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const t = new HttpTransport({ host: '127.0.0.1', port: freePort, tls: false });
    try {
      assert.equal(await t.isReady(500), false);
      assert.equal((await t.dryRun(500)).code, 1);
      await assert.rejects(collect(t, requests(1)), (err: Error) => err instanceof UnavailableError && err.retryable);
    } finally {
      await t.close();
    }
  });
});
