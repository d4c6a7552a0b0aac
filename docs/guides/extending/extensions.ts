// The extensions docs/guides/extending.md names by module specifier: a gateway interceptor, an executor
// interceptor and an HTTP plugin. They run in the gateway and worker processes of the guide's Flows.
import {
  BadRequestError,
  DocumentArray,
  type ExecutorInterceptor,
  type GatewayInterceptor,
  type HttpPlugin,
} from '@weft-ai/weft';

/** Refuse client requests without `x-api-key: demo` (calls from the gateway's own routes are trusted). */
export const requireKey: GatewayInterceptor = async (ctx, next) => {
  if (ctx.protocol !== 'in-process' && ctx.headers['x-api-key'] !== 'demo') {
    throw new BadRequestError('send the header x-api-key');
  }
  await next();
};

/** Tag every document an executor answers with the executor's runtime name and the time it took. */
export const stamp: ExecutorInterceptor = async (ctx, next) => {
  const t0 = performance.now();
  await next();
  for (const d of ctx.result?.docs ?? []) {
    d.tags = { ...d.tags, by: ctx.executor, ms: Math.round(performance.now() - t0) };
  }
};

/** The app's own API: `GET /api/shout?q=…` runs one document through the Flow. */
export const shopApi: HttpPlugin = async (app, { gateway }) => {
  app.get('/api/shout', async (request) => {
    const q = (request.query as { q?: string }).q ?? '';
    const docs = await gateway.post('/shout', new DocumentArray([{ text: q }]));
    return { text: docs.at(0)?.text };
  });
};
