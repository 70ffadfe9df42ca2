import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import type { EventBus } from '../../events/event-bus.ts';
import { liveSsoSession } from '../../identity/sessions/sso-sessions.ts';
import { UpstreamError } from '../../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../../federation/upstream-metadata.ts';
import type { Upstreams } from '../../federation/upstreams.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { ApplicationScope } from '../../store/repositories/application-scope-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { SsoSession } from '../../store/repositories/sso-session-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import type { Store } from '../../store/store.ts';
import type { AuthorizationRequest } from './authorization-request.ts';
import { authorizationResponse, errorResponse } from './authorization-response.ts';
import { connectTarget, sendConnect } from './connect-redirect.ts';
import { consentDecision, consentScopes } from './consent.ts';
import { ssoCookie } from './cookies.ts';
import { csrfField, csrfSecret, csrfToken, parametersBinding } from './csrf.ts';
import type { HiddenFields, HostedPages } from './hosted-pages.ts';
import { sendAuthorizationResponse, sendPage } from './hosted-reply.ts';
import { verifyIdTokenHint } from './id-token-hint.ts';
import { pendingLinkNotice } from './pending-link-cookie.ts';
import { browserProviders, providerButtons, redirectToUpstream } from './upstream-redirect.ts';
import { issueAuthorization } from './issue-authorization.ts';

/** What the authorization endpoints are given by app.ts (through oauthRoutes). */
export interface AuthorizationDeps {
  readonly store: Store;
  readonly signingKeys: SigningKeys;
  /** Applications and tenants cached for a few seconds (tenancy/settings-cache.ts). */
  readonly settings: SettingsCache;
  readonly pages: HostedPages;
  readonly now: () => number;
  /** Sign-ins are announced here (user.login.success / user.login.failed). */
  readonly events: EventBus;
  /** Seals what federated sign-in keeps (PKCE verifiers, upstream tokens). */
  readonly keyRing: KeyRing;
  /** The upstream providers' HTTP client and caches (federation/upstreams.ts). */
  readonly upstreams: Upstreams;
}

/** The signed-in user behind a session, with their registrations. */
export interface SessionSubject {
  readonly user: User;
  readonly registrations: readonly Registration[];
}

export const loginPath = '/oauth2/login';
export const consentPath = '/oauth2/consent';

/**
 * The user a live session stands for, if they may still sign in: deleted, deactivated or expired users,
 * and users an action prevents from logging in, lose their SSO (they meet the login page, which says why).
 */
export function sessionSubject(store: Store, session: SsoSession, now: number): Promise<SessionSubject | undefined> {
  return signInSubject(store, session.userId, now);
}

/** The user, if they may sign in now (see sessionSubject). */
export async function signInSubject(store: Store, userId: string, now: number): Promise<SessionSubject | undefined> {
  const found = await store.repositories.logins.findSessionUser(userId, now);
  if (found === undefined || !found.user.active || found.loginPrevented || (found.user.expiry !== undefined && found.user.expiry <= now)) return undefined;
  return { user: found.user, registrations: found.registrations };
}

/** The carried authorization parameters plus the form's CSRF token. */
function formFields(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest, purpose: 'login' | 'consent', binding: string): HiddenFields {
  const secret = csrfSecret(request, reply);
  return [...authorization.carried, [csrfField, csrfToken(secret, purpose, binding)]];
}

export function consentBinding(authorization: AuthorizationRequest, session: SsoSession): string {
  return `${parametersBinding(authorization.carried)}.${session.id}`;
}

/**
 * The login page: the application's identity providers as buttons, a pending link's notice, and the
 * password form (its password optional when some provider manages e-mail domains).
 */
export async function sendLoginPage(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  options: { readonly loginId?: string | undefined; readonly error?: string | undefined; readonly status?: number | undefined } = {},
): Promise<FastifyReply> {
  const providers = await browserProviders(deps, authorization.application.id);
  const page = deps.pages.login({
    tenantId: authorization.tenant.id,
    applicationName: authorization.application.settings.name,
    action: loginPath,
    hidden: formFields(request, reply, authorization, 'login', parametersBinding(authorization.carried)),
    loginId: options.loginId ?? authorization.loginHint,
    error: options.error,
    providers: providerButtons(providers, authorization),
    passwordOptional: providers.some((provider) => Array.isArray(provider.settings['domains']) && (provider.settings['domains'] as unknown[]).length > 0),
    notice: await pendingLinkNotice(deps, request),
  });
  return sendPage(reply, page, { status: options.status, application: authorization.application, formTargets: [authorization.redirectUri] });
}

/**
 * Where a user who must sign in goes: straight to the upstream the request's idp_hint names, when that
 * provider is enabled for the application (FusionAuth: an unknown hint shows the login page), else the
 * login page. An upstream that cannot be reached is said on the login page.
 */
export async function sendSignIn(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  upstream: { readonly provider?: IdentityProvider | undefined; readonly loginHint?: string | undefined } = {},
): Promise<FastifyReply> {
  const hinted = upstream.provider ?? (authorization.idpHint === undefined ? undefined : (await browserProviders(deps, authorization.application.id)).find((provider) => provider.id === authorization.idpHint?.toLowerCase()));
  if (hinted === undefined) return sendLoginPage(deps, request, reply, authorization);
  try {
    return await redirectToUpstream(deps, request, reply, authorization, hinted, upstream.loginHint ?? authorization.loginHint);
  } catch (error) {
    if (!(error instanceof UpstreamError || error instanceof UpstreamMetadataError)) throw error;
    request.log.warn({ identityProviderId: hinted.id, reason: error.message }, 'upstream provider unavailable');
    return sendLoginPage(deps, request, reply, authorization, { error: `${hinted.name} cannot be reached right now. Try again later.`, status: 502 });
  }
}

