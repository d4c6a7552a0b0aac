/**
 * TextSearch: a lexical (BM25) index over chosen tags of the documents (by default their `title` and `category`),
 * kept durable in its workspace as an append-only log (each write fsynced before the request is answered). On
 * `/search` each query document with words (its `text`, or `tags.text` beside an image) gets `matches` with
 * `scores.bm25`, the stored tags, and `parameters.filter` applied like the VectorIndexer's. Documents without words
 * pass through unchanged (so an image query can travel the same Flow).
 *
 * @example
 * // flow.yml: { name: text, uses: ./src/text-search/index.ts#TextSearch, needs: gateway }
 * const text = new TextSearch({ workspace: './data', fields: ['title', 'category'] });
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  BadArgumentError,
  compileFilter,
  Document,
  type EndpointArgs,
  Executor,
  type ExecutorArgs,
  type Filter,
  type JsonObject,
  requests,
} from '@weft-ai/weft';
import { Bm25Index } from './bm25.js';

export interface TextSearchOptions {
  /** The tags whose words are indexed (default `['title', 'category']`). */
  fields: string[];
}

type LogEntry = { op: 'put'; id: string; tags: JsonObject } | { op: 'del'; id: string } | { op: 'clear' };

const LOG = 'text-index.jsonl';
const DEFAULT_LIMIT = 10;

export class TextSearch extends Executor {
  readonly fields: string[];
  readonly #index = new Bm25Index();
  readonly #stored = new Map<string, Document>();
  readonly #file: string;
  #fd: number;
  #entries = 0;

  constructor(args: ExecutorArgs<TextSearchOptions> = {}) {
    super(args);
    this.fields = args.fields ?? ['title', 'category'];
    this.#file = join(this.workspace, LOG);
    if (existsSync(this.#file)) {
      for (const line of readFileSync(this.#file, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.#apply(JSON.parse(line) as LogEntry);
          this.#entries++;
        } catch {
          break; // a line cut short by a crash mid-write: it was never acknowledged
        }
      }
    }
    this.#fd = openSync(this.#file, 'a');
    this.#compactIfLong();
  }

  /** Store each document's tags and index the words of `fields` (replacing a document with the same id). */
  @requests({ on: '/index' })
  index({ docs }: EndpointArgs): JsonObject {
    this.#write(docs.toArray().map((d) => ({ op: 'put', id: d.id, tags: pick(d.tags, this.fields, d) })));
    return { indexed: docs.length };
  }

  /** Matches (`scores.bm25`, best first) for each document with words; `parameters`: `limit`, `filter`, `dropImage`. */
  @requests({ on: '/search' })
  search({ docs, parameters }: EndpointArgs): void {
    const limit = positiveInt(parameters.limit, 'limit') ?? DEFAULT_LIMIT;
    const filter = filterOf(parameters.filter);
    const accept = filter ? (id: string) => filter(this.#stored.get(id) as Document) : undefined;
    for (const doc of docs) {
      const words = doc.text ?? (typeof doc.tags.text === 'string' ? doc.tags.text : undefined);
      if (parameters.dropImage === true) doc.blob = undefined;
      if (!words?.trim()) continue;
      doc.matches = this.#index.search(words, limit, accept).map(
        (hit) =>
          new Document({
            id: hit.id,
            tags: (this.#stored.get(hit.id) as Document).tags,
            scores: { bm25: { value: hit.score } },
          }),
      );
    }
  }

  /** The stored tags of documents with the same ids; `{ filled, missing }` like the VectorIndexer's `/fill`. */
  @requests({ on: '/fill' })
  fill({ docs }: EndpointArgs): JsonObject {
    const missing: string[] = [];
    let filled = 0;
    for (const d of docs) {
      const stored = this.#stored.get(d.id);
      if (!stored) missing.push(d.id);
      else {
        d.tags = { ...stored.tags, ...(d.hasTags ? d.tags : {}) };
        filled++;
      }
    }
    return { filled, missing };
  }

  /** By `parameters.ids`, else the ids of the request's documents. */
  @requests({ on: '/delete' })
  delete({ docs, parameters }: EndpointArgs): JsonObject {
    const ids = Array.isArray(parameters.ids) ? parameters.ids.map(String) : docs.ids;
    const known = ids.filter((id) => this.#stored.has(id));
    this.#write(known.map((id) => ({ op: 'del', id })));
    return { deleted: known.length };
  }

  @requests({ on: '/count' })
  count(): JsonObject {
    return { count: this.#stored.size };
  }

  @requests({ on: '/clear' })
  clear(): JsonObject {
    const deleted = this.#stored.size;
    this.#write([{ op: 'clear' }]);
    this.#compact();
    return { deleted };
  }

  override async close(): Promise<void> {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  #write(entries: LogEntry[]): void {
    if (entries.length === 0) return;
    writeSync(this.#fd, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
    fsyncSync(this.#fd);
    for (const e of entries) this.#apply(e);
    this.#entries += entries.length;
    // re-indexing the same ids appends forever otherwise (the soak scenario's upserts found it)
    this.#compactIfLong();
  }

  /** Compact once the log holds more than twice the entries it needs (plus some slack). */
  #compactIfLong(): void {
    if (this.#entries > 2 * this.#stored.size + 100) this.#compact();
  }

  #apply(e: LogEntry): void {
    if (e.op === 'clear') {
      this.#index.clear();
      this.#stored.clear();
    } else if (e.op === 'del') {
      this.#index.delete(e.id);
      this.#stored.delete(e.id);
    } else {
      this.#stored.set(e.id, new Document({ id: e.id, tags: e.tags }));
      this.#index.set(e.id, this.fields.map((f) => String(e.tags[f] ?? '')).join(' '));
    }
  }

  /** Rewrite the log with one entry per stored document (temporary file, fsync, rename). */
  #compact(): void {
    const tmp = `${this.#file}.tmp`;
    const fd = openSync(tmp, 'w');
    const lines = [...this.#stored.values()].map((d) => JSON.stringify({ op: 'put', id: d.id, tags: d.tags }));
    writeSync(fd, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    fsyncSync(fd);
    closeSync(fd);
    if (this.#fd !== undefined && this.#fd >= 0) closeSync(this.#fd);
    renameSync(tmp, this.#file);
    this.#fd = openSync(this.#file, 'a');
    this.#entries = this.#stored.size;
  }
}

/** The tags worth keeping: all of them (they are small), checked to hold the indexed fields' words. */
function pick(tags: JsonObject, fields: string[], d: Document): JsonObject {
  if (!fields.some((f) => typeof tags[f] === 'string' && tags[f] !== '')) {
    throw new BadArgumentError(`TextSearch: document '${d.id}' has none of the indexed tags ${fields.join(', ')}`);
  }
  return tags;
}

function positiveInt(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new BadArgumentError(
      `TextSearch: parameters.${name} must be a positive integer, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function filterOf(value: unknown): ((doc: Document) => boolean) | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadArgumentError(`TextSearch: parameters.filter must be a Mongo-style filter object`);
  }
  return compileFilter(value as Filter);
}
