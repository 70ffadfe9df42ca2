import { sql, type Kysely, type Selectable } from 'kysely';
import type { UserActionSettings } from '../../identity/user-actions/user-action-schema.ts';
import type { Database, UserActionLogTable, UserActionTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

/** A user action definition (FusionAuth's UserAction): global, not tenant-scoped. */
export interface UserAction {
  readonly id: string;
  readonly name: string;
  readonly active: boolean;
  readonly preventLogin: boolean;
  readonly temporal: boolean;
  readonly settings: UserActionSettings;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/** The state of an action before one modification or cancel (FusionAuth's history item). */
export interface ActionHistoryItem {
  readonly actionerUserId: string | undefined;
  readonly comment: string | undefined;
  readonly createInstant: number;
  readonly expiry: number | undefined;
}

/** An action taken on a user (FusionAuth's UserActionLog). */
export interface UserActionLog {
  readonly id: string;
  readonly userActionId: string;
  readonly actioneeUserId: string;
  readonly actionerUserId: string | undefined;
  readonly applicationIds: readonly string[];
  readonly comment: string | undefined;
  /** Undefined for an instantaneous action; a temporal one is active while this is in the future. */
  readonly expiry: number | undefined;
  readonly name: string;
  readonly localizedName: string | undefined;
  readonly option: string | undefined;
  readonly localizedOption: string | undefined;
  readonly emailUserOnEnd: boolean;
  readonly notifyUserOnEnd: boolean;
  readonly endEventSent: boolean | undefined;
  readonly history: readonly ActionHistoryItem[];
  readonly createInstant: number;
  /** The instant of the last take, modify or cancel, as FusionAuth's insertInstant. */
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

/** Which of a user's actions to list: FusionAuth's `active` (true/false/absent) and `preventingLogin`. */
export type ActionLogFilter = 'all' | 'active' | 'inactive' | 'preventingLogin';

/**
 * FusionAuth's "forever" expiry is Java's Long.MAX_VALUE, which a JavaScript number cannot hold (it
 * reads as 2^63, beyond bigint). It is stored as the largest safe integer and read back as 2^63, which
 * is the value a JavaScript client sent and the one JSON.stringify writes.
 */
export const foreverExpiry = 2 ** 63;
const storedForever = Number.MAX_SAFE_INTEGER;
const storeExpiry = (expiry: number | undefined) => (expiry === undefined ? null : Math.min(expiry, storedForever));
const readExpiry = (expiry: number | null | undefined) => (expiry === null || expiry === undefined ? undefined : expiry >= storedForever ? foreverExpiry : expiry);

function toUserAction(row: Selectable<UserActionTable>): UserAction {
  return {
    id: row.id,
    name: row.name,
    active: row.active,
    preventLogin: row.prevent_login,
    temporal: row.temporal,
    settings: row.data as unknown as UserActionSettings,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

function actionChanges(action: UserAction) {
  return {
    name: action.name,
    prevent_login: action.preventLogin,
    temporal: action.temporal,
    data: JSON.stringify(action.settings),
    last_update_instant: action.lastUpdateInstant,
  };
}

function toLog(row: Selectable<UserActionLogTable>): UserActionLog {
  return {
    id: row.id,
    userActionId: row.user_action_id,
    actioneeUserId: row.actionee_user_id,
    actionerUserId: row.actioner_user_id ?? undefined,
    applicationIds: row.application_ids,
    comment: row.comment ?? undefined,
    expiry: readExpiry(row.expiry),
    name: row.name,
    localizedName: row.localized_name ?? undefined,
    option: row.option ?? undefined,
    localizedOption: row.localized_option ?? undefined,
    emailUserOnEnd: row.email_user_on_end,
    notifyUserOnEnd: row.notify_user_on_end,
    endEventSent: row.end_event_sent ?? undefined,
    history: (row.history as unknown as ActionHistoryItem[]).map((item) => ({ ...item, expiry: readExpiry(item.expiry) })),
    createInstant: row.create_instant,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
  };
}

/** The columns a modify or cancel changes. */
function logChanges(log: UserActionLog) {
  return {
    actioner_user_id: log.actionerUserId ?? null,
    comment: log.comment ?? null,
    expiry: storeExpiry(log.expiry),
    email_user_on_end: log.emailUserOnEnd,
    notify_user_on_end: log.notifyUserOnEnd,
    end_event_sent: log.endEventSent ?? null,
    history: JSON.stringify(log.history.map((item) => ({ ...item, expiry: storeExpiry(item.expiry) }))),
    insert_instant: log.insertInstant,
    last_update_instant: log.lastUpdateInstant,
  };
}

export function createUserActionRepository(db: Kysely<Database>) {
  const logs = () => db.selectFrom('user_action_logs').selectAll('user_action_logs');

  return {
    async find(id: string): Promise<UserAction | undefined> {
      const row = await db.selectFrom('user_actions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toUserAction(row);
    },

    /** Active or inactive actions by name (code point order, the same on both backends). */
    async list(active: boolean): Promise<UserAction[]> {
      const rows = await db.selectFrom('user_actions').selectAll().where('active', '=', active).orderBy(sql`name collate "C"`).orderBy('id').execute();
      return rows.map(toUserAction);
    },

    /** Throws DuplicateError (user_actions_pkey, user_actions_name_key). */
    async insert(action: UserAction): Promise<void> {
      await rethrowDuplicate(
        db.insertInto('user_actions').values({ id: action.id, active: action.active, insert_instant: action.insertInstant, ...actionChanges(action) }).execute(),
      );
    },

    /** Replaces name, flags and settings (not the state); returns whether it exists. Throws DuplicateError (user_actions_name_key). */
    async update(action: UserAction): Promise<boolean> {
      const result = await rethrowDuplicate(db.updateTable('user_actions').set(actionChanges(action)).where('id', '=', action.id).executeTakeFirst());
      return result.numUpdatedRows > 0n;
    },

    async setActive(id: string, active: boolean, instant: number): Promise<boolean> {
      const result = await db.updateTable('user_actions').set({ active, last_update_instant: instant }).where('id', '=', id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Deletes the action and (by cascade) every time it was taken; returns whether it existed. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('user_actions').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Locks the user's row until the transaction ends, so that two takes of one action cannot both pass the duplicate check. */
    async lockActionee(userId: string): Promise<boolean> {
      return (await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst()) !== undefined;
    },

    async findLog(id: string, options: { readonly forUpdate?: boolean } = {}): Promise<UserActionLog | undefined> {
      const query = logs().where('id', '=', id);
      const row = await (options.forUpdate === true ? query.forUpdate() : query).executeTakeFirst();
      return row === undefined ? undefined : toLog(row);
    },

    /** A user's actions, oldest first (FusionAuth orders by insertInstant). */
    async listLogs(userId: string, filter: ActionLogFilter, now: number): Promise<UserActionLog[]> {
      let query = logs().where('actionee_user_id', '=', userId);
      if (filter === 'active') query = query.where('expiry', '>', now);
      if (filter === 'inactive') query = query.where((eb) => eb.or([eb('expiry', 'is', null), eb('expiry', '<=', now)]));
      if (filter === 'preventingLogin') {
        query = query.where('expiry', '>', now).where('user_action_id', 'in', db.selectFrom('user_actions').select('id').where('prevent_login', '=', true));
      }
      const rows = await query.orderBy('insert_instant').orderBy('id').execute();
      return rows.map(toLog);
    },

    /** The user's active log of this action, if any: FusionAuth allows one at a time. */
    async findActiveLog(userId: string, userActionId: string, now: number): Promise<UserActionLog | undefined> {
      const row = await logs().where('actionee_user_id', '=', userId).where('user_action_id', '=', userActionId).where('expiry', '>', now).executeTakeFirst();
      return row === undefined ? undefined : toLog(row);
    },

    /**
     * The active actions that keep this user from logging in, oldest first: the Login API's 409. One
     * query on the login path; the (actionee_user_id, expiry) index settles it when there are none.
     */
    async findPreventingLogin(userId: string, now: number): Promise<UserActionLog[]> {
      const rows = await logs()
        .innerJoin('user_actions', 'user_actions.id', 'user_action_logs.user_action_id')
        .where('user_action_logs.actionee_user_id', '=', userId)
        .where('user_action_logs.expiry', '>', now)
        .where('user_actions.prevent_login', '=', true)
        .orderBy('user_action_logs.insert_instant')
        .orderBy('user_action_logs.id')
        .execute();
      return rows.map(toLog);
    },

    async insertLog(log: UserActionLog): Promise<void> {
      await db
        .insertInto('user_action_logs')
        .values({
          id: log.id,
          user_action_id: log.userActionId,
          actionee_user_id: log.actioneeUserId,
          application_ids: JSON.stringify(log.applicationIds),
          name: log.name,
          localized_name: log.localizedName ?? null,
          option: log.option ?? null,
          localized_option: log.localizedOption ?? null,
          create_instant: log.createInstant,
          ...logChanges(log),
        })
        .execute();
    },

    /** Writes a modify or cancel. */
    async updateLog(log: UserActionLog): Promise<void> {
      await db.updateTable('user_action_logs').set(logChanges(log)).where('id', '=', log.id).execute();
    },
  };
}

export type UserActionRepository = ReturnType<typeof createUserActionRepository>;
