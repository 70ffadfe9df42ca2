import type { FastifyReply, FastifyRequest } from 'fastify';
import { findSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import { sessionSubject, type AuthorizationDeps, type SessionSubject } from '../authorization/authorization-flow.ts';
import { ssoCookie } from '../authorization/cookies.ts';
import { sendPage } from '../authorization/hosted-reply.ts';

/** The account pages' signed-in user: the browser's SSO session (any tenant) and a user who may still sign in. */
export interface AccountSession {
  readonly session: SsoSession;
  readonly subject: SessionSubject;
}

export async function accountSession(deps: AuthorizationDeps, request: FastifyRequest): Promise<AccountSession | undefined> {
  const now = deps.now();
  const session = await findSsoSession(deps.store.repositories, ssoCookie(request), now);
  const subject = session === undefined ? undefined : await sessionSubject(deps.store, session, now);
  return session === undefined || subject === undefined ? undefined : { session, subject };
}

/** 401 for an account page without a session: there is no application to send the user back to, so no redirect. */
export function sendSignInFirst(deps: AuthorizationDeps, reply: FastifyReply): FastifyReply {
  const page = deps.pages.error({ tenantId: undefined, heading: 'Sign in first', message: 'Sign in to an application that uses this server, then come back to manage your connected accounts.', error: 'login_required' });
  return sendPage(reply, page, { status: 401 });
}

/** The account pages' error page (404 for another user's link or an unknown provider, 400 for a bad request). */
export function sendAccountError(deps: AuthorizationDeps, reply: FastifyReply, tenantId: string | undefined, status: number, heading: string, message: string, error: string): FastifyReply {
  return sendPage(reply, deps.pages.error({ tenantId, heading, message, error }), { status });
}
