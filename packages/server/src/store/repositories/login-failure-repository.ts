import type { Kysely, Selectable } from 'kysely';
import type { Database, LoginFailureTable } from '../schema.ts';

export interface LoginFailures {
  readonly userId: string;
  readonly failureCount: number;
  readonly windowStartInstant: number;
  readonly lockedUntilInstant: number | undefined;
}

export function toFailures(row: Selectable<LoginFailureTable>): LoginFailures {
  return {
    userId: row.user_id,
    failureCount: row.failure_count,
    windowStartInstant: row.window_start_instant,
    lockedUntilInstant: row.locked_until_instant ?? undefined,
  };
}

/** Failed-login counters behind the tenant's lockout policy; one row per user with recent failures. */
export function createLoginFailureRepository(db: Kysely<Database>) {
  return {
    async find(userId: string): Promise<LoginFailures | undefined> {
      const row = await db.selectFrom('login_failures').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row === undefined ? undefined : toFailures(row);
    },

    /** Inside a transaction, locks the user's counter so concurrent failures all count. */
    async findForUpdate(userId: string): Promise<LoginFailures | undefined> {
      const row = await db.selectFrom('login_failures').selectAll().where('user_id', '=', userId).forUpdate().executeTakeFirst();
      return row === undefined ? undefined : toFailures(row);
    },

    async save(failures: LoginFailures): Promise<void> {
      const values = {
        user_id: failures.userId,
        failure_count: failures.failureCount,
        window_start_instant: failures.windowStartInstant,
        locked_until_instant: failures.lockedUntilInstant ?? null,
      };
      await db
        .insertInto('login_failures')
        .values(values)
        .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ ...values }))
        .execute();
    },

    async clear(userId: string): Promise<void> {
      await db.deleteFrom('login_failures').where('user_id', '=', userId).execute();
    },
  };
}

export type LoginFailureRepository = ReturnType<typeof createLoginFailureRepository>;
