/** The request envelope of Jina's wire protocol: DataRequest and the codecs of every `jina.proto` message. */
export { DataRequest, type DataRequestInit, newRequestId } from './data-request.js';
export { readStatus, sizeStatus, writeStatus } from './envelope-codec.js';
export { type MergeOptions, mergeRequests, RESULTS_KEY } from './merge-requests.js';
export {
  decodeDataRequest,
  decodeDataRequestList,
  decodeDocsEagerly,
  encodeDataRequest,
  encodeDataRequestList,
  encodeDataRequestParts,
} from './request-codec.js';
export {
  type JsonCasing,
  type RequestFromJsonOptions,
  type RequestJson,
  requestFromJson,
  requestToJson,
  type SnakeRequestJson,
  type StatusJson,
  statusFromJson,
  statusToJson,
} from './request-json.js';
export {
  decodeEmpty,
  decodeEndpoints,
  decodeJinaInfo,
  decodeSingleDocumentRequest,
  decodeStatus,
  decodeStreamDocRequest,
  type Endpoints,
  encodeEmpty,
  encodeEndpoints,
  encodeJinaInfo,
  encodeSingleDocumentRequest,
  encodeStatus,
  type JinaInfo,
  type SingleDocumentRequest,
} from './service-codecs.js';
export { type Header, nowTimestamp, type Route, type Timestamp, timestampToIso, timestampToMs } from './types.js';
