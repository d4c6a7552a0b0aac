// Helpers for the worker integration tests: start worker processes the way a Deployment does (fork + IPC, wait
// for the 'ready' message), and a minimal gRPC client of the Jina services built on weft's own codecs.
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CallOptions,
  Client,
  credentials,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import {
  DataRequest,
  decodeDataRequest,
  decodeEndpoints,
  decodeJinaInfo,
  type Endpoints,
  encodeDataRequest,
  encodeDataRequestList,
  type JinaInfo,
} from '../../../src/request/index.js';
import {
  isWorkerMessage,
  WORKER_CONFIG_ENV,
  type WorkerConfig,
  type WorkerMessage,
  workerEntry,
} from '../../../src/runtime/worker/index.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const EXECUTORS = join(FIXTURES, 'executors.ts');

export interface WorkerProcess {
  child: ChildProcess;
  /** The first worker message: 'ready' or 'failed'. */
  started: Promise<WorkerMessage>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything the worker wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the next IPC message of `type: 'fixture'` carrying `event`. */
  fixtureEvent(event: string): Promise<void>;
}

/** Fork a worker process with `config` (JSON in WEFT_WORKER_CONFIG), exactly as a process supervisor would. */
export function forkWorker(config: Partial<WorkerConfig> & Pick<WorkerConfig, 'uses'>): WorkerProcess {
  const full: WorkerConfig = { name: 'exec', port: 0, host: '127.0.0.1', ...config };
  const { file, execArgv } = workerEntry();
  const child = fork(file, [], {
    execArgv,
    env: { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(full) },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const started = new Promise<WorkerMessage>((resolve, reject) => {
    child.on('message', (m) => {
      if (isWorkerMessage(m)) resolve(m);
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`worker exited (code ${code}, signal ${signal}) before reporting; stderr:\n${err}`)),
    );
  });
  started.catch(() => undefined);
  const fixtureEvent = (event: string) =>
    new Promise<void>((resolve) => {
      const on = (m: unknown) => {
        const msg = m as { type?: string; event?: string };
        if (msg?.type === 'fixture' && msg.event === event) {
          child.off('message', on);
          resolve();
        }
      };
      child.on('message', on);
    });
  return { child, started, exited, stderr: () => err, fixtureEvent };
}

/** Fork a worker and wait until it serves; returns the process and a client connected to it. */
export async function startWorker(
  config: Partial<WorkerConfig> & Pick<WorkerConfig, 'uses'>,
): Promise<WorkerProcess & { port: number; address: string; client: JinaClient }> {
  const w = forkWorker(config);
  const m = await w.started;
  if (m.type !== 'ready') throw new Error(`worker failed to start: ${m.error.stack}\nstderr:\n${w.stderr()}`);
  const address = `127.0.0.1:${m.port}`;
  return { ...w, port: m.port, address, client: new JinaClient(address) };
}

/** Stop a worker process gracefully and wait for it to exit. */
export async function stopWorker(w: WorkerProcess & { client?: JinaClient }): Promise<number | null> {
  w.client?.close();
  if (w.child.exitCode !== null || w.child.signalCode !== null) return w.child.exitCode;
  w.child.kill('SIGTERM');
  return (await w.exited).code;
}

export interface Answer<T> {
  value: T;
  trailers: Metadata;
}

export function ids(req: DataRequest): string[] {
  return req.docs.ids;
}

const toBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/** A minimal client of the Jina services of one runtime, using weft's codecs. */
export class JinaClient {
  readonly client: Client;

  constructor(address: string, options: Record<string, number> = {}) {
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_receive_message_length': -1,
      'grpc.max_send_message_length': -1,
      ...options,
    });
  }

  /** `process_single_data` with raw request bytes (for malformed messages). */
  unaryBytes<T>(
    path: string,
    bytes: Uint8Array,
    decode: (b: Buffer) => T,
    metadata = new Metadata(),
    options: CallOptions = {},
  ): Promise<Answer<T>> {
    return new Promise((resolve, reject) => {
      let value: T | undefined;
      let done = false;
      const call = this.client.makeUnaryRequest(
        path,
        (b: Uint8Array) => toBuffer(b),
        decode,
        bytes,
        metadata,
        options,
        (err: ServiceError | null, v?: T) => {
          if (err) {
            done = true;
            reject(err);
          } else value = v;
        },
      );
      call.on('status', (s: StatusObject) => {
        if (!done && s.code === 0) resolve({ value: value as T, trailers: s.metadata });
      });
    });
  }

  processSingle(req: DataRequest, metadata?: Metadata): Promise<Answer<DataRequest>> {
    return this.unaryBytes(
      '/jina.JinaSingleDataRequestRPC/process_single_data',
      encodeDataRequest(req),
      decodeDataRequest,
      metadata,
    );
  }

  processData(reqs: DataRequest[]): Promise<Answer<DataRequest>> {
    return this.unaryBytes('/jina.JinaDataRequestRPC/process_data', encodeDataRequestList(reqs), decodeDataRequest);
  }

  endpoints(): Promise<Endpoints> {
    return this.unaryBytes(
      '/jina.JinaDiscoverEndpointsRPC/endpoint_discovery',
      new Uint8Array(0),
      decodeEndpoints,
    ).then((a) => a.value);
  }

  status(): Promise<JinaInfo> {
    return this.unaryBytes('/jina.JinaInfoRPC/_status', new Uint8Array(0), decodeJinaInfo).then((a) => a.value);
  }

  /** Send `reqs` over one `Call` stream (all written before reading), collect every answer and the trailers. */
  call(reqs: DataRequest[]): Promise<{ responses: DataRequest[]; trailers: Metadata; status: StatusObject }> {
    return new Promise((resolve, reject) => {
      const stream = this.client.makeBidiStreamRequest(
        '/jina.JinaRPC/Call',
        (r: DataRequest) => toBuffer(encodeDataRequest(r)),
        decodeDataRequest,
      );
      const responses: DataRequest[] = [];
      stream.on('data', (r: DataRequest) => responses.push(r));
      stream.on('error', reject);
      stream.on('status', (s: StatusObject) => {
        if (s.code === 0) resolve({ responses, trailers: s.metadata, status: s });
      });
      for (const r of reqs) stream.write(r);
      stream.end();
    });
  }

  close(): void {
    this.client.close();
  }
}

