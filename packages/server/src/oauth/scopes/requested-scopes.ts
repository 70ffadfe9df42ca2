import { OAuthError } from '../../errors/oauth-error.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';

/** Scopes every application understands; the four claim scopes only while providedScopePolicy enables them. */
export const openIdScopes = ['openid', 'offline_access', 'profile', 'email', 'phone', 'address'] as const;
const claimScopes = new Set(['profile', 'email', 'phone', 'address']);

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** The scope parameter split into its values, duplicates dropped, order kept; a value outside the grammar is invalid_scope. */
export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const values = raw.split(' ').filter((value) => value !== '');
  for (const value of values) {
    if (!scopeToken.test(value)) throw new OAuthError('invalid_scope', 'The scope parameter holds a value outside the RFC 6749 scope grammar.');
  }
  return [...new Set(values)];
}

/** Whether the application knows a scope value: the OpenID ones it enables, or one of its custom scopes. */
function isKnown(application: Application, custom: ReadonlyMap<string, ApplicationScope>, scope: string): boolean {
  if (custom.has(scope)) return true;
  if (!(openIdScopes as readonly string[]).includes(scope)) return false;
  if (!claimScopes.has(scope)) return true;
  return application.settings.oauthConfiguration.providedScopePolicy[scope as 'profile'].enabled;
}

/**
 * The scopes a request may be granted, by the application's unknownScopePolicy: Reject (the default)
 * answers invalid_scope naming the value, Remove drops unknown values, Allow keeps them (FusionAuth).
 */
export function resolveScopes(application: Application, custom: ReadonlyMap<string, ApplicationScope>, requested: readonly string[]): string[] {
  const policy = application.settings.oauthConfiguration.unknownScopePolicy;
  const unknown = requested.filter((scope) => !isKnown(application, custom, scope));
  if (unknown.length > 0 && policy === 'Reject') {
    throw new OAuthError('invalid_scope', `The application does not allow the scope ${unknown[0]}.`);
  }
  return policy === 'Remove' ? requested.filter((scope) => isKnown(application, custom, scope)) : [...requested];
}

/** A narrower scope on refresh must be a subset of what was granted (RFC 6749 §6); no scope keeps the grant's. */
export function narrowScopes(granted: readonly string[], requested: readonly string[]): string[] {
  if (requested.length === 0) return [...granted];
  const wider = requested.find((scope) => !granted.includes(scope));
  if (wider !== undefined) throw new OAuthError('invalid_scope', `The scope ${wider} was not granted to this refresh token.`);
  return [...requested];
}
