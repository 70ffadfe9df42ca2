import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, FieldErrors } from '../../errors/api-error.ts';
import { changePassword, checkNewPassword } from '../../identity/passwords/change-password.ts';
import { consumeChangePasswordId, findChangePasswordId } from '../../identity/passwords/change-password-ids.ts';
import { hashPassword, verifyPassword } from '../../identity/passwords/verify-password.ts';
import type { SigningKeys } from '../../keys/signing-keys.ts';
import { verifyAccessToken } from '../../oauth/tokens/verify-access-token.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import type { ApiCallers } from '../api-callers.ts';
import { apiKeyPolicy } from '../authenticate-api-key.ts';
import { bearerToken } from '../jwt/request-credentials.ts';
import { findWorkflowUser } from './login-id-user.ts';

const body = {
  type: 'object',
  properties: {
    changePasswordId: { type: 'string', maxLength: 255 },
    loginId: { type: 'string', maxLength: 191 },
    loginIdTypes: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 64 } },
    applicationId: { type: 'string', format: 'uuid' },
    currentPassword: { type: 'string', maxLength: 1024 },
    password: { type: 'string', maxLength: 1024 },
    refreshToken: { type: 'string', maxLength: 512 },
    trustChallenge: { type: 'string', maxLength: 1024 },
    trustToken: { type: 'string', maxLength: 1024 },
  },
} as const;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const params = { type: 'object', required: ['changePasswordId'], properties: { changePasswordId: { type: 'string', maxLength: 255 } } } as const;

interface ChangePasswordRequest {
  readonly changePasswordId?: string;
  readonly loginId?: string;
  readonly applicationId?: string;
  readonly currentPassword?: string;
  readonly password?: string;
}

interface Route {
  Body: ChangePasswordRequest | undefined;
  Params: { changePasswordId?: string };
}

interface Deps {
  readonly store: Store;
  readonly signingKeys: SigningKeys;
  readonly callers: ApiCallers;
  readonly now: () => number;
}

/** How a form of the API answers a user it cannot find and a wrong `currentPassword`. */
interface Form {
  readonly needsCurrent: boolean;
  readonly unknownUser: () => ApiError;
  readonly wrongCurrent: () => ApiError;
  readonly changePasswordId?: string;
}

/** The new password, present and following the tenant's rules; currentPassword too when `needsCurrent`. */
function checkPasswords(input: ChangePasswordRequest, tenant: Tenant | undefined, needsCurrent: boolean): string {
  const errors = new FieldErrors();
  const password = input.password ?? '';
  if (password === '') errors.add('password', 'blank', 'You must specify the [password] property.');
  else if (tenant !== undefined) checkNewPassword(password, tenant, errors);
  if (needsCurrent && (input.currentPassword ?? '') === '') errors.add('currentPassword', 'blank', 'You must specify the [currentPassword] property.');
  errors.throwIfAny();
  return password;
}

/** Whether `currentPassword`, when the request sends one, is the user's password. */
async function currentPasswordMatches(user: User, input: ChangePasswordRequest): Promise<boolean> {
  if (input.currentPassword === undefined) return true;
  return user.password !== undefined && (await verifyPassword(user.password, input.currentPassword)).ok;
}

/**
 * POST /api/user/change-password[/{changePasswordId}], FusionAuth's Change Password API, in its three forms:
 * - a `changePasswordId` (body, else URL; no API key): 404 when unknown, expired, used, or when a sent
 *   `currentPassword` does not match; 200 `{state?}` (the Forgot Password request's state);
 * - `loginId` with an API key: `[invalid]loginId` and `[invalid]currentPassword` (400); 200 with no body;
 * - a JWT (`Authorization: Bearer`) with `currentPassword`: 404 when it does not match; 200 `{}`.
 * `[invalid]` when the request names no user. Gatehouse has no one-time-password login, so no
 * `oneTimePassword` is returned.
 */
