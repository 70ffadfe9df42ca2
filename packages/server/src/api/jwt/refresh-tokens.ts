import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { hashRefreshToken } from '../../oauth/tokens/refresh-token-value.ts';
import type { RefreshTokenRecord, RefreshTokenSelector } from '../../store/repositories/refresh-token-repository.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { requestTenantId } from '../tenant-scope.ts';

/** FusionAuth's RefreshToken object, without the token value (only its hash is stored). */
function refreshTokenJson(record: RefreshTokenRecord) {
  return {
    id: record.id,
    userId: record.userId,
    ...(record.applicationId === undefined ? {} : { applicationId: record.applicationId }),
    tenantId: record.tenantId,
    startInstant: record.startInstant,
    insertInstant: record.insertInstant,
    metaData: record.metaData,
  };
}

const uuid = { type: 'string', format: 'uuid' } as const;
type Query = { userId?: string; applicationId?: string; token?: string };

/**
 * GET /api/jwt/refresh?userId= and /api/jwt/refresh/{tokenId}; DELETE by id, ?token=, ?userId=
 * (optionally with ?applicationId=) or ?applicationId=. A tenant-scoped caller only reaches its tenant's tokens.
 */
export function registerRefreshTokens(app: FastifyInstance, deps: { store: Store; callers: ApiCallers }) {
  const { refreshTokens } = deps.store.repositories;
  const visible = (request: FastifyRequest, record: RefreshTokenRecord | undefined) => {
    const scope = requestTenantId(request, deps.callers.get(request));
    return record !== undefined && (scope === undefined || record.tenantId === scope) ? record : undefined;
  };

  app.get('/jwt/refresh', { schema: { querystring: { type: 'object', required: ['userId'], properties: { userId: uuid } } } }, async (request: FastifyRequest<{ Querystring: { userId: string } }>) => {
    const records = await refreshTokens.listByUser(request.query.userId);
    return { refreshTokens: records.filter((record) => visible(request, record) !== undefined).map(refreshTokenJson) };
  });

  app.get('/jwt/refresh/:tokenId', { schema: { params: { type: 'object', properties: { tokenId: uuid } } } }, async (request: FastifyRequest<{ Params: { tokenId: string } }>) => {
    const record = visible(request, await refreshTokens.find(request.params.tokenId));
    if (record === undefined) throw ApiError.notFound();
    return { refreshToken: refreshTokenJson(record) };
  });

  app.delete('/jwt/refresh/:tokenId', { schema: { params: { type: 'object', properties: { tokenId: uuid } } } }, async (request: FastifyRequest<{ Params: { tokenId: string } }>, reply: FastifyReply) => {
    const record = visible(request, await refreshTokens.find(request.params.tokenId));
    if (record === undefined) throw ApiError.notFound();
    await refreshTokens.delete({ id: record.id });
    return reply.code(200).send();
  });

  const deleteQuery = { type: 'object', properties: { userId: uuid, applicationId: uuid, token: { type: 'string', maxLength: 512 } } } as const;
  app.delete('/jwt/refresh', { schema: { querystring: deleteQuery } }, async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
    const { userId, applicationId, token } = request.query;
    let selector: RefreshTokenSelector;
    if (token !== undefined) selector = { tokenHash: hashRefreshToken(token) };
    else if (userId !== undefined) selector = { userId, applicationId };
    else if (applicationId !== undefined) selector = { applicationId };
    else throw ApiError.field('userId', 'blank', 'Name the tokens to revoke: ?token=, ?userId= (and ?applicationId=) or ?applicationId=.');
    const scope = requestTenantId(request, deps.callers.get(request));
    await deps.store.transaction(async (repositories) => {
      if (scope !== undefined) {
        const owner = userId === undefined ? undefined : await repositories.users.find(userId);
        const application = applicationId === undefined ? undefined : await repositories.applications.find(applicationId);
        if ((owner !== undefined && owner.tenantId !== scope) || (application !== undefined && application.tenantId !== scope)) throw ApiError.notFound();
      }
      await repositories.refreshTokens.delete(selector);
    });
    return reply.code(200).send();
  });
}
