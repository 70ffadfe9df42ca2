import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';
import { userIdParams, userJson } from './user-json.ts';

const lookupQuery = {
  type: 'object',
  properties: { email: { type: 'string', maxLength: 191 }, username: { type: 'string', maxLength: 191 }, loginId: { type: 'string', maxLength: 191 } },
} as const;

type LookupRequest = FastifyRequest<{ Querystring: { email?: string; username?: string; loginId?: string } }>;

/** GET /api/user/{userId} and GET /api/user?email= | ?username= | ?loginId= (case-insensitive). */
export function registerRetrieveUser(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const { users, registrations } = deps.store.repositories;

  app.get('/user/:userId', { schema: { params: userIdParams } }, async (request: FastifyRequest<{ Params: { userId: string } }>) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const found = await users.findWithRegistrations(request.params.userId);
    // Another tenant's user answers like a missing one (see visible-user.ts).
    if (found === undefined || (scope !== undefined && found.user.tenantId !== scope)) throw ApiError.notFound();
    return { user: userJson(found.user, found.registrations) };
  });

  app.get('/user', { schema: { querystring: lookupQuery } }, async (request: LookupRequest) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    const { email, username, loginId } = request.query;
    let found: User[];
    if (email !== undefined) found = await users.findByEmail(email, scope);
    else if (username !== undefined) found = await users.findByUsername(username, scope);
    else if (loginId !== undefined) found = await users.findByLoginId(loginId, scope);
    else throw ApiError.field('loginId', 'blank', 'Retrieve a user by id (/api/user/{userId}) or by ?email=, ?username= or ?loginId=.');
    // The same login id may exist in several tenants: only a named tenant settles which user is meant.
    if (found.length > 1) throw ApiError.general('TenantIdRequired', 'Users in several tenants match: send the X-FusionAuth-TenantId header or use a tenant-scoped API key.');
    if (found[0] === undefined) throw ApiError.notFound();
    return { user: userJson(found[0], await registrations.listByUser(found[0].id)) };
  });
}
