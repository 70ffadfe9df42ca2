import type { FastifyInstance } from 'fastify';
import { eventInfo } from '../../events/event-catalogue.ts';
import { completeAuthorization, loginPath, sendLoginPage, sendSignIn, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { csrfField, csrfTokenValid, parametersBinding } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { completeBrowserPendingLink } from '../authorization/pending-link-cookie.ts';
import { postedAuthorization } from '../authorization/posted-authorization.ts';
import type { PasswordSignIn } from '../authorization/password-sign-in.ts';
import { browserProviders, managingProvider } from '../authorization/upstream-redirect.ts';

/**
 * POST /oauth2/login: the hosted login form. The pending request is re-validated from its fields, and its
 * CSRF token binds those fields. An e-mail address at a domain an enabled identity provider manages goes
 * to that provider (with the address as login_hint) instead of the password check. The password check and
 * its throttling are the hosted context's shared sign-in (password-sign-in.ts); a successful one completes
 * the browser's pending link, if it has one.
 */
export function registerAuthorizeLogin(app: FastifyInstance, deps: AuthorizationDeps, signIn: PasswordSignIn): void {
  app.post(loginPath, async (request, reply) => {
    const posted = await postedAuthorization(deps, request, reply);
    if ('sent' in posted) return posted.sent;
    const { form, client, custom, authorization } = posted;
    if (!csrfTokenValid(request, form.field(csrfField), 'login', parametersBinding(authorization.carried))) return sendForbiddenForm(deps.pages, reply, client.application);
    const loginId = form.field('loginId');
    const managing = managingProvider(await browserProviders(deps, authorization.application.id), loginId);
    if (managing !== undefined) return sendSignIn(deps, request, reply, authorization, { provider: managing, loginHint: loginId });
    const outcome = await signIn(request, reply, { tenantId: authorization.tenant.id, applicationId: authorization.application.id }, loginId, form.field('password'));
    if (outcome.status === 'refused') return sendLoginPage(deps, request, reply, authorization, { loginId, error: outcome.error, status: outcome.httpStatus });
    const linked = await completeBrowserPendingLink(deps, request, reply, outcome.subject.user.id);
    if (linked !== undefined) {
      const { link, provider } = linked;
      await deps.events.emit({ type: 'user.identity-provider.link', tenantId: link.tenantId, info: eventInfo(request.ip, request.headers['user-agent']), identityProviderLink: link, identityProvider: provider, user: outcome.subject.user });
    }
    return completeAuthorization(deps, request, reply, { authorization, custom, session: outcome.session, subject: outcome.subject });
  });
}
