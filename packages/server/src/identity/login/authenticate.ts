import { ApiError } from '../../errors/api-error.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import { clearLoginFailures, lockoutState, recordLoginFailure } from '../login-lockout.ts';
import { hashPassword, verifyPassword } from '../passwords/verify-password.ts';
import { issueRefreshToken, type IssuedRefreshToken } from '../refresh-tokens.ts';
import type { LoginRequest } from './login-request.ts';
import { effectiveJwtConfiguration } from './token-settings.ts';

export interface LoginCaller {
  /** Whether an API key authenticated the call. */
  readonly withApiKey: boolean;
  /** The tenant the key or X-FusionAuth-TenantId limits the call to. */
  readonly tenantScope: string | undefined;
}

/** FusionAuth's Login API status codes: 200 ok, 202 not registered, 203 password change required. */
export type LoginSuccess = {
  readonly status: 200 | 202 | 203;
  readonly tenant: Tenant;
  readonly user: User;
  readonly application: Application | undefined;
  readonly registration: Registration | undefined;
  readonly refreshToken: IssuedRefreshToken | undefined;
};

/** 404 unknown user or wrong password (the same answer, so accounts cannot be probed); 410 expired; 423 locked. */
export type LoginFailure = { readonly status: 404 | 410 | 423 };

async function loginApplication(store: Store, request: LoginRequest, caller: LoginCaller): Promise<Application | undefined> {
  if (request.applicationId === undefined) return undefined;
  const application = await store.repositories.applications.find(request.applicationId);
  if (application === undefined || !application.active || (caller.tenantScope !== undefined && application.tenantId !== caller.tenantScope)) {
    throw ApiError.field('applicationId', 'invalid', `No active application has the id ${request.applicationId}.`);
  }
  return application;
}

async function findUser(store: Store, loginId: string, tenantId: string | undefined): Promise<User | undefined> {
  const found = await store.repositories.users.findByLoginId(loginId, tenantId);
  if (found.length > 1) throw ApiError.general('TenantIdRequired', 'Users in several tenants have this login id: send X-FusionAuth-TenantId or an applicationId.');
  return found[0];
}

/**
 * The Login API's decision. The password is checked outside any transaction (argon2id takes ~10 ms and
 * must not hold a connection); the bookkeeping of the outcome is one transaction.
 */
export async function authenticate(store: Store, request: LoginRequest, caller: LoginCaller, now: number): Promise<LoginSuccess | LoginFailure> {
  const application = await loginApplication(store, request, caller);
  // FusionAuth: an API key is required unless the application's loginConfiguration says otherwise.
  if (!caller.withApiKey && application?.settings.loginConfiguration.requireAuthentication !== false) throw ApiError.unauthorized();

  const user = await findUser(store, request.loginId, application?.tenantId ?? caller.tenantScope);
  if (user === undefined || !user.active || user.password === undefined) return { status: 404 };
  const tenant = await store.repositories.tenants.find(user.tenantId);
  if (tenant === undefined) return { status: 404 };
  const lockout = await lockoutState(store.repositories, user.id, now);
  if (lockout === 'locked') return { status: 423 };

  const check = await verifyPassword(user.password, request.password);
  if (!check.ok) {
    const policy = tenant.settings.failedAuthenticationConfiguration;
    await store.transaction((repositories) => recordLoginFailure(repositories, user.id, policy, now));
    return { status: 404 };
  }
  if (user.expiry !== undefined && user.expiry <= now) return { status: 410 };
  // Imported hashes are upgraded to argon2id at the first successful login, while the plaintext is at hand.
  const upgraded = check.needsRehash ? await hashPassword(request.password) : undefined;

  return store.transaction(async (repositories) => {
    if (lockout === 'failures') await clearLoginFailures(repositories, user.id);
    const loggedIn: User = { ...user, lastLoginInstant: now, ...(upgraded === undefined ? {} : { password: upgraded }) };
    await repositories.users.update(loggedIn);
    const registration = application === undefined ? undefined : await repositories.registrations.find(user.id, application.id);
    if (registration !== undefined) await repositories.registrations.recordLogin(registration.id, now);
    const refreshWanted = registration !== undefined && !request.noJWT && application?.settings.loginConfiguration.generateRefreshTokens === true;
    const refreshToken = refreshWanted
      ? await issueRefreshToken(
          repositories,
          { tenantId: user.tenantId, userId: user.id, applicationId: application?.id, metaData: { device: request.metaData?.device ?? {}, scopes: [] } },
          effectiveJwtConfiguration(tenant, application),
          now,
        )
      : undefined;
    const status = user.passwordChangeRequired ? 203 : application !== undefined && registration === undefined ? 202 : 200;
    return { status, tenant, user: loggedIn, application, registration, refreshToken };
  });
}
