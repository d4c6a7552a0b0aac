// A Flow whose gateway serves TLS on grpc, http and websocket (`ssl_certfile`/`ssl_keyfile` in its YAML, a
// self-signed certificate made at test time), and Clients over grpcs://, https:// and wss://: trusting the
// certificate with `tls: { ca }` or NODE_EXTRA_CA_CERTS, refusing it when not told to, and a plain client at a TLS
// port (or a TLS client at a plain one) failing with an error that says what to change.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ping } from '../../../src/cli/ping.js';
import { Client, Flow, TlsError, UnavailableError } from '../../../src/index.js';
import { childExecArgv } from '../../../src/orchestrate/index.js';
import { makeSelfSigned, type SelfSigned } from '../../fixtures/self-signed.js';

const here = fileURLToPath(new URL('.', import.meta.url));
type Protocol = 'grpc' | 'http' | 'websocket';
const PROTOCOLS: readonly Protocol[] = ['grpc', 'http', 'websocket'];
const PLAIN: Record<Protocol, string> = { grpc: 'grpc', http: 'http', websocket: 'ws' };
const SECURE: Record<Protocol, string> = { grpc: 'grpcs', http: 'https', websocket: 'wss' };

let cert: SelfSigned;
let flow: Flow;
const clients: Client[] = [];

function portOf(protocol: Protocol): number {
  const e = flow.endpoints.find((x) => x.protocol === protocol);
  assert.ok(e, `the Flow serves ${protocol}`);
  return e.port;
}

function client(options: ConstructorParameters<typeof Client>[0]): Client {
  const c = new Client({ showProgress: false, ...options });
  clients.push(c);
  return c;
}

before(async () => {
  cert = await makeSelfSigned();
  flow = await Flow.load(join(here, 'flow.yml'), {
    env: { WEFT_TEST_CERTFILE: cert.certfile, WEFT_TEST_KEYFILE: cert.keyfile },
  }).start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await flow?.close();
  await cert?.remove();
});

describe('a Flow serving TLS', () => {
  it('lists grpcs://, https:// and wss:// addresses', () => {
    assert.deepEqual(
      flow.endpoints.map((e) => e.url),
      PROTOCOLS.map((p) => `${SECURE[p]}://127.0.0.1:${portOf(p)}`),
    );
  });

  it('posts through its own client, which trusts the certificate it serves', async () => {
    assert.deepEqual((await flow.post('/', [{ text: 'own' }])).texts, ['OWN']);
  });

  for (const protocol of PROTOCOLS) {
    describe(`over ${SECURE[protocol]}://`, () => {
      it('posts, pipelines, and answers health, dry run and status, trusting the certificate as tls: { ca }', async () => {
        const c = client({ host: `${SECURE[protocol]}://127.0.0.1:${portOf(protocol)}`, tls: { ca: cert.cert } });
        assert.equal(c.tls, true);
        assert.equal(await c.isFlowReady(), true);
        const docs = await c.post(
          '/',
          ['a', 'b', 'c', 'd'].map((text) => ({ text })),
          {
            requestSize: 1,
            resultsInOrder: true,
          },
        );
        assert.deepEqual(docs.texts, ['A', 'B', 'C', 'D']);
        assert.deepEqual(await c.dryRun(), { code: 0, description: '' });
        assert.equal((await c.status()).jina.runtime, 'gateway');
      });

      it('takes host, port, protocol and tls as separate options, by the name the certificate gives', async () => {
        const c = client({ host: 'localhost', port: portOf(protocol), protocol, tls: { ca: cert.cert } });
        assert.deepEqual((await c.post('/', [{ text: 'named' }])).texts, ['NAMED']);
      });

      it('refuses a certificate it was not told to trust, saying how to trust it', async () => {
        const c = client({ host: `${SECURE[protocol]}://127.0.0.1:${portOf(protocol)}` });
        assert.equal(await c.isFlowReady(), false);
        await assert.rejects(c.post('/', [{ text: 'x' }]), (err: Error) => {
          assert.ok(err instanceof TlsError, err.stack);
          assert.equal(err.code, 'WEFT_TLS');
          assert.equal(err.retryable, false);
          assert.match(err.message, /certificate is not trusted.*tls: \{ ca \}.*NODE_EXTRA_CA_CERTS.*self-signed/);
          return true;
        });
      });

      it('says a plain client at the TLS port may need TLS', async () => {
        const c = client({ host: `${PLAIN[protocol]}://127.0.0.1:${portOf(protocol)}` });
        assert.equal(await c.isFlowReady(), false);
        await assert.rejects(c.post('/', [{ text: 'x' }]), (err: Error) => {
          assert.ok(err instanceof UnavailableError, err.stack);
          assert.match(
            err.message,
            new RegExp(`if the gateway serves TLS on this port, connect with ${SECURE[protocol]}://`),
          );
          return true;
        });
      });
    });
  }

  it('is probed over TLS by weft ping grpcs://', async () => {
    const address = `127.0.0.1:${portOf('grpc')}`;
    // this process does not trust the certificate: the probe's verdict is the TLS handshake's own
    const secure = await ping(`grpcs://${address}`, { timeoutMs: 5000 });
    assert.equal(secure.ok, false);
    assert.match(secure.message, /self-signed certificate/);
    assert.equal((await ping(`grpc://${address}`, { timeoutMs: 5000 })).ok, false);
  });

  it('trusts the certificate through NODE_EXTRA_CA_CERTS, with tls: true alone', async () => {
    const urls = flow.endpoints.map((e) => e.url);
    // grpc's own GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, when set, replaces Node's CAs (extra ones included) for gRPC
    const { GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: _, ...env } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...childExecArgv([]), join(here, 'fixtures', 'extra-ca-client.ts'), ...urls],
      { env: { ...env, NODE_EXTRA_CA_CERTS: cert.certfile }, timeout: 60_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { url: string; texts?: string[]; error?: string });
    assert.deepEqual(
      lines,
      urls.map((url) => ({ url, texts: ['TRUSTED'] })),
    );
  });
});

describe('a TLS client at a plain port', () => {
  let plain: Server;
  before(async () => {
    plain = createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => plain.close(() => resolve())));

  it('fails with TlsError saying the port does not speak TLS', async () => {
    const httpPort = (plain.address() as { port: number }).port;
    // the executor behind the gateway serves plain gRPC (the gateway's hops stay plain)
    const executor = flow.addresses.shout?.[0] as string;
    for (const host of [`grpcs://${executor}`, `https://127.0.0.1:${httpPort}`, `wss://127.0.0.1:${httpPort}`]) {
      const c = client({ host, tls: { ca: cert.cert } });
      await assert.rejects(c.post('/', [{ text: 'x' }]), (err: Error) => {
        assert.ok(err instanceof TlsError, `${host}: ${err.stack}`);
        assert.match(err.message, /does not speak TLS on this port; connect with (grpc|http|ws):\/\//, host);
        return true;
      });
    }
  });
});
