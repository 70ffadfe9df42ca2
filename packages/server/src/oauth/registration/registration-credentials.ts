import { createHash, randomBytes } from 'node:crypto';
import { OAuthError } from '../../errors/oauth-error.ts';
import { isAllowed } from '../../tenancy/api-key-permissions.ts';
import { hashApiKey } from '../../tenancy/api-key-secret.ts';
import { registrationEndpointPath } from '../../tenancy/api-keys.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Repositories } from '../../store/repositories/index.ts';

/*
 * The two bearer credentials of client registration: the initial access token that may register a
 * client (RFC 7591 §3: an API key allowed to POST /oauth2/register), and the registration access token
 * of one registered client (RFC 7592 §1: 256 random bits, only its SHA-256 stored).
 */

const challenge = 'Bearer realm="gatehouse"';

/** RFC 6750 §3.1: a bad token gets `error="invalid_token"`; no token at all gets the bare challenge. */
export function invalidToken(description: string, presented: boolean): OAuthError {
  return new OAuthError('invalid_token', description, 401, { challenge: presented ? `${challenge}, error="invalid_token"` : challenge });
}

/** `Authorization: Bearer <token>` (RFC 6750 §2.1); undefined without the header; any other form is an invalid token. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^bearer\s+([\x21-\x7e]+)\s*$/i.exec(authorization);
  if (match === null) throw invalidToken('Send the token as Authorization: Bearer <token>.', true);
  return match[1];
}

export function generateRegistrationAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256: the token carries 256 bits of entropy, so a slow hash would add nothing (like API keys). */
export function hashRegistrationAccessToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The tenant an initial access token registers into: the API key's tenant, else the default tenant.
 * Unknown, expired, or not allowed to POST /oauth2/register → 401 invalid_token.
 */
export async function initialAccessTokenTenant(repositories: Pick<Repositories, 'apiKeys' | 'instance'>, token: string, now: number): Promise<string> {
  const key = await repositories.apiKeys.findByHash(hashApiKey(token));
  const usable = key !== undefined && (key.expirationInstant === undefined || key.expirationInstant > now) && isAllowed(key.permissions, 'POST', registrationEndpointPath);
  if (!usable) throw invalidToken('The initial access token is invalid, expired or not allowed to register clients.', true);
  const tenantId = key.tenantId ?? (await repositories.instance.find())?.defaultTenantId;
  if (tenantId === undefined) throw invalidToken('The initial access token names no tenant.', true);
  return tenantId;
}

/**
 * RFC 7592 §2: the registered client a registration access token opens. A token of another client, an
 * unknown token, and a deleted client are all 401 invalid_token (§2.1: "MUST respond with HTTP 401").
 */
export async function registeredClient(repositories: Pick<Repositories, 'clientRegistrations' | 'applications'>, clientId: string, authorization: string | undefined): Promise<Application> {
  const token = bearerToken(authorization);
  if (token === undefined) throw invalidToken('A registration access token is required (RFC 7592 §2).', false);
  const registration = await repositories.clientRegistrations.findByTokenHash(hashRegistrationAccessToken(token));
  const application = registration === undefined || registration.applicationId !== clientId.toLowerCase() ? undefined : await repositories.applications.find(registration.applicationId);
  if (application === undefined) throw invalidToken('The registration access token is invalid for this client.', true);
  return application;
}
