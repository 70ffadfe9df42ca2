import { ApiError } from '../../errors/api-error.ts';
import type { Application } from '../../store/repositories/application-repository.ts';
import type { Registration } from '../../store/repositories/registration-repository.ts';
import type { Tenant } from '../../store/repositories/tenant-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { SettingsCache } from '../../tenancy/settings-cache.ts';
import type { Store } from '../../store/store.ts';
import { newRefreshToken, type IssuedRefreshToken } from '../refresh-tokens.ts';
import { checkCredentials, type CredentialsRefused } from './check-credentials.ts';
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
  /** All of the user's registrations, as the response shows them. */
  readonly registrations: readonly Registration[];
  readonly refreshToken: IssuedRefreshToken | undefined;
};

/** The Login API's refusals (see CredentialsRefused): 404, 409 with the preventing actions, 410, 423. */
export type LoginFailure = CredentialsRefused;

/** What a login reads from: the store, and applications through the settings cache (a few seconds per node). */
export interface AuthenticateDeps {
  readonly store: Store;
  readonly settings: Pick<SettingsCache, 'application'>;
}

async function loginApplication(settings: AuthenticateDeps['settings'], request: LoginRequest, caller: LoginCaller): Promise<Application | undefined> {
  if (request.applicationId === undefined) return undefined;
  const application = await settings.application(request.applicationId);
  if (application === undefined || !application.active || (caller.tenantScope !== undefined && application.tenantId !== caller.tenantScope)) {
    throw ApiError.field('applicationId', 'invalid', `No active application has the id ${request.applicationId}.`);
  }
  return application;
}

/**
 * The Login API's decision, in two statements around the password hash (see login-repository.ts and
 * check-credentials.ts); a success is recorded in one statement.
 */
export async function authenticate(deps: AuthenticateDeps, request: LoginRequest, caller: LoginCaller, now: number): Promise<LoginSuccess | LoginFailure> {
  const { store } = deps;
  const application = await loginApplication(deps.settings, request, caller);
  // FusionAuth: an API key is required unless the application's loginConfiguration says otherwise.
  if (!caller.withApiKey && application?.settings.loginConfiguration.requireAuthentication !== false) throw ApiError.unauthorized();

  const checked = await checkCredentials(store, request.loginId, request.password, application?.tenantId ?? caller.tenantScope, now);
  if (checked.status !== 'accepted') return checked;
  const { candidate, upgradedPassword } = checked;
  const { user, tenant } = candidate;

  const registrations = candidate.registrations.map((registration) => (registration.applicationId === application?.id ? { ...registration, lastLoginInstant: now } : registration));
  const registration = registrations.find((candidateRegistration) => candidateRegistration.applicationId === application?.id);
  const refreshWanted = registration !== undefined && !request.noJWT && application?.settings.loginConfiguration.generateRefreshTokens === true;
  const refreshToken = refreshWanted
    ? newRefreshToken(
        { tenantId: user.tenantId, userId: user.id, applicationId: application?.id, metaData: { device: request.metaData?.device ?? {}, scopes: [] } },
        effectiveJwtConfiguration(tenant, application),
        now,
      )
    : undefined;
  await store.repositories.logins.recordSuccess({
    userId: user.id,
    applicationId: registration?.applicationId,
    instant: now,
    upgradedPassword,
    clearFailures: checked.clearFailures,
    refreshToken: refreshToken?.record,
  });
  const loggedIn: User = { ...user, lastLoginInstant: now, ...(upgradedPassword === undefined ? {} : { password: upgradedPassword }) };
  const status = user.passwordChangeRequired ? 203 : application !== undefined && registration === undefined ? 202 : 200;
  return { status, tenant, user: loggedIn, application, registration, registrations, refreshToken };
}
