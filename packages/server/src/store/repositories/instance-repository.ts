import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.ts';

export type KickstartState = 'none' | 'pending' | 'done' | 'failed';

export interface Instance {
  readonly instanceId: string;
  readonly defaultTenantId: string;
  readonly setupInstant: number;
  readonly kickstartState: KickstartState;
  readonly keyCheck: Buffer;
}

/** Any fixed number: the lock that lets exactly one node run first-start setup. */
const setupLockId = 0x6761_7465;

export function createInstanceRepository(db: Kysely<Database>) {
  return {
    async find(): Promise<Instance | undefined> {
      const row = await db.selectFrom('instance').selectAll().executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        instanceId: row.instance_id,
        defaultTenantId: row.default_tenant_id,
        setupInstant: row.setup_instant,
        kickstartState: row.kickstart_state as KickstartState,
        keyCheck: row.key_check,
      };
    },

    async insert(instance: Instance): Promise<void> {
      await db
        .insertInto('instance')
        .values({
          instance_id: instance.instanceId,
          default_tenant_id: instance.defaultTenantId,
          setup_instant: instance.setupInstant,
          kickstart_state: instance.kickstartState,
          key_check: instance.keyCheck,
        })
        .execute();
    },

    async setKickstartState(state: KickstartState): Promise<void> {
      await db.updateTable('instance').set({ kickstart_state: state }).execute();
    },

    /** Inside a transaction: waits until no other node is setting up, releasing at commit or rollback. */
    async lockForSetup(): Promise<void> {
      await sql`select pg_advisory_xact_lock(${setupLockId})`.execute(db);
    },
  };
}

export type InstanceRepository = ReturnType<typeof createInstanceRepository>;
