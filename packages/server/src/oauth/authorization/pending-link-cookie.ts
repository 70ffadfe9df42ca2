import type { FastifyReply, FastifyRequest } from 'fastify';
import { completePendingLink, findPendingLink } from '../../federation/identity-provider-links.ts';
import type { IdentityProviderLink } from '../../store/repositories/identity-provider-link-repository.ts';
import type { IdentityProvider } from '../../store/repositories/identity-provider-repository.ts';
import type { AuthorizationDeps } from './authorization-flow.ts';
import { cookieOptions } from './cookies.ts';

/**
 * A pending link (CreatePendingLink) in the hosted pages: the id lives in an HttpOnly cookie of the
 * browser that signed in upstream (BRK-12: bound to that browser, never in a URL or form), the login
 * page says which upstream account waits, and the next password sign-in in that browser links it to the
 * user who signed in and uses it up.
 */
function cookieName(request: FastifyRequest): string {
  return request.protocol === 'https' ? '__Host-gatehouse_pending_link' : 'gatehouse_pending_link';
}

export function setPendingLinkCookie(request: FastifyRequest, reply: FastifyReply, pendingId: string): void {
  reply.setCookie(cookieName(request), pendingId, cookieOptions(request));
  // The login page answering this same request reads the id back (pendingLinkNotice): the browser only
  // sends the cookie from the next request on, so without this the page would not say what waits.
  request.cookies[cookieName(request)] = pendingId;
}

function pendingLinkId(request: FastifyRequest): string | undefined {
  const value = request.cookies[cookieName(request)];
  return value !== undefined && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

/** What the login page tells a browser with a live pending link; undefined without one. */
export async function pendingLinkNotice(deps: Pick<AuthorizationDeps, 'store' | 'now'>, request: FastifyRequest): Promise<string | undefined> {
  const pendingId = pendingLinkId(request);
  if (pendingId === undefined) return undefined;
  const pending = await findPendingLink(deps.store.repositories, pendingId, undefined, deps.now());
  if (pending === undefined) return undefined;
  const provider = await deps.store.repositories.identityProviders.find(pending.identityProviderId);
  const account = pending.displayName ?? pending.identityProviderUserId;
  return `Sign in to link your ${provider?.name ?? 'external'} account ${account} to your account.`;
}

/**
 * After a password sign-in: links the browser's pending upstream account to the user (in the pending
 * link's tenant only) and clears the cookie, whatever the outcome. Returns the new link, if one was made.
 */
export async function completeBrowserPendingLink(
  deps: Pick<AuthorizationDeps, 'store' | 'keyRing' | 'now'>,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
): Promise<{ readonly link: IdentityProviderLink; readonly provider: IdentityProvider } | undefined> {
  const pendingId = pendingLinkId(request);
  if (pendingId === undefined) return undefined;
  reply.clearCookie(cookieName(request), cookieOptions(request));
  try {
    return await deps.store.transaction((repositories) => completePendingLink(repositories, deps.keyRing, { pendingId, userId }, undefined, deps.now()));
  } catch (error) {
    // Expired, used, another tenant's, or already linked elsewhere: the sign-in itself stands.
    request.log.info({ reason: error instanceof Error ? error.name : 'unknown' }, 'pending identity provider link not completed');
    return undefined;
  }
}
