import type { FastifyInstance } from 'fastify';
import { completeAuthorization, loginPath, sendLoginPage, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { csrfField, csrfTokenValid, parametersBinding } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { postedAuthorization } from '../authorization/posted-authorization.ts';
import type { PasswordSignIn } from '../authorization/password-sign-in.ts';

/**
 * POST /oauth2/login: the hosted login form. The pending request is re-validated from its fields, and its
 * CSRF token binds those fields. The password check and its throttling are the hosted context's shared
 * sign-in (password-sign-in.ts).
 */
export function registerAuthorizeLogin(app: FastifyInstance, deps: AuthorizationDeps, signIn: PasswordSignIn): void {
  app.post(loginPath, async (request, reply) => {
    const posted = await postedAuthorization(deps, request, reply);
    if ('sent' in posted) return posted.sent;
    const { form, client, custom, authorization } = posted;
    if (!csrfTokenValid(request, form.field(csrfField), 'login', parametersBinding(authorization.carried))) return sendForbiddenForm(deps.pages, reply, client.application);
    const loginId = form.field('loginId');
    const outcome = await signIn(request, reply, { tenantId: authorization.tenant.id, applicationId: authorization.application.id }, loginId, form.field('password'));
    if (outcome.status === 'refused') return sendLoginPage(deps, request, reply, authorization, { loginId, error: outcome.error, status: outcome.httpStatus });
    return completeAuthorization(deps, request, reply, { authorization, custom, session: outcome.session, subject: outcome.subject });
  });
}
