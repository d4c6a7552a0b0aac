/** Security of a gateway: token authentication (the tokens, the check, the gRPC hook). */
export { AUTH_TOKEN_ENV, type AuthOptions, CLIENT_TOKEN_ENV, clientToken, resolveAuthTokens } from './auth-options.js';
export { grpcGuard, isOpenGrpcMethod } from './grpc-guard.js';
export { bearerToken, type HeaderSource, MIN_TOKEN_LENGTH, TokenAuth } from './token-auth.js';
