/**
 * The picture of a Flow before it is drawn: one node per executor (name, what it uses, replicas, shards, state,
 * external, floating), the gateway at both ends, and the edges of the routing graph, an edge into an executor with
 * a `when` condition labelled with it. Mermaid and SVG render this same model.
 */
import { END, START } from '../../runtime/gateway/index.js';
import { STATEFUL_BUILTINS } from '../deploy-plan.js';
import type { FlowSpec } from '../flow-spec.js';

export interface DiagramNode {
  id: string;
  /** Text lines; the first is the title. */
  lines: string[];
  kind: 'gateway' | 'executor' | 'external';
  replicas: number;
  shards: number;
  floating: boolean;
  stateful: boolean;
}

export interface DiagramEdge {
  from: string;
  to: string;
  label?: string;
  /** Into a floating executor: fired, not awaited. */
  dashed: boolean;
}

export interface Diagram {
  nodes: DiagramNode[];
  edges: DiagramEdge[];
}

export function flowDiagram(spec: FlowSpec): Diagram {
  const nodes: DiagramNode[] = [
    { id: START, lines: ['gateway'], kind: 'gateway', replicas: 1, shards: 1, floating: false, stateful: false },
  ];
  const byName = new Map(spec.executors.map((e) => [e.name, e]));
  for (const e of spec.executors) {
    const uses = typeof e.uses === 'function' ? e.uses.name || 'class' : String(e.uses ?? 'BaseExecutor');
    const replicas = e.replicas ?? 1;
    const shards = e.shards ?? 1;
    const stateful = e.stateful ?? (e.workspace !== undefined || STATEFUL_BUILTINS.has(uses));
    const facts = [
      ...(shards > 1 ? [`${shards} shards`] : []),
      ...(replicas > 1 ? [`${replicas} replicas`] : []),
      ...(stateful && !e.external ? ['stateful'] : []),
      ...(e.floating ? ['floating'] : []),
    ];
    nodes.push({
      id: e.name,
      lines: [
        e.name,
        ...(e.external ? ['external', externalWhere(e)] : [shorten(uses.includes('\n') ? 'inline YAML' : uses, 30)]),
        ...(facts.length > 0 ? [facts.join(' · ')] : []),
      ],
      kind: e.external ? 'external' : 'executor',
      replicas,
      shards,
      floating: e.floating ?? false,
      stateful,
    });
  }
  nodes.push({
    id: END,
    lines: ['gateway (response)'],
    kind: 'gateway',
    replicas: 1,
    shards: 1,
    floating: false,
    stateful: false,
  });
  const edges: DiagramEdge[] = [];
  for (const [from, children] of Object.entries(spec.graph)) {
    for (const to of children) {
      const when = byName.get(to)?.when;
      edges.push({
        from,
        to,
        ...(when ? { label: `when ${shorten(conditionText(when), 36)}` } : {}),
        dashed: byName.get(to)?.floating ?? false,
      });
    }
  }
  return { nodes, edges };
}

function externalWhere(e: FlowSpec['executors'][number]): string {
  const host = Array.isArray(e.host) ? e.host[0] : (e.host ?? '127.0.0.1');
  const port = Array.isArray(e.port) ? e.port[0] : e.port;
  return `${host}:${port ?? '?'}`;
}

/** A Mongo-style filter in a few words: `tags__kind: {$eq: image}` → `tags.kind = image`. */
export function conditionText(when: Record<string, unknown>): string {
  const ops: Record<string, string> = {
    $eq: '=',
    $ne: '≠',
    $gt: '>',
    $gte: '≥',
    $lt: '<',
    $lte: '≤',
    $in: 'in',
    $nin: 'not in',
  };
  const part = ([k, v]: [string, unknown]): string => {
    const key = k.replaceAll('__', '.');
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      return Object.entries(v as Record<string, unknown>)
        .map(([op, x]) => `${key} ${ops[op] ?? op} ${typeof x === 'string' ? x : JSON.stringify(x)}`)
        .join(' and ');
    }
    return `${key} = ${typeof v === 'string' ? v : JSON.stringify(v)}`;
  };
  return Object.entries(when).map(part).join(' and ');
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
