/**
 * Which executors of the routing graph a request is for: the endpoint it asks for (resolved once per request),
 * whether its `targetExecutor` selects a node, whether a node exposes the endpoint, and whether it streams it.
 * The one place these rules live, for ordinary requests and streaming ones alike.
 */
import type { JsonObject } from '../../document/index.js';
import { DeadlineExceededError, UnavailableError } from '../../errors/index.js';
import { DEFAULT_ENDPOINT, DRY_RUN_ENDPOINT } from '../../executor/index.js';
import type { Endpoints, Header } from '../../request/index.js';

/** The endpoint a request asks for: its `execEndpoint`, or the default endpoint when it names none. */
export function resolveEndpoint(header: Pick<Header, 'execEndpoint'>): string {
  return header.execEndpoint || DEFAULT_ENDPOINT;
}

/**
 * Whether the `targetExecutor` regex selects `node`: matched from the start of the name, like Jina's `re.match`
 * (a pattern that is no valid regex must equal the name). No pattern selects every node.
 * @example targetsExecutor('encoder', 'enc.*') // true
 */
export function targetsExecutor(node: string, pattern: string | undefined): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(`^(?:${pattern})`).test(node);
  } catch {
    return node === pattern;
  }
}

/**
 * Whether a node with these discovered endpoints processes `endpoint` (a resolved one): its own binding, its
 * default endpoint standing in, or the dry run every node answers. Unknown endpoints (undefined) mean yes.
 */
export function exposesEndpoint(endpoints: readonly string[] | undefined, endpoint: string): boolean {
  if (!endpoints) return true;
  return endpoints.includes(endpoint) || endpoints.includes(DEFAULT_ENDPOINT) || endpoint === DRY_RUN_ENDPOINT;
}

/** Whether discovery marks `endpoint` (or the default endpoint standing in for it) as a streaming endpoint. */
export function streamsEndpoint(discovered: Endpoints | undefined, endpoint: string): boolean {
  if (!discovered) return false;
  const generator = (e: string): boolean => (discovered.schemas?.[e] as JsonObject | undefined)?.is_generator === true;
  if (discovered.endpoints.includes(endpoint)) return generator(endpoint);
  return discovered.endpoints.includes(DEFAULT_ENDPOINT) && generator(DEFAULT_ENDPOINT);
}

/** Make sure a transport error (`UnavailableError`, `DeadlineExceededError`) names the executor it happened at. */
export function nameExecutor(err: unknown, node: string): unknown {
  if ((err instanceof UnavailableError || err instanceof DeadlineExceededError) && !err.message.includes(`'${node}'`)) {
    const Cls = err.constructor as typeof UnavailableError;
    return new Cls(`executor '${node}': ${err.message}`, { cause: err, details: { ...err.details, executor: node } });
  }
  return err;
}
