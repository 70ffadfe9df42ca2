import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventInfo } from '../../events/event-catalogue.ts';
import { applyFederatedSignIn } from '../../federation/federated-login.ts';
import { stageLinkEventsOf } from '../../federation/link-event.ts';
import { claimUpstreamAuthorization, type ClaimedAuthorization } from '../../federation/upstream-authorization.ts';
import { authenticationTypeOf, enabledForApplication } from '../../federation/upstream-client.ts';
import { profileClaims, type redeemUpstreamCode } from '../../federation/upstream-code-exchange.ts';
import { startSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import { completeAuthorization, sendLoginPage, signInSubject, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import type { AuthorizationRequest } from '../authorization/authorization-request.ts';
import { setSsoCookie, ssoCookie } from '../authorization/cookies.ts';
import { refusalMessage } from '../authorization/federated-refusals.ts';
import { sendPage } from '../authorization/hosted-reply.ts';
import { setPendingLinkCookie } from '../authorization/pending-link-cookie.ts';
import { resumedAuthorization } from '../authorization/resumed-authorization.ts';
import { browserBinding, callbackPath } from '../authorization/upstream-redirect.ts';
import { finishConnect } from './upstream-connect.ts';
import { redeemCallback, single, type CallbackQuery } from './upstream-response.ts';

/**
 * GET /oauth2/callback: where every upstream provider sends the user back (FusionAuth's redirect URI).
 * The `state` must name a request this browser started (BRK-01, BRK-05: single use, ten minutes); an
 * unknown one gets Gatehouse's error page and no redirect (BRK-07). Then, bound to the provider that
 * request went to: `iss` (RFC 9207, BRK-03), the upstream's error if it sent one, the code redeemed with
 * the PKCE verifier and the ID token checked against the nonce (federation/upstream-code-exchange.ts),
 * the linking strategy applied (federation/federated-login.ts), and the Gatehouse request completed with
 * a new SSO session. Failures after the state is accepted land on the login page with a message. A
 * request started to connect another account goes on in upstream-connect.ts instead.
 */
export function registerUpstreamCallback(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.get(callbackPath, async (request: FastifyRequest<{ Querystring: CallbackQuery }>, reply) => {
    const query = request.query;
    const now = deps.now();
    const claimed = await claimUpstreamAuthorization(deps.store.repositories, deps.keyRing, { state: single(query, 'state'), browserBinding: browserBinding(request) }, now);
    if (typeof claimed === 'string') {
      const message =
        claimed === 'unknown_state'
          ? 'This sign-in is unknown, was already used or has expired. Start again from the application.'
          : 'This sign-in was started in another browser. Start again from the application in this browser.';
      return sendPage(reply, deps.pages.error({ tenantId: undefined, heading: 'Sign-in could not be completed', message, error: 'invalid_request' }), { status: 400 });
    }
    if (claimed.purpose === 'connect') return finishConnect(deps, request, reply, claimed, query);
    const resumed = await resumedAuthorization(deps, request, reply, claimed.request);
    if ('sent' in resumed) return resumed.sent;
    const { authorization, custom } = resumed;
    const provider = await deps.store.repositories.identityProviders.find(claimed.identityProviderId);
    if (provider === undefined || !enabledForApplication(provider, authorization.application.id)) {
      return sendLoginPage(deps, request, reply, authorization, { error: 'That sign-in option is no longer available.', status: 400 });
    }
    const redeemed = await redeemCallback(deps, request, provider, claimed, query, 'sign you in');
    if ('refusal' in redeemed) return sendLoginPage(deps, request, reply, authorization, { error: redeemed.refusal, status: redeemed.status });
    return signInFederated(deps, request, reply, { authorization, custom, provider, claimed, signIn: redeemed.signIn });
  });
}

async function signInFederated(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: {
    readonly authorization: AuthorizationRequest;
    readonly custom: Awaited<ReturnType<AuthorizationDeps['settings']['scopes']>>;
    readonly provider: IdentityProvider;
    readonly claimed: ClaimedAuthorization;
    readonly signIn: Awaited<ReturnType<typeof redeemUpstreamCode>>;
  },
): Promise<FastifyReply> {
  const { authorization, provider, signIn } = input;
  const now = deps.now();
  const info = eventInfo(request.ip, request.headers['user-agent']);
  const outcome = await applyFederatedSignIn(
    deps,
    {
      provider,
      application: authorization.application,
      identity: signIn.identity,
      profile: profileClaims(signIn.claims),
      tokens: signIn.tokens,
      stageLinkEvent: stageLinkEventsOf(deps.events, provider, info),
    },
    now,
  );
  if (outcome.kind === 'pending') {
    setPendingLinkCookie(request, reply, outcome.pendingId);
    return sendLoginPage(deps, request, reply, authorization, { loginId: signIn.identity.email });
  }
  if (outcome.kind === 'refused') return sendLoginPage(deps, request, reply, authorization, { error: refusalMessage(outcome.reason, provider.name), status: 403 });

  if (outcome.linkEvent !== undefined) deps.events.publish(outcome.linkEvent);
  const subject = await signInSubject(deps.store, outcome.user.id, now);
  if (subject === undefined) return sendLoginPage(deps, request, reply, authorization, { error: 'Your account cannot sign in right now. Contact an administrator.', status: 403 });
  const authenticationType = authenticationTypeOf(provider);
  const started = await startSsoSession(deps.store.repositories, { tenant: authorization.tenant, userId: subject.user.id, authenticationType, previousToken: ssoCookie(request) }, now);
  setSsoCookie(request, reply, started.token);
  await deps.events.emit({
    type: 'user.login.success',
    tenantId: authorization.tenant.id,
    applicationId: authorization.application.id,
    authenticationType,
    identityProviderId: provider.id,
    identityProviderName: provider.name,
    ipAddress: request.ip,
    info,
    user: subject.user,
  });
  return completeAuthorization(deps, request, reply, { authorization, custom: input.custom, session: started.session, subject });
}
