/** `weft export flowchart flow.yml flow.svg|flow.md`: a picture of the Flow, SVG or Mermaid in Markdown. */
import { BadArgumentError } from '../../errors/index.js';
import type { Exporter } from '../exporter.js';
import { GENERATED_XML_HEADER, writeFileAtomic } from '../write-output.js';
import { flowDiagram } from './flow-diagram.js';
import { mermaidSource } from './mermaid.js';
import { svgSource } from './svg.js';

export const flowchartExporter: Exporter = {
  name: 'flowchart',
  summary: 'a picture of the Flow: SVG (flow.svg) or Mermaid in Markdown (flow.md)',
  needsFlow: true,
  target: 'file',
  async export(spec, target) {
    if (!spec || !target) throw new TypeError('flowchart export needs a Flow and an output file');
    const d = flowDiagram(spec);
    let text: string;
    if (/\.svg$/i.test(target)) text = `${GENERATED_XML_HEADER}\n${svgSource(d)}`;
    else if (/\.(md|markdown|mmd)$/i.test(target))
      text = `${GENERATED_XML_HEADER}\n\n\`\`\`mermaid\n${mermaidSource(d)}\`\`\`\n`;
    else throw new BadArgumentError(`a flowchart is written as .svg or .md (Mermaid), not '${target}'`);
    return { files: [writeFileAtomic(target, text)] };
  },
};
