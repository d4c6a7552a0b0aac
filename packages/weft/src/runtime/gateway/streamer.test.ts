import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataRequest } from '../../request/index.js';
import { streamRequests } from './streamer.js';

function reqs(n: number): DataRequest[] {
  return Array.from({ length: n }, (_, i) => new DataRequest({ header: { requestId: `r${i}` } }));
}

describe('streamRequests', () => {
  it('bounds in-flight requests by prefetch and yields every answer', async () => {
    let inFlight = 0;
    let peak = 0;
    const process = async (r: DataRequest): Promise<DataRequest> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((res) => setImmediate(res));
      inFlight--;
      return r;
    };
    const ids: string[] = [];
    for await (const o of streamRequests(reqs(20), process, { prefetch: 3 })) ids.push(o.req.header.requestId);
    assert.equal(peak, 3);
    assert.deepEqual(
      ids.sort(),
      reqs(20)
        .map((r) => r.header.requestId)
        .sort(),
    );
  });

  it('yields in completion order, or input order when asked', async () => {
    const delays = [3, 1, 2];
    const process = async (r: DataRequest): Promise<DataRequest> => {
      const i = Number(r.header.requestId.slice(1));
      for (let k = 0; k < (delays[i] as number) * 3; k++) await new Promise((res) => setImmediate(res));
      return r;
    };
    const completion: string[] = [];
    for await (const o of streamRequests(reqs(3), process)) completion.push(o.req.header.requestId);
    assert.deepEqual(completion, ['r1', 'r2', 'r0']);
    const ordered: string[] = [];
    for await (const o of streamRequests(reqs(3), process, { inOrder: true })) ordered.push(o.req.header.requestId);
    assert.deepEqual(ordered, ['r0', 'r1', 'r2']);
  });

  it('turns a failure into that request’s outcome and keeps going; reads async iterables lazily', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<DataRequest> {
      for (const r of reqs(5)) {
        pulled++;
        yield r;
      }
    }
    const process = async (r: DataRequest): Promise<DataRequest> => {
      if (r.header.requestId === 'r2') throw new Error('down');
      return r;
    };
    const outcomes = [];
    for await (const o of streamRequests(source(), process, { prefetch: 1 })) outcomes.push(o);
    assert.equal(pulled, 5);
    assert.equal(outcomes.length, 5);
    assert.equal(outcomes.filter((o) => !o.ok).length, 1);
  });
});
