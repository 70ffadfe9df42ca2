import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { liveSsoSession } from '../../identity/sessions/sso-sessions.ts';
import { sendRegistrationRequired, sessionSubject, type AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { ssoCookie } from '../authorization/cookies.ts';
import { csrfField, csrfTokenValid } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { hostedForm, requireFormBody } from '../authorization/hosted-form.ts';
import { sendPage } from '../authorization/hosted-reply.ts';
import type { PasswordSignIn } from '../authorization/password-sign-in.ts';
import {
  codeRestriction,
  confirmBinding,
  continueWithCode,
  decide,
  deviceConfirmPath,
  deviceLoginPath,
  devicePath,
  entryBinding,
  loginBinding,
  lookUpPendingRequest,
  registrationAllows,
  sendCodeGone,
  sendCodePage,
  sendConfirmation,
  sendDeviceLoginPage,
} from '../device/device-interaction.ts';
import { createUserCodeGuesses } from '../device/user-code-guesses.ts';
import { formatUserCode, normalizeUserCode } from '../device/user-code.ts';
import { oauthParameters } from '../form-parameters.ts';
import { registerDeviceValidate } from './device-validate.ts';

/**
 * The hosted device verification page (RFC 8628 §3.3, FusionAuth's /oauth2/device), in the hosted
 * pages' context (cookies, rate limits, HTML errors):
 * - GET /oauth2/device[?user_code=&client_id=&tenantId=]: the code entry form, prefilled from
 *   verification_uri_complete — never more than prefilled (DEV-06).
 * - POST /oauth2/device: the code (CSRF-checked, throttled, DEV-05); then the confirmation with a live
 *   SSO session, else the login form.
 * - POST /oauth2/device/login: the shared hosted sign-in, then the confirmation.
 * - POST /oauth2/device/confirm: allow or deny, then "return to your device".
 * Also GET /oauth2/device/validate, which shares the wrong-code counters.
 */
export function registerDeviceVerification(app: FastifyInstance, deps: AuthorizationDeps, signIn: PasswordSignIn): void {
  const guesses = createUserCodeGuesses(app);

  app.get(devicePath, async (request: FastifyRequest, reply: FastifyReply) => {
    const parameters = oauthParameters(request.query);
    const restriction = codeRestriction((name) => parameters.get(name));
    const prefill = normalizeUserCode(parameters.get('user_code'));
    return sendCodePage(deps, request, reply, restriction, { userCode: prefill === undefined ? undefined : formatUserCode(prefill) });
  });

  app.post(devicePath, async (request, reply) => {
    requireFormBody(request);
    const form = hostedForm(request.body);
    const restriction = codeRestriction((name) => form.field(name));
    if (!csrfTokenValid(request, form.field(csrfField), 'device', entryBinding(restriction))) return sendForbiddenForm(deps.pages, reply, undefined);
    const pending = await lookUpPendingRequest(deps, guesses, request, reply, form.field('user_code'), restriction);
    if (!('code' in pending)) return pending;
    return continueWithCode(deps, request, reply, pending);
  });

  app.post(deviceLoginPath, async (request, reply) => {
    requireFormBody(request);
    const form = hostedForm(request.body);
    const pending = await lookUpPendingRequest(deps, guesses, request, reply, form.field('user_code'), {});
    if (!('code' in pending)) return pending;
    if (!csrfTokenValid(request, form.field(csrfField), 'login', loginBinding(pending.code))) return sendForbiddenForm(deps.pages, reply, pending.application);
    const loginId = form.field('loginId');
    const outcome = await signIn(request, reply, { tenantId: pending.tenant.id, applicationId: pending.application.id }, loginId, form.field('password'));
    if (outcome.status === 'refused') return sendDeviceLoginPage(deps, request, reply, pending, { loginId, error: outcome.error, status: outcome.httpStatus });
    return sendConfirmation(deps, request, reply, pending, outcome.session, outcome.subject);
  });

  app.post(deviceConfirmPath, async (request, reply) => {
    requireFormBody(request);
    const form = hostedForm(request.body);
    const pending = await lookUpPendingRequest(deps, guesses, request, reply, form.field('user_code'), {});
    if (!('code' in pending)) return pending;
    const now = deps.now();
    const session = await liveSsoSession(deps.store.repositories, ssoCookie(request), pending.tenant, now);
    if (session === undefined) {
      // The session ended (idle expiry, logout in another tab) while the page was open.
      if (ssoCookie(request) === undefined) return sendForbiddenForm(deps.pages, reply, pending.application);
      return sendDeviceLoginPage(deps, request, reply, pending, { error: 'Your session has expired. Sign in again.' });
    }
    if (!csrfTokenValid(request, form.field(csrfField), 'consent', confirmBinding(pending.code, session))) return sendForbiddenForm(deps.pages, reply, pending.application);
    const subject = await sessionSubject(deps.store, session, now);
    if (subject === undefined) return sendDeviceLoginPage(deps, request, reply, pending);
    if (!registrationAllows(pending, subject)) return sendRegistrationRequired(deps, reply, pending.application);
    const allow = form.field('decision') === 'allow';
    if (!(await decide(deps, pending, session, subject, { allow, chosen: new Set(form.values('scope_choice')) }))) return sendCodeGone(deps, request, reply);
    const page = deps.pages.deviceDone({ tenantId: pending.tenant.id, applicationName: pending.application.settings.name, approved: allow });
    return sendPage(reply, page, { application: pending.application });
  });

  registerDeviceValidate(app, { store: deps.store, now: deps.now, guesses });
}
