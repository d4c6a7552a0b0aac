/**
 * The Keras side of the converter: parses a Keras 2 model config (functional `Model`/`Functional` or
 * `Sequential`, as tfjs stores it in `modelTopology`) into layers with their inbound layer names, prunes it to
 * the layers an output needs in topological order, and reads typed config values.
 */
import { ExecutorLoadError } from '@weft-ai/weft';
import type { TfjsModel, Weight } from './tfjs-model.js';

export interface KerasLayer {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs this layer consumes, in argument order. */
  inputs: string[];
}

export interface KerasTopology {
  /** The Keras model name. */
  name: string;
  layers: Map<string, KerasLayer>;
  /** Model input layer names. */
  inputs: string[];
  /** Model output layer names. */
  outputs: string[];
}

type Json = Record<string, unknown>;

/** Parse `modelTopology` (with or without the `model_config` wrapper). */
export function parseKerasTopology(modelTopology: Json): KerasTopology {
  const cfg = (modelTopology.model_config ?? modelTopology) as Json;
  const className = cfg.class_name;
  const body = cfg.config as Json | Json[] | undefined;
  if (className === 'Sequential') return parseSequential(Array.isArray(body) ? body : ((body?.layers ?? []) as Json[]));
  if (className !== 'Model' && className !== 'Functional') {
    throw new ExecutorLoadError(`unsupported Keras model class '${String(className)}' (expected Model or Sequential)`);
  }
  const config = body as Json;
  const layers = new Map<string, KerasLayer>();
  for (const raw of (config.layers ?? []) as Json[]) {
    const name = String(raw.name ?? (raw.config as Json | undefined)?.name);
    const inbound = (raw.inbound_nodes ?? []) as unknown[][];
    if (inbound.length > 1) {
      throw new ExecutorLoadError(
        `Keras layer '${name}' is called ${inbound.length} times; shared layers are unsupported`,
      );
    }
    const inputs = ((inbound[0] ?? []) as unknown[]).map((e) => {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || e[1] !== 0 || e[2] !== 0) {
        throw new ExecutorLoadError(`Keras layer '${name}' has an inbound node this converter cannot read`, {
          details: { layer: name, inbound: JSON.stringify(e) },
        });
      }
      return e[0];
    });
    layers.set(name, { name, className: String(raw.class_name), config: (raw.config ?? {}) as Json, inputs });
  }
  const names = (key: string) => ((config[key] ?? []) as unknown[][]).map((e) => String(e[0]));
  const modelName = typeof config.name === 'string' ? config.name : 'keras_model';
  return { name: modelName, layers, inputs: names('input_layers'), outputs: names('output_layers') };
}

function parseSequential(list: Json[]): KerasTopology {
  const layers = new Map<string, KerasLayer>();
  let previous: string | undefined;
  for (const [i, raw] of list.entries()) {
    const config = (raw.config ?? {}) as Json;
    const name = String(config.name ?? `layer_${i}`);
    if (previous === undefined && raw.class_name !== 'InputLayer') {
      const shape = config.batch_input_shape;
      if (!Array.isArray(shape))
        throw new ExecutorLoadError('a Sequential model needs batch_input_shape on its first layer');
      previous = `${name}_input`;
      layers.set(previous, {
        name: previous,
        className: 'InputLayer',
        config: { batch_input_shape: shape },
        inputs: [],
      });
    }
    layers.set(name, { name, className: String(raw.class_name), config, inputs: previous ? [previous] : [] });
    previous = name;
  }
  const first = [...layers.keys()][0];
  return { name: 'sequential', layers, inputs: first ? [first] : [], outputs: previous ? [previous] : [] };
}

/** The layers `outputs` depend on, each after its inputs. */
export function topologicalOrder(topology: KerasTopology, outputs: readonly string[]): KerasLayer[] {
  const order: KerasLayer[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new ExecutorLoadError(`the Keras graph has a cycle through '${name}'`);
    const layer = topology.layers.get(name);
    if (!layer) throw new ExecutorLoadError(`Keras layer '${name}' (needed by '${from}') does not exist`);
    state.set(name, 'visiting');
    for (const input of layer.inputs) visit(input, name);
    state.set(name, 'done');
    order.push(layer);
  };
  for (const o of outputs) visit(o, 'the requested outputs');
  return order;
}

/** Typed access to a layer's config values, with errors that name the layer. */
export class LayerConfig {
  constructor(readonly layer: KerasLayer) {}

  has(key: string): boolean {
    const v = this.layer.config[key];
    return v !== undefined && v !== null;
  }

  string(key: string, fallback?: string): string {
    const v = this.layer.config[key] ?? fallback;
    if (typeof v !== 'string') throw this.error(`config '${key}' should be a string`);
    return v;
  }

  number(key: string, fallback?: number): number {
    const v = this.layer.config[key] ?? fallback;
    if (typeof v !== 'number') throw this.error(`config '${key}' should be a number`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.layer.config[key] ?? fallback;
    if (typeof v !== 'boolean') throw this.error(`config '${key}' should be true or false`);
    return v;
  }

  /** A `[a, b]` pair; a single number `n` means `[n, n]`. */
  pair(key: string, fallback?: readonly [number, number]): [number, number] {
    const v = this.layer.config[key] ?? fallback;
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
      return [v[0] as number, v[1] as number];
    throw this.error(`config '${key}' should be a number or a pair of numbers`);
  }

  error(why: string): ExecutorLoadError {
    return new ExecutorLoadError(`cannot convert Keras layer '${this.layer.name}' (${this.layer.className}): ${why}`, {
      details: { layer: this.layer.name, className: this.layer.className },
    });
  }
}

/** A layer's weight `<layer>/<param>`; undefined when absent and `optional`. */
export function layerWeight(model: TfjsModel, layer: string, param: string, optional: true): Weight | undefined;
export function layerWeight(model: TfjsModel, layer: string, param: string, optional?: false): Weight;
export function layerWeight(model: TfjsModel, layer: string, param: string, optional = false): Weight | undefined {
  const exact = model.weights.get(`${layer}/${param}`);
  if (exact) return exact;
  // some exports prefix weight names with the model name or suffix them with ':0'
  const suffix = `/${layer}/${param}`;
  const found = [...model.weights.keys()].filter((k) => k.endsWith(suffix) || k === `${layer}/${param}:0`);
  if (found.length === 1) return model.weights.get(found[0] as string);
  if (optional) return undefined;
  throw new ExecutorLoadError(`the weights have no '${layer}/${param}'`, { details: { layer, param } });
}
