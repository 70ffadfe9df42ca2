import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { upstreamClient } from '../../federation/upstream-client.ts';
import { UpstreamError } from '../../federation/upstream-http.ts';
import { UpstreamMetadataError } from '../../federation/upstream-metadata.ts';
import type { AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { browserTypes, sendToUpstream } from '../authorization/upstream-redirect.ts';
import { accountSession, sendAccountError, sendSignInFirst } from './account-session.ts';
import { connectionsPath } from './upstream-connect.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** RFC 6749 §3.3 scope-token, space-separated. */
const scopeSyntax = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const maxExtraScopeLength = 1024;

/** The provider's configured scope plus the extra scopes, each once, in that order. */
export function connectScope(configured: string, extra: string | undefined): string | undefined {
  if (extra === undefined) return undefined;
  return [...new Set([...configured.split(' '), ...extra.split(' ')].filter((token) => token !== ''))].join(' ');
}

/**
 * GET /account/connect/{identityProviderId}[?scope=extra scopes]: the signed-in user connects another
 * account of an enabled browser-flow provider (docs/hub.md, "Connecting accounts"). The upstream is asked
 * for the provider's configured scope plus the extra scopes (incremental authorization); back at
 * /oauth2/callback the account is linked to this user and the browser returns to the connections page.
 */
export function registerAccountConnect(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.get('/account/connect/:identityProviderId', { exposeHeadRoute: false, schema: { params: { type: 'object', required: ['identityProviderId'], properties: { identityProviderId: { type: 'string', maxLength: 64 } } } } }, async (request: FastifyRequest<{ Params: { identityProviderId: string }; Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
    const signedIn = await accountSession(deps, request);
    if (signedIn === undefined) return sendSignInFirst(deps, reply);
    const tenantId = signedIn.session.tenantId;
    const id = request.params.identityProviderId;
    const provider = uuid.test(id) ? await deps.store.repositories.identityProviders.find(id.toLowerCase()) : undefined;
    if (provider === undefined || !provider.enabled || !browserTypes.has(provider.type)) {
      return sendAccountError(deps, reply, tenantId, 404, 'Not found', 'No identity provider you can connect has this id.', 'not_found');
    }
    const extra = request.query['scope'];
    if (extra !== undefined && (typeof extra !== 'string' || extra.length > maxExtraScopeLength || !scopeSyntax.test(extra))) {
      return sendAccountError(deps, reply, tenantId, 400, 'Invalid request', `scope must be space-separated scope tokens, at most ${maxExtraScopeLength} characters.`, 'invalid_scope');
    }
    try {
      const scope = connectScope(upstreamClient(deps.keyRing, provider).scope, extra);
      return await sendToUpstream(deps, request, reply, {
        provider,
        tenantId,
        application: undefined,
        resume: [],
        loginHint: undefined,
        scope,
        connect: { userId: signedIn.subject.user.id, returnTo: connectionsPath },
      });
    } catch (error) {
      if (!(error instanceof UpstreamError || error instanceof UpstreamMetadataError)) throw error;
      request.log.warn({ identityProviderId: provider.id, reason: error.message }, 'upstream provider unavailable');
      return sendAccountError(deps, reply, tenantId, 502, 'Cannot connect right now', `${provider.name} cannot be reached right now. Try again later.`, 'temporarily_unavailable');
    }
  });
}
