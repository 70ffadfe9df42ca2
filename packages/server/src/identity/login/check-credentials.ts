import { ApiError } from '../../errors/api-error.ts';
import type { LoginCandidate } from '../../store/repositories/login-repository.ts';
import type { UserActionLog } from '../../store/repositories/user-action-repository.ts';
import type { User } from '../../store/repositories/user-repository.ts';
import type { Store } from '../../store/store.ts';
import { lockoutStateOf, recordLoginFailure } from '../login-lockout.ts';
import { hashPassword, nativeScheme, verifyPassword, type StoredPassword } from '../passwords/verify-password.ts';

/** A login id and password that proved who the user is. The caller records the success (logins.recordSuccess). */
export interface CredentialsAccepted {
  readonly status: 'accepted';
  readonly candidate: LoginCandidate;
  /** An imported or weak hash to replace, computed while the plaintext is at hand. */
  readonly upgradedPassword: StoredPassword | undefined;
  /** Failed attempts are on record and the success must clear them (RATE-02). */
  readonly clearFailures: boolean;
}

/**
 * Why credentials were refused, in the Login API's terms: 404 unknown user or wrong password (one answer,
 * so accounts cannot be probed), 409 a user action prevents login (the password was right), 410 expired,
 * 423 locked by the tenant's failed-login policy.
 */
export type CredentialsRefused =
  | { readonly status: 404 | 410 | 423; readonly wrongPasswordOf?: User }
  | { readonly status: 409; readonly actions: readonly UserActionLog[] };

/**
 * An argon2id hash at today's parameters of 32 random bytes that were thrown away: no password matches
 * it, and checking one against it costs what a real check costs.
 */
const decoyPassword: StoredPassword = {
  hash: '$argon2id$v=19$m=19456,t=2,p=1$HUuBPdqUIC843wT1FkoAtg$Y+TDYHaab61BrL9s6aDmNeu+o3nHINBqei3CWhxBujc',
  scheme: nativeScheme,
  factor: 2,
  salt: undefined,
};

async function spendHash<T>(password: string, outcome: T): Promise<T> {
  await verifyPassword(decoyPassword, password);
  return outcome;
}

async function findCandidate(store: Store, loginId: string, tenantId: string | undefined, now: number): Promise<LoginCandidate | undefined> {
  const found = await store.repositories.logins.findCandidates(loginId, tenantId, now);
  if (found.length > 1) throw ApiError.general('TenantIdRequired', 'Users in several tenants have this login id: send X-FusionAuth-TenantId or an applicationId.');
  return found[0];
}

/**
 * The password check every login path shares (Login API, hosted login, OAuth password grant): the user by
 * email or username, the tenant's lockout, the password hash, user actions preventing login, expiry. A
 * wrong password is counted in its own transaction. The hash is checked outside any transaction
 * (argon2id takes ~10 ms and must not hold a connection).
 */
export async function checkCredentials(store: Store, loginId: string, password: string, tenantId: string | undefined, now: number): Promise<CredentialsAccepted | CredentialsRefused> {
  const candidate = await findCandidate(store, loginId, tenantId, now);
  // An unknown user, one without a password and a locked one cost the same hash as a real check, so
  // latency does not tell them apart from a wrong password (UI-H-04).
  const stored = candidate?.user.active === true ? candidate.user.password : undefined;
  if (candidate === undefined || stored === undefined) return spendHash(password, { status: 404 });
  const { user, tenant } = candidate;
  const lockout = lockoutStateOf(candidate.failures, now);
  if (lockout === 'locked') return spendHash(password, { status: 423 });

  const check = await verifyPassword(stored, password);
  if (!check.ok) {
    const policy = tenant.settings.failedAuthenticationConfiguration;
    await store.transaction((repositories) => recordLoginFailure(repositories, user.id, policy, now));
    // Known to the caller only, for the `user.login.failed` event: the reply stays the same empty 404.
    return { status: 404, wrongPasswordOf: user };
  }
  if (candidate.loginPrevented) {
    const preventing = await store.repositories.userActions.findPreventingLogin(user.id, now);
    if (preventing.length > 0) return { status: 409, actions: preventing };
  }
  if (user.expiry !== undefined && user.expiry <= now) return { status: 410 };
  const upgradedPassword = check.needsRehash ? await hashPassword(password) : undefined;
  return { status: 'accepted', candidate, upgradedPassword, clearFailures: lockout === 'failures' };
}
