import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eventInfo } from '../../events/event-catalogue.ts';
import { revokeLinkTokens } from '../../federation/upstream-revocation.ts';
import type { IdentityProviderLink } from '../../store/repositories/identity-provider-link-repository.ts';
import type { AuthorizationDeps } from '../authorization/authorization-flow.ts';
import { csrfField, csrfSecret, csrfToken, csrfTokenValid } from '../authorization/csrf.ts';
import { sendForbiddenForm } from '../authorization/forbidden-form.ts';
import { hostedForm, requireFormBody } from '../authorization/hosted-form.ts';
import type { ConnectionItem } from '../authorization/hosted-pages.ts';
import { sendPage } from '../authorization/hosted-reply.ts';
import { browserTypes } from '../authorization/upstream-redirect.ts';
import { accountSession, sendAccountError, sendSignInFirst } from './account-session.ts';
import { connectionsPath } from './upstream-connect.ts';

const disconnectPath = '/account/connections/disconnect';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const statusTexts: Readonly<Record<IdentityProviderLink['status'], string>> = {
  active: 'Connected',
  reauthorization_required: 'Needs reconnecting',
  revoked: 'Revoked',
};

const readable = (instant: number): string => `${new Date(instant).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * GET /account/connections: the signed-in user's connected upstream accounts, and
 * POST /account/connections/disconnect: revoke one at its upstream and unlink it (docs/hub.md). The
 * disconnect form's CSRF token is bound to the SSO session; which link it names is checked against the
 * session's user (another user's link is 404, like an unknown one).
 */
export function registerAccountConnections(app: FastifyInstance, deps: AuthorizationDeps): void {
  app.get(connectionsPath, { exposeHeadRoute: false }, async (request: FastifyRequest, reply: FastifyReply) => {
    const signedIn = await accountSession(deps, request);
    if (signedIn === undefined) return sendSignInFirst(deps, reply);
    const { session, subject } = signedIn;
    const [links, providers] = await Promise.all([deps.store.repositories.identityProviderLinks.listByUser(subject.user.id), deps.store.repositories.identityProviders.list()]);
    const names = new Map(providers.map((provider) => [provider.id, provider.name]));
    const hidden = [[csrfField, csrfToken(csrfSecret(request, reply), 'disconnect', session.id)]] as const;
    const connections: ConnectionItem[] = links.map((link) => ({
      providerName: names.get(link.identityProviderId) ?? 'Identity provider',
      account: link.displayName ?? link.identityProviderUserId,
      status: link.status,
      statusText: statusTexts[link.status],
      connectedSince: readable(link.insertInstant),
      lastRefreshed: link.lastRefreshInstant === undefined ? undefined : readable(link.lastRefreshInstant),
      reconnectHref: `/account/connect/${link.identityProviderId}`,
      disconnectAction: disconnectPath,
      disconnectHidden: [['link_id', link.id], ...hidden],
    }));
    const connectLinks = providers
      .filter((provider) => provider.enabled && browserTypes.has(provider.type))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((provider) => ({ text: `Connect another ${provider.name} account`, imageUrl: undefined, href: `/account/connect/${provider.id}` }));
    const page = deps.pages.connections({ tenantId: session.tenantId, account: subject.user.email ?? subject.user.username ?? subject.user.id, connections, connectLinks });
    return sendPage(reply, page);
  });

  app.post(disconnectPath, async (request: FastifyRequest, reply: FastifyReply) => {
    requireFormBody(request);
    const signedIn = await accountSession(deps, request);
    if (signedIn === undefined) return sendSignInFirst(deps, reply);
    const { session, subject } = signedIn;
    const form = hostedForm(request.body);
    if (!csrfTokenValid(request, form.field(csrfField), 'disconnect', session.id)) return sendForbiddenForm(deps.pages, reply, undefined);
    const linkId = form.field('link_id');
    // Deleted under the row lock, so the tokens revoked below are the last ones stored (no refresh rotates them meanwhile).
    const deleted = linkId === undefined || !uuid.test(linkId) ? undefined : await deps.store.transaction(async (repositories) => {
      const link = await repositories.identityProviderLinks.findForUpdate(linkId.toLowerCase());
      if (link === undefined || link.userId !== subject.user.id) return undefined;
      await repositories.identityProviderLinks.delete(link.id);
      return link;
    });
    if (deleted === undefined) return sendAccountError(deps, reply, session.tenantId, 404, 'Not found', 'None of your connected accounts has this id.', 'not_found');
    const provider = await deps.store.repositories.identityProviders.find(deleted.identityProviderId);
    if (provider !== undefined) {
      try {
        const outcome = await revokeLinkTokens(deps, provider, deleted);
        request.log.info({ identityProviderId: provider.id, outcome }, 'upstream token revocation on disconnect');
      } catch (error) {
        // The user asked to disconnect: the link is gone whatever the upstream says; its grant may outlive it there.
        request.log.warn({ identityProviderId: provider.id, reason: error instanceof Error ? error.message : 'unknown' }, 'upstream token revocation failed');
      }
    }
    await deps.events.emit({
      type: 'user.identity-provider.unlink',
      tenantId: deleted.tenantId,
      info: eventInfo(request.ip, request.headers['user-agent']),
      identityProviderLink: deleted,
      ...(provider === undefined ? {} : { identityProvider: provider }),
      user: subject.user,
    });
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(connectionsPath, 303);
  });
}
