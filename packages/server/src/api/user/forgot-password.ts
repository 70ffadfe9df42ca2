import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { issueChangePasswordId } from '../../identity/passwords/change-password-ids.ts';
import { DuplicateError } from '../../store/store-errors.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { findWorkflowUser } from './login-id-user.ts';

const body = {
  type: 'object',
  properties: {
    loginId: { type: 'string', maxLength: 191 },
    loginIdTypes: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 64 } },
    // Deprecated FusionAuth spellings of loginId.
    email: { type: 'string', maxLength: 191 },
    username: { type: 'string', maxLength: 191 },
    applicationId: { type: 'string', format: 'uuid' },
    changePasswordId: { type: 'string', minLength: 1, maxLength: 255 },
    sendForgotPasswordEmail: { type: 'boolean' },
    sendForgotPasswordMessage: { type: 'boolean' },
    state: { type: 'object' },
  },
} as const;

interface ForgotPassword {
  readonly loginId?: string;
  readonly email?: string;
  readonly username?: string;
  readonly applicationId?: string;
  readonly changePasswordId?: string;
  readonly state?: Record<string, unknown>;
}

/**
 * POST /api/user/forgot-password: starts FusionAuth's Forgot Password workflow and returns the
 * `changePasswordId` (404 for an unknown or deactivated user). Gatehouse sends no email, so the id always
 * goes back to the API caller, as FusionAuth does with `sendForgotPasswordEmail: false`; without an API key
 * nobody could receive it, so the keyless form answers 403, FusionAuth's "forgot password is disabled".
 */
export function registerForgotPassword(app: FastifyInstance, deps: { store: Store; callers: ApiCallers; now: () => number }) {
  app.post('/user/forgot-password', { config: apiKeyPolicy('optional'), schema: { body } }, async (request: FastifyRequest<{ Body: ForgotPassword | undefined }>) => {
    const caller = deps.callers.find(request);
    if (caller === undefined) throw new ApiError(403);
    const input = request.body ?? {};
    const loginId = input.loginId ?? input.email ?? input.username ?? '';
    if (loginId.trim() === '') throw ApiError.field('loginId', 'blank', 'You must specify the [loginId] property.');
    const now = deps.now();
    const changePasswordId = await deps.store.transaction(async (repositories) => {
      const user = await findWorkflowUser(request, caller, repositories, loginId, input.applicationId);
      const tenant = user === undefined ? undefined : await repositories.tenants.find(user.tenantId);
      if (user === undefined || tenant === undefined) return undefined;
      const options = { applicationId: input.applicationId, state: input.state, value: input.changePasswordId };
      return issueChangePasswordId(repositories, tenant, user, options, now).catch((error: unknown) => {
        if (error instanceof DuplicateError) throw ApiError.field('changePasswordId', 'duplicate', 'This change password id is already in use.');
        throw error;
      });
    });
    if (changePasswordId === undefined) throw ApiError.notFound();
    return { changePasswordId };
  });
}
