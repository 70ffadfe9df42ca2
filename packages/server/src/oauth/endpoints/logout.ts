import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../../errors/oauth-error.ts';
import { endSsoSession, findSsoSession } from '../../identity/sessions/sso-sessions.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { OAuthParameters } from '../form-parameters.ts';
import { issuerFor } from '../tokens/issuer.ts';
import type { AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { readParameters } from '../authorization/authorization-request.ts';
import { clearSsoCookie, ssoCookie } from '../authorization/cookies.ts';
import { csrfField, csrfSecret, csrfToken, csrfTokenValid, parametersBinding } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { requireFormBody } from '../authorization/hosted-form.ts';
import { redirect, sendPage } from '../authorization/hosted-reply.ts';
import { verifyIdTokenHint } from '../authorization/id-token-hint.ts';
import { redirectUriAllowed } from '../authorization/redirect-uri-match.ts';

const logoutParameterNames = ['client_id', 'id_token_hint', 'post_logout_redirect_uri', 'state', 'tenantId'] as const;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A logout request Gatehouse may act on: who asked, and where the browser goes afterwards. */
interface LogoutRequest {
  readonly application: Application | undefined;
  readonly tenant: Tenant | undefined;
  /** The id_token_hint's subject, when a genuine hint came with the request. */
  readonly hintedUser: string | undefined;
  readonly postLogoutRedirectUri: string | undefined;
  readonly state: string | undefined;
  readonly parameters: OAuthParameters;
}

function refused(description: string, reason: string): OAuthError {
  return new OAuthError('invalid_request', description, 400, { reason });
}

async function logoutRequest(deps: AuthorizationDeps, request: FastifyRequest, source: unknown): Promise<LogoutRequest> {
  const { parameters, duplicated } = readParameters(source);
  if (duplicated.length > 0) throw refused(`The parameter ${duplicated[0]} was sent more than once.`, 'duplicate_parameter');
  const { applications, tenants } = deps.store.repositories;
  const clientId = parameters.get('client_id');
  const byClientId = clientId === undefined ? undefined : uuid.test(clientId) ? await applications.find(clientId.toLowerCase()) : undefined;
  if (clientId !== undefined && byClientId?.active !== true) throw new OAuthError('invalid_client', 'No active application has this client_id.', 400, { reason: 'invalid_client_id' });

  let application = byClientId;
  const rawHint = parameters.get('id_token_hint');
  const hint = rawHint === undefined ? undefined : await verifyIdTokenHint(deps.signingKeys, rawHint);
  if (rawHint !== undefined) {
    if (hint === undefined) throw refused('The id_token_hint is not an ID token issued by this server.', 'invalid_id_token_hint');
    // OIDC RP-Initiated Logout §2: client_id, when sent with a hint, must be one of its audiences (LOGOUT-05).
    if (byClientId !== undefined && !hint.audiences.includes(byClientId.id)) throw refused('The client_id is not the audience of the id_token_hint.', 'client_id_mismatch');
    const audience = hint.audiences.find((candidate) => uuid.test(candidate));
    application ??= audience === undefined ? undefined : await applications.find(audience);
    if (application === undefined || !application.active) throw refused('The id_token_hint was not issued to an active application.', 'invalid_id_token_hint');
  }
  const tenantId = parameters.get('tenantId');
  const tenant = application !== undefined ? await tenants.find(application.tenantId) : tenantId !== undefined && uuid.test(tenantId) ? await tenants.find(tenantId.toLowerCase()) : undefined;
  if (hint !== undefined && (tenant === undefined || hint.issuer !== issuerFor(tenant.settings, request))) {
    throw refused('The id_token_hint was issued by another issuer.', 'invalid_id_token_hint');
  }

  const postLogoutRedirectUri = parameters.get('post_logout_redirect_uri');
  if (postLogoutRedirectUri !== undefined) {
    // Validated like a redirect URI, against the same registered URLs (FusionAuth); without a client to check it against, refused (LOGOUT-02/03, ORED-01).
    if (application === undefined) throw refused('post_logout_redirect_uri needs a client_id or an id_token_hint.', 'missing_client_id');
    if (!redirectUriAllowed(application.settings.oauthConfiguration, postLogoutRedirectUri)) {
      throw refused('The post_logout_redirect_uri is not one of the URLs registered for this application.', 'invalid_post_logout_redirect_uri');
    }
  }
  return { application, tenant, hintedUser: hint?.subject, postLogoutRedirectUri, state: parameters.get('state'), parameters };
}

function logoutBinding(logout: LogoutRequest, sessionId: string | undefined): string {
  const carried = new Map([...logout.parameters].filter(([name]) => (logoutParameterNames as readonly string[]).includes(name)));
  return `${parametersBinding(carried)}.${sessionId ?? ''}`;
}

/** The application's logoutURL, else the tenant's; an empty setting counts as none. */
function configuredLogoutUrl(logout: LogoutRequest): string | undefined {
  const url = logout.application?.settings.oauthConfiguration.logoutURL || logout.tenant?.settings.logoutURL;
  return url === undefined || url === '' ? undefined : url;
}

/** The confirmation form (LOGOUT-03/06): the request's parameters and a CSRF token bound to them and the session. */
function sendConfirmation(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, logout: LogoutRequest, binding: string): FastifyReply {
  const carried = [...logout.parameters].filter(([name]) => (logoutParameterNames as readonly string[]).includes(name));
  const page = deps.pages.logoutConfirm({
    tenantId: logout.tenant?.id,
    applicationName: logout.application?.settings.name,
    action: '/oauth2/logout',
    hidden: [...carried, [csrfField, csrfToken(csrfSecret(request, reply), 'logout', binding)]],
  });
  const target = logout.postLogoutRedirectUri ?? configuredLogoutUrl(logout);
  return sendPage(reply, page, { application: logout.application, formTargets: target === undefined ? [] : [target] });
}

/**
 * Where the browser goes once signed out, in FusionAuth's order: the validated post_logout_redirect_uri
 * (with `state`), the application's logoutURL, the tenant's logoutURL; else Gatehouse's signed-out page
 * (FusionAuth redirects to `/`).
 */
function afterLogout(deps: AuthorizationDeps, request: FastifyRequest, reply: FastifyReply, logout: LogoutRequest): FastifyReply {
  if (logout.postLogoutRedirectUri !== undefined) {
    const uri = logout.postLogoutRedirectUri;
    const location = logout.state === undefined ? uri : `${uri}${uri.includes('?') ? '&' : '?'}${new URLSearchParams({ state: logout.state }).toString()}`;
    return redirect(request, reply, location);
  }
  const configured = configuredLogoutUrl(logout);
  if (configured !== undefined) return redirect(request, reply, configured);
  return sendPage(reply, deps.pages.loggedOut({ tenantId: logout.tenant?.id }), { application: logout.application });
}

/**
 * GET|POST /oauth2/logout, OIDC RP-Initiated Logout 1.0: ends the SSO session (its row and its cookie).
 * A genuine id_token_hint for the signed-in user (expired is fine) is proof enough; anything else gets a
 * confirmation form with a CSRF token bound to the request and the session (LOGOUT-06). Like FusionAuth,
 * refresh tokens and issued JWTs stay valid: revoke them with /oauth2/revoke or DELETE /api/jwt/refresh.
 */
export function registerLogout(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2/logout',
    // A HEAD must not issue a code or end a session (link checkers and prefetchers send them).
    exposeHeadRoute: false,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      if (request.method === 'POST') requireFormBody(request);
      const source = (request.method === 'POST' ? request.body : request.query) ?? {};
      // A post of the confirmation form carries its CSRF token; anything else is a logout request.
      const presentedToken = (source as Record<string, unknown>)[csrfField];
      const confirming = request.method === 'POST' && presentedToken !== undefined;
      const requested = await logoutRequest(deps, request, source);
      const now = deps.now();
      const session = await findSsoSession(deps.store.repositories, ssoCookie(request), now);
      // Without a client or tenantId, the session's tenant decides the theme and the tenant logoutURL.
      const logout = requested.tenant === undefined && session !== undefined ? { ...requested, tenant: await deps.store.repositories.tenants.find(session.tenantId) } : requested;
      const binding = logoutBinding(logout, session?.id);
      const proven = logout.hintedUser !== undefined && (session === undefined || session.userId === logout.hintedUser);
      if (!proven && !confirming) return sendConfirmation(deps, request, reply, logout, binding);
      if (!proven && !csrfTokenValid(request, typeof presentedToken === 'string' ? presentedToken : undefined, 'logout', binding)) {
        return sendForbiddenForm(deps.pages, reply, logout.application);
      }
      await endSsoSession(deps.store.repositories, ssoCookie(request), now);
      clearSsoCookie(request, reply);
      return afterLogout(deps, request, reply, logout);
    },
  });
}
