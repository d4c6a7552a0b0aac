/** The Mermaid source of a Flow diagram (`flowchart LR`), for Markdown that GitHub and editors render. */
import type { Diagram } from './flow-diagram.js';

export function mermaidSource(d: Diagram): string {
  const ids = new Map(d.nodes.map((n, i) => [n.id, `n${i}`]));
  // Mermaid's entity codes start with '#': escape it first, then the quotes around labels
  const esc = (s: string): string => s.replaceAll('#', '#35;').replaceAll('"', '#quot;');
  const lines = ['flowchart LR'];
  for (const n of d.nodes) {
    const id = ids.get(n.id) as string;
    const text = `"${n.lines.map(esc).join('<br/>')}"`;
    lines.push(
      `  ${id}${n.kind === 'gateway' ? `([${text}])` : n.shards > 1 || n.replicas > 1 ? `[[${text}]]` : `[${text}]`}`,
    );
  }
  for (const e of d.edges) {
    const arrow = e.dashed ? '-.->' : '-->';
    const label = e.label ? `|"${esc(e.label)}"|` : '';
    lines.push(`  ${ids.get(e.from)} ${arrow}${label} ${ids.get(e.to)}`);
  }
  lines.push('  classDef gateway fill:#eef2ff,stroke:#4f46e5');
  lines.push('  classDef external fill:#f5f5f5,stroke:#737373,stroke-dasharray:4 3');
  lines.push('  classDef stateful fill:#ecfdf5,stroke:#059669');
  lines.push('  classDef floating stroke-dasharray:4 3');
  const cls = (name: string, pick: (n: Diagram['nodes'][number]) => boolean): void => {
    const members = d.nodes.filter(pick).map((n) => ids.get(n.id));
    if (members.length > 0) lines.push(`  class ${members.join(',')} ${name}`);
  };
  cls('gateway', (n) => n.kind === 'gateway');
  cls('external', (n) => n.kind === 'external');
  cls('stateful', (n) => n.kind === 'executor' && n.stateful);
  cls('floating', (n) => n.floating);
  return `${lines.join('\n')}\n`;
}
