/**
 * Revoking a link's upstream token when the user disconnects it (RFC 7009): the refresh token when there
 * is one (revoking it ends the whole grant at most providers, §2.1), else the access token, posted to the
 * `revocation_endpoint` of the upstream's discovery document with the client authenticating as at the
 * token endpoint. Providers configured endpoint by endpoint, or without that endpoint, are not called.
 */
import type { KeyRing } from '../keys/key-ring.ts';
import type { IdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { accessTokenContext, refreshTokenContext } from './link-tokens.ts';
import { upstreamClient } from './upstream-client.ts';
import { UpstreamError } from './upstream-http.ts';
import { authenticatedForm } from './upstream-token-request.ts';
import type { Upstreams } from './upstreams.ts';

/** What happened: `revoked`, nothing to revoke or nowhere to revoke it (`skipped`). Failures throw. */
export type RevocationOutcome = 'revoked' | 'skipped';

export async function revokeLinkTokens(deps: { readonly keyRing: KeyRing; readonly upstreams: Upstreams }, provider: IdentityProvider, link: IdentityProviderLink): Promise<RevocationOutcome> {
  const token =
    link.tokenSealed !== undefined
      ? { value: deps.keyRing.unseal(link.tokenSealed, refreshTokenContext(link.id)).toString('utf8'), hint: 'refresh_token' }
      : link.accessTokenSealed !== undefined
        ? { value: deps.keyRing.unseal(link.accessTokenSealed, accessTokenContext(link.id)).toString('utf8'), hint: 'access_token' }
        : undefined;
  if (token === undefined) return 'skipped';
  const client = upstreamClient(deps.keyRing, provider);
  if (client.issuer === undefined) return 'skipped';
  const document = await deps.upstreams.metadata.metadata(client.issuer, { multiTenant: client.multiTenant });
  const endpoint = document.document['revocation_endpoint'];
  if (typeof endpoint !== 'string' || endpoint === '') return 'skipped';
  const { form, headers } = authenticatedForm(client, { token: token.value, token_type_hint: token.hint });
  try {
    await deps.upstreams.http.postForm(endpoint, form, headers);
  } catch (error) {
    // RFC 7009 §2.2: success is HTTP 200 with an empty body, which the JSON client calls unusable.
    if (error instanceof UpstreamError && error.kind === 'invalid_json' && error.status === 200) return 'revoked';
    throw error;
  }
  return 'revoked';
}
