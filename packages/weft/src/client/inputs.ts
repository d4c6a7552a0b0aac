/**
 * Turns a client's inputs (a Document, an array, a DocumentArray, or a sync/async generator of documents) into
 * DataRequests of `requestSize` documents, lazily, so a generator is read only as fast as requests are sent.
 */
import { Document, DocumentArray, type DocumentInit, type JsonObject } from '../document/index.js';
import { BadArgumentError } from '../errors/index.js';
import { DataRequest } from '../request/index.js';

export type ClientInputs =
  | Document
  | DocumentInit
  | DocumentArray
  | Iterable<Document | DocumentInit>
  | AsyncIterable<Document | DocumentInit>
  | undefined;

export interface RequestShape {
  endpoint: string;
  parameters?: JsonObject;
  targetExecutor?: string;
  requestSize?: number;
}

/** Build the requests for `inputs`, `requestSize` documents each (a parameters-only request when empty). */
export async function* buildRequests(inputs: ClientInputs, shape: RequestShape): AsyncGenerator<DataRequest> {
  const size = shape.requestSize ?? 100;
  if (!Number.isInteger(size) || size < 1)
    throw new BadArgumentError(`requestSize must be a positive integer, got ${size}`);
  const make = (docs: Document[]): DataRequest =>
    new DataRequest({
      header: {
        execEndpoint: shape.endpoint,
        ...(shape.targetExecutor ? { targetExecutor: shape.targetExecutor } : {}),
      },
      parameters: shape.parameters ?? {},
      docs: DocumentArray.wrap(docs),
    });
  let batch: Document[] = [];
  let sent = 0;
  for await (const d of iterate(inputs)) {
    batch.push(d instanceof Document ? d : new Document(d));
    if (batch.length >= size) {
      yield make(batch);
      sent++;
      batch = [];
    }
  }
  if (batch.length > 0 || sent === 0) yield make(batch);
}

async function* iterate(inputs: ClientInputs): AsyncGenerator<Document | DocumentInit> {
  if (inputs === undefined || inputs === null) return;
  if (inputs instanceof Document) {
    yield inputs;
    return;
  }
  if (typeof (inputs as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    yield* inputs as AsyncIterable<Document | DocumentInit>;
    return;
  }
  if (typeof (inputs as Iterable<unknown>)[Symbol.iterator] === 'function') {
    yield* inputs as Iterable<Document | DocumentInit>;
    return;
  }
  yield inputs as DocumentInit;
}
