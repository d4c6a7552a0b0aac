/**
 * The parsers the fuzz scenario feeds, each as a target: a name, its inputs, and how one input is tried. A try
 * resolves with the kind of answer: `ok` (served), `coded` (refused with a weft error code), `uncoded` (an answer
 * or exception without one: a finding), or `closed` (a raw transport input the server dropped, which is all it
 * may do). Network targets talk to the Flow's processes over loopback; local ones call the parser in this process.
 */
import { connect } from 'node:net';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { isErrorCode, WeftError, wireOfCloseReason } from '../../packages/weft/src/errors/index.js';

export type Outcome = 'ok' | 'coded' | 'uncoded' | 'closed';

export interface Target<T> {
  name: string;
  inputs: readonly T[];
  run(input: T): Promise<Outcome>;
  /** How to print an input that gave an uncoded answer. */
  show?(input: T): string;
}

const identity = (b: Buffer): Buffer => b;

/** A raw gRPC unary caller of `method` at `address` (bytes in, bytes out). */
export function grpcCaller(address: string, method: string): (bytes: Uint8Array) => Promise<Outcome> {
  const Ctor = makeGenericClientConstructor(
    {
      call: {
        path: method,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'Fuzz',
  );
  const client = new Ctor(address, credentials.createInsecure()) as unknown as {
    call(req: Buffer, md: Metadata, opts: object, cb: (err: ServiceError | null) => void): void;
  };
  return (bytes) =>
    new Promise((resolve) => {
      client.call(Buffer.from(bytes), new Metadata(), { deadline: Date.now() + 10_000 }, (err) => {
        if (!err) return resolve('ok');
        resolve(isErrorCode(err.metadata?.get('weft-error-code')[0]) ? 'coded' : 'uncoded');
      });
    });
}

/** Write `bytes` on a fresh TCP connection, end it, and wait until the server closes (bounded). */
export function rawSend(port: number, bytes: Uint8Array): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.end(Buffer.from(bytes));
  });
}

/** Classify an HTTP answer: 2xx with JSON is served; an error status must carry a weft code in its JSON body. */
export async function httpOutcome(res: Response): Promise<Outcome> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'uncoded';
  }
  if (res.status < 300) return 'ok';
  return isErrorCode((body as { code?: unknown }).code) ? 'coded' : 'uncoded';
}

/** Classify a GraphQL answer: data without errors is served; every error must carry a weft code. */
export async function graphqlOutcome(res: Response): Promise<Outcome> {
  let body: { data?: unknown; errors?: { extensions?: { code?: unknown } }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return 'uncoded';
  }
  if (!body.errors || body.errors.length === 0) return res.status < 300 && body.data ? 'ok' : 'uncoded';
  return body.errors.every((e) => isErrorCode(e.extensions?.code)) ? 'coded' : 'uncoded';
}

/** Send a raw HTTP/1.1 request text and classify the answer (status line, then a JSON body with a code). */
export function rawHttp(port: number, request: Uint8Array): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on('error', () => undefined);
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.length === 0) return resolve('closed');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      if (status >= 200 && status < 300) return resolve('ok');
      // the first answer only (what is left of a cut request may be answered too)
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1);
      const rest = text.slice(head.length + 4);
      const json = length >= 0 ? rest.slice(0, length) : rest.slice(rest.indexOf('{'), rest.lastIndexOf('}') + 1);
      try {
        resolve(isErrorCode((JSON.parse(json) as { code?: unknown }).code) ? 'coded' : 'uncoded');
      } catch {
        resolve('uncoded');
      }
    });
    socket.end(Buffer.from(request));
  });
}

/** One WebSocket message on a fresh socket: an answer is served; a close must name a weft code (or be normal). */
export function wsSend(url: string, mode: 'json' | 'bytes', message: Uint8Array | string): Promise<Outcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, mode);
    let settled = false;
    const done = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
      ws.terminate();
    };
    const timer = setTimeout(() => done('uncoded'), 10_000);
    ws.on('error', () => done('uncoded'));
    ws.on('open', () => {
      ws.send(message, { binary: mode === 'bytes' });
      // the end of input, so a request answered in full closes normally
      ws.send(mode === 'bytes' ? Buffer.from([0]) : JSON.stringify({ end: true }), { binary: mode === 'bytes' });
    });
    ws.on('message', () => done('ok'));
    ws.on('close', (code, reason) => {
      if (code === 1000) return done('ok');
      const wire = wireOfCloseReason(reason.toString('utf8'));
      done(wire && isErrorCode(wire.code) && wire.code !== 'WEFT_ERROR' ? 'coded' : 'uncoded');
    });
  });
}

/** A local parser call: returning is served, a `WeftError` is coded, anything else uncoded. */
export async function local(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return err instanceof WeftError && isErrorCode(err.code) ? 'coded' : 'uncoded';
  }
}

/** Print an input for replay: short text, or bytes as hex. */
export function preview(input: unknown): string {
  const s =
    input instanceof Uint8Array
      ? `hex:${Buffer.from(input).toString('hex')}`
      : typeof input === 'string'
        ? input
        : JSON.stringify(input);
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
