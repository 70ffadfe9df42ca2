import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamError } from '../../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../../federation/upstream-metadata.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { AuthorizationDeps, SessionSubject } from './authorization-flow.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { sendPage } from './hosted-reply.ts';
import { browserProviders, redirectToUpstream } from './upstream-redirect.ts';

/**
 * The provider an authorization request asks to connect (docs/hub.md, "Connecting accounts"): a signed-in
 * user's request whose idp_hint names a browser provider enabled for the application. prompt=none never
 * connects — the upstream may need the user — and completes with the session as before.
 */
export async function connectTarget(deps: AuthorizationDeps, authorization: AuthorizationRequest): Promise<IdentityProvider | undefined> {
  if (authorization.idpHint === undefined || authorization.prompt.has('none')) return undefined;
  const hint = authorization.idpHint.toLowerCase();
  return (await browserProviders(deps, authorization.application.id)).find((provider) => provider.id === hint);
}

/**
 * Goes upstream in connect mode: the account the user picks there is linked to them at /oauth2/callback,
 * then this request completes with the session it has now. An unreachable upstream is an error page.
 */
export async function sendConnect(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  provider: IdentityProvider,
  subject: SessionSubject,
): Promise<FastifyReply> {
  try {
    return await redirectToUpstream(deps, request, reply, authorization, provider, authorization.loginHint, { userId: subject.user.id });
  } catch (error) {
    if (!(error instanceof UpstreamError || error instanceof UpstreamMetadataError)) throw error;
    request.log.warn({ identityProviderId: provider.id, reason: error.message }, 'upstream provider unavailable');
    const page = deps.pages.error({ tenantId: authorization.tenant.id, heading: 'Cannot connect right now', message: `${provider.name} cannot be reached right now. Try again later.`, error: 'temporarily_unavailable' });
    return sendPage(reply, page, { status: 502, application: authorization.application });
  }
}
