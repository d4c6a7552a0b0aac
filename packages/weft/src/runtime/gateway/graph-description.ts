/**
 * The gateway's routing graph in Jina's format: `{ "start-gateway": ["a"], "a": ["b"], "b": ["end-gateway"] }`,
 * plus per-node `when` conditions and the nodes whose joins are not reduced. Parsed once into a `GraphPlan`
 * with parents, children and floating (not awaited) nodes, and validated (unknown nodes, cycles).
 */
import { ConfigError } from '../../errors/index.js';

export const START = 'start-gateway';
export const END = 'end-gateway';

/** node → children, as Jina's `--graph-description` JSON. */
export type GraphDescription = Record<string, string[]>;

export interface GraphPlan {
  /** Executor nodes in a topological order. */
  nodes: string[];
  children: Map<string, string[]>;
  parents: Map<string, string[]>;
  /** Nodes from which `end-gateway` cannot be reached: fired, but their results are not awaited. */
  floating: Set<string>;
}

/** Validate a graph description and derive parents, topological order and floating nodes. */
export function planGraph(graph: GraphDescription): GraphPlan {
  if (graph === null || typeof graph !== 'object' || Array.isArray(graph)) {
    throw new ConfigError('graph description must be a JSON object of node → list of children');
  }
  if (!Array.isArray(graph[START])) {
    throw new ConfigError(`graph description has no '${START}' entry: it must list the first executors`);
  }
  const children = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  const all = new Set<string>();
  for (const [node, kids] of Object.entries(graph)) {
    if (!Array.isArray(kids) || kids.some((k) => typeof k !== 'string')) {
      throw new ConfigError(`graph description: '${node}' must map to a list of node names`);
    }
    if (node === END) throw new ConfigError(`graph description: '${END}' cannot have children`);
    children.set(node, [...kids]);
    if (node !== START) all.add(node);
    for (const k of kids) {
      if (k === START) throw new ConfigError(`graph description: '${node}' points back to '${START}'`);
      if (k !== END) all.add(k);
      const p = parents.get(k) ?? [];
      p.push(node);
      parents.set(k, p);
    }
  }
  for (const n of all) if (!children.has(n)) children.set(n, []);
  for (const n of all) {
    if (!parents.has(n)) throw new ConfigError(`graph description: executor '${n}' is not reachable from '${START}'`);
  }
  const order = topologicalOrder(all, children);
  // nodes that can reach end-gateway
  const reachesEnd = new Set<string>();
  for (const n of [...order].reverse()) {
    const kids = children.get(n) ?? [];
    if (kids.some((k) => k === END || reachesEnd.has(k))) reachesEnd.add(n);
  }
  const floating = new Set(order.filter((n) => !reachesEnd.has(n)));
  return { nodes: order, children, parents, floating };
}

function topologicalOrder(nodes: Set<string>, children: Map<string, string[]>): string[] {
  const state = new Map<string, 1 | 2>();
  const out: string[] = [];
  const visit = (n: string, path: string[]): void => {
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...path.slice(path.indexOf(n)), n];
      throw new ConfigError(`graph description has a cycle: ${cycle.join(' → ')}`, { details: { cycle } });
    }
    state.set(n, 1);
    for (const k of children.get(n) ?? []) if (k !== END) visit(k, [...path, n]);
    state.set(n, 2);
    out.push(n);
  };
  for (const k of children.get(START) ?? []) if (k !== END) visit(k, [START]);
  for (const n of nodes) visit(n, []);
  return out.reverse();
}
