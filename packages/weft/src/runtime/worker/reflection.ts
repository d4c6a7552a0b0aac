/**
 * gRPC server reflection for a runtime: built from proto-loader definitions of weft's jina.proto plus the
 * standard health and reflection protos, so `list_services` names every service the runtime serves (Jina's
 * gateway picks its stubs from that list). Parsing the protos costs a few milliseconds; it happens once.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { protoDir } from './proto-files.js';

const LOAD_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

let definition: PackageDefinition | undefined;

/** The reflection protos shipped inside @grpc/reflection (absent files are skipped). */
function reflectionProtoFiles(): string[] {
  try {
    const main = createRequire(import.meta.url).resolve('@grpc/reflection');
    const dir = resolve(dirname(main), '../proto');
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
  const jina = loadSync('jina.proto', { ...LOAD_OPTIONS, includeDirs: [protoDir()] });
  const health = loadSync(healthProtoPath, LOAD_OPTIONS);
  const files = reflectionProtoFiles();
  const reflection = files.length > 0 ? loadSync(files, LOAD_OPTIONS) : {};
  definition = { ...reflection, ...health, ...jina };
  return definition;
}

/**
 * A reflection service listing exactly `services` (fully-qualified names).
 * @example reflectionService(['jina.JinaRPC', 'grpc.health.v1.Health']).addToServer(server)
 */
export function reflectionService(services: readonly string[]): ReflectionService {
  return new ReflectionService(runtimePackageDefinition(), { services: [...services] });
}
