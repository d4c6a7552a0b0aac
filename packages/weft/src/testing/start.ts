/**
 * Start a Flow or a Deployment for a test in one call, and stop it with the handle (`await using` works too).
 *
 * @example
 * await using f = await startFlow(new Flow().add({ uses: MyExec }));
 * const docs = await f.post('/', textDocs(['a', 'b']));
 */
import type { Client, PostOptions } from '../client/index.js';
import type { DocumentArray } from '../document/index.js';
import { Deployment, type DeploymentOptions, Flow } from '../orchestrate/index.js';

export interface StartedFlow {
  flow: Flow;
  /** A client to the gateway's first protocol. */
  client: Client;
  /** The gateway's first port. */
  port: number;
  /** Every protocol the gateway serves, with its port and URL (`http://127.0.0.1:…`). */
  endpoints: readonly { protocol: string; port: number; url: string }[];
  post(endpoint: string, docs?: DocumentArray, options?: PostOptions): Promise<DocumentArray>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Start `flow` (a Flow, the path of a Flow YAML file, or Flow options); resolves once every executor and the
 * gateway are ready. A Flow that fails to start leaves nothing running (its `StartupError` propagates).
 */
export async function startFlow(flow: Flow | string | Record<string, unknown>): Promise<StartedFlow> {
  const f = flow instanceof Flow ? flow : typeof flow === 'string' ? Flow.load(flow) : new Flow(flow);
  await f.start();
  const close = () => f.close();
  return {
    flow: f,
    client: f.client,
    port: f.port,
    endpoints: f.endpoints,
    post: (endpoint, docs, options) => f.post(endpoint, docs, options),
    close,
    [Symbol.asyncDispose]: close,
  };
}

export interface StartedDeployment {
  deployment: Deployment;
  /** `host:port` of the deployment's entry runtime (its head, or its one worker). */
  address: string;
  port: number;
  post(endpoint: string, docs?: DocumentArray): Promise<DocumentArray>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start a Deployment (one, its options, or the path of a Deployment YAML file); resolves once it is ready. */
export async function startDeployment(deployment: Deployment | DeploymentOptions | string): Promise<StartedDeployment> {
  const d =
    deployment instanceof Deployment
      ? deployment
      : typeof deployment === 'string'
        ? Deployment.load(deployment)
        : new Deployment(deployment);
  await d.start();
  const close = () => d.close();
  return {
    deployment: d,
    address: d.address,
    port: d.port,
    post: (endpoint, docs) => d.post(endpoint, docs),
    close,
    [Symbol.asyncDispose]: close,
  };
}
