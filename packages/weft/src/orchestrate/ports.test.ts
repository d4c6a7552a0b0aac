import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freePorts } from './ports.js';

const RANGE = '/proc/sys/net/ipv4/ip_local_port_range';

describe('freePorts', () => {
  it('hands out distinct ports that can be bound, never one it handed out before', async () => {
    const first = await freePorts(20);
    const second = await freePorts(20);
    const all = [...first, ...second];
    assert.equal(new Set(all).size, all.length);
    for (const port of second.slice(0, 5)) {
      await new Promise<void>((resolve, reject) => {
        const s = createServer().once('error', reject);
        s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve()));
      });
    }
  });

  it('picks below the ephemeral range, where outgoing connections and bind(0) cannot take a port meanwhile', {
    skip: existsSync(RANGE) ? false : 'no /proc/sys/net/ipv4/ip_local_port_range here',
  }, async () => {
    const low = Number(readFileSync(RANGE, 'utf8').trim().split(/\s+/)[0]);
    for (const port of await freePorts(50)) assert.ok(port >= 10_000 && port < low, `${port} (ephemeral from ${low})`);
  });
});
