import type { FastifyReply, FastifyRequest } from 'fastify';
import { eventInfo } from '../../events/event-catalogue.ts';
import { connectUpstreamAccount, type ConnectRefusal } from '../../federation/connect-account.ts';
import { stageLinkEventsOf } from '../../federation/link-event.ts';
import type { ClaimedAuthorization } from '../../federation/upstream-authorization.ts';
import { enabledForApplication } from '../../federation/upstream-client.ts';
import { liveSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import { completeAuthorization, sessionSubject, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import type { AuthorizationRequest } from '../authorization/authorization-request.ts';
import { ssoCookie } from '../authorization/cookies.ts';
import { sendPage } from '../authorization/hosted-reply.ts';
import { resumedAuthorization } from '../authorization/resumed-authorization.ts';
import { redeemCallback, type CallbackQuery } from './upstream-response.ts';

/** Where a connect without an authorization request returns when it stored none (or one that is not a local path). */
export const connectionsPath = '/account/connections';

function refusalText(reason: ConnectRefusal, providerName: string): string {
  switch (reason) {
    case 'linkedToAnotherUser':
      return `This ${providerName} account is already connected to another account here. Disconnect it there first, or connect a different ${providerName} account.`;
    case 'linkLimit':
      return `Your account already has the most ${providerName} accounts it may connect.`;
    case 'noUser':
      return 'Your account cannot connect accounts right now. Contact an administrator.';
  }
}

/**
 * /oauth2/callback for a request started to connect an upstream account (purpose `connect`): the browser
 * must still be signed in as the user who started it (a session that changed meanwhile, or ended, is
 * refused: the account must not land on somebody else). The upstream account is linked to that user —
 * or refused when another user holds it or the link limit is reached — and the session stays exactly as
 * it is: no new session, no login event. Then the authorization request completes (the application gets
 * its code), or the browser returns to the connections page.
 */
export async function finishConnect(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, claimed: ClaimedAuthorization, query: CallbackQuery): Promise<FastifyReply> {
  const now = deps.now();
  let authorization: AuthorizationRequest | undefined;
  let custom: Awaited<ReturnType<AuthorizationDeps['settings']['scopes']>> | undefined;
  if (claimed.request.length > 0) {
    const resumed = await resumedAuthorization(deps, request, reply, claimed.request);
    if ('sent' in resumed) return resumed.sent;
    ({ authorization, custom } = resumed);
  }
  const application: Application | undefined = authorization?.application;
  const fail = (message: string, status: number, error: string) =>
    sendPage(reply, deps.pages.error({ tenantId: claimed.tenantId, heading: 'Account not connected', message, error }), { status, application });

  const tenant = authorization?.tenant ?? (await deps.store.repositories.tenants.find(claimed.tenantId));
  const session = tenant === undefined ? undefined : await liveSsoSession(deps.store.repositories, ssoCookie(request), tenant, now);
  const subject = session === undefined || session.userId !== claimed.userId ? undefined : await sessionSubject(deps.store, session, now);
  if (session === undefined || subject === undefined) {
    request.log.warn({ identityProviderId: claimed.identityProviderId, reason: session === undefined ? 'no_session' : 'session_changed' }, 'upstream account connect refused');
    return fail('You are no longer signed in as the account that started connecting. Sign in and try again.', 403, 'access_denied');
  }
  const provider = await deps.store.repositories.identityProviders.find(claimed.identityProviderId);
  if (provider === undefined || !provider.enabled || (application !== undefined && !enabledForApplication(provider, application.id))) {
    return fail('That identity provider is no longer available.', 400, 'invalid_request');
  }
  const redeemed = await redeemCallback(deps, request, provider, claimed, query, 'connect your account');
  if ('refusal' in redeemed) return fail(redeemed.refusal, redeemed.status, 'invalid_request');

  const info = eventInfo(request.ip, request.headers['user-agent']);
  const outcome = await connectUpstreamAccount(
    deps,
    {
      provider,
      userId: subject.user.id,
      tenantId: session.tenantId,
      identity: redeemed.signIn.identity,
      tokens: redeemed.signIn.tokens,
      stageLinkEvent: stageLinkEventsOf(deps.events, provider, info),
    },
    now,
  );
  if (outcome.kind === 'refused') {
    request.log.info({ identityProviderId: provider.id, reason: outcome.reason }, 'upstream account connect refused');
    return fail(refusalText(outcome.reason, provider.name), outcome.reason === 'linkedToAnotherUser' ? 409 : 403, 'access_denied');
  }
  if (outcome.linkEvent !== undefined) deps.events.publish(outcome.linkEvent);
  if (authorization !== undefined && custom !== undefined) return completeAuthorization(deps, request, reply, { authorization, custom, session, subject });
  // Stored by Gatehouse itself; checked anyway so a row can never turn this into an open redirect.
  const returnTo = claimed.returnTo !== undefined && /^\/(?![/\\])/.test(claimed.returnTo) ? claimed.returnTo : connectionsPath;
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(returnTo, 303);
}
