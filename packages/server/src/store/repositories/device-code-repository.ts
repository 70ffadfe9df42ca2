import type { Kysely, Selectable } from 'kysely';
import type { Database, DeviceCodeTable } from '../schema.ts';

export type DeviceCodeStatus = DeviceCodeTable['status'];

/** One device authorization request (RFC 8628 §3.1): the device's code (hashed), the user's code and what became of it. */
export interface DeviceCode {
  readonly id: string;
  readonly deviceCodeHash: Buffer;
  /** Normalized: uppercase, no separators. */
  readonly userCode: string;
  readonly tenantId: string;
  readonly applicationId: string;
  /** Requested scopes, in request order (the application's policies already applied). */
  readonly scopes: readonly string[];
  readonly status: DeviceCodeStatus;
  /** The grant the user's approval created. */
  readonly grantId: string | undefined;
  /** The polling interval the device must keep, in seconds: 5, plus 5 for every slow_down. */
  readonly intervalSeconds: number;
  readonly lastPolledInstant: number | undefined;
  readonly insertInstant: number;
  readonly expirationInstant: number;
  /** When the user approved or denied it. */
  readonly decidedInstant: number | undefined;
}

function toDeviceCode(row: Selectable<DeviceCodeTable>): DeviceCode {
  return {
    id: row.id,
    deviceCodeHash: row.device_code_hash,
    userCode: row.user_code,
    tenantId: row.tenant_id,
    applicationId: row.application_id,
    scopes: row.scope === '' ? [] : row.scope.split(' '),
    status: row.status,
    grantId: row.grant_id ?? undefined,
    intervalSeconds: row.interval_seconds,
    lastPolledInstant: row.last_polled_instant ?? undefined,
    insertInstant: row.insert_instant,
    expirationInstant: row.expiration_instant,
    decidedInstant: row.decided_instant ?? undefined,
  };
}

export function createDeviceCodeRepository(db: Kysely<Database>) {
  return {
    /** Stores a new request; false when its user code is taken (the caller draws another). */
    async insert(code: DeviceCode): Promise<boolean> {
      const result = await db
        .insertInto('device_codes')
        .values({
          id: code.id,
          device_code_hash: code.deviceCodeHash,
          user_code: code.userCode,
          tenant_id: code.tenantId,
          application_id: code.applicationId,
          scope: code.scopes.join(' '),
          status: code.status,
          grant_id: code.grantId ?? null,
          interval_seconds: code.intervalSeconds,
          last_polled_instant: code.lastPolledInstant ?? null,
          insert_instant: code.insertInstant,
          expiration_instant: code.expirationInstant,
          decided_instant: code.decidedInstant ?? null,
        })
        .onConflict((conflict) => conflict.column('user_code').doNothing())
        .executeTakeFirst();
      return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
    },

    /** Forgets requests that expired before `instant` (their user codes become available again). */
    async deleteExpiredBefore(instant: number): Promise<void> {
      await db.deleteFrom('device_codes').where('expiration_instant', '<', instant).execute();
    },

    /** The request a device code names, locked until the transaction ends (polls of one code queue up). */
    async findByDeviceCodeForUpdate(deviceCodeHash: Buffer): Promise<DeviceCode | undefined> {
      const row = await db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', deviceCodeHash).forUpdate().executeTakeFirst();
      return row === undefined ? undefined : toDeviceCode(row);
    },

    /** A request the user can still act on: pending and not expired. */
    async findPendingByUserCode(userCode: string, now: number): Promise<DeviceCode | undefined> {
      const row = await db
        .selectFrom('device_codes')
        .selectAll()
        .where('user_code', '=', userCode)
        .where('status', '=', 'pending')
        .where('expiration_instant', '>', now)
        .executeTakeFirst();
      return row === undefined ? undefined : toDeviceCode(row);
    },

    async recordPoll(id: string, instant: number, intervalSeconds: number): Promise<void> {
      await db.updateTable('device_codes').set({ last_polled_instant: instant, interval_seconds: intervalSeconds }).where('id', '=', id).execute();
    },

    /**
     * The user's decision, taken only while the request is pending and live: of two concurrent decisions
     * one wins. Returns whether this one did.
     */
    async decide(id: string, decision: { readonly status: 'approved'; readonly grantId: string } | { readonly status: 'denied' }, now: number): Promise<boolean> {
      const result = await db
        .updateTable('device_codes')
        .set({ status: decision.status, grant_id: decision.status === 'approved' ? decision.grantId : null, decided_instant: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expiration_instant', '>', now)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** The device collected its tokens: the code is spent. */
    async markRedeemed(id: string): Promise<void> {
      await db.updateTable('device_codes').set({ status: 'redeemed' }).where('id', '=', id).where('status', '=', 'approved').execute();
    },
  };
}
