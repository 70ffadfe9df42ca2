import { sql, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { StoredPassword } from '../../identity/passwords/verify-password.ts';
import type { UserProfile } from '../../identity/users/user-profile.ts';
import type { Database, RegistrationTable, UserTable } from '../schema.ts';
import { likePattern } from '../like-pattern.ts';
import { rethrowDuplicate } from '../store-errors.ts';
import { registrationRowsOfUser, toRegistration, type Registration } from './registration-repository.ts';

export interface User {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string | undefined;
  readonly username: string | undefined;
  readonly password: StoredPassword | undefined;
  readonly passwordChangeRequired: boolean;
  readonly passwordLastUpdateInstant: number | undefined;
  readonly active: boolean;
  readonly verified: boolean;
  /** When the email was first verified (FusionAuth: never changes afterwards). */
  readonly verifiedInstant?: number | undefined;
  readonly profile: UserProfile;
  readonly expiry: number | undefined;
  readonly lastLoginInstant: number | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export interface UserSearch {
  /** Limits the search to one tenant; undefined searches every tenant (a global key with no tenant named). */
  readonly tenantId: string | undefined;
  /** Case-insensitive match on email, username and names; `*` is a wildcard, `*` alone (or '') matches all. */
  readonly queryString?: string;
  readonly ids?: readonly string[];
  readonly startRow: number;
  readonly numberOfResults: number;
}

/** Rows per INSERT in insertMany: 17 columns stays far below PostgreSQL's 65,535 bind parameters. */
const insertBatch = 1000;

export function toUser(row: Selectable<UserTable>): User {
  const password: StoredPassword | undefined =
    row.password_hash === null || row.password_scheme === null
      ? undefined
      : { hash: row.password_hash, scheme: row.password_scheme, factor: row.password_factor ?? 0, salt: row.password_salt ?? undefined };
  return {
    id: row.id,
    tenantId: row.tenant_id,
    email: row.email ?? undefined,
    username: row.username ?? undefined,
    password,
    passwordChangeRequired: row.password_change_required,
    passwordLastUpdateInstant: row.password_last_update_instant ?? undefined,
    active: row.active,
    verified: row.verified,
    ...(row.verified_instant === null ? {} : { verifiedInstant: row.verified_instant }),
    profile: row.data as unknown as UserProfile,
    expiry: row.expiry ?? undefined,
    lastLoginInstant: row.last_login_instant ?? undefined,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function toRow(user: User) {
  return {
    id: user.id,
    tenant_id: user.tenantId,
    email: user.email ?? null,
    username: user.username ?? null,
    password_hash: user.password?.hash ?? null,
    password_scheme: user.password?.scheme ?? null,
    password_factor: user.password?.factor ?? null,
    password_salt: user.password?.salt ?? null,
    password_change_required: user.passwordChangeRequired,
    password_last_update_instant: user.passwordLastUpdateInstant ?? null,
    active: user.active,
    verified: user.verified,
    verified_instant: user.verifiedInstant ?? null,
    data: JSON.stringify(user.profile),
    expiry: user.expiry ?? null,
    last_login_instant: user.lastLoginInstant ?? null,
    insert_instant: user.insertInstant,
    last_update_instant: user.lastUpdateInstant,
  };
}

function searchFilter(search: UserSearch) {
  return (eb: ExpressionBuilder<Database, 'users'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [];
    if (search.tenantId !== undefined) conditions.push(eb('tenant_id', '=', search.tenantId));
    if (search.ids !== undefined) conditions.push(search.ids.length === 0 ? sql<boolean>`false` : eb('id', 'in', [...search.ids]));
    const query = search.queryString?.trim() ?? '';
    if (query !== '' && !/^\*+$/.test(query)) {
      const pattern = likePattern(query);
      const matches = (expression: Expression<unknown>) => sql<boolean>`lower(${expression}) like ${pattern}`;
      conditions.push(
        eb.or([
          matches(eb.ref('email')),
          matches(eb.ref('username')),
          ...['firstName', 'lastName', 'fullName', 'middleName'].map((name) => matches(sql`data ->> ${name}`)),
        ]),
      );
    }
    return eb.and(conditions);
  };
}

export function createUserRepository(db: Kysely<Database>) {
  /** Users whose login id column matches case-insensitively: one tenant's, or every tenant's. */
  async function findByColumn(column: 'email' | 'username', value: string, tenantId: string | undefined): Promise<User[]> {
    let query = db.selectFrom('users').selectAll().where(sql<string>`lower(${sql.ref(column)})`, '=', value.toLowerCase());
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
    return (await query.orderBy('insert_instant').limit(2).execute()).map(toUser);
  }

  return {
    async find(id: string): Promise<User | undefined> {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },

    /** The user with its registrations in one round trip (the user-retrieve hot path). */
    async findWithRegistrations(id: string): Promise<{ user: User; registrations: Registration[] } | undefined> {
      const row = await db
        .selectFrom('users')
        .selectAll('users')
        .select(registrationRowsOfUser)
        .where('users.id', '=', id)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const { registration_rows: registrationRows, ...user } = row;
      return { user: toUser(user), registrations: registrationRows.map(toRegistration) };
    },

    /** At most two matches: a second one (in another tenant) tells the caller the lookup was ambiguous. */
    findByEmail: (email: string, tenantId: string | undefined) => findByColumn('email', email, tenantId),
    findByUsername: (username: string, tenantId: string | undefined) => findByColumn('username', username, tenantId),

    /** Email first, then username, as FusionAuth resolves a login id. At most two matches (see findByEmail). */
    async findByLoginId(loginId: string, tenantId: string | undefined): Promise<User[]> {
      const byEmail = await findByColumn('email', loginId, tenantId);
      return byEmail.length > 0 ? byEmail : findByColumn('username', loginId, tenantId);
    },

    /** Throws DuplicateError (users_pkey, users_email_key, users_username_key) when a unique rule breaks. */
    async insert(user: User): Promise<void> {
      await rethrowDuplicate(db.insertInto('users').values(toRow(user)).execute());
    },

    /** Many users, all or none: runs in its own transaction unless the caller's already holds one. */
    async insertMany(users: readonly User[]): Promise<void> {
      const write = async (executor: Kysely<Database>) => {
        for (let start = 0; start < users.length; start += insertBatch) {
          await rethrowDuplicate(executor.insertInto('users').values(users.slice(start, start + insertBatch).map(toRow)).execute());
        }
      };
      if (db.isTransaction) await write(db);
      else await db.transaction().execute(write);
    },

    /** Replaces every column but id, tenant and insert instant; throws DuplicateError like insert. */
    async update(user: User): Promise<void> {
      const { id: _id, tenant_id: _tenant, insert_instant: _inserted, ...changes } = toRow(user);
      await rethrowDuplicate(db.updateTable('users').set(changes).where('id', '=', user.id).execute());
    },

    /** Deletes the user (and, by cascade, what hangs off it); returns whether it existed. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** One page of matches in insertion order, and how many match in all. */
    async search(search: UserSearch): Promise<{ users: User[]; total: number }> {
      const filter = searchFilter(search);
      const [rows, counted] = await Promise.all([
        db.selectFrom('users').selectAll().where(filter).orderBy('insert_instant').orderBy('id').offset(search.startRow).limit(search.numberOfResults).execute(),
        db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('total')).where(filter).executeTakeFirstOrThrow(),
      ]);
      return { users: rows.map(toUser), total: counted.total };
    },

    /** Which of these ids, emails and usernames are already taken in the tenant (case-insensitive). */
    async findTaken(tenantId: string, ids: readonly string[], emails: readonly string[], usernames: readonly string[]) {
      const lower = (values: readonly string[]) => [...new Set(values.map((value) => value.toLowerCase()))];
      const [byId, byEmail, byUsername] = await Promise.all([
        ids.length === 0 ? [] : db.selectFrom('users').select('id').where('id', 'in', [...ids]).execute(),
        emails.length === 0 ? [] : db.selectFrom('users').select('email').where('tenant_id', '=', tenantId).where(sql<string>`lower(email)`, 'in', lower(emails)).execute(),
        usernames.length === 0 ? [] : db.selectFrom('users').select('username').where('tenant_id', '=', tenantId).where(sql<string>`lower(username)`, 'in', lower(usernames)).execute(),
      ]);
      return {
        ids: byId.map((row) => row.id),
        emails: byEmail.flatMap((row) => (row.email === null ? [] : [row.email])),
        usernames: byUsername.flatMap((row) => (row.username === null ? [] : [row.username])),
      };
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
