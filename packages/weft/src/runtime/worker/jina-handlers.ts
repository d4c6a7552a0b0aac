/**
 * The grpc-js handlers of the Jina services a worker serves: the unary ones are the worker's RuntimeService (the
 * same one its native port serves) behind the shared gRPC adapter; `Call` processes every message as it arrives
 * and answers in completion order; executor errors do not end the stream.
 */
import type { ServerDuplexStream, ServiceError, UntypedServiceImplementation } from '@grpc/grpc-js';
import { grpcUnaryHandlers, type RuntimeService } from '../../networking/index.js';
import { isErrorTrailer, shuttingDown, toServiceError } from './grpc-helpers.js';
import { type HandlerHost, processSingle } from './worker-service.js';

export type { HandlerHost } from './worker-service.js';

/** Implementations keyed like the service definitions in `service-definitions.ts`. */
export function jinaHandlers(
  host: HandlerHost,
  service: RuntimeService,
): Record<'call' | 'singleData' | 'data' | 'discovery' | 'info', UntypedServiceImplementation> {
  const unary = grpcUnaryHandlers(service, `worker ${host.name} failed`);
  return {
    call: { Call: (call: ServerDuplexStream<Buffer, Uint8Array>) => callStream(host, call) },
    singleData: unary['jina.JinaSingleDataRequestRPC'],
    data: unary['jina.JinaDataRequestRPC'],
    discovery: unary['jina.JinaDiscoverEndpointsRPC'],
    info: unary['jina.JinaInfoRPC'],
  };
}

function callStream(host: HandlerHost, call: ServerDuplexStream<Buffer, Uint8Array>): void {
  let pending = 0;
  let refused = 0;
  let clientDone = false;
  let finished = false;
  let anyError = false;
  let fatal: ServiceError | undefined;

  const finish = (): void => {
    if (finished || pending > 0) return;
    if (fatal || refused > 0) {
      finished = true;
      unregister();
      const err = fatal ?? shuttingDown(host.name);
      if (!fatal) err.details += `; ${refused} request(s) on this stream were not processed`;
      call.emit('error', err);
      return;
    }
    if (clientDone || !host.accepting) {
      finished = true;
      unregister();
      call.end(anyError ? isErrorTrailer() : undefined);
    }
  };
  const unregister = host.openStream(finish);

  call.on('data', (bytes: Buffer) => {
    if (finished || fatal) return;
    if (!host.accepting) {
      refused++;
      finish();
      return;
    }
    pending++;
    host
      .track(processSingle(host, bytes, call.metadata))
      .then(
        (o) => {
          // a malformed message ends the stream with its status, after the answers already under way
          if (o.error) fatal ??= o.error;
          else if (!finished && !call.cancelled) {
            if (o.trailers?.['is-error'] === 'true') anyError = true;
            call.write(o.bytes);
          }
        },
        (err: unknown) => {
          fatal ??= toServiceError(err, `worker ${host.name} failed`);
        },
      )
      .finally(() => {
        pending--;
        finish();
      });
  });
  call.on('end', () => {
    clientDone = true;
    finish();
  });
  call.on('cancelled', () => {
    finished = true;
    unregister();
  });
}
