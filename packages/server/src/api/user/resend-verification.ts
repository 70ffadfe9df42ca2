import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { issueEmailVerificationId, verifiesEmail } from '../../identity/users/email-verification.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { workflowTenantId } from './login-id-user.ts';

const querystring = {
  type: 'object',
  properties: {
    email: { type: 'string', maxLength: 191 },
    applicationId: { type: 'string', format: 'uuid' },
    sendVerifyEmail: { type: 'boolean' },
  },
} as const;

interface Route {
  Querystring: { email?: string; applicationId?: string };
}

/**
 * PUT /api/user/verify-email?email=: a new email verification id for the user with this email, replacing
 * the previous one; 200 `{"verificationId"}`, 404 for no such (active) user. Gatehouse sends no email, so
 * the id always goes back to the API caller, as FusionAuth does with `sendVerifyEmail=false`; the keyless
 * form, and tenants without `emailConfiguration.verifyEmail`, answer 403 (verification disabled).
 */
export function registerResendVerification(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.put<Route>('/user/verify-email', { config: apiKeyPolicy('optional'), schema: { querystring } }, async (request: FastifyRequest<Route>) => {
    const caller = deps.callers.find(request);
    if (caller === undefined) throw new ApiError(403);
    const email = request.query.email ?? '';
    if (email.trim() === '') throw ApiError.field('email', 'blank', 'You must specify the [email] parameter.');
    const { applicationId } = request.query;
    const now = deps.now();
    const verificationId = await deps.store.transaction(async (repositories) => {
      const found = await repositories.users.findByEmail(email, await workflowTenantId(request, caller, repositories, applicationId));
      if (found.length > 1) throw ApiError.general('TenantIdRequired', 'Users in several tenants have this email: send X-FusionAuth-TenantId or an applicationId.');
      const user = found[0];
      const tenant = user === undefined ? undefined : await repositories.tenants.find(user.tenantId);
      if (user === undefined || !user.active || user.email === undefined || tenant === undefined) return undefined;
      if (!verifiesEmail(tenant)) throw new ApiError(403);
      return issueEmailVerificationId(repositories, tenant, { ...user, email: user.email }, applicationId, now);
    });
    if (verificationId === undefined) throw ApiError.notFound();
    return { verificationId };
  });
}
