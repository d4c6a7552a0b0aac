/**
 * `/fill`: complete a request document from the stored document with the same id. Fields the request document
 * already has are kept; tags are merged (the request's keys win). Matches and scores are left alone.
 */
import { type Document, SCALAR_FIELDS } from '@weft-ai/weft';

export function fillFromStored(target: Document, stored: Document): void {
  if (target.contentType === undefined) {
    if (stored.text !== undefined) target.text = stored.text;
    else if (stored.blob !== undefined) target.blob = stored.blob;
    else if (stored.tensor !== undefined) target.tensor = stored.tensor;
  }
  if (target.embedding === undefined && stored.embedding !== undefined) target.embedding = stored.embedding;
  if (stored.hasTags) target.tags = { ...stored.tags, ...(target.hasTags ? target.tags : {}) };
  const t = target as unknown as Record<string, unknown>;
  const s = stored as unknown as Record<string, unknown>;
  for (const key of SCALAR_FIELDS) if (t[key] === undefined && s[key] !== undefined) t[key] = s[key];
  if (target.location === undefined && stored.location !== undefined) target.location = stored.location;
  if (target.metadata === undefined && stored.metadata !== undefined) target.metadata = stored.metadata;
  if (target.chunkCount === 0 && stored.chunkCount > 0) target.chunks = stored.chunks;
}