/** A request for `endpoint` with documents `docs` (ids and texts). */
export function request(
  endpoint: string | undefined,
  docs: { id: string; text?: string }[] = [{ id: 'd1', text: 'hello' }],
  parameters: Record<string, unknown> = {},
): DataRequest {
  const req = new DataRequest({ parameters: parameters as DataRequest['parameters'] });
  if (endpoint !== undefined) req.header.execEndpoint = endpoint;
  req.docs.extend(docs);
  return req;
}

type Creds = ReturnType<typeof credentials.createInsecure>;

/** The generated health client (grpc.health.v1.Health). */
export interface HealthClient extends Client {
  Check(req: { service: string }, cb: (err: ServiceError | null, res?: { status: string }) => void): void;
  Watch(req: { service: string }): NodeJS.ReadableStream;
}

interface ReflectionClient extends Client {
  ServerReflectionInfo(): NodeJS.ReadWriteStream;
}

/** A client of grpc.health.v1.Health, from the proto grpc-health-check ships. */
export function healthClient(address: string): HealthClient {
  const def = loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
  const pkg = loadPackageDefinition(def) as unknown as {
    grpc: {
      health: { v1: { Health: new (a: string, c: Creds) => HealthClient } };
    };
  };
  return new pkg.grpc.health.v1.Health(address, credentials.createInsecure());
}

/** `Health/Check` for `service`. */
export function healthCheck(address: string, service = ''): Promise<string> {
  const c = healthClient(address);
  return new Promise<string>((resolve, reject) => {
    c.Check({ service }, (err, res) => {
      c.close();
      if (err) reject(err);
      else resolve(res?.status ?? '');
    });
  });
}

/** The service names a server lists through gRPC reflection (v1alpha, as Jina's gateway asks). */
export function listServices(address: string): Promise<string[]> {
  const protoFile = join(
    dirname(createRequire(import.meta.url).resolve('@grpc/reflection')),
    '../proto/grpc/reflection/v1alpha/reflection.proto',
  );
  const pkg = loadPackageDefinition(
    loadSync(protoFile, { keepCase: true, defaults: true, oneofs: true }),
  ) as unknown as {
    grpc: {
      reflection: {
        v1alpha: {
          ServerReflection: new (a: string, c: Creds) => ReflectionClient;
        };
      };
    };
  };
  const client = new pkg.grpc.reflection.v1alpha.ServerReflection(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo() as NodeJS.ReadWriteStream & { write(m: unknown): boolean };
    stream.on('data', (res: { list_services_response?: { service: { name: string }[] } }) => {
      resolve((res.list_services_response?.service ?? []).map((s) => s.name));
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write({ list_services: '' });
  });
}
