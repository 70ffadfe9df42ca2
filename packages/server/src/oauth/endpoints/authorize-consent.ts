import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { liveSsoSession } from '../../identity/sessions/sso-sessions.ts';
import {
  completeAuthorization,
  consentBinding,
  consentPath,
  sendLoginPage,
  sendRedirectedError,
  sessionSubject,
  type AuthorizationDeps,
} from '../authorization/authorization-flow.ts';
import { grantedScopes, rememberConsent } from '../authorization/consent.ts';
import { ssoCookie } from '../authorization/cookies.ts';
import { csrfField, csrfTokenValid } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { postedAuthorization } from '../authorization/posted-authorization.ts';

/**
 * POST /oauth2/consent: the answer to the consent page. Its CSRF token binds the request's parameters and
 * the SSO session the page was shown in; deny is access_denied at the client (RFC 6749 §4.1.2.1,
 * REDIR-10: only ever after the user signed in).
 */
export function registerAuthorizeConsent(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.post(consentPath, async (request, reply) => {
    const posted = await postedAuthorization(deps, request, reply);
    if ('sent' in posted) return posted.sent;
    const { form, client, custom, authorization } = posted;
    const now = deps.now();
    const session = await liveSsoSession(deps.store.repositories, ssoCookie(request), authorization.tenant, now);
    if (session === undefined) {
      // The session ended (idle expiry, logout in another tab) while the page was open.
      if (ssoCookie(request) === undefined) return sendForbiddenForm(deps.pages, reply, client.application);
      return sendLoginPage(deps, request, reply, authorization, { error: 'Your session has expired. Sign in again.' });
    }
    if (!csrfTokenValid(request, form.field(csrfField), 'consent', consentBinding(authorization, session))) return sendForbiddenForm(deps.pages, reply, client.application);
    const subject = await sessionSubject(deps.store, session, now);
    if (subject === undefined) return sendLoginPage(deps, request, reply, authorization);
    const decision = form.field('decision');
    if (decision !== 'allow') {
      return sendRedirectedError(deps, request, reply, authorization, new OAuthError('access_denied', 'The user denied the request.', 400, { reason: 'consent_canceled' }));
    }
    const scopes = grantedScopes(authorization, custom, new Set(form.values('scope_choice')));
    await rememberConsent(deps.store.repositories, authorization.tenant, authorization, subject.user.id, scopes, now);
    return completeAuthorization(deps, request, reply, { authorization, custom, session, subject, consentedScopes: scopes });
  });
}
