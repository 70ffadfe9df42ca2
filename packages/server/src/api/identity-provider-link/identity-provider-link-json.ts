import type { FastifyRequest } from 'fastify';
import { FieldErrors } from '../../errors/api-error.ts';
import type { IdentityProviderLink } from '../../store/repositories/identity-provider-link-repository.ts';
import type { Repositories } from '../../store/repositories/index.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import { identityProviderLinkView } from '../../federation/identity-provider-links.ts';
import type { ApiKeyRecord } from '../../store/repositories/api-key-repository.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 1.43 form, the older flat form, and the pending-link completion; the members are checked by the domain. */
export const identityProviderLinkBody = {
  type: 'object',
  properties: {
    identityProviderLink: { type: 'object', description: "FusionAuth's identityProviderLink: identityProviderId, identityProviderUserId, userId, displayName, token." },
    pendingIdPLinkId: { type: 'string', maxLength: 256, description: 'Completes this pending link for identityProviderLink.userId (or the flat userId).' },
    identityProviderId: { type: 'string', description: 'Pre-1.43 flat form.' },
    identityProviderUserId: { type: 'string', description: 'Pre-1.43 flat form.' },
    userId: { type: 'string', description: 'Pre-1.43 flat form.' },
    displayName: { type: 'string', description: 'Pre-1.43 flat form.' },
    token: { type: 'string', description: 'Pre-1.43 flat form.' },
  },
} as const;

/** The query of GET and DELETE /api/identity-provider/link; ids are checked by `readLinkQuery` so errors name the parameter as FusionAuth does. */
export const identityProviderLinkQuery = {
  type: 'object',
  properties: {
    identityProviderId: { type: 'string', maxLength: 64 },
    identityProviderUserId: { type: 'string', maxLength: 1024 },
    userId: { type: 'string', maxLength: 64 },
  },
} as const;

export interface LinkQuery {
  readonly identityProviderId?: string;
  readonly identityProviderUserId?: string;
  readonly userId?: string;
}

export type LinkQueryRequest = FastifyRequest<{ Querystring: LinkQuery }>;

/** The query with ids lowercased; `required` members must be present (`[blank]x`), ids must be UUIDs (`[invalid]x`). */
export function readLinkQuery(query: LinkQuery, required: readonly (keyof LinkQuery)[]): LinkQuery {
  const errors = new FieldErrors();
  const present = (member: keyof LinkQuery) => (query[member] === undefined || query[member] === '' ? undefined : query[member]);
  for (const member of required) if (present(member) === undefined) errors.add(member, 'blank', `The ${member} parameter is required.`);
  for (const member of ['identityProviderId', 'userId'] as const) {
    const value = present(member);
    if (value !== undefined && !uuid.test(value)) errors.add(member, 'invalid', `The ${member} parameter must be a UUID.`);
  }
  errors.throwIfAny();
  const identityProviderId = present('identityProviderId')?.toLowerCase();
  const userId = present('userId')?.toLowerCase();
  const identityProviderUserId = present('identityProviderUserId');
  return {
    ...(identityProviderId === undefined ? {} : { identityProviderId }),
    ...(identityProviderUserId === undefined ? {} : { identityProviderUserId }),
    ...(userId === undefined ? {} : { userId }),
  };
}

/**
 * Whether an API key may read upstream tokens (the security checklist's VAULT-05: an explicit vault
 * scope). An unrestricted key may (FusionAuth returns `token` to every key); a key with endpoint
 * permissions only when they name GET on /api/identity-provider/link/token itself — a permission on
 * /api/identity-provider/link, which covers that path by prefix, is not enough.
 */
export function mayReadTokens(caller: ApiKeyRecord): boolean {
  const endpoints = Object.entries(caller.permissions);
  if (endpoints.length === 0) return true;
  return endpoints.some(([endpoint, methods]) => endpoint.replace(/\/+$/, '') === vaultEndpoint && methods.some((method) => method.toUpperCase() === 'GET'));
}

export const vaultEndpoint = '/api/identity-provider/link/token';

/** Views of several links, each with its provider's name and type. */
export async function linkViews(repositories: Repositories, keyRing: KeyRing, links: readonly IdentityProviderLink[], withToken: boolean): Promise<Record<string, unknown>[]> {
  const providers = new Map<string, Awaited<ReturnType<Repositories['identityProviders']['find']>>>();
  for (const link of links) {
    if (!providers.has(link.identityProviderId)) providers.set(link.identityProviderId, await repositories.identityProviders.find(link.identityProviderId));
  }
  return links.map((link) => identityProviderLinkView(keyRing, link, providers.get(link.identityProviderId), withToken));
}
