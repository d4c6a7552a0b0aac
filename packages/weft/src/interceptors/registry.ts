/**
 * Built-in interceptors by name: internal code (metrics, tracing, auth…) registers one, and a runtime's
 * `interceptors` list names it like a module specifier (`weft:metrics`). Names are resolved where the runtime
 * loads its list, so a process only needs the registration to have run.
 */
import { ConfigError } from '../errors/index.js';
import type { Interceptor } from './chain.js';

// biome-ignore lint/suspicious/noExplicitAny: a registry holds interceptors of every context type
const registered = new Map<string, Interceptor<any>>();

/** Make `interceptor` available under `name` (by convention `weft:<what>`). */
export function registerInterceptor<C>(name: string, interceptor: Interceptor<C>): void {
  registered.set(name, interceptor as Interceptor<unknown>);
}

/** Whether `name` is a registered interceptor. */
export function isRegisteredInterceptor(name: string): boolean {
  return registered.has(name);
}

/** The interceptor registered as `name`; `ConfigError` naming the registered ones when there is none. */
export function registeredInterceptor<C>(name: string): Interceptor<C> {
  const found = registered.get(name);
  if (!found) {
    throw new ConfigError(
      `unknown interceptor '${name}': not registered (${[...registered.keys()].join(', ') || 'none are'}) and not a module specifier like './file.ts#name'`,
      { details: { interceptor: name } },
    );
  }
  return found as Interceptor<C>;
}
