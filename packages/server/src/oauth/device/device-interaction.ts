import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { liveSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { DeviceCode } from '../../store/repositories/device-code-repository.ts';
import type { OAuthGrant } from '../../store/repositories/oauth-grant-repository.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import { applicationScopesByName } from '../../tenancy/application-scopes.ts';
import { sendRegistrationRequired, sessionSubject, type AuthorizationDeps, type SessionSubject } from '../authorization/authorization-flow.ts';
import { consentDecision, consentScopes, grantedScopes, rememberConsent, type ConsentRequest } from '../authorization/consent.ts';
import { ssoCookie } from '../authorization/cookies.ts';
import { csrfField, csrfSecret, csrfToken, parametersBinding } from '../authorization/csrf.ts';
import type { HiddenFields } from '../authorization/hosted-pages.ts';
import { sendPage } from '../authorization/hosted-reply.ts';
import { deviceCodeGrantType } from './device-authorization.ts';
import type { UserCodeGuesses } from './user-code-guesses.ts';
import { formatUserCode, normalizeUserCode } from './user-code.ts';

/*
 * The user's side of the device flow (RFC 8628 §3.3) on Gatehouse's hosted pages: enter the code, sign
 * in (or reuse the SSO session), confirm or deny. Each form's CSRF token binds what it stands for: the
 * entry form its client/tenant restriction, the login form the device request, the confirmation the
 * request and the SSO session it was shown in.
 */

export const devicePath = '/oauth2/device';
export const deviceLoginPath = '/oauth2/device/login';
export const deviceConfirmPath = '/oauth2/device/confirm';

/** One answer for unknown, expired, used and denied codes (DEV-05: the page does not say which). */
const invalidCode = 'That code is not valid: it may have expired or been used already. Check the code on your device and try again.';
const tooManyAttempts = 'Too many attempts. Wait a minute, then try again.';

/** FusionAuth's `client_id` and `tenantId` of the hosted page: when given, only that client's (tenant's) codes are accepted. */
export interface CodeRestriction {
  readonly clientId?: string | undefined;
  readonly tenantId?: string | undefined;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function restrictionValue(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!uuid.test(value)) throw new OAuthError('invalid_request', `The ${name} parameter is not a valid id.`, 400, { reason: `invalid_${name === 'client_id' ? 'client_id' : 'tenant_id'}` });
  return value.toLowerCase();
}

export function codeRestriction(field: (name: string) => string | undefined): CodeRestriction {
  return { clientId: restrictionValue(field('client_id'), 'client_id'), tenantId: restrictionValue(field('tenantId'), 'tenantId') };
}

function restrictionFields(restriction: CodeRestriction): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  if (restriction.clientId !== undefined) fields.push(['client_id', restriction.clientId]);
  if (restriction.tenantId !== undefined) fields.push(['tenantId', restriction.tenantId]);
  return fields;
}

export function entryBinding(restriction: CodeRestriction): string {
  return `device-entry.${parametersBinding(new Map(restrictionFields(restriction)))}`;
}

/** A pending request the user may act on, with its application and tenant. */
export interface PendingRequest {
  readonly code: DeviceCode;
  readonly application: Application;
  readonly tenant: Tenant;
}

/** The request a typed code names, if it is pending, live, of an active application and within the restriction. */
export async function findPendingRequest(deps: Pick<AuthorizationDeps, 'store'>, typed: string | undefined, restriction: CodeRestriction, now: number): Promise<PendingRequest | undefined> {
  const userCode = normalizeUserCode(typed);
  if (userCode === undefined) return undefined;
  const { repositories } = deps.store;
  const code = await repositories.deviceCodes.findPendingByUserCode(userCode, now);
  if (code === undefined) return undefined;
  if (restriction.clientId !== undefined && restriction.clientId !== code.applicationId) return undefined;
  if (restriction.tenantId !== undefined && restriction.tenantId !== code.tenantId) return undefined;
  const application = await repositories.applications.find(code.applicationId);
  const tenant = await repositories.tenants.find(code.tenantId);
  if (application === undefined || !application.active || tenant === undefined) return undefined;
  return { code, application, tenant };
}

