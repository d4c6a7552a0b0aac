// A Flow whose internal hops speak TLS (`internal_tls: true`: a CA and certificate made at start, deleted at
// close; or given files), with a head between the gateway and a replicated executor: it answers over gRPC and
// HTTP, every executor port refuses a plain-text client and a client that does not trust the Flow's CA, a client
// trusting it is served, and no runtime offers the plain native transport.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials } from '@grpc/grpc-js';
import { Deployment, Flow, TlsError, UnavailableError } from '../../../src/index.js';
import { internalCredentials, NATIVE_ADDRESS_KEY, RuntimeClient } from '../../../src/networking/index.js';
import { makeInternalCertificates } from '../../../src/security/index.js';
import { makeSelfSigned, type SelfSigned } from '../../fixtures/self-signed.js';

const here = fileURLToPath(new URL('.', import.meta.url));
let flow: Flow;
const opened: RuntimeClient[] = [];

function runtime(address: string, options: ConstructorParameters<typeof RuntimeClient>[1] = {}): RuntimeClient {
  const c = new RuntimeClient(address, { name: 'probe', ...options });
  opened.push(c);
  return c;
}

/** Every executor's entry address (the head of `shout`, the worker of `bang`), as the gateway dials them. */
function executorAddresses(f: Flow): string[] {
  return Object.values(f.gatewayConfig?.addresses ?? {}).flat();
}

before(async () => {
  flow = await Flow.load(join(here, 'flow.yml')).start();
});

after(async () => {
  for (const c of opened) c.close();
  await flow?.close();
});

describe('a Flow with internal TLS it makes itself', { timeout: 120_000 }, () => {
  it('answers through the gateway over gRPC and HTTP, through a head and its TLS workers', async () => {
    assert.deepEqual((await flow.post('/', [{ text: 'a' }, { text: 'b' }])).texts, ['A!', 'B!']);
    const http = flow.endpoints.find((e) => e.protocol === 'http');
    const res = await fetch(`${http?.url}/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: [{ text: 'h' }] }),
    });
    assert.equal(((await res.json()) as { data: { text: string }[] }).data[0]?.text, 'H!');
    const ready = await fetch(`${http?.url}/ready`);
    assert.equal(ready.status, 200, 'the gateway reaches every executor over TLS for /ready too');
  });

  it('refuses a plain-text client at every executor port', async () => {
    const addresses = executorAddresses(flow);
    assert.equal(addresses.length, 2);
    for (const address of addresses) {
      await assert.rejects(runtime(address).status({ timeoutMs: 30_000 }), UnavailableError, address);
    }
  });

  it("refuses a TLS client that does not trust the Flow's CA", async () => {
    for (const address of executorAddresses(flow)) {
      await assert.rejects(
        runtime(address, { credentials: credentials.createSsl() }).status({ timeoutMs: 30_000 }),
        (e: unknown) => e instanceof UnavailableError || e instanceof TlsError,
        address,
      );
    }
  });

  it('serves a client trusting the CA, over gRPC only (no native port is offered)', async () => {
    const cafile = flow.gatewayConfig?.internalCafile as string;
    assert.ok(cafile && existsSync(cafile), 'the generated CA is on disk while the Flow runs');
    for (const address of executorAddresses(flow)) {
      const info = await runtime(address, { credentials: internalCredentials(cafile) }).status({ timeoutMs: 30_000 });
      assert.equal(info.jina[NATIVE_ADDRESS_KEY], undefined, `${address} offers no native port`);
    }
  });
});

describe('a Flow with internal TLS from given files', { timeout: 120_000 }, () => {
  let cert: SelfSigned;
  let given: Flow;
  let generatedCa: string;

  before(async () => {
    generatedCa = flow.gatewayConfig?.internalCafile as string;
    cert = await makeSelfSigned();
  });

  after(async () => {
    await given?.close();
    await cert?.remove();
  });

  it('serves with them (a self-signed certificate is its own CA)', async () => {
    given = new Flow({
      internalTls: { certfile: cert.certfile, keyfile: cert.keyfile, cafile: cert.certfile },
    }).add({ name: 'shout', uses: join(here, 'fixtures/executors.ts#Shout') });
    await given.start();
    assert.deepEqual((await given.post('/', [{ text: 'given' }])).texts, ['GIVEN']);
    const [address] = executorAddresses(given);
    await assert.rejects(runtime(address as string).status({ timeoutMs: 30_000 }), UnavailableError);
  });

  it('deletes the material it made once it is closed', async () => {
    await flow.close();
    assert.equal(existsSync(generatedCa), false);
  });
});

describe('an external executor behind internal TLS', { timeout: 120_000 }, () => {
  it('is dialled with TLS: a Deployment serving TLS with files of the same CA answers through the Flow', async () => {
    const material = await makeInternalCertificates();
    const internalTls = { certfile: material.certfile, keyfile: material.keyfile, cafile: material.cafile };
    const deployment = new Deployment({ name: 'far', uses: join(here, 'fixtures/executors.ts#Bang'), internalTls });
    let front: Flow | undefined;
    try {
      await deployment.start();
      // the Deployment's own client trusts its CA
      assert.equal((await deployment.client.status({ timeoutMs: 30_000 })).jina[NATIVE_ADDRESS_KEY], undefined);
      await assert.rejects(runtime(deployment.address).status({ timeoutMs: 30_000 }), UnavailableError);
      front = new Flow({ internalTls }).add({ name: 'far', external: true, host: '127.0.0.1', port: deployment.port });
      await front.start();
      assert.deepEqual((await front.post('/', [{ text: 'far' }])).texts, ['far!']);
    } finally {
      await front?.close();
      await deployment.close();
      await material.remove();
    }
  });
});
