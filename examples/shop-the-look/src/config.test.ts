import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CATALOGUE_RECORD, recordedCatalogue, recordedEmbedding } from './config.js';

describe('the data folder record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shop-record-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the catalogue and the embedding design back, and nothing from an older record', () => {
    assert.equal(recordedEmbedding(dir), undefined, 'no record');
    writeFileSync(join(dir, CATALOGUE_RECORD), JSON.stringify({ dir: '/shop/products' }));
    assert.equal(recordedCatalogue(dir), '/shop/products');
    assert.equal(recordedEmbedding(dir), undefined, 'a record written before designs were recorded');
    writeFileSync(join(dir, CATALOGUE_RECORD), JSON.stringify({ dir: '/shop/products', embedding: 'abc123' }));
    assert.equal(recordedEmbedding(dir), 'abc123');
  });
});
