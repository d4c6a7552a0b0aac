/**
 * Builds a Flow's routing graph (Jina's graph description) from its executors' `needs`, and validates it at build
 * time: unknown names, duplicate names and cycles become `ConfigError`s that name the executor.
 */
import { ConfigError } from '../errors/index.js';
import { END, type GraphDescription, START } from '../runtime/gateway/graph-description.js';

export interface GraphNodeSpec {
  name: string;
  /** Parent executors; `'gateway'` means the start. Default: the previous non-floating executor. */
  needs?: string | readonly string[];
  /** Not connected to the end: fired but not awaited. */
  floating?: boolean;
}

export const GATEWAY = 'gateway';

/**
 * The graph description for executors given in `.add()` order.
 * @example buildFlowGraph([{ name: 'a' }, { name: 'b' }]) // { 'start-gateway': ['a'], a: ['b'], b: ['end-gateway'] }
 */
export function buildFlowGraph(nodes: readonly GraphNodeSpec[]): GraphDescription {
  const names = new Set<string>();
  for (const n of nodes) {
    if (!n.name || n.name === GATEWAY || n.name === START || n.name === END) {
      throw new ConfigError(`executor name '${n.name}' is reserved or empty; choose another name`, {
        details: { executor: n.name },
      });
    }
    if (names.has(n.name)) {
      throw new ConfigError(`two executors are named '${n.name}'; executor names must be unique in a Flow`, {
        details: { executor: n.name },
      });
    }
    names.add(n.name);
  }
  const graph: GraphDescription = { [START]: [] };
  for (const n of nodes) graph[n.name] = [];
  const consumed = new Set<string>();
  let previous: string = GATEWAY;
  for (const n of nodes) {
    const needs = n.needs === undefined ? [previous] : typeof n.needs === 'string' ? [n.needs] : [...n.needs];
    if (needs.length === 0)
      throw new ConfigError(`executor '${n.name}' has an empty needs list`, { details: { executor: n.name } });
    for (const parent of needs) {
      if (parent === n.name)
        throw new ConfigError(`executor '${n.name}' needs itself`, { details: { executor: n.name } });
      if (parent !== GATEWAY && !names.has(parent)) {
        throw new ConfigError(
          `executor '${n.name}' needs '${parent}', which is not an executor of this Flow (known: ${[...names].join(', ')})`,
          {
            details: { executor: n.name, needs: parent },
          },
        );
      }
      (graph[parent === GATEWAY ? START : parent] as string[]).push(n.name);
      // a floating child does not make its parent an inner node: the parent still answers the client
      if (!n.floating) consumed.add(parent);
    }
    if (!n.floating) previous = n.name;
  }
  for (const n of nodes) {
    if (!n.floating && !consumed.has(n.name)) (graph[n.name] as string[]).push(END);
  }
  if (nodes.length === 0) (graph[START] as string[]).push(END);
  assertAcyclic(graph);
  return graph;
}

/** Names of executors that nothing needs yet (the open ends `.needsAll()` joins). */
export function danglingExecutors(nodes: readonly GraphNodeSpec[]): string[] {
  const graph = buildFlowGraph(nodes);
  return nodes.filter((n) => !n.floating && (graph[n.name] ?? []).includes(END)).map((n) => n.name);
}

function assertAcyclic(graph: GraphDescription): void {
  const state = new Map<string, 1 | 2>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      const cycle = [...path.slice(path.indexOf(n)), n];
      throw new ConfigError(`executors form a cycle through needs: ${cycle.join(' → ')}`, {
        details: { executor: n, cycle },
      });
    }
    state.set(n, 1);
    for (const k of graph[n] ?? []) if (k !== END) visit(k, [...path, n]);
    state.set(n, 2);
  };
  for (const n of Object.keys(graph)) visit(n, []);
}
