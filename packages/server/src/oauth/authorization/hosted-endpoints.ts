import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { frameworkError } from '../../http/request-errors.ts';
import { registerAccountConnect } from '../endpoints/account-connect.ts';
import { registerAccountConnections } from '../endpoints/account-connections.ts';
import { registerAuthorize } from '../endpoints/authorize.ts';
import { registerAuthorizeConsent } from '../endpoints/authorize-consent.ts';
import { registerAuthorizeLogin } from '../endpoints/authorize-login.ts';
import { registerDeviceVerification } from '../endpoints/device-verification.ts';
import { registerLogout } from '../endpoints/logout.ts';
import { registerUpstreamCallback } from '../endpoints/upstream-callback.ts';
import type { AuthorizationDeps } from './authorization-flow.ts';
import { sendPage } from './hosted-reply.ts';
import { createPasswordSignIn } from './password-sign-in.ts';

const headings: Readonly<Record<string, string>> = {
  invalid_client: 'Unknown application',
  invalid_request: 'Invalid request',
  server_error: 'Something went wrong',
};

/**
 * The browser-facing endpoints (authorize, the login and consent forms, logout, the device verification
 * page, the connected-accounts pages) in one encapsulated context: cookies and the rate limiters are registered here only (one sign-in
 * throttle for every login form), and every failure that cannot be redirected to a trusted client — an
 * unknown client, an unregistered redirect URI, a bad form — is Gatehouse's own HTML error page, never a
 * redirect (REDIR-01/02) and never a JSON body (the device validate endpoint, JSON, answers its own).
 */
export async function hostedEndpoints(app: FastifyInstance, deps: AuthorizationDeps): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, { global: false });

  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = error instanceof OAuthError ? error : frameworkError(error, 'oauth');
    const clientError = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500;
    const oauth = known instanceof OAuthError ? known : clientError ? new OAuthError('invalid_request', 'The request could not be processed.', error.statusCode) : undefined;
    if (oauth === undefined) request.log.error({ err: error }, 'unhandled error');
    const status = oauth?.status ?? 500;
    const code = oauth?.error ?? 'server_error';
    const page = deps.pages.error({
      tenantId: undefined,
      heading: headings[code] ?? 'Request refused',
      // Only Gatehouse's own descriptions are shown; an unexpected error's text may hold internals.
      message: oauth?.message ?? 'An unexpected error occurred. Try again later.',
      error: code,
    });
    return sendPage(reply, page, { status });
  });

  registerAuthorize(app, deps);
  const signIn = createPasswordSignIn(app, deps);
  registerAuthorizeLogin(app, deps, signIn);
  registerAuthorizeConsent(app, deps);
  registerLogout(app, deps);
  registerUpstreamCallback(app, deps);
  registerDeviceVerification(app, deps, signIn);
  registerAccountConnect(app, deps);
  registerAccountConnections(app, deps);
}
