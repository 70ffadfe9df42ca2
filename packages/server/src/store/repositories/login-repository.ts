import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { StoredPassword } from '../../identity/passwords/verify-password.ts';
import type { Database } from '../schema.ts';
import { toFailures, type LoginFailures } from './login-failure-repository.ts';
import { refreshTokenRow, type RefreshTokenRecord } from './refresh-token-repository.ts';
import { registrationRowsOfUser, toRegistration, type Registration } from './registration-repository.ts';
import { toTenant, type Tenant } from './tenant-repository.ts';
import { toUser, type User } from './user-repository.ts';

/** Everything a password login decides on, read in one statement. */
export interface LoginCandidate {
  readonly user: User;
  readonly tenant: Tenant;
  readonly failures: LoginFailures | undefined;
  readonly registrations: readonly Registration[];
  /** Whether a user action that prevents login is active (its details are read only then). */
  readonly loginPrevented: boolean;
}

/** What a successful login writes: one statement, so it needs no transaction of its own. */
export interface LoginRecord {
  readonly userId: string;
  /** The registration of this application gets the login instant too. */
  readonly applicationId: string | undefined;
  readonly instant: number;
  /** An imported or weak hash replaced at this login. */
  readonly upgradedPassword: StoredPassword | undefined;
  /** Failed attempts on record are cleared (RATE-02). */
  readonly clearFailures: boolean;
  readonly refreshToken: RefreshTokenRecord | undefined;
}

/**
 * The Login API's hot path, in two round trips around the password hash: the candidate user with its
 * tenant, lockout counter, registrations and login-preventing actions before it, the bookkeeping of
 * the success after it.
 */
/** A select column: whether a user action that prevents login is active for the `users` row at `now`. */
function loginPreventedAt(now: number) {
  return (eb: ExpressionBuilder<Database, 'users'>) =>
    eb
      .exists(
        eb
          .selectFrom('user_action_logs')
          .innerJoin('user_actions', 'user_actions.id', 'user_action_logs.user_action_id')
          .select('user_action_logs.id')
          .whereRef('user_action_logs.actionee_user_id', '=', 'users.id')
          .where('user_action_logs.expiry', '>', now)
          .where('user_actions.prevent_login', '=', true),
      )
      .as('login_prevented');
}

export function createLoginRepository(db: Kysely<Database>) {
  return {
    /**
     * Users whose email, else username, is `loginId` (case-insensitive), as FusionAuth resolves a login id:
     * an email match wins over a username match. More than one result means the login id is ambiguous
     * across tenants.
     */
    async findCandidates(loginId: string, tenantId: string | undefined, now: number): Promise<LoginCandidate[]> {
      const normalized = loginId.toLowerCase();
      let query = db
        .selectFrom('users')
        .innerJoin('tenants', 'tenants.id', 'users.tenant_id')
        .leftJoin('login_failures', 'login_failures.user_id', 'users.id')
        .selectAll('users')
        .select([
          'tenants.name as tenant_name',
          'tenants.data as tenant_data',
          'tenants.insert_instant as tenant_insert_instant',
          'tenants.last_update_instant as tenant_last_update_instant',
          'login_failures.failure_count',
          'login_failures.window_start_instant',
          'login_failures.locked_until_instant',
          sql<boolean>`lower(users.email) is not distinct from ${normalized}`.as('email_matched'),
          registrationRowsOfUser,
          loginPreventedAt(now),
        ])
        .where((eb) => eb.or([eb(sql`lower(users.email)`, '=', normalized), eb(sql`lower(users.username)`, '=', normalized)]));
      if (tenantId !== undefined) query = query.where('users.tenant_id', '=', tenantId);
      // Email matches first; three rows are enough to tell "one email match" from "ambiguous".
      const rows = await query.orderBy('email_matched', 'desc').orderBy('users.insert_instant').limit(3).execute();
      const byEmail = rows.filter((row) => row.email_matched);
      return (byEmail.length > 0 ? byEmail : rows).map((row) => ({
        user: toUser(row),
        tenant: toTenant({ id: row.tenant_id, name: row.tenant_name, data: row.tenant_data, insert_instant: row.tenant_insert_instant, last_update_instant: row.tenant_last_update_instant }),
        failures:
          row.failure_count === null || row.window_start_instant === null
            ? undefined
            : toFailures({ user_id: row.id, failure_count: row.failure_count, window_start_instant: row.window_start_instant, locked_until_instant: row.locked_until_instant }),
        registrations: row.registration_rows.map(toRegistration),
        loginPrevented: Boolean(row.login_prevented),
      }));
    },

    /** A signed-in user (an SSO session's) with their registrations, and whether a user action now prevents login. */
    async findSessionUser(userId: string, now: number): Promise<{ readonly user: User; readonly registrations: Registration[]; readonly loginPrevented: boolean } | undefined> {
      const row = await db.selectFrom('users').selectAll('users').select([registrationRowsOfUser, loginPreventedAt(now)]).where('users.id', '=', userId).executeTakeFirst();
      if (row === undefined) return undefined;
      const { registration_rows: registrationRows, login_prevented: loginPrevented, ...user } = row;
      return { user: toUser(user), registrations: registrationRows.map(toRegistration), loginPrevented: Boolean(loginPrevented) };
    },

    /**
     * Records a successful login in one statement (data-modifying CTEs run to completion whether or not
     * the main statement reads them): the user's and the registration's login instant, an upgraded
     * password hash, cleared failures, the new refresh token.
     */
    async recordSuccess(login: LoginRecord): Promise<void> {
      const { userId, instant, upgradedPassword } = login;
      const password = upgradedPassword === undefined
        ? {}
        : {
            password_hash: upgradedPassword.hash,
            password_scheme: upgradedPassword.scheme,
            password_factor: upgradedPassword.factor,
            password_salt: upgradedPassword.salt ?? null,
          };
      const writes = db
        .with('user_login', (cte) => cte.updateTable('users').set({ last_login_instant: instant, ...password }).where('id', '=', userId).returning('id'))
        .with('registration_login', (cte) =>
          cte
            .updateTable('registrations')
            .set({ last_login_instant: instant })
            .where('user_id', '=', userId)
            .where((eb) => (login.applicationId === undefined ? eb.lit(false) : eb('application_id', '=', login.applicationId)))
            .returning('id'),
        )
        .with('failures_cleared', (cte) => cte
            .deleteFrom('login_failures')
            .where((eb) => (login.clearFailures ? eb('user_id', '=', userId) : eb.lit(false)))
            .returning('user_id'),
        );
      if (login.refreshToken === undefined) await writes.selectFrom('user_login').select('id').execute();
      else await writes.insertInto('refresh_tokens').values(refreshTokenRow(login.refreshToken)).execute();
    },
  };
}

export type LoginRepository = ReturnType<typeof createLoginRepository>;
