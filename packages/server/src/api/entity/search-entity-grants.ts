import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchEntityGrants } from '../../entities/entity-grant-search.ts';
import type { KeyRing } from '../../keys/key-ring.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { entityJson, grantJson } from './entity-json.ts';
import { searchCriteriaFromQuery } from './query-parameters.ts';

const searchBody = { type: 'object', properties: { search: { type: 'object' } } } as const;

/**
 * POST /api/entity/grant/search `{search: {entityId | userId, name?, orderBy?, startRow?, numberOfResults?}}`
 * and GET with the same query parameters → `{grants, total}`. The target entities come without their client
 * secret, as in FusionAuth's search results. A tenant-limited caller sees grants on its tenant's entities.
 */
export function registerSearchEntityGrants(app: FastifyInstance, deps: { store: Store; keyRing: KeyRing; callers: ApiCallers }) {
  const search = async (request: FastifyRequest, criteria: unknown) => {
    const tenantId = requestTenantId(request, deps.callers.get(request));
    const repositories = deps.store.repositories;
    const { grants, total } = await searchEntityGrants(repositories, criteria, tenantId);
    const targets = await repositories.entities.findMany([...new Set(grants.map((grant) => grant.targetEntityId))], undefined);
    const targetJson = new Map(targets.map((target) => [target.id, entityJson(target, deps.keyRing, { withSecret: false })]));
    // A target deleted between the two reads drops its grants from this page rather than failing it.
    const withTargets = grants.flatMap((grant) => {
      const target = targetJson.get(grant.targetEntityId);
      return target === undefined ? [] : [grantJson(grant, target)];
    });
    return { grants: withTargets, total };
  };
  app.post('/entity/grant/search', { schema: { body: searchBody } }, (request: FastifyRequest<{ Body: { search?: unknown } }>) => search(request, request.body.search ?? {}));
  app.get('/entity/grant/search', (request: FastifyRequest<{ Querystring: Record<string, unknown> }>) => search(request, searchCriteriaFromQuery(request.query)));
}
