/** The gateway's limits (request size, documents, concurrency, headers, GraphQL) and the interceptor applying them. */
export { countDocs, documentCount } from './doc-count.js';
export {
  DEFAULT_LIMITS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type GatewayLimits,
  type GatewayLimitsInput,
  RETRY_AFTER_SECONDS,
  resolveLimits,
} from './gateway-limits.js';
export { clientErrorHandler, headerOverflowAnswer } from './header-overflow.js';
export { type LimitedRequest, limitsInterceptor } from './limits-interceptor.js';
