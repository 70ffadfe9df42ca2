import { OAuthError } from '../../errors/oauth-error.ts';
import { enabledForApplication } from '../../federation/upstream-client.ts';
import type { IdentityProviderLink } from '../../store/repositories/identity-provider-link-repository.ts';
import { tokenExchangeGrant } from '../../tenancy/application-schema.ts';
import { VaultError } from '../../vault/vault-error.ts';
import { invalidClient } from '../client-auth/authenticate-client.ts';
import type { OAuthParameters } from '../form-parameters.ts';
import { applicationClient } from './grant-client.ts';
import type { TokenGrant } from './token-grant.ts';

export const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';
const providerUrn = 'urn:gatehouse:identity-provider:';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalidRequest(description: string, reason: string): OAuthError {
  return new OAuthError('invalid_request', description, 400, { reason });
}

function invalidTarget(description: string): OAuthError {
  return new OAuthError('invalid_target', description, 400, { reason: 'invalid_identity_provider' });
}

/** The identity provider id `resource` or `audience` names: its id, or `urn:gatehouse:identity-provider:<id>`. */
function targetProviderId(parameters: OAuthParameters): string {
  const named = [parameters.get('resource'), parameters.get('audience')].filter((value): value is string => value !== undefined && value !== '');
  if (named.length === 0) throw invalidRequest('Name the identity provider whose token is wanted with resource or audience.', 'missing_target');
  const ids = new Set(named.map((value) => (value.toLowerCase().startsWith(providerUrn) ? value.slice(providerUrn.length) : value).toLowerCase()));
  if (ids.size > 1) throw invalidRequest('resource and audience name different identity providers.', 'conflicting_target');
  const [id] = ids;
  if (!uuid.test(id!)) throw invalidTarget('resource or audience names no identity provider.');
  return id!;
}

/** The one link the exchange is for: `login_hint` names it by upstream user id (first) or display name. */
function chosenLink(links: readonly IdentityProviderLink[], hint: string | undefined): IdentityProviderLink {
  if (links.length === 0) throw new OAuthError('invalid_grant', 'The user has not connected this identity provider: send them to connect it first.', 400, { reason: 'link_not_found' });
  if (hint === undefined) {
    if (links.length > 1) throw invalidRequest(`The user connected ${links.length} accounts of this identity provider: name one with login_hint.`, 'ambiguous_link');
    return links[0]!;
  }
  const byId = links.filter((link) => link.identityProviderUserId === hint);
  const matches = byId.length > 0 ? byId : links.filter((link) => link.displayName === hint);
  if (matches.length === 0) throw new OAuthError('invalid_grant', 'None of the user’s connected accounts of this identity provider matches login_hint.', 400, { reason: 'link_not_found' });
  if (matches.length > 1) throw invalidRequest('Several connected accounts match login_hint: name one by its identity provider user id.', 'ambiguous_link');
  return matches[0]!;
}

/** What the vault's refusals mean to the application: reconnect (invalid_grant) or retry later (503). */
function exchangeError(error: VaultError, providerId: string): OAuthError {
  if (error.reason === 'upstream_unavailable') {
    return new OAuthError('temporarily_unavailable', error.message, 503, { reason: 'identity_provider_unavailable', retryAfterSeconds: error.retryAfterSeconds ?? 5 });
  }
  const reason = error.reason === 'revoked' ? 'link_revoked' : 'reauthorization_required';
  return new OAuthError('invalid_grant', `${error.message} Send the user to /account/connect/${providerId}.`, 400, { reason });
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693), the hub's delegation: a
 * confidential application presents the Gatehouse access token a user gave it (`subject_token`) and gets
 * that user's access token at the identity provider `resource`/`audience` names, fresh from the vault
 * (vault/link-access-tokens.ts). Allowed only to applications enabling the grant, and only for tokens
 * issued to that same application: one application cannot spend another's tokens. Per RFC 8693 §2.2.2 an
 * unacceptable subject token is invalid_request and a provider that cannot be targeted invalid_target;
 * a link the upstream no longer honours is invalid_grant (the user must reconnect), an upstream that is
 * down 503 temporarily_unavailable with Retry-After. Delegation (`actor_token`) is not supported.
 */
export const tokenExchangeGrantType: TokenGrant = {
  grantType: tokenExchangeGrant,
  async exchange(deps, request) {
    const { parameters } = request;
    const client = await applicationClient(deps, request, tokenExchangeGrant);
    // The upstream token is the user's: only a client that proved who it is may hold it.
    if (client.method === 'none') throw invalidClient('This grant needs an authenticated client: send its client secret.', false, 'client_authentication_missing');
    if (deps.linkTokens === undefined || deps.accessTokens === undefined) throw new OAuthError('server_error', 'Token exchange is not available.', 500);

    const subjectToken = parameters.get('subject_token');
    const subjectTokenType = parameters.get('subject_token_type');
    if (subjectToken === undefined || subjectToken === '') throw invalidRequest('The subject_token parameter is required.', 'missing_subject_token');
    if (subjectTokenType === undefined || subjectTokenType === '') throw invalidRequest('The subject_token_type parameter is required.', 'missing_subject_token_type');
    if (subjectTokenType !== accessTokenType) throw invalidRequest(`subject_token_type must be ${accessTokenType}.`, 'invalid_subject_token_type');
    const requested = parameters.get('requested_token_type');
    if (requested !== undefined && requested !== accessTokenType) throw invalidRequest(`requested_token_type can only be ${accessTokenType}.`, 'invalid_requested_token_type');
    if (parameters.has('actor_token') || parameters.has('actor_token_type')) throw invalidRequest('Delegation (actor_token) is not supported.', 'actor_token_not_supported');
    const providerId = targetProviderId(parameters);

    const subject = await deps.accessTokens.verify(subjectToken, request);
    if (subject === undefined || subject.application.id !== client.application.id || subject.tenant.id !== client.application.tenantId) {
      throw invalidRequest('The subject_token is not a valid access token issued to this client.', 'invalid_subject_token');
    }
    const provider = await deps.store.repositories.identityProviders.find(providerId);
    if (provider === undefined || !enabledForApplication(provider, client.application.id)) {
      throw invalidTarget('resource or audience names no identity provider enabled for this application.');
    }
    const links = (await deps.store.repositories.identityProviderLinks.listByUser(subject.user.id, provider.id)).filter((link) => link.tenantId === subject.tenant.id);
    const hint = parameters.get('login_hint');
    const link = chosenLink(links, hint === '' ? undefined : hint);
    try {
      const token = await deps.linkTokens.accessToken(link);
      return {
        access_token: token.accessToken,
        issued_token_type: accessTokenType,
        token_type: token.tokenType,
        expires_in: token.expiresIn,
        ...(token.scope === undefined ? {} : { scope: token.scope }),
      };
    } catch (error) {
      if (error instanceof VaultError) throw exchangeError(error, provider.id);
      throw error;
    }
  },
};
