/**
 * gRPC server reflection for a runtime: built from proto-loader definitions of weft's jina.proto plus the
 * standard health and reflection protos, so `list_services` names every service the runtime serves (Jina's
 * gateway picks its stubs from that list).
 *
 * Lazy: the services are registered with hand-made definitions at start, and the protos are parsed (protobufjs,
 * through `@grpc/reflection` and `@grpc/proto-loader`) only when the first reflection message arrives. Parsing
 * them eagerly cost every runtime process ~150 ms of CPU at start-up, and most runtimes are never asked.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Server, ServerDuplexStream, ServiceDefinition } from '@grpc/grpc-js';
import type { Options, PackageDefinition } from '@grpc/proto-loader';
import type { ReflectionService } from '@grpc/reflection';
import { REFLECTION_SERVICE_NAMES } from '../../networking/index.js';
import { protoDir } from './proto-files.js';

const require = createRequire(import.meta.url);
const LOAD_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let definition: PackageDefinition | undefined;

/** The reflection protos shipped inside @grpc/reflection (absent files are skipped). */
function reflectionProtoFiles(): string[] {
  try {
    const dir = resolve(dirname(require.resolve('@grpc/reflection')), '../proto');
    return ['grpc/reflection/v1alpha/reflection.proto', 'grpc/reflection/v1/reflection.proto']
      .map((f) => resolve(dir, f))
      .filter((f) => existsSync(f));
  } catch {
    return [];
  }
}

/** Every message and service a runtime can describe: jina.proto (with docarray.proto), health, reflection. */
export function runtimePackageDefinition(): PackageDefinition {
  if (definition) return definition;
  const { loadSync } = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const { protoPath: healthProtoPath } = require('grpc-health-check') as typeof import('grpc-health-check');
  const jina = loadSync('jina.proto', { ...LOAD_OPTIONS, includeDirs: [protoDir()] });
  const health = loadSync(healthProtoPath, LOAD_OPTIONS);
  const files = reflectionProtoFiles();
  const reflection = files.length > 0 ? loadSync(files, LOAD_OPTIONS) : {};
  definition = { ...reflection, ...health, ...jina };
  return definition;
}

type Captured = { definition: ServiceDefinition; handlers: Record<string, (...args: never[]) => unknown> };

/** Register what `@grpc/reflection` would register, without letting it touch the real server. */
function captureServices(services: readonly string[]): Map<string, Captured> {
  const { ReflectionService: Impl } = require('@grpc/reflection') as typeof import('@grpc/reflection');
  const impl: ReflectionService = new Impl(runtimePackageDefinition(), { services: [...services] });
  const captured = new Map<string, Captured>();
  const recorder = {
    addService(definition: ServiceDefinition, handlers: Captured['handlers']) {
      const path = Object.values(definition)[0]?.path ?? '';
      captured.set(path.split('/')[1] ?? '', { definition, handlers });
    },
  };
  impl.addToServer(recorder as unknown as Server);
  return captured;
}

/**
 * A reflection service listing exactly `services` (fully-qualified names), for `addToServer(server)`.
 * @example reflectionService(['jina.JinaRPC', 'grpc.health.v1.Health']).addToServer(server)
 */
export function reflectionService(services: readonly string[]): { addToServer(server: Server): void } {
  let real: Map<string, Captured> | undefined;
  const service = (name: string): Captured => {
    real ??= captureServices(services);
    const found = real.get(name);
    if (!found) throw new Error(`@grpc/reflection registered no ${name}`);
    return found;
  };
  return {
    addToServer(server: Server) {
      for (const name of REFLECTION_SERVICE_NAMES) {
        const path = `/${name}/ServerReflectionInfo`;
        const method =
          (side: 'requestSerialize' | 'requestDeserialize' | 'responseSerialize' | 'responseDeserialize') =>
          (value: never) => {
            const real = service(name).definition.ServerReflectionInfo as Record<typeof side, (v: never) => unknown>;
            return real[side](value);
          };
        const definition = {
          ServerReflectionInfo: {
            path,
            requestStream: true,
            responseStream: true,
            requestSerialize: method('requestSerialize'),
            requestDeserialize: method('requestDeserialize'),
            responseSerialize: method('responseSerialize'),
            responseDeserialize: method('responseDeserialize'),
          },
        } as unknown as ServiceDefinition;
        server.addService(definition, {
          ServerReflectionInfo: (call: ServerDuplexStream<unknown, unknown>) =>
            (service(name).handlers.ServerReflectionInfo as (c: typeof call) => void)(call),
        });
      }
    },
  };
}
