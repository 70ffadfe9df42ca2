import type { Application } from '../../store/repositories/application-repository.ts';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { ConsentScope } from './hosted-pages.ts';
import type { AuthorizationRequest } from './authorization-request.ts';

/**
 * Consent for third-party applications (FusionAuth's relationship=ThirdParty): first-party applications
 * are trusted by their owner and never ask. consentMode AlwaysPrompt asks every time, RememberDecision
 * asks until the user's answer covers the requested scopes (stored for the tenant's
 * rememberOAuthScopeConsentChoiceTimeToLiveInSeconds), NeverPrompt never asks. prompt=consent asks
 * even when a decision is remembered (OIDC Core §3.1.2.1).
 */
/** What consent looks at in a request: the client, the scopes it asks for, and prompt=consent (the device flow has no prompt). */
export type ConsentRequest = Pick<AuthorizationRequest, 'application' | 'scopes' | 'prompt'>;

export type ConsentDecision = { readonly needed: false; readonly scopes: readonly string[] } | { readonly needed: true };

export async function consentDecision(repositories: Pick<Repositories, 'oauthConsents'>, request: ConsentRequest, userId: string, now: number): Promise<ConsentDecision> {
  const oauth = request.application.settings.oauthConfiguration;
  if (oauth.relationship !== 'ThirdParty' || oauth.consentMode === 'NeverPrompt') return { needed: false, scopes: request.scopes };
  if (oauth.consentMode === 'AlwaysPrompt' || request.prompt.has('consent')) return { needed: true };
  const remembered = await repositories.oauthConsents.findLive(userId, request.application.id, now);
  if (remembered === undefined || !request.scopes.every((scope) => remembered.scopes.includes(scope))) return { needed: true };
  return { needed: false, scopes: request.scopes };
}

const builtInMessages: Readonly<Record<string, string>> = {
  openid: 'Confirm who you are',
  profile: 'See your profile: name, username, picture and birthdate',
  email: 'See your email address',
  phone: 'See your phone number',
  address: 'See your address',
  offline_access: 'Stay connected while you are away (offline access)',
};

function isRequired(application: Application, custom: ApplicationScope | undefined, scope: string): boolean {
  if (scope === 'openid') return true;
  if (custom !== undefined) return custom.required;
  const provided = application.settings.oauthConfiguration.providedScopePolicy[scope as 'profile'];
  return provided?.required === true;
}

/** The consent page's lines: FusionAuth's messages for built-in scopes, the application's consent messages for its own. */
export function consentScopes(request: ConsentRequest, custom: ReadonlyMap<string, ApplicationScope>): ConsentScope[] {
  return request.scopes.map((name) => {
    const scope = custom.get(name);
    return {
      name,
      message: scope?.defaultConsentMessage ?? scope?.description ?? builtInMessages[name] ?? name,
      detail: scope?.defaultConsentDetail,
      required: isRequired(request.application, scope, name),
    };
  });
}

/** The scopes granted by a consent: the required ones, and the optional ones the user left ticked. */
export function grantedScopes(request: ConsentRequest, custom: ReadonlyMap<string, ApplicationScope>, chosen: ReadonlySet<string>): string[] {
  return request.scopes.filter((name) => isRequired(request.application, custom.get(name), name) || chosen.has(name));
}

/** RememberDecision: the granted scopes are remembered for the tenant's consent TTL. */
export async function rememberConsent(repositories: Pick<Repositories, 'oauthConsents'>, tenant: Tenant, request: ConsentRequest, userId: string, scopes: readonly string[], now: number): Promise<void> {
  if (request.application.settings.oauthConfiguration.consentMode !== 'RememberDecision') return;
  const ttlSeconds = tenant.settings.externalIdentifierConfiguration['rememberOAuthScopeConsentChoiceTimeToLiveInSeconds'] ?? 2_592_000;
  await repositories.oauthConsents.save({ userId, applicationId: request.application.id, scopes: [...scopes], insertInstant: now, expirationInstant: now + ttlSeconds * 1000 });
}