export function registerChangePassword(app: FastifyInstance, deps: Deps) {
  /** Checks, hashes outside any transaction, then stores the change; undefined when the id was used meanwhile. */
  async function change(user: User, tenant: Tenant, password: string, changePasswordId: string | undefined) {
    const hashed = await hashPassword(password);
    const now = deps.now();
    return deps.store.transaction(async (repositories) => {
      const used = changePasswordId === undefined ? undefined : await consumeChangePasswordId(repositories, changePasswordId, now);
      if (changePasswordId !== undefined && used?.userId !== user.id) return undefined;
      const current = await repositories.users.find(user.id);
      if (current === undefined) return undefined;
      await changePassword(repositories, tenant, current, { password: hashed, provesEmail: used !== undefined }, now);
      return { state: used?.state };
    });
  }

  /** The steps every form shares once it knows which user is meant. */
  async function complete(input: ChangePasswordRequest, user: User | undefined, form: Form) {
    const tenant = user?.active === true ? await deps.store.repositories.tenants.find(user.tenantId) : undefined;
    if (user === undefined || tenant === undefined) throw form.unknownUser();
    const password = checkPasswords(input, tenant, form.needsCurrent);
    if (!(await currentPasswordMatches(user, input))) throw form.wrongCurrent();
    const changed = await change(user, tenant, password, form.changePasswordId);
    if (changed === undefined) throw form.unknownUser();
    return changed;
  }

  async function withId(input: ChangePasswordRequest, changePasswordId: string, reply: FastifyReply) {
    checkPasswords(input, undefined, false);
    const { repositories } = deps.store;
    const record = await findChangePasswordId(repositories, changePasswordId, deps.now());
    const user = record === undefined ? undefined : await repositories.users.find(record.userId);
    const changed = await complete(input, user, { needsCurrent: false, unknownUser: ApiError.notFound, wrongCurrent: ApiError.notFound, changePasswordId });
    return reply.send(changed.state === undefined ? {} : { state: changed.state });
  }

  async function withLoginId(request: FastifyRequest<Route>, input: ChangePasswordRequest, loginId: string, reply: FastifyReply) {
    const caller = deps.callers.find(request);
    if (caller === undefined) throw ApiError.unauthorized();
    checkPasswords(input, undefined, false);
    const user = await findWorkflowUser(request, caller, deps.store.repositories, loginId, input.applicationId);
    await complete(input, user, {
      needsCurrent: false,
      unknownUser: () => ApiError.field('loginId', 'invalid', 'No user has this login id.'),
      wrongCurrent: () => ApiError.field('currentPassword', 'invalid', 'The current password is not correct.'),
    });
    return reply.send();
  }

  async function withJwt(input: ChangePasswordRequest, jwt: string, reply: FastifyReply) {
    const claims = await verifyAccessToken(deps.signingKeys, jwt, deps.now());
    if (claims === undefined || typeof claims.sub !== 'string') throw ApiError.unauthorized();
    checkPasswords(input, undefined, true);
    const user = uuid.test(claims.sub) ? await deps.store.repositories.users.find(claims.sub) : undefined;
    await complete(input, user, { needsCurrent: true, unknownUser: ApiError.notFound, wrongCurrent: ApiError.notFound });
    return reply.send({});
  }

  const handler = async (request: FastifyRequest<Route>, reply: FastifyReply) => {
    const input = request.body ?? {};
    // FusionAuth: the body's id wins over the URL's.
    const changePasswordId = input.changePasswordId || request.params.changePasswordId;
    if (changePasswordId !== undefined && changePasswordId !== '') return withId(input, changePasswordId, reply);
    if (input.loginId !== undefined && input.loginId !== '') return withLoginId(request, input, input.loginId, reply);
    const jwt = deps.callers.find(request) === undefined ? bearerToken(request) : undefined;
    if (jwt !== undefined) return withJwt(input, jwt, reply);
    throw ApiError.general('invalid', 'Send a [changePasswordId], a [loginId] with an API key, or a JWT in the Authorization header.');
  };
  const config = apiKeyPolicy('optional');
  app.post<Route>('/user/change-password', { config, schema: { body } }, handler);
  app.post<Route>('/user/change-password/:changePasswordId', { config, schema: { body, params } }, handler);
}
