// SIGKILL during a stream of writes loses no acknowledged write. A child process indexes, upserts and deletes in
// a loop (snapshots every 150 changes), printing each write before it is sent and once it is acknowledged; the
// test kills it with SIGKILL a random 0-25 ms after a random number of acknowledgements (so the kill lands at a
// random point of a write: mid-commit, mid-graph-update or mid-snapshot), reopens the workspace, and checks the acknowledged
// state: every acknowledged document present at its acknowledged version (or the one in flight), searchable
// through the graph, every acknowledged delete gone, nothing else stored. Five rounds on the same workspace.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Document, DocumentArray } from '@weft-ai/weft';
import { WRITER_DIM as DIM, openIndexer, tempWorkspace, vectorFor } from '../../fixtures/indexer-fixtures.js';
import { parseWrite, startWriter, type WriteLine } from '../../fixtures/spawn-writer.js';

const ROUNDS = 5;
const ws = tempWorkspace('weft-vi-kill-');
after(ws.cleanup);

interface Acked {
  version: number;
  deleted: boolean;
}

describe('VectorIndexer durability under SIGKILL', () => {
  it(`loses no acknowledged write across ${ROUNDS} random kills`, async (t) => {
    const model = new Map<string, Acked>();
    const baseSeed = Math.floor(Math.random() * 1e9);
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = 3 + Math.floor(Math.random() * 40);
      let acks = 0;
      let pending: WriteLine | undefined;
      let ready = '';
      const run = startWriter([ws.dir, 'stream', String(baseSeed + round), String(round)], (line, child) => {
        if (line.startsWith('READY')) ready = line.slice(6);
        else if (line.startsWith('BEGIN')) pending = parseWrite(line);
        else if (line.startsWith('ACK')) {
          const w = parseWrite(line);
          for (const [id, version] of w.items) {
            model.set(
              id,
              w.op === 'delete' ? { version: model.get(id)?.version ?? 0, deleted: true } : { version, deleted: false },
            );
          }
          pending = undefined;
          // kill with some jitter after the chosen acknowledgement, to land anywhere in the next write
          if (++acks === killAfter) setTimeout(() => child.kill('SIGKILL'), Math.random() * 25);
        }
      });
      const how = await run.exited;
      assert.equal(how, 'SIGKILL', `the writer died on its own: ${run.stderr()}`);
      assert.ok(acks >= killAfter);

      const ix = openIndexer(ws.dir, { exactBelow: 0, efSearch: 128, snapshotEvery: 150 });
      const r = ix.indexer.recovery;
      t.diagnostic(
        `round ${round} (seed ${baseSeed + round}): killed after ${acks} acks with ${pending ? `a pending ${pending.op} of ${pending.items.length}` : 'nothing pending'}; ` +
          `writer opened with ${ready}; reopen: ${r.mode}${r.reason ? ` (${r.reason})` : ''}, snapshot seq ${r.snapshotSeq}, replayed ${r.replayed}, ${r.count} docs, ${Math.round(r.ms)} ms`,
      );
      // the snapshot + replay path must hold up: a rebuild is only expected before the first snapshot
      assert.ok(r.mode !== 'rebuild' || r.reason === 'no snapshot yet', `round ${round}: ${r.mode} (${r.reason})`);
      const unreachable = await verify(ix, model, pending, `round ${round}, seed ${baseSeed + round}`);
      if (unreachable > 0)
        t.diagnostic(`round ${round}: ${unreachable} stored document(s) unreachable in the HNSW graph`);
      await ix.close();
    }
  });
});

async function verify(
  ix: ReturnType<typeof openIndexer>,
  model: Map<string, Acked>,
  pending: WriteLine | undefined,
  where: string,
): Promise<number> {
  const inFlight = new Map((pending?.items ?? []).map(([id, v]) => [id, v]));
  const ids = [...new Set([...model.keys(), ...inFlight.keys()])];
  const stored = new DocumentArray(ids.map((id) => ({ id })));
  await ix.call('/fill', stored);
  let present = 0;
  const queries: Document[] = [];
  for (const d of stored) {
    const acked = model.get(d.id);
    const has = d.embedding !== undefined;
    if (has) present++;
    const version = d.tags.version as number | undefined;
    if (!acked) {
      // only the write in flight may have left a document nobody acknowledged
      assert.ok(!has || (pending?.op === 'index' && inFlight.get(d.id) === version), `${where}: unexpected ${d.id}`);
    } else if (acked.deleted) {
      assert.ok(!has, `${where}: ${d.id} was deleted (acknowledged) but is still stored`);
    } else if (!has) {
      assert.ok(
        pending?.op === 'delete' && inFlight.has(d.id),
        `${where}: acknowledged ${d.id} v${acked.version} is lost`,
      );
    } else {
      const allowed = [acked.version, ...(pending?.op === 'index' && inFlight.has(d.id) ? [inFlight.get(d.id)] : [])];
      assert.ok(allowed.includes(version), `${where}: ${d.id} is at v${version}, acknowledged v${acked.version}`);
    }
    if (has) queries.push(new Document({ id: `q:${d.id}`, embedding: vectorFor(d.id, version as number, DIM) }));
  }
  assert.deepEqual((await ix.call('/count')).results, { count: present }, `${where}: stray documents in the store`);
  // every stored document is found through the graph by its own vector. HNSW can leave a rare node without
  // in-links (measured ~0.07% on clustered data, hnswlib alike): such a node must still be found exactly, and be rare
  let unreachable = 0;
  for (let i = 0; i < queries.length; i += 500) {
    const batch = queries.slice(i, i + 500);
    await ix.call('/search', batch, { limit: 3 });
    for (const q of batch) {
      if (q.matches.ids.includes(q.id.slice(2))) continue;
      const exact = new Document({ embedding: q.embedding });
      await ix.call('/search', [exact], { limit: 1, exact: true });
      assert.deepEqual(exact.matches.ids, [q.id.slice(2)], `${where}: ${q.id.slice(2)} is stored but not searchable`);
      unreachable++;
    }
  }
  assert.ok(
    unreachable <= Math.max(1, present * 0.005),
    `${where}: ${unreachable} of ${present} unreachable in the graph`,
  );
  // what the write in flight did is now known: fold it into the acknowledged state for the next rounds
  for (const d of stored) {
    if (!inFlight.has(d.id)) continue;
    if (d.embedding !== undefined) model.set(d.id, { version: d.tags.version as number, deleted: false });
    else if (model.has(d.id)) model.set(d.id, { version: model.get(d.id)?.version ?? 0, deleted: true });
  }
  return unreachable;
}
