import type { FastifyRequest } from 'fastify';
import { FederationError } from '../../federation/federation-error.ts';
import type { ClaimedAuthorization } from '../../federation/upstream-authorization.ts';
import { isResponseIssuer, upstreamClient, upstreamEndpoints } from '../../federation/upstream-client.ts';
import { redeemUpstreamCode } from '../../federation/upstream-code-exchange.ts';
import { UpstreamError } from '../../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../../federation/upstream-metadata.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { federationErrorMessage } from '../authorization/federated-refusals.ts';
import { recordEventLog } from '../../events/operator-log.ts';

export type CallbackQuery = Readonly<Record<string, string | string[] | undefined>>;

/** A query parameter sent once; a repeated one counts as absent (and so fails whatever needs it). */
export const single = (query: CallbackQuery, name: string): string | undefined => {
  const value = query[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The upstream's answer to a claimed request, checked and redeemed: `iss` (RFC 9207, BRK-03), the
 * upstream's error if it sent one, the code redeemed with the PKCE verifier and the ID token checked
 * against the nonce. A failure is a message for the user (`what` the upstream was asked to do) and a status.
 */
export async function redeemCallback(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  provider: IdentityProvider,
  claimed: ClaimedAuthorization,
  query: CallbackQuery,
  what: string,
): Promise<{ readonly signIn: Awaited<ReturnType<typeof redeemUpstreamCode>> } | { readonly refusal: string; readonly status: number }> {
  try {
    const client = upstreamClient(deps.keyRing, provider);
    const endpoints = await upstreamEndpoints(client, deps.upstreams.metadata);
    const iss = single(query, 'iss');
    if (iss === undefined ? endpoints.issParameterSupported : !isResponseIssuer(client, iss)) {
      request.log.warn({ identityProviderId: provider.id, reason: iss === undefined ? 'iss_missing' : 'iss_mismatch' }, 'upstream authorization response refused');
      return { refusal: `The response did not come from ${provider.name}. Try again.`, status: 400 };
    }
    const upstreamError = single(query, 'error');
    if (upstreamError !== undefined) {
      request.log.info({ identityProviderId: provider.id, error: upstreamError.slice(0, 64) }, 'upstream refused the authorization');
      return { refusal: upstreamError === 'access_denied' ? `${provider.name} did not ${what}: access was denied.` : `${provider.name} did not ${what}. Try again.`, status: 400 };
    }
    const code = single(query, 'code');
    if (code === undefined || code === '') return { refusal: `${provider.name} sent no authorization code. Try again.`, status: 400 };
    const signIn = await redeemUpstreamCode({ http: deps.upstreams.http, keys: deps.upstreams.keys, now: deps.now }, client, endpoints, {
      code,
      redirectUri: claimed.redirectUri,
      codeVerifier: claimed.codeVerifier,
      nonce: claimed.nonce,
    });
    return { signIn };
  } catch (error) {
    if (error instanceof FederationError) {
      request.log.warn({ identityProviderId: provider.id, reason: error.reason, detail: error.message }, 'federated sign-in failed');
      await recordEventLog(deps.store, { type: 'Error', message: `Federated sign-in through identity provider [${provider.id}] failed: ${error.reason}${error.oauthError === undefined ? '' : ` (${error.oauthError})`}.`, insertInstant: deps.now() }, (message) => request.log.error(message));
      return { refusal: federationErrorMessage(error.reason, provider.name), status: error.reason === 'upstream_unavailable' ? 502 : 400 };
    }
    if (error instanceof UpstreamError || error instanceof UpstreamMetadataError) {
      request.log.warn({ identityProviderId: provider.id, detail: error.message }, 'upstream provider unavailable');
      return { refusal: federationErrorMessage('upstream_unavailable', provider.name), status: 502 };
    }
    throw error;
  }
}
