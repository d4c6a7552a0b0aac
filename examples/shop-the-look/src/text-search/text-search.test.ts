import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DocumentArray, ExecutorRunner } from '@weft-ai/weft';
import { TextSearch } from './text-search.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const products = () =>
  new DocumentArray([
    { id: 'fedora', tags: { title: 'Red fedora', category: 'Hats', price: 62.99 } },
    { id: 'cap', tags: { title: 'Baseball cap', category: 'Hats' } },
    { id: 'apple', tags: { title: 'Red apple', category: 'Food' } },
  ]);

describe('TextSearch', () => {
  it('finds by title and category words, filtered, and keeps what it acknowledged across restarts', async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'text-search-'));
    dirs.push(workspace);
    const first = new ExecutorRunner(new TextSearch({ workspace }));
    await first.invoke({ endpoint: '/index', docs: products() });
    await first.invoke({ endpoint: '/delete', docs: new DocumentArray([{ id: 'cap' }]) });
    await first.close();

    const again = new ExecutorRunner(new TextSearch({ workspace }));
    const queries = new DocumentArray([
      { id: 'q', text: 'red hats' },
      { id: 'photo', tags: { other: 1 } },
    ]);
    await again.invoke({ endpoint: '/search', docs: queries, parameters: { limit: 5 } });
    const q = queries.get('q');
    assert.deepEqual(
      q?.matches.map((m) => m.id),
      ['fedora', 'apple'],
    );
    assert.equal(q?.matches.at(0)?.tags.price, 62.99);
    assert.ok((q?.matches.at(0)?.scores.bm25?.value ?? 0) > 0);
    assert.equal(queries.get('photo')?.matchCount, 0, 'a document without words passes through');

    const filtered = new DocumentArray([{ id: 'q', text: 'red' }]);
    await again.invoke({
      endpoint: '/search',
      docs: filtered,
      parameters: { filter: { tags__category: { $eq: 'Food' } } },
    });
    assert.deepEqual(
      filtered.at(0)?.matches.map((m) => m.id),
      ['apple'],
    );

    const fill = await again.invoke({ endpoint: '/fill', docs: new DocumentArray([{ id: 'fedora' }, { id: 'cap' }]) });
    assert.deepEqual(fill.results, { filled: 1, missing: ['cap'] });
    await again.invoke({ endpoint: '/clear', docs: new DocumentArray() });
    await again.close();
    const cleared = new ExecutorRunner(new TextSearch({ workspace }));
    assert.deepEqual((await cleared.invoke({ endpoint: '/count', docs: new DocumentArray() })).results, { count: 0 });
    await cleared.close();
  });
  it('keeps its log short while the same documents are indexed again and again', async () => {
    const workspace = await mkdtemp(join(tmpdir(), 'text-search-'));
    dirs.push(workspace);
    const text = new TextSearch({ workspace });
    const runner = new ExecutorRunner(text);
    for (let i = 0; i < 200; i++) await runner.invoke({ endpoint: '/index', docs: products() });
    const lines = (await readFile(join(text.workspace, 'text-index.jsonl'), 'utf8')).split('\n').filter(Boolean);
    assert.ok(lines.length <= 2 * 3 + 100 + 3, `${lines.length} lines for 3 documents`);
    const [q] = await runner
      .invoke({ endpoint: '/search', docs: new DocumentArray([{ id: 'q', text: 'fedora' }]) })
      .then((r) => r.docs.toArray());
    assert.equal(q?.matches.at(0)?.id, 'fedora');
    await runner.close();
  });
});
