import { sql, type Kysely } from 'kysely';

/**
 * User actions (FusionAuth's /api/user-action) and the log of actions taken on users (/api/user/action).
 * - Action definitions are global, like FusionAuth's; names are unique in any case.
 * - A log row is FusionAuth's UserActionLog: it keeps the action's name and the localized texts as they
 *   were when the action was taken. `expiry` is null for an instantaneous (non-temporal) action; a
 *   temporal one is active while `expiry` is in the future, and canceling sets it to the cancel instant.
 * - The Login API asks "does this user have an active action that prevents login?" on every login: the
 *   (actionee_user_id, expiry) index answers it from the index alone when the user has no action.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table user_actions (
      id uuid primary key,
      name text not null,
      active boolean not null default true,
      prevent_login boolean not null,
      temporal boolean not null,
      data jsonb not null default '{}',
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create unique index user_actions_name_key on user_actions (lower(name))`.execute(db);

  await sql`
    create table user_action_logs (
      id uuid primary key,
      user_action_id uuid not null references user_actions (id) on delete cascade,
      actionee_user_id uuid not null references users (id) on delete cascade,
      actioner_user_id uuid references users (id) on delete set null,
      application_ids jsonb not null default '[]',
      comment text,
      expiry bigint,
      name text not null,
      localized_name text,
      option text,
      localized_option text,
      email_user_on_end boolean not null,
      notify_user_on_end boolean not null,
      end_event_sent boolean,
      history jsonb not null default '[]',
      create_instant bigint not null,
      insert_instant bigint not null,
      last_update_instant bigint not null
    )`.execute(db);
  await sql`create index user_action_logs_actionee on user_action_logs (actionee_user_id, expiry)`.execute(db);
  await sql`create index user_action_logs_user_action_id on user_action_logs (user_action_id)`.execute(db);
  await sql`create index user_action_logs_actioner on user_action_logs (actioner_user_id)`.execute(db);
}