export function sendCodePage(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  restriction: CodeRestriction,
  options: { readonly userCode?: string | undefined; readonly error?: string | undefined; readonly status?: number | undefined } = {},
): FastifyReply {
  const secret = csrfSecret(request, reply);
  const page = deps.pages.deviceCode({
    tenantId: restriction.tenantId,
    action: devicePath,
    hidden: [...restrictionFields(restriction), [csrfField, csrfToken(secret, 'device', entryBinding(restriction))]],
    userCode: options.userCode,
    error: options.error,
  });
  return sendPage(reply, page, { status: options.status });
}

/**
 * The request behind a posted code, or the entry page again: over the guess limits (429), or for a code
 * that is not (or no longer) pending — which counts as a wrong guess. Every form that looks a code up
 * goes through here, so none of them is an unthrottled oracle.
 */
export async function lookUpPendingRequest(
  deps: AuthorizationDeps,
  guesses: UserCodeGuesses,
  request: FastifyRequest,
  reply: FastifyReply,
  typed: string | undefined,
  restriction: CodeRestriction,
): Promise<PendingRequest | FastifyReply> {
  if (normalizeUserCode(typed) === undefined) return sendCodePage(deps, request, reply, restriction, { userCode: typed, error: 'Enter the code shown on your device.', status: 400 });
  const retryAfter = await guesses.retryAfter(request);
  if (retryAfter !== undefined) {
    reply.header('retry-after', String(retryAfter));
    return sendCodePage(deps, request, reply, restriction, { userCode: typed, error: tooManyAttempts, status: 429 });
  }
  const pending = await findPendingRequest(deps, typed, restriction, deps.now());
  if (pending !== undefined) return pending;
  await guesses.countWrong(request);
  return sendCodePage(deps, request, reply, restriction, { userCode: typed, error: invalidCode, status: 400 });
}

/** The code is gone between two steps (expired, or decided in another tab): the entry page, without saying which. */
export function sendCodeGone(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendCodePage(deps, request, reply, {}, { error: invalidCode, status: 400 });
}

export function loginBinding(code: DeviceCode): string {
  return `device.${code.id}`;
}

export function confirmBinding(code: DeviceCode, session: SsoSession): string {
  return `device.${code.id}.${session.id}`;
}

function codeField(pending: PendingRequest, csrf: string): HiddenFields {
  return [
    ['user_code', pending.code.userCode],
    [csrfField, csrf],
  ];
}

export function sendDeviceLoginPage(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  pending: PendingRequest,
  options: { readonly loginId?: string | undefined; readonly error?: string | undefined; readonly status?: number | undefined } = {},
): FastifyReply {
  const secret = csrfSecret(request, reply);
  const page = deps.pages.login({
    tenantId: pending.tenant.id,
    applicationName: pending.application.settings.name,
    action: deviceLoginPath,
    hidden: codeField(pending, csrfToken(secret, 'login', loginBinding(pending.code))),
    loginId: options.loginId,
    error: options.error,
  });
  return sendPage(reply, page, { status: options.status, application: pending.application });
}

function consentRequest(pending: PendingRequest): ConsentRequest {
  return { application: pending.application, scopes: pending.code.scopes, prompt: new Set() };
}

/**
 * The confirmation (DEV-06): the client, the code and the scopes, then allow or deny — shown every time,
 * whatever consent was remembered. A third-party application the user has not consented to also gets
 * its optional scopes as checkboxes (the consent page's rules); otherwise every scope is listed as granted.
 */
