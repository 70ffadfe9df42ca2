import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiError, FieldErrors } from '../errors/api-error.ts';
import { DuplicateError } from '../store/store-errors.ts';
import type { KeyRing, SealContext } from '../keys/key-ring.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { newLinkVaultState, type IdentityProviderLink, type PendingIdentityProviderLink } from '../store/repositories/identity-provider-link-repository.ts';
import type { Repositories } from '../store/repositories/index.ts';
import { refreshTokenContext } from './link-tokens.ts';

/** FusionAuth's default for `externalIdentifierConfiguration.pendingAccountLinkTimeToLiveInSeconds`. */
const defaultPendingTtlSeconds = 3600;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const pendingContext = (idHash: Buffer): SealContext => ({ table: 'pending_identity_provider_links', row: idHash.toString('hex'), column: 'token_sealed' });

export const hashPendingLinkId = (pendingId: string): Buffer => createHash('sha256').update(pendingId).digest();

/** `tenantConfiguration[tenantId].limitUserLinkCount` of a provider, with FusionAuth's defaults. */
export function linkLimit(provider: IdentityProvider, tenantId: string): { enabled: boolean; maximumLinks: number } {
  const tenants = (provider.settings['tenantConfiguration'] ?? {}) as Record<string, { limitUserLinkCount?: { enabled?: boolean; maximumLinks?: number } }>;
  const limit = tenants[tenantId]?.limitUserLinkCount;
  return { enabled: limit?.enabled === true, maximumLinks: limit?.maximumLinks ?? 42 };
}

/**
 * FusionAuth's identityProviderLink object. The upstream refresh token is unsealed as FusionAuth returns
 * it only when `withToken` (the caller may read the vault, VAULT-05); otherwise it is left out.
 * Gatehouse extensions (the hub's vault state): `status`, `tokenExpirationInstant` (the stored access
 * token's), `refreshTokenExpirationInstant`, `lastRefreshInstant` and `scopes`, each left out when unknown.
 */
export function identityProviderLinkView(keyRing: KeyRing, link: IdentityProviderLink, provider: IdentityProvider | undefined, withToken: boolean): Record<string, unknown> {
  return {
    data: link.data,
    ...(link.displayName === undefined ? {} : { displayName: link.displayName }),
    identityProviderId: link.identityProviderId,
    identityProviderName: provider?.name,
    identityProviderType: provider?.type,
    identityProviderUserId: link.identityProviderUserId,
    insertInstant: link.insertInstant,
    lastLoginInstant: link.lastLoginInstant,
    ...(link.lastRefreshInstant === undefined ? {} : { lastRefreshInstant: link.lastRefreshInstant }),
    ...(link.refreshTokenExpirationInstant === undefined ? {} : { refreshTokenExpirationInstant: link.refreshTokenExpirationInstant }),
    ...(link.scopes === undefined ? {} : { scopes: link.scopes.split(' ').filter((scope) => scope !== '') }),
    status: link.status,
    tenantId: link.tenantId,
    ...(link.tokenSealed === undefined || !withToken ? {} : { token: keyRing.unseal(link.tokenSealed, refreshTokenContext(link.id)).toString('utf8') }),
    ...(link.accessTokenExpirationInstant === undefined ? {} : { tokenExpirationInstant: link.accessTokenExpirationInstant }),
    userId: link.userId,
  };
}

/** The upstream identity a federation login brings that has no link yet. */
export interface PendingIdentity {
  readonly tenantId: string;
  readonly identityProviderId: string;
  readonly identityProviderUserId: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly username?: string;
  readonly token?: string;
}

/** Stores a pending link (CreatePendingLink strategy) and returns its id, shown once: only its SHA-256 is kept. */
export async function createPendingLink(repositories: Repositories, keyRing: KeyRing, identity: PendingIdentity, now: number): Promise<string> {
  const tenant = await repositories.tenants.find(identity.tenantId);
  const ttl = tenant?.settings.externalIdentifierConfiguration['pendingAccountLinkTimeToLiveInSeconds'] ?? defaultPendingTtlSeconds;
  const pendingId = randomBytes(32).toString('base64url');
  const idHash = hashPendingLinkId(pendingId);
  await repositories.identityProviderLinks.insertPending({
    idHash,
    tenantId: identity.tenantId,
    identityProviderId: identity.identityProviderId,
    identityProviderUserId: identity.identityProviderUserId,
    displayName: identity.displayName,
    email: identity.email,
    username: identity.username,
    tokenSealed: identity.token === undefined ? undefined : keyRing.seal(identity.token, pendingContext(idHash)),
    insertInstant: now,
    expirationInstant: now + ttl * 1000,
  });
  return pendingId;
}

/** A live pending link by the id handed out, in the caller's tenant scope; undefined when unknown or expired. */
export async function findPendingLink(repositories: Repositories, pendingId: string, scope: string | undefined, now: number): Promise<PendingIdentityProviderLink | undefined> {
  const pending = await repositories.identityProviderLinks.findPending(hashPendingLinkId(pendingId), now);
  return pending === undefined || (scope !== undefined && pending.tenantId !== scope) ? undefined : pending;
}

