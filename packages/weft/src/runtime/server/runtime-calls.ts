/**
 * What a runtime supplies to the server kit (`RuntimeCalls`: what it does with each Jina call, including the
 * optional `stream_doc` hook), and which services that makes it serve (`servedServices`).
 */
import type { Status } from '../../errors/index.js';
import {
  HEALTH_SERVICE_NAME,
  type JinaServiceName,
  REFLECTION_SERVICE_NAMES,
  type ServiceContext,
  type ServiceOutcome,
  type StreamedAnswer,
} from '../../networking/index.js';
import { encodeSingleDocumentRequest, type SingleDocumentRequest } from '../../request/index.js';

/** What a `stream_doc` handler gets besides the request: the call's metadata, deadline, and cancellation. */
export interface StreamDocContext extends ServiceContext {
  /** Aborted when the client cancels the call: stop producing. */
  readonly signal: AbortSignal;
}

/**
 * The hook a runtime supplies to serve `jina.JinaSingleDocumentRequestRPC/stream_doc`: the answers to one decoded
 * request, encoded, as they come. An executor error is the last answer, in-band (`isError: true`); a throw ends
 * the call with its status (a weft error's own). The kit refuses the call while draining, answers a malformed
 * request with INVALID_ARGUMENT, writes at the pace the client reads, and counts the call in flight until done.
 */
export type StreamDocHandler = (req: SingleDocumentRequest, ctx: StreamDocContext) => AsyncIterable<StreamedAnswer>;

/** What a runtime does with each call; `RuntimeServer` serves it (refusals while draining, in-flight counts). */
export interface RuntimeCalls {
  /** `process_single_data`, and each message of a `Call` stream: DataRequestProto bytes in. */
  processSingleData(message: Buffer, ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `process_data` (workers and heads): DataRequestListProto bytes in. Not served when absent. */
  processData?(message: Buffer, ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `endpoint_discovery`: EndpointsProto bytes out. */
  endpointDiscovery(ctx: ServiceContext): Promise<ServiceOutcome>;
  /** `stream_doc` (streaming endpoints). Not served when absent. */
  streamDoc?: StreamDocHandler;
  /** `dry_run` (gateways). Not served when absent. */
  dryRun?(): Promise<Status>;
}

/**
 * The services a runtime offers, in reflection's and health's order: always `Call`, `process_single_data`,
 * `endpoint_discovery`, `_status`, health and reflection; the optional calls when `calls` has them (truthy).
 * @example servedServices({ processData: true, streamDoc: true }) // a worker's
 */
export function servedServices(calls: { readonly [K in 'processData' | 'streamDoc' | 'dryRun']?: unknown }): string[] {
  const jina: JinaServiceName[] = ['jina.JinaRPC', 'jina.JinaSingleDataRequestRPC'];
  if (calls.processData) jina.push('jina.JinaDataRequestRPC');
  jina.push('jina.JinaDiscoverEndpointsRPC', 'jina.JinaInfoRPC');
  if (calls.streamDoc) jina.push('jina.JinaSingleDocumentRequestRPC');
  if (calls.dryRun) jina.push('jina.JinaGatewayDryRunRPC');
  return [...jina, HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES];
}

/**
 * Encode a stream of `stream_doc` answers for the kit, marking an in-band error (the last answer) as such: what
 * every runtime's `StreamDocHandler` returns.
 */
export async function* encodeStreamAnswers(
  answers: AsyncIterable<SingleDocumentRequest>,
): AsyncGenerator<StreamedAnswer> {
  for await (const answer of answers) {
    yield { bytes: encodeSingleDocumentRequest(answer), isError: (answer.header.status?.code ?? 0) !== 0 };
  }
}
