/**
 * A Flow diagram as a standalone SVG, laid out without a browser: nodes go into layers by their longest path from
 * the gateway (the response gateway last), ordered within a layer by the mean position of their parents, and
 * edges are curves between layers. Replicas and shards show as stacked cards, floating branches as dashed edges,
 * conditions as edge labels.
 */
import type { Diagram, DiagramNode } from './flow-diagram.js';

const NODE_W = 200;
/** Characters of 11 px text that fit in a node (for callers shortening lines). */
export const NODE_CHARS = 30;
const LINE_H = 16;
const PAD = 10;
const COL_GAP = 120;
const ROW_GAP = 36;
const MARGIN = 24;

interface Placed {
  node: DiagramNode;
  x: number;
  y: number;
  h: number;
}

/** A slot in a layer: a node, or a waypoint of an edge that spans several layers (drawn through, not over, nodes). */
interface Slot {
  id: string;
  node?: DiagramNode;
  h: number;
}

export function svgSource(d: Diagram): string {
  const layer = layers(d);
  const height = (n: DiagramNode): number => n.lines.length * LINE_H + 2 * PAD + stack(n) * 4;
  const columns: Slot[][] = [];
  for (const n of d.nodes) (columns[layer.get(n.id) as number] ??= []).push({ id: n.id, node: n, h: height(n) });
  // an edge over several layers gets a waypoint in each layer between, so it is routed around the nodes there
  const routes = d.edges.map((e, i) => {
    const from = layer.get(e.from) as number;
    const to = layer.get(e.to) as number;
    const via: string[] = [];
    for (let l = from + 1; l < to; l++) {
      const id = `edge${i}@${l}`;
      (columns[l] ??= []).push({ id, h: 0 });
      via.push(id);
    }
    return { edge: e, path: [e.from, ...via, e.to] };
  });
  const parents = new Map<string, string[]>();
  for (const r of routes) {
    for (let k = 1; k < r.path.length; k++) {
      const to = r.path[k] as string;
      parents.set(to, [...(parents.get(to) ?? []), r.path[k - 1] as string]);
    }
  }
  const gap = (s: Slot): number => (s.node ? ROW_GAP : ROW_GAP / 2);
  const colHeights = columns.map((c) => c.reduce((sum, s) => sum + s.h + gap(s), 0) - ROW_GAP);
  const totalH = Math.max(...colHeights);
  const placed = new Map<string, Placed & { slot: Slot }>();
  columns.forEach((col, i) => {
    if (i > 0) {
      // order by the mean vertical position of the parents, so edges cross less
      const pos = (s: Slot): number => {
        const ys = (parents.get(s.id) ?? []).flatMap((p) => {
          const q = placed.get(p);
          return q ? [q.y + q.h / 2] : [];
        });
        return ys.length > 0 ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
      };
      col.sort((a, b) => pos(a) - pos(b));
    }
    let y = MARGIN + (totalH - (colHeights[i] as number)) / 2;
    for (const s of col) {
      placed.set(s.id, { slot: s, node: s.node as DiagramNode, x: MARGIN + i * (NODE_W + COL_GAP), y, h: s.h });
      y += s.h + gap(s);
    }
  });
  const width = MARGIN * 2 + columns.length * NODE_W + (columns.length - 1) * COL_GAP;
  const svgH = totalH + MARGIN * 2;
  const parts: string[] = [];
  for (const r of routes) {
    const pts = r.path.map((id, k) => {
      const p = placed.get(id) as Placed & { slot: Slot };
      const cy = p.y + p.h / 2;
      if (k === 0) return { x: p.x + NODE_W, y: cy };
      if (k === r.path.length - 1) return { x: p.x - 2, y: cy };
      return { x: p.x + NODE_W / 2, y: cy };
    });
    let d2 = `M${pts[0]?.x},${pts[0]?.y}`;
    for (let k = 1; k < pts.length; k++) {
      const a = pts[k - 1] as { x: number; y: number };
      const b = pts[k] as { x: number; y: number };
      const mx = (a.x + b.x) / 2;
      d2 += ` C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`;
    }
    const e = r.edge;
    parts.push(
      `<path d="${d2}" fill="none" stroke="#525252" stroke-width="1.5"${e.dashed ? ' stroke-dasharray="5 4"' : ''} marker-end="url(#arrow)"/>`,
    );
    if (e.label) {
      // beside the arrow head, where the filter applies
      const end = pts[pts.length - 1] as { x: number; y: number };
      parts.push(
        `<text x="${end.x - 8}" y="${end.y - 8}" text-anchor="end" font-size="11" fill="#b45309" stroke="#fff" stroke-width="3" paint-order="stroke">${esc(e.label)}</text>`,
      );
    }
  }
  for (const p of placed.values()) if (p.slot.node) parts.push(nodeSvg(p));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${svgH}" viewBox="0 0 ${width} ${svgH}" font-family="Helvetica, Arial, sans-serif" role="img">`,
    `<title>${esc(title(d))}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#525252"/></marker></defs>',
    `<rect width="${width}" height="${svgH}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** What the picture shows, for screen readers: `Flow: gateway → encoder → indexer → gateway`. */
function title(d: Diagram): string {
  const executors = d.nodes.filter((n) => n.kind !== 'gateway').map((n) => n.id);
  return `Flow: ${executors.length} executor(s): ${executors.join(', ')}`;
}

/** Extra stacked cards behind a node: one per further replica or shard, at most three. */
function stack(n: DiagramNode): number {
  return Math.min(3, Math.max(n.replicas, n.shards) - 1);
}

function nodeSvg(p: Placed): string {
  const n = p.node;
  const style =
    n.kind === 'gateway'
      ? { fill: '#eef2ff', stroke: '#4f46e5', dash: '' }
      : n.kind === 'external'
        ? { fill: '#f5f5f5', stroke: '#737373', dash: ' stroke-dasharray="4 3"' }
        : n.stateful
          ? { fill: '#ecfdf5', stroke: '#059669', dash: '' }
          : { fill: '#fff7ed', stroke: '#ea580c', dash: '' };
  const dash = n.floating ? ' stroke-dasharray="4 3"' : style.dash;
  const k = stack(n);
  const h = p.h - k * 4;
  const out: string[] = [];
  for (let i = k; i >= 1; i--) {
    out.push(
      `<rect x="${p.x + i * 4}" y="${p.y + i * 4}" width="${NODE_W}" height="${h}" rx="8" fill="${style.fill}" stroke="${style.stroke}"${dash}/>`,
    );
  }
  const rx = n.kind === 'gateway' ? h / 2 : 8;
  out.push(
    `<rect x="${p.x}" y="${p.y}" width="${NODE_W}" height="${h}" rx="${rx}" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.5"${dash}/>`,
  );
  n.lines.forEach((line, i) => {
    const y = p.y + PAD + LINE_H * (i + 1) - 4;
    const weight = i === 0 ? ' font-weight="bold"' : '';
    const size = i === 0 ? 13 : 11;
    out.push(
      `<text x="${p.x + NODE_W / 2}" y="${y}" text-anchor="middle" font-size="${size}"${weight} fill="#171717">${esc(line)}</text>`,
    );
  });
  return `<g>${out.join('')}</g>`;
}

/** Longest-path layering from the start; the response gateway sits alone in the last layer. */
function layers(d: Diagram): Map<string, number> {
  const layer = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const e of d.edges) children.set(e.from, [...(children.get(e.from) ?? []), e.to]);
  const order = topological(d, children);
  for (const id of order) layer.set(id, layer.get(id) ?? 0);
  for (const id of order) {
    for (const c of children.get(id) ?? []) layer.set(c, Math.max(layer.get(c) ?? 0, (layer.get(id) as number) + 1));
  }
  const end = d.nodes[d.nodes.length - 1] as DiagramNode;
  const last = Math.max(0, ...[...layer.entries()].filter(([id]) => id !== end.id).map(([, l]) => l));
  layer.set(end.id, last + 1);
  return layer;
}

function topological(d: Diagram, children: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const c of children.get(id) ?? []) visit(c);
    out.push(id);
  };
  for (const n of d.nodes) visit(n.id);
  return out.reverse();
}

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
