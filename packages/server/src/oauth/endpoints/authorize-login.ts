import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkCredentials, type CredentialsRefused } from '../../identity/login/check-credentials.ts';
import { startSsoSession } from '../../identity/sessions/sso-sessions.ts';
import { applicationScopesByName } from '../../tenancy/application-scopes.ts';
import { issuerFor } from '../tokens/issuer.ts';
import { completeAuthorization, loginPath, sendLoginPage, sendRedirectedError, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { authorizationRequest, RedirectedError, trustedClient, type AuthorizationRequest } from '../authorization/authorization-request.ts';
import { ssoCookie, setSsoCookie } from '../authorization/cookies.ts';
import { csrfField, csrfTokenValid, parametersBinding } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { hostedForm, requireFormBody } from '../authorization/hosted-form.ts';

/**
 * Sign-in throttling on top of the tenant's lockout policy (UI-H-05): every sign-in post per client IP,
 * and failed sign-ins per login id (so a user who signs in often is never throttled, but guessing one
 * account's password is, even across many IPs). Counters live in this process's memory
 * (@fastify/rate-limit's local store): safe to lose on restart; each node of a cluster counts for itself.
 */
export const loginRateLimits = {
  perIp: { max: 60, timeWindowMillis: 60_000 },
  perLoginFailures: { max: 10, timeWindowMillis: 60_000 },
} as const;

/**
 * One message for an unknown user, a wrong password and a locked account, so the page reveals neither
 * which accounts exist nor which are locked (UI-H-04); during a lock even the right password gets it.
 */
const invalidCredentials = 'Invalid email, username or password.';

function refusalMessage(refused: CredentialsRefused): string {
  switch (refused.status) {
    case 404:
    case 423:
      return invalidCredentials;
    case 409:
      return 'Your account has been suspended: signing in is not possible right now. Contact an administrator.';
    case 410:
      return 'Your account has expired. Contact an administrator.';
  }
}

/** POST /oauth2/login: the hosted login form. The pending request is re-validated from its fields, and its CSRF token binds those fields. */
export function registerAuthorizeLogin(app: FastifyInstance, deps: AuthorizationDeps): void {
  const perIp = app.createRateLimit({ max: loginRateLimits.perIp.max, timeWindow: loginRateLimits.perIp.timeWindowMillis, keyGenerator: (request) => `login-ip:${request.ip}` });
  const loginFailures = app.createRateLimit({
    max: loginRateLimits.perLoginFailures.max,
    timeWindow: loginRateLimits.perLoginFailures.timeWindowMillis,
    keyGenerator: (request) => `login-failures:${String((request.body as Record<string, unknown> | undefined)?.['loginId'] ?? '').toLowerCase()}`,
  });

  /** Seconds until the next attempt is allowed, when this one is over a limit. */
  async function throttled(request: FastifyRequest): Promise<number | undefined> {
    const ip = await perIp(request);
    if (!ip.isAllowed && ip.isExceeded) return ip.ttlInSeconds;
    // Read without counting: only failures count against a login id.
    const failures = await loginFailures(request, { increment: false });
    if (!failures.isAllowed && failures.remaining <= 0) return Math.max(1, failures.ttlInSeconds);
    return undefined;
  }

  async function signIn(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest, loginId: string | undefined, password: string | undefined) {
    if (loginId === undefined || password === undefined) {
      return sendLoginPage(deps, request, reply, authorization, { loginId, error: 'Enter your email or username and your password.', status: 400 });
    }
    const retryAfter = await throttled(request);
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return sendLoginPage(deps, request, reply, authorization, { loginId, error: 'Too many sign-in attempts. Wait a minute, then try again.', status: 429 });
    }
    const now = deps.now();
    const checked = await checkCredentials(deps.store, loginId, password, authorization.tenant.id, now);
    if (checked.status !== 'accepted') {
      if (checked.status === 404) await loginFailures(request);
      return sendLoginPage(deps, request, reply, authorization, { loginId, error: refusalMessage(checked) });
    }
    const { user, tenant, registrations } = checked.candidate;
    if (user.passwordChangeRequired) {
      return sendLoginPage(deps, request, reply, authorization, { loginId, error: 'Your password must be changed before you can sign in. Use “forgot password” or contact an administrator.' });
    }
    const registered = registrations.some((registration) => registration.applicationId === authorization.application.id);
    await deps.store.repositories.logins.recordSuccess({
      userId: user.id,
      applicationId: registered ? authorization.application.id : undefined,
      instant: now,
      upgradedPassword: checked.upgradedPassword,
      clearFailures: checked.clearFailures,
      refreshToken: undefined,
    });
    const started = await startSsoSession(deps.store.repositories, { tenant, userId: user.id, authenticationType: 'PASSWORD', previousToken: ssoCookie(request) }, now);
    setSsoCookie(request, reply, started.token);
    const custom = await applicationScopesByName(deps.store.repositories, authorization.application.id);
    const subject = { user: { ...user, lastLoginInstant: now }, registrations };
    return completeAuthorization(deps, request, reply, { authorization, custom, session: started.session, subject });
  }

  app.post(loginPath, async (request, reply) => {
    requireFormBody(request);
    const form = hostedForm(request.body);
    const client = await trustedClient(deps.store.repositories, form.authorization);
    const custom = await applicationScopesByName(deps.store.repositories, client.application.id);
    let authorization: AuthorizationRequest;
    try {
      authorization = authorizationRequest(client, form.authorization, custom, issuerFor(client.tenant.settings, request));
    } catch (error) {
      if (error instanceof RedirectedError) return sendRedirectedError(deps, request, reply, { target: error.target, application: client.application }, error.error);
      throw error;
    }
    if (!csrfTokenValid(request, form.field(csrfField), 'login', parametersBinding(authorization.carried))) return sendForbiddenForm(deps.pages, reply, client.application);
    return signIn(request, reply, authorization, form.field('loginId'), form.field('password'));
  });
}
