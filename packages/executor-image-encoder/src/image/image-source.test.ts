import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadDocumentError, Document } from '@weft-ai/weft';
import { documentPixels, type SourceOptions } from './image-source.js';

const options: SourceOptions = {
  size: 16,
  fit: 'contain',
  background: { r: 255, g: 255, b: 255 },
  trim: false,
  uriTimeoutMs: 1000,
  maxImageBytes: 1024,
};

describe('documentPixels', () => {
  // found by the fuzz scenario: undecodable bytes rejected with sharp's plain Error, without a weft code
  it('refuses undecodable, empty and oversized images with WEFT_BAD_DOCUMENT', async () => {
    const jpegHeader = Buffer.from('ffd8ffdb0043bd0006040506050406060506070706080a100a0a09090a14', 'hex');
    for (const blob of [jpegHeader, Buffer.alloc(0), Buffer.alloc(2048, 1)]) {
      await assert.rejects(documentPixels(new Document({ blob }), options), (err) => {
        assert.ok(err instanceof BadDocumentError, String(err));
        assert.equal(err.code, 'WEFT_BAD_DOCUMENT');
        return true;
      });
    }
  });
});
