/**
 * An app's own routes and pages on the HTTP gateway: `httpPlugins` are fastify plugins registered on the
 * gateway's instance with `{ gateway }` (their routes call the Flow with `gateway.post(endpoint, docs)`), and
 * `staticFolder` is served under `staticPrefix` with `@fastify/static`. When they claim `GET /`, the gateway's own
 * health route there is not installed (Jina's rule for a custom gateway); `GET /dry_run` and `/status` stay.
 *
 * @example
 * const shop: HttpPlugin = async (app, { gateway }) => {
 *   app.get('/api/search', async (req) => (await gateway.post('/search', new DocumentArray([{ text: 'red' }]))).toJson());
 * };
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { loadFunctionExport } from '../../user-modules.js';
import type { Gateway } from '../gateway.js';

/** What a plugin gets as its options. */
export interface HttpPluginOptions {
  /** The gateway: `gateway.post(endpoint, docs, { parameters, targetExecutor })` runs a request through the Flow. */
  gateway: Gateway;
}

/** A fastify plugin for the HTTP gateway (an async one; a module may also export one with a `done` callback). */
export type HttpPlugin = FastifyPluginAsync<HttpPluginOptions>;

/** What the gateway mounts of the app's own: plugins (functions or module specifiers) and a static folder. */
export interface UserRoutes {
  plugins: readonly (string | HttpPlugin)[];
  staticFolder?: string;
  staticPrefix: string;
  /** Where relative specifiers and the folder resolve. */
  cwd: string;
}

/**
 * Register the app's plugins and static folder on `app` (after the gateway's hooks and error handlers, before its
 * own routes). Resolves with whether they claimed `GET /`.
 */
export async function mountUserRoutes(app: FastifyInstance, gateway: Gateway, routes: UserRoutes): Promise<boolean> {
  let claimsRoot = false;
  for (const spec of routes.plugins) {
    const plugin =
      typeof spec === 'function' ? spec : ((await loadFunctionExport(spec, routes.cwd, 'HTTP plugin')) as HttpPlugin);
    await app.register(plugin, { gateway });
  }
  if (app.hasRoute({ method: 'GET', url: '/' })) claimsRoot = true;
  if (routes.staticFolder !== undefined) {
    const { resolve } = await import('node:path');
    const { default: fastifyStatic } = await import('@fastify/static');
    const prefix = routes.staticPrefix;
    await app.register(fastifyStatic, {
      root: resolve(routes.cwd, routes.staticFolder),
      prefix,
      // the folder's routes only: the API page (`/docs`) registers its own instance
      decorateReply: false,
    });
    if (prefix === '/' || prefix === '') claimsRoot = true;
  }
  return claimsRoot;
}
