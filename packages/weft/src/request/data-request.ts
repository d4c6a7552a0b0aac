/**
 * DataRequest: one request travelling through weft (Jina's `DataRequestProto`): a header (request id, endpoint,
 * target executor, status), parameters, route entries and documents. Documents decode lazily: a runtime that only
 * routes a request never pays for them, and untouched documents are re-sent as the bytes that arrived.
 */
import { randomUUID } from 'node:crypto';
import { DocumentArray, decodeDocumentArray, type JsonObject } from '../document/index.js';
import { BadRequestError, type Status } from '../errors/index.js';
import { type MergeOptions, mergeRequests } from './merge-requests.js';
import { type Header, nowTimestamp, type Route } from './types.js';

export interface DataRequestInit {
  header?: Partial<Header>;
  parameters?: JsonObject;
  routes?: Route[];
  docs?: DocumentArray;
}

export class DataRequest {
  header: Header;
  parameters: JsonObject;
  routes: Route[];
  #docs: DocumentArray | undefined;
  /** Raw `DocumentArrayProto` bytes as received, until `docs` is read or set. */
  #docsBytes: Uint8Array | undefined;
  /** docarray's Python-native `docs_bytes`, which weft can forward but not read. */
  #opaqueDocs: Uint8Array | undefined;

  constructor(init: DataRequestInit = {}) {
    this.header = { requestId: init.header?.requestId ?? newRequestId(), ...init.header } as Header;
    this.parameters = init.parameters ?? {};
    this.routes = init.routes ?? [];
    this.#docs = init.docs;
  }

  /** The documents (decoded on first access). */
  get docs(): DocumentArray {
    if (this.#docs === undefined) {
      if (this.#opaqueDocs !== undefined) {
        throw new BadRequestError(
          'this request carries docs_bytes (docarray’s Python-native format), which weft cannot read; send data.docs (DocumentArrayProto) instead',
          { details: { field: 'data.docs_bytes' } },
        );
      }
      this.#docs = this.#docsBytes ? decodeDocumentArray(this.#docsBytes) : new DocumentArray();
      this.#docsBytes = undefined;
    }
    return this.#docs;
  }
  set docs(docs: DocumentArray) {
    this.#docs = docs;
    this.#docsBytes = undefined;
    this.#opaqueDocs = undefined;
  }

  /** Whether the documents have been decoded (or set) already. */
  get docsDecoded(): boolean {
    return this.#docs !== undefined;
  }

  /** The raw `DocumentArrayProto` bytes when the documents were never decoded. */
  get rawDocs(): Uint8Array | undefined {
    return this.#docs === undefined ? this.#docsBytes : undefined;
  }

  /** The opaque `docs_bytes` payload, if that is what arrived. */
  get opaqueDocs(): Uint8Array | undefined {
    return this.#opaqueDocs;
  }

  /** Attach raw documents as received (decoder use). */
  setRawDocs(bytes: Uint8Array | undefined, opaque?: Uint8Array): void {
    this.#docs = undefined;
    this.#docsBytes = bytes;
    this.#opaqueDocs = opaque;
  }

  get endpoint(): string | undefined {
    return this.header.execEndpoint;
  }

  get status(): Status | undefined {
    return this.header.status;
  }

  /** True when the request carries an error status. */
  get isError(): boolean {
    return (this.header.status?.code ?? 0) !== 0;
  }

  /** Append a route entry starting now; returns it so the caller can set `endTime`. */
  addRoute(executor: string): Route {
    const route: Route = { executor, startTime: nowTimestamp() };
    this.routes.push(route);
    return route;
  }

  /**
   * Merge `others` into this request by the one merge rule (`merge-requests.ts`: documents reduced by id, routes
   * appended once per executor, `__results__` accumulated, the first error status kept); returns the result,
   * which is this request itself unless `options.copy` asks for a copy.
   * @example const answer = fromShard0.merge([fromShard1, fromShard2]);
   */
  merge(others: readonly DataRequest[], options?: MergeOptions): DataRequest {
    return mergeRequests([this, ...others], options);
  }

  /** A copy sharing the documents (header, parameters and routes are copied). */
  shallowCopy(): DataRequest {
    const r = new DataRequest({
      header: { ...this.header },
      parameters: { ...this.parameters },
      routes: this.routes.map((x) => ({ ...x })),
    });
    if (this.#docs !== undefined) r.#docs = this.#docs;
    else r.setRawDocs(this.#docsBytes, this.#opaqueDocs);
    return r;
  }
}

/** A new random request id (32 hex digits, like Jina's). */
export function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}
