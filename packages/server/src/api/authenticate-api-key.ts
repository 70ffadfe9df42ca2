import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.ts';
import { isAllowed } from '../tenancy/api-key-permissions.ts';
import { hashApiKey } from '../tenancy/api-key-secret.ts';
import type { ApiKeyRepository } from '../store/repositories/api-key-repository.ts';
import type { ApiCallers } from './api-callers.ts';

export interface ApiKeyAuthDeps {
  readonly apiKeys: Pick<ApiKeyRepository, 'findByHash'>;
  readonly callers: ApiCallers;
  readonly now: () => number;
}

/**
 * How a route is reached: `required` (the default) needs an API key; `optional` routes (the Login API)
 * take one when sent and decide themselves otherwise (a `Bearer` JWT is theirs to read, not a key); `none`
 * routes authenticate by other means (a refresh token, a JWT) and never read `Authorization` as an API key.
 */
export type ApiKeyPolicy = 'required' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyContextConfig {
    apiKey?: ApiKeyPolicy;
  }
}

/** Route config carrying the policy: `{ config: apiKeyPolicy('none') }`. */
export function apiKeyPolicy(policy: ApiKeyPolicy): { apiKey: ApiKeyPolicy } {
  return { apiKey: policy };
}

/**
 * onRequest hook of the management API: the raw key in `Authorization` (FusionAuth sends no scheme).
 * Missing, unknown, expired or not permitted → 401 with an empty body, like FusionAuth.
 */
export function authenticateApiKey(deps: ApiKeyAuthDeps) {
  return async function onRequest(request: FastifyRequest): Promise<void> {
    const policy = (request.routeOptions.config as { apiKey?: ApiKeyPolicy }).apiKey ?? 'required';
    if (policy === 'none') return;
    const value = request.headers.authorization;
    if (policy === 'optional' && (value === undefined || value === '' || /^bearer\s/i.test(value))) return;
    if (value === undefined || value === '') throw ApiError.unauthorized();
    const key = await deps.apiKeys.findByHash(hashApiKey(value));
    if (key === undefined) throw ApiError.unauthorized();
    if (key.expirationInstant !== undefined && key.expirationInstant <= deps.now()) throw ApiError.unauthorized();
    const path = request.url.split('?')[0] ?? request.url;
    if (!isAllowed(key.permissions, request.method, path)) throw ApiError.unauthorized();
    deps.callers.set(request, key);
  };
}