async function sendConfirmPage(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, pending: PendingRequest, session: SsoSession, subject: SessionSubject): Promise<FastifyReply> {
  const { user } = subject;
  const consent = await consentDecision(deps.store.repositories, consentRequest(pending), user.id, deps.now());
  const custom = await applicationScopesByName(deps.store.repositories, pending.application.id);
  const scopes = consentScopes(consentRequest(pending), custom).map((scope) => (consent.needed ? scope : { ...scope, required: true }));
  const secret = csrfSecret(request, reply);
  const page = deps.pages.deviceConfirm({
    tenantId: pending.tenant.id,
    applicationName: pending.application.settings.name,
    account: user.email ?? user.username ?? user.id,
    userCode: formatUserCode(pending.code.userCode),
    action: deviceConfirmPath,
    hidden: codeField(pending, csrfToken(secret, 'consent', confirmBinding(pending.code, session))),
    scopes,
  });
  return sendPage(reply, page, { application: pending.application });
}

/** requireRegistration: applied as at /oauth2/authorize, since the user signs in to the application here (FusionAuth runs the code grant). */
export function registrationAllows(pending: PendingRequest, subject: SessionSubject): boolean {
  if (!pending.application.settings.oauthConfiguration.requireRegistration) return true;
  return subject.registrations.some((registration) => registration.applicationId === pending.application.id);
}

/** A signed-in user with a pending request: requireRegistration, then the confirmation page. */
export async function sendConfirmation(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, pending: PendingRequest, session: SsoSession, subject: SessionSubject): Promise<FastifyReply> {
  if (!registrationAllows(pending, subject)) return sendRegistrationRequired(deps, reply, pending.application);
  return sendConfirmPage(deps, request, reply, pending, session, subject);
}

/** The next step for a code just entered: the confirmation when the SSO session is live, else the login form. */
export async function continueWithCode(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, pending: PendingRequest): Promise<FastifyReply> {
  const now = deps.now();
  const session = await liveSsoSession(deps.store.repositories, ssoCookie(request), pending.tenant, now);
  const subject = session === undefined ? undefined : await sessionSubject(deps.store, session, now);
  if (session === undefined || subject === undefined) return sendDeviceLoginPage(deps, request, reply, pending);
  return sendConfirmation(deps, request, reply, pending, session, subject);
}

/**
 * The user's answer. Allow: a grant of the device grant type for the user and the granted scopes, bound
 * to the request in one transaction — of two answers (two tabs) one wins, and a request that expired
 * meanwhile gets no grant. Deny: the device's next poll is access_denied. Returns whether it was recorded.
 */
export async function decide(
  deps: AuthorizationDeps,
  pending: PendingRequest,
  session: SsoSession,
  subject: SessionSubject,
  answer: { readonly allow: boolean; readonly chosen: ReadonlySet<string> },
): Promise<boolean> {
  const now = deps.now();
  const { repositories } = deps.store;
  if (!answer.allow) return repositories.deviceCodes.decide(pending.code.id, { status: 'denied' }, now);
  const request = consentRequest(pending);
  const consent = await consentDecision(repositories, request, subject.user.id, now);
  const scopes = consent.needed ? grantedScopes(request, await applicationScopesByName(repositories, pending.application.id), answer.chosen) : consent.scopes;
  const grant: OAuthGrant = {
    id: randomUUID(),
    tenantId: pending.tenant.id,
    userId: subject.user.id,
    applicationId: pending.application.id,
    // The device does not share the browser's SSO session: logging out there leaves it signed in (as FusionAuth).
    sessionId: undefined,
    grantType: deviceCodeGrantType,
    scopes,
    authenticationType: session.authenticationType,
    authenticatedInstant: session.authenticatedInstant,
    insertInstant: now,
    revokedInstant: undefined,
  };
  try {
    await deps.store.transaction(async (transaction) => {
      await transaction.oauthGrants.insert(grant);
      if (!(await transaction.deviceCodes.decide(pending.code.id, { status: 'approved', grantId: grant.id }, now))) throw new DecisionLost();
      if (consent.needed) await rememberConsent(transaction, pending.tenant, request, subject.user.id, scopes, now);
    });
  } catch (error) {
    if (error instanceof DecisionLost) return false;
    throw error;
  }
  return true;
}

/** Rolls the approval back: the request was no longer pending. */
class DecisionLost extends Error {
  override readonly name = 'DecisionLost';
}