/** What a create request asks for, after validation. */
export interface LinkRequest {
  readonly identityProviderId: string;
  readonly identityProviderUserId: string;
  readonly userId: string;
  readonly displayName: string | undefined;
  readonly token: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** Reads the 1.43 form `{"identityProviderLink": {...}}` or the older flat form. */
export function readLinkRequest(body: Readonly<Record<string, unknown>>): LinkRequest {
  const wrapped = body['identityProviderLink'];
  const source = (typeof wrapped === 'object' && wrapped !== null ? wrapped : body) as Record<string, unknown>;
  const errors = new FieldErrors();
  const id = (member: string) => {
    const value = text(source[member]);
    if (value === undefined) errors.add(`identityProviderLink.${member}`, 'blank', `identityProviderLink.${member} is required.`);
    else if (!uuid.test(value)) errors.add(`identityProviderLink.${member}`, 'invalid', `identityProviderLink.${member} must be a UUID.`);
    return value?.toLowerCase() ?? '';
  };
  const identityProviderId = id('identityProviderId');
  const userId = id('userId');
  const identityProviderUserId = text(source['identityProviderUserId']);
  if (identityProviderUserId === undefined) errors.add('identityProviderLink.identityProviderUserId', 'blank', 'identityProviderLink.identityProviderUserId is required.');
  for (const member of ['displayName', 'token']) {
    const value = source[member];
    if (value !== undefined && value !== null && typeof value !== 'string') errors.add(`identityProviderLink.${member}`, 'invalid', `identityProviderLink.${member} must be a string.`);
  }
  errors.throwIfAny();
  return { identityProviderId, userId, identityProviderUserId: identityProviderUserId ?? '', displayName: text(source['displayName']), token: text(source['token']) };
}

/**
 * Links the user to the upstream account. The (provider, upstream user id) pair belongs to one user:
 * another user holding it is refused; the same user relinking it replaces display name and token.
 * A user's number of links to one provider is capped when the provider's tenant limit is enabled.
 * `scope` is the caller's tenant: users outside it answer as unknown.
 */
export async function linkUser(repositories: Repositories, keyRing: KeyRing, request: LinkRequest, scope: string | undefined, now: number): Promise<{ link: IdentityProviderLink; provider: IdentityProvider }> {
  const errors = new FieldErrors();
  const provider = await repositories.identityProviders.find(request.identityProviderId);
  if (provider === undefined) errors.add('identityProviderLink.identityProviderId', 'invalid', `No identity provider has the id ${request.identityProviderId}.`);
  const user = await repositories.users.find(request.userId);
  if (user === undefined || (scope !== undefined && user.tenantId !== scope)) errors.add('identityProviderLink.userId', 'invalid', `No user has the id ${request.userId}.`);
  errors.throwIfAny();
  const tenantId = user!.tenantId;
  const existing = await repositories.identityProviderLinks.findByUpstream(request.identityProviderId, request.identityProviderUserId);
  if (existing !== undefined && existing.userId !== request.userId) throw duplicate();
  if (existing !== undefined) {
    const link = { ...existing, displayName: request.displayName ?? existing.displayName, tokenSealed: sealToken(keyRing, existing.id, request.token) ?? existing.tokenSealed };
    await repositories.identityProviderLinks.update(link);
    return { link, provider: provider! };
  }
  const limit = linkLimit(provider!, tenantId);
  if (limit.enabled && (await repositories.identityProviderLinks.countByUser(request.userId, request.identityProviderId)) >= limit.maximumLinks) {
    throw ApiError.general('IdentityProviderLinkLimitExceeded', `The user already holds the maximum of ${limit.maximumLinks} links to this identity provider.`);
  }
  const id = randomUUID();
  const link: IdentityProviderLink = {
    id,
    tenantId,
    userId: request.userId,
    identityProviderId: request.identityProviderId,
    identityProviderUserId: request.identityProviderUserId,
    displayName: request.displayName,
    data: {},
    tokenSealed: sealToken(keyRing, id, request.token),
    insertInstant: now,
    lastLoginInstant: now,
    accessTokenSealed: undefined,
    accessTokenExpirationInstant: undefined,
    scopes: undefined,
    ...newLinkVaultState,
  };
  await repositories.identityProviderLinks.insert(link).catch((error: unknown) => {
    throw error instanceof DuplicateError ? duplicate() : error;
  });
  return { link, provider: provider! };
}

/** Completes a pending link for the user: the upstream identity it holds is linked, the pending link is used up. */
export async function completePendingLink(
  repositories: Repositories,
  keyRing: KeyRing,
  request: { readonly pendingId: string; readonly userId: unknown },
  scope: string | undefined,
  now: number,
): Promise<{ link: IdentityProviderLink; provider: IdentityProvider }> {
  const userId = text(request.userId);
  if (userId === undefined) throw ApiError.field('identityProviderLink.userId', 'blank', 'identityProviderLink.userId is required.');
  if (!uuid.test(userId)) throw ApiError.field('identityProviderLink.userId', 'invalid', 'identityProviderLink.userId must be a UUID.');
  const pending = await findPendingLink(repositories, request.pendingId, scope, now);
  if (pending === undefined) throw ApiError.notFound();
  const user = await repositories.users.find(userId.toLowerCase());
  // The pending identity logged in to one tenant: it can only be linked to a user of that tenant.
  if (user === undefined || user.tenantId !== pending.tenantId) throw ApiError.field('identityProviderLink.userId', 'invalid', `No user of the pending link's tenant has the id ${userId}.`);
  const token = pending.tokenSealed === undefined ? undefined : keyRing.unseal(pending.tokenSealed, pendingContext(pending.idHash)).toString('utf8');
  const result = await linkUser(
    repositories,
    keyRing,
    { identityProviderId: pending.identityProviderId, identityProviderUserId: pending.identityProviderUserId, userId: user.id, displayName: pending.displayName, token },
    scope,
    now,
  );
  await repositories.identityProviderLinks.deletePending(pending.idHash, now);
  return result;
}

function sealToken(keyRing: KeyRing, linkId: string, token: string | undefined): Buffer | undefined {
  return token === undefined ? undefined : keyRing.seal(token, refreshTokenContext(linkId));
}

function duplicate(): ApiError {
  return ApiError.field('identityProviderLink.identityProviderUserId', 'duplicate', 'This upstream account is already linked to another user.');
}
