import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EventBus } from '../../events/event-bus.ts';
import { eventInfo } from '../../events/event-catalogue.ts';
import { checkCredentials, type CredentialsRefused } from '../../identity/login/check-credentials.ts';
import { startSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import type { Store } from '../../store/store.ts';
import type { SessionSubject } from './authorization-flow.ts';
import { setSsoCookie, ssoCookie } from './cookies.ts';

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

export type SignInOutcome =
  | { readonly status: 'signedIn'; readonly session: SsoSession; readonly subject: SessionSubject }
  /** What the login page says, and its HTTP status (429 sets Retry-After on the reply). */
  | { readonly status: 'refused'; readonly error: string; readonly httpStatus?: number };

export interface SignInTarget {
  /** The tenant the user must belong to. */
  readonly tenantId: string;
  /** The application signed in to: recorded as the login's application when the user is registered to it. */
  readonly applicationId: string;
}

/** The hosted login form's check: throttling, the password, then a new SSO session and its cookie. */
export type PasswordSignIn = (request: FastifyRequest, reply: FastifyReply, target: SignInTarget, loginId: string | undefined, password: string | undefined) => Promise<SignInOutcome>;

/**
 * The sign-in every hosted login form shares (the authorization endpoint's, the device verification
 * page's). Created once per hosted context so that all its forms count against the same limits.
 */
export function createPasswordSignIn(app: FastifyInstance, deps: { readonly store: Store; readonly now: () => number; readonly events: EventBus }): PasswordSignIn {
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

  return async (request, reply, target, loginId, password) => {
    if (loginId === undefined || password === undefined) return { status: 'refused', error: 'Enter your email or username and your password.', httpStatus: 400 };
    const retryAfter = await throttled(request);
    if (retryAfter !== undefined) {
      reply.header('retry-after', String(retryAfter));
      return { status: 'refused', error: 'Too many sign-in attempts. Wait a minute, then try again.', httpStatus: 429 };
    }
    const now = deps.now();
    const checked = await checkCredentials(deps.store, loginId, password, target.tenantId, now);
    const info = eventInfo(request.ip, request.headers['user-agent']);
    if (checked.status !== 'accepted') {
      if (checked.status === 404) await loginFailures(request);
      const failedUser = 'wrongPasswordOf' in checked ? checked.wrongPasswordOf : undefined;
      if (failedUser !== undefined) {
        const failure = { tenantId: failedUser.tenantId, applicationId: target.applicationId, ipAddress: request.ip, info, reason: { code: 'credentials' } };
        await deps.events.emit({ type: 'user.login.failed', ...failure, authenticationType: 'PASSWORD', user: failedUser });
      }
      return { status: 'refused', error: refusalMessage(checked) };
    }
    const { user, tenant, registrations } = checked.candidate;
    if (user.passwordChangeRequired) {
      return { status: 'refused', error: 'Your password must be changed before you can sign in. Use “forgot password” or contact an administrator.' };
    }
    const registered = registrations.some((registration) => registration.applicationId === target.applicationId);
    await deps.store.repositories.logins.recordSuccess({
      userId: user.id,
      applicationId: registered ? target.applicationId : undefined,
      instant: now,
      upgradedPassword: checked.upgradedPassword,
      clearFailures: checked.clearFailures,
      refreshToken: undefined,
    });
    const started = await startSsoSession(deps.store.repositories, { tenant, userId: user.id, authenticationType: 'PASSWORD', previousToken: ssoCookie(request) }, now);
    setSsoCookie(request, reply, started.token);
    const signedIn = { ...user, lastLoginInstant: now };
    await deps.events.emit({ type: 'user.login.success', tenantId: tenant.id, applicationId: target.applicationId, authenticationType: 'PASSWORD', ipAddress: request.ip, info, user: signedIn });
    return { status: 'signedIn', session: started.session, subject: { user: signedIn, registrations } };
  };
}
