/**
 * Jina's reduce-by-id, used at Flow joins and when merging shard answers (polling ALL):
 * - documents of `other` whose id is already present are merged into the present one; others are appended,
 *   so the result keeps the first array's order;
 * - `matches` and `chunks` are reduced recursively by id (a union that keeps the left-most copy);
 * - every other field set on the right but empty on the left is copied over; a field set on the left wins
 *   (left-most priority). Content (`text`/`blob`/`tensor`) is one field: the left content wins when present.
 */

import type { Document } from './document.js';
import type { DocumentArray } from './document-array.js';
import { SCALAR_FIELDS } from './document-fields.js';

/** Merge `right` into `left` in place. */
export function reduceArrays(left: DocumentArray, right: DocumentArray): void {
  if (right.length === 0) return;
  for (const doc of right) {
    const existing = left.get(doc.id);
    if (existing) reduceDocument(existing, doc);
    else left.push(doc);
  }
}

/** Merge the fields of `right` into `left` (same id) in place. */
export function reduceDocument(left: Document, right: Document): void {
  if (left === right) return;
  if (right.matchCount > 0) reduceArrays(left.matches, right.matches);
  if (right.chunkCount > 0) reduceArrays(left.chunks, right.chunks);
  if (left.contentType === undefined) {
    if (right.text !== undefined) left.text = right.text;
    else if (right.blob !== undefined) left.blob = right.blob;
    else if (right.tensor !== undefined) left.tensor = right.tensor;
  }
  if (left.embedding === undefined && right.embedding !== undefined) left.embedding = right.embedding;
  if (!left.hasTags && right.hasTags) left.tags = right.tags;
  if (left.metadata === undefined && right.metadata !== undefined) left.metadata = right.metadata;
  if (left.location === undefined || left.location.length === 0) {
    if (right.location !== undefined && right.location.length > 0) left.location = right.location;
  }
  if (Object.keys(left.scores).length === 0 && Object.keys(right.scores).length > 0) left.scores = right.scores;
  if (Object.keys(left.evaluations).length === 0 && Object.keys(right.evaluations).length > 0) {
    left.evaluations = right.evaluations;
  }
  const l = left as unknown as Record<string, unknown>;
  const r = right as unknown as Record<string, unknown>;
  for (const key of SCALAR_FIELDS) {
    if (key === 'parentId') continue; // like Jina: the parent link is never taken from the right
    if (isEmpty(l[key]) && !isEmpty(r[key])) l[key] = r[key];
  }
}

/** proto3 semantics: a default value (0, '') counts as not set. */
function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === 0 || v === '';
}
