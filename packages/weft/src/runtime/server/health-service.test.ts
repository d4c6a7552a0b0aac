import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Server, ServerCredentials, type ServiceError, status } from '@grpc/grpc-js';
import { healthClient } from '../../../test/integration/worker/helpers.js';
import { decodeHealthCheckRequest, encodeHealthCheckResponse } from '../../networking/index.js';
import { HealthService } from './health-service.js';

describe('HealthService (grpc.health.v1.Health, hand-coded)', () => {
  const health = new HealthService({ '': 'SERVING' });
  const server = new Server();
  let address = '';

  before(async () => {
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  after(() => server.forceShutdown());

  it('codes its messages as the generated health.proto client does', () => {
    assert.equal(decodeHealthCheckRequest(Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63])).service, 'abc');
    assert.equal(decodeHealthCheckRequest(new Uint8Array(0)).service, '');
    assert.deepEqual([...encodeHealthCheckResponse('NOT_SERVING')], [0x08, 0x02]);
    assert.equal(encodeHealthCheckResponse('UNKNOWN').length, 0);
  });

  it('answers Check with the status set, and NOT_FOUND for a service it does not know', async () => {
    const client = healthClient(address);
    try {
      const check = (service: string) =>
        new Promise<string>((resolve, reject) =>
          client.Check({ service }, (err: ServiceError | null, res?: { status: string }) =>
            err ? reject(err) : resolve(res?.status ?? ''),
          ),
        );
      assert.equal(await check(''), 'SERVING');
      health.setStatus('jina.JinaRPC', 'NOT_SERVING');
      assert.equal(await check('jina.JinaRPC'), 'NOT_SERVING');
      await assert.rejects(
        check('nope'),
        (err: ServiceError) => err.code === status.NOT_FOUND && /nope/.test(err.details),
      );
    } finally {
      client.close();
    }
  });

  it('Watch sends the current status at once, SERVICE_UNKNOWN for an unknown service, then every change', async () => {
    const client = healthClient(address);
    try {
      const stream = client.Watch({ service: 'later' });
      const seen: string[] = [];
      stream.on('data', (m: { status: string }) => seen.push(m.status));
      stream.on('error', () => {});
      while (seen.length < 1) await once(stream, 'data');
      health.setStatus('later', 'SERVING');
      while (seen.length < 2) await once(stream, 'data');
      health.setStatus('later', 'NOT_SERVING');
      while (seen.length < 3) await once(stream, 'data');
      assert.deepEqual(seen, ['SERVICE_UNKNOWN', 'SERVING', 'NOT_SERVING']);
      (stream as unknown as { cancel(): void }).cancel();
    } finally {
      client.close();
    }
  });
});
