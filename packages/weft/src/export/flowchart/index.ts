/** Flowchart export: the Flow as Mermaid source and as an SVG laid out without a browser. */
export { conditionText, type Diagram, type DiagramEdge, type DiagramNode, flowDiagram } from './flow-diagram.js';
export { flowchartExporter } from './flowchart-exporter.js';
export { mermaidSource } from './mermaid.js';
export { svgSource } from './svg.js';
