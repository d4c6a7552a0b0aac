// The commands `weft export` writes, run for real: `weft executor --internal-tls`, `weft head --internal-tls` in
// front of it, and `weft gateway --internal-tls '{"cafile"}' --auth '{"token_env"}'` in front of the head, with a
// CA and certificate made for 127.0.0.1, and the token in the environment variable the gateway is told about (as
// the exported manifests fill it from a Secret). A request with the token goes through every TLS hop; one without
// is refused; an executor given a key that is not its certificate's refuses to start.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client, DocumentArray } from '../../../src/index.js';
import { type InternalCertificates, makeInternalCertificates } from '../../../src/security/index.js';
import { freePorts } from '../../../src/testing/index.js';

const BIN = fileURLToPath(new URL('../../../bin/weft.mjs', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const TOKEN = 'export-cli-token-3b9e51';
const started: ChildProcess[] = [];

/** Run `weft …`; resolves once it printed its address on stdout (rejects with its stderr if it exits first). */
async function weft(args: string[], env: Record<string, string> = {}): Promise<ChildProcess> {
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: here,
    env: { ...parent, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (/:\/\/\S+:\d+/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`weft ${args[0]} exited ${code}: ${err}`)));
  });
  return child;
}

describe('weft executor / head / gateway with --internal-tls and --auth', { timeout: 90_000 }, () => {
  let tls: InternalCertificates;
  before(async () => {
    tls = await makeInternalCertificates();
  });
  after(async () => {
    await Promise.all(
      started.map(async (c) => {
        if (c.exitCode === null && c.signalCode === null) {
          c.kill('SIGTERM');
          await once(c, 'exit');
        }
      }),
    );
    await tls?.remove();
  });

  it('serve a request through TLS hops to a client holding the token', async () => {
    const [execPort, headPort, gatewayPort] = (await freePorts(3)) as [number, number, number];
    const files = JSON.stringify({ certfile: tls.certfile, keyfile: tls.keyfile, cafile: tls.cafile });
    await weft([
      'executor',
      '--uses',
      './fixtures/executors.ts#Shout',
      '--name',
      'shout',
      '--host',
      '127.0.0.1',
      '--port',
      String(execPort),
      '--internal-tls',
      files,
    ]);
    await weft(
      [
        'head',
        '--deployment',
        'shout',
        '--host',
        '127.0.0.1',
        '--port',
        String(headPort),
        '--connection-list',
        JSON.stringify({ 0: [`127.0.0.1:${execPort}`] }),
        '--internal-tls',
        files,
      ],
      { WEFT_TRANSPORT: 'grpc' },
    );
    await weft(
      [
        'gateway',
        '--graph-description',
        '{"start-gateway":["shout"],"shout":["end-gateway"]}',
        '--deployments-addresses',
        `{"shout":["127.0.0.1:${headPort}"]}`,
        '--host',
        '127.0.0.1',
        '--port',
        String(gatewayPort),
        '--auth',
        '{"token_env":"SHOP_TOKENS"}',
        '--internal-tls',
        JSON.stringify({ cafile: tls.cafile }),
      ],
      { SHOP_TOKENS: TOKEN, WEFT_TRANSPORT: 'grpc' },
    );
    const client = new Client({ host: `grpc://127.0.0.1:${gatewayPort}`, token: TOKEN });
    try {
      const docs = await client.post('/', new DocumentArray([{ text: 'over tls' }]));
      assert.equal(docs.at(0)?.text, 'OVER TLS');
    } finally {
      await client.close();
    }
    const anonymous = new Client({ host: `grpc://127.0.0.1:${gatewayPort}` });
    try {
      await assert.rejects(anonymous.post('/', new DocumentArray([{ text: 'x' }])), /WEFT_UNAUTHENTICATED|token/i);
    } finally {
      await anonymous.close();
    }
  });

  it('refuse to start an executor whose key is not its certificate’s', async () => {
    const [port] = (await freePorts(1)) as [number];
    const wrong = JSON.stringify({ certfile: tls.cafile, keyfile: tls.keyfile, cafile: tls.cafile });
    await assert.rejects(
      weft(['executor', '--uses', './fixtures/executors.ts#Shout', '--port', String(port), '--internal-tls', wrong]),
      /internalTls/,
    );
  });
});
