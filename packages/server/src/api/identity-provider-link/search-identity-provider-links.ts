import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, FieldErrors } from '../../errors/api-error.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { IdentityProviderLinkFilter } from '../../store/repositories/identity-provider-link-repository.ts';
import type { LinkStatus } from '../../store/schema-federation.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { dropAbsentQueryValues } from '../entity/query-parameters.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { linkViews, mayReadTokens } from './identity-provider-link-json.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const statuses: readonly LinkStatus[] = ['active', 'reauthorization_required', 'revoked'];
const maximumResults = 500;

// Strings only: every check below answers in FusionAuth's field-error shape, naming the parameter.
const querystring = {
  type: 'object',
  properties: {
    identityProviderId: { type: 'string', maxLength: 64 },
    status: { type: 'string', maxLength: 64 },
    userId: { type: 'string', maxLength: 64 },
    tenantId: { type: 'string', maxLength: 64 },
    startRow: { type: 'string', maxLength: 16 },
    numberOfResults: { type: 'string', maxLength: 16 },
  },
} as const;

type SearchQuery = Partial<Record<keyof (typeof querystring)['properties'], string>>;

interface LinkSearch {
  readonly filter: IdentityProviderLinkFilter;
  readonly startRow: number;
  readonly numberOfResults: number;
}

/** The query checked: ids are UUIDs, status one of the link states, 0 ≤ startRow, 1 ≤ numberOfResults ≤ 500. */
function readSearch(query: SearchQuery): LinkSearch {
  const errors = new FieldErrors();
  const id = (member: 'identityProviderId' | 'userId' | 'tenantId'): string | undefined => {
    const value = query[member];
    if (value !== undefined && !uuid.test(value)) errors.add(member, 'invalid', `The ${member} parameter must be a UUID.`);
    return value?.toLowerCase();
  };
  const integer = (member: 'startRow' | 'numberOfResults', fallback: number, minimum: number, maximum: number): number => {
    const value = query[member];
    if (value === undefined) return fallback;
    const number = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(number >= minimum && number <= maximum)) errors.add(member, 'invalid', `The ${member} parameter must be an integer from ${minimum} to ${maximum}.`);
    return number;
  };
  const status = query.status;
  if (status !== undefined && !(statuses as readonly string[]).includes(status)) errors.add('status', 'invalid', `The status parameter must be one of ${statuses.join(', ')}.`);
  const identityProviderId = id('identityProviderId');
  const userId = id('userId');
  const tenantId = id('tenantId');
  const startRow = integer('startRow', 0, 0, 999_999_999);
  const numberOfResults = integer('numberOfResults', 25, 1, maximumResults);
  errors.throwIfAny();
  const filter: IdentityProviderLinkFilter = {
    ...(identityProviderId === undefined ? {} : { identityProviderId }),
    ...(status === undefined ? {} : { status: status as LinkStatus }),
    ...(userId === undefined ? {} : { userId }),
    ...(tenantId === undefined ? {} : { tenantId }),
  };
  return { filter, startRow, numberOfResults };
}

/**
 * GET /api/identity-provider/link/search?identityProviderId=&status=&userId=&tenantId=&startRow=0&numberOfResults=25
 * (Gatehouse extension; FusionAuth can only list one user's links) → `{identityProviderLinks, total}`, in
 * id order, every filter optional. Which links need the user to reconnect (`status=reauthorization_required`)
 * is the question it answers across a million links, through the indexes of migration 0016. A
 * tenant-scoped key sees its tenant only (another tenant named in `tenantId` is 401, as for the tenant
 * header); the refresh token appears only for keys with the vault scope (mayReadTokens).
 */
export function registerSearchIdentityProviderLinks(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  app.get<{ Querystring: SearchQuery }>('/identity-provider/link/search', { schema: { querystring }, preValidation: dropAbsentQueryValues }, async (request: FastifyRequest<{ Querystring: SearchQuery }>) => {
    const caller = deps.callers.get(request);
    const scope = requestTenantId(request, caller);
    const search = readSearch(request.query);
    const named = search.filter.tenantId;
    if (scope !== undefined && named !== undefined && named !== scope) throw ApiError.unauthorized();
    const tenantId = scope ?? named;
    const filter = { ...search.filter, ...(tenantId === undefined ? {} : { tenantId }) };
    const repositories = deps.store.repositories;
    const { links, total } = await repositories.identityProviderLinks.search(filter, search.startRow, search.numberOfResults);
    return { identityProviderLinks: await linkViews(repositories, deps.keyRing, links, mayReadTokens(caller)), total };
  });
}
