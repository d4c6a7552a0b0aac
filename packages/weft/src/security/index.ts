/** Security: a gateway's token authentication (the tokens, the check, the gRPC hook); internal TLS material. */
export {
  AUTH_TOKEN_ENV,
  type AuthOptions,
  CLIENT_TOKEN_ENV,
  clientToken,
  GATEWAY_TOKENS_ENV,
  resolveAuthTokens,
} from './auth-options.js';
export { grpcGuard, isOpenGrpcMethod } from './grpc-guard.js';
export { type InternalCertificates, makeInternalCertificates } from './internal-certificates.js';
export { bearerToken, type HeaderSource, MIN_TOKEN_LENGTH, TokenAuth } from './token-auth.js';
