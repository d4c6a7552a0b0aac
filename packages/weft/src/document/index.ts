/** The data layer: Document, DocumentArray, NdArray, their codecs, matching, filtering and loaders. */

export {
  assertJsonObject,
  assertJsonValue,
  cloneJson,
  isPlainObject,
  type JsonObject,
  type JsonValue,
} from '../wire/index.js';
export {
  type ContentField,
  Document,
  type DocumentInit,
  type NamedScore,
  newDocumentId,
  type TrustedDocumentParts,
} from './document.js';
export { DocumentArray } from './document-array.js';
export { JINA_FIELD_KEYS, SCALAR_FIELDS, type ScalarField } from './document-fields.js';
export { dtypeOf, halfToFloat, parseDtype, SUPPORTED_DTYPES, type TypedArray } from './dtype.js';
export { compileFilter, type Filter } from './filter.js';
export type { DocumentJson } from './json-codec.js';
export { type ImageTensorOptions, type LoadedUri, type LoadUriOptions, loadImageTensor, loadUri } from './load-uri.js';
export type { FindOptions, MatchOptions, Metric, VectorQuery } from './match.js';
export { NdArray, type NdArrayLike, type NestedNumbers } from './ndarray.js';
export {
  decodeDocument,
  decodeDocumentArray,
  encodeDocument,
  encodeDocumentArray,
  readDocument,
  readDocumentArray,
  sizeDocument,
  sizeDocumentArray,
  writeDocument,
  writeDocumentArray,
} from './proto-codec.js';
export { reduceDocument } from './reduce.js';
export {
  checkAddress,
  executorUriPolicy,
  nonPublicReason,
  setUriPolicy,
  type UriPolicy,
  uriPolicy,
} from './uri-policy.js';