function sendConsentPage(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  custom: ReadonlyMap<string, ApplicationScope>,
  session: SsoSession,
  subject: SessionSubject,
): FastifyReply {
  const page = deps.pages.consent({
    tenantId: authorization.tenant.id,
    applicationName: authorization.application.settings.name,
    account: subject.user.email ?? subject.user.username ?? subject.user.id,
    action: consentPath,
    hidden: formFields(request, reply, authorization, 'consent', consentBinding(authorization, session)),
    scopes: consentScopes(authorization, custom),
  });
  return sendPage(reply, page, { application: authorization.application, formTargets: [authorization.redirectUri] });
}

/** An error for the client, at its redirect URI (the request is trusted by now). */
export function sendRedirectedError(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, authorization: Pick<AuthorizationRequest, 'target' | 'application'>, error: OAuthError): FastifyReply {
  return sendAuthorizationResponse(request, reply, deps.pages, errorResponse(authorization.target, error), authorization.application);
}

/**
 * GET|POST /oauth2/authorize once the request is valid: an SSO session that satisfies prompt and max_age
 * skips the login page (AUTHZ-11, AUTHZ-13) — or, with an idp_hint, goes upstream to connect another
 * account (connect-redirect.ts); an id_token_hint must be Gatehouse's own and, with a session, name its
 * user (AUTHZ-14).
 */
export async function proceedWithSession(
  deps: AuthorizationDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  authorization: AuthorizationRequest,
  custom: ReadonlyMap<string, ApplicationScope>,
): Promise<FastifyReply> {
  const now = deps.now();
  let hintedSubject: string | undefined;
  if (authorization.idTokenHint !== undefined) {
    const hint = await verifyIdTokenHint(deps.signingKeys, authorization.idTokenHint);
    if (hint === undefined || hint.issuer !== authorization.target.issuer) {
      return sendRedirectedError(deps, request, reply, authorization, new OAuthError('invalid_request', 'The id_token_hint is not an ID token issued by this server.', 400, { reason: 'invalid_id_token_hint' }));
    }
    hintedSubject = hint.subject;
  }
  const session = await liveSsoSession(deps.store.repositories, ssoCookie(request), authorization.tenant, now);
  const subject = session === undefined ? undefined : await sessionSubject(deps.store, session, now);
  const { prompt, maxAge } = authorization;
  const tooOld = session !== undefined && maxAge !== undefined && now - session.authenticatedInstant > maxAge * 1000;
  const reauthenticate = prompt.has('login') || prompt.has('select_account') || maxAge === 0 || tooOld;
  const otherUser = hintedSubject !== undefined && subject !== undefined && hintedSubject !== subject.user.id;
  if (session === undefined || subject === undefined || reauthenticate || otherUser) {
    if (prompt.has('none')) {
      return sendRedirectedError(deps, request, reply, authorization, new OAuthError('login_required', 'The user is not signed in.', 400, { reason: 'authentication_required' }));
    }
    return sendSignIn(deps, request, reply, authorization);
  }
  // Signed in already: an idp_hint connects another upstream account to this user (docs/hub.md).
  const connecting = await connectTarget(deps, authorization);
  if (connecting !== undefined) return sendConnect(deps, request, reply, authorization, connecting, subject);
  return completeAuthorization(deps, request, reply, { authorization, custom, session, subject });
}

export interface Completion {
  readonly authorization: AuthorizationRequest;
  readonly custom: ReadonlyMap<string, ApplicationScope>;
  readonly session: SsoSession;
  readonly subject: SessionSubject;
  /** The scopes a consent just granted; undefined when no consent page was answered in this step. */
  readonly consentedScopes?: readonly string[];
}

/** 403 for a user not registered to a `requireRegistration` application (FusionAuth would offer self-service registration). */
export function sendRegistrationRequired(deps: Pick<AuthorizationDeps, 'pages'>, reply: FastifyReply, application: Application): FastifyReply {
  const page = deps.pages.error({
    tenantId: application.tenantId,
    heading: 'Not registered',
    message: `Your account is not registered for ${application.settings.name}. Ask its administrator for access.`,
    error: 'registration_required',
  });
  return sendPage(reply, page, { status: 403, application });
}

/**
 * The user is known: requireRegistration, then consent, then the code or tokens. prompt=none never shows
 * a page: it gets interaction_required or consent_required instead (OIDC Core §3.1.2.6).
 */
export async function completeAuthorization(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, completion: Completion): Promise<FastifyReply> {
  const { authorization, session, subject } = completion;
  const now = deps.now();
  const silent = authorization.prompt.has('none');
  const registration = subject.registrations.find((candidate) => candidate.applicationId === authorization.application.id);
  if (registration === undefined && authorization.application.settings.oauthConfiguration.requireRegistration) {
    if (silent) return sendRedirectedError(deps, request, reply, authorization, new OAuthError('interaction_required', 'The user is not registered to this application.', 400, { reason: 'registration_required' }));
    return sendRegistrationRequired(deps, reply, authorization.application);
  }
  let scopes = completion.consentedScopes;
  if (scopes === undefined) {
    const decision = await consentDecision(deps.store.repositories, authorization, subject.user.id, now);
    if (decision.needed) {
      if (silent) return sendRedirectedError(deps, request, reply, authorization, new OAuthError('consent_required', 'The user has not consented to this request.', 400, { reason: 'consent_required' }));
      return sendConsentPage(deps, request, reply, authorization, completion.custom, session, subject);
    }
    scopes = decision.scopes;
  }
  const parameters = await issueAuthorization(deps, { request: authorization, session, user: subject.user, registration, scopes }, now);
  return sendAuthorizationResponse(request, reply, deps.pages, authorizationResponse(authorization.target, parameters), authorization.application);
}
