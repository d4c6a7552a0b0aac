/** The `(ctx, next)` interceptor chain shared by gateways and executors, and the registry of built-in ones. */
export { composeInterceptors, type Interceptor, type Next } from './chain.js';
export { isRegisteredInterceptor, registeredInterceptor, registerInterceptor } from './registry.js';
export { interceptStream } from './stream.js';
