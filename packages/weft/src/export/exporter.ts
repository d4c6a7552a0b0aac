/**
 * The shape every exporter shares (architecture convention 6) and their registry: an exporter turns a Flow into
 * files at a target — a folder (Kubernetes), a file (compose, flowchart, schema) — written all or nothing.
 */
import { BadArgumentError } from '../errors/index.js';
import type { ExportOptions } from './export-options.js';
import type { FlowSpec } from './flow-spec.js';

export interface ExportResult {
  /** Every file written (absolute paths). */
  files: string[];
  /** The output itself, when no target was given (e.g. the schema on stdout). */
  text?: string;
}

export interface Exporter {
  /** `kubernetes`, `docker-compose`, `flowchart`, `schema`. */
  readonly name: string;
  /** One line for `weft export --help`. */
  readonly summary: string;
  /** Whether it reads a Flow (the schema exporter does not). */
  readonly needsFlow: boolean;
  /** Whether the target is a folder (else a file; `optional` means stdout without one). */
  readonly target: 'folder' | 'file' | 'optional-file';
  export(spec: FlowSpec | undefined, target: string | undefined, options: ExportOptions): Promise<ExportResult>;
}

const registry = new Map<string, Exporter>();

/** Make an exporter available by name (`weft export <name>`, `exportFlow(name, …)`). */
export function registerExporter(exporter: Exporter): void {
  registry.set(exporter.name, exporter);
}

/** The exporter called `name`; a `BadArgumentError` naming the known ones otherwise. */
export function resolveExporter(name: string): Exporter {
  const e = registry.get(name);
  if (!e) {
    throw new BadArgumentError(`unknown export format '${name}'; available: ${exporterNames().join(', ')}`, {
      details: { format: name },
    });
  }
  return e;
}

export function exporterNames(): string[] {
  return [...registry.keys()];
}
