import type { Kysely, Selectable } from 'kysely';
import type { Database, WebhookTable } from '../schema.ts';

/** FusionAuth's webhook members besides url and the HTTP Basic password, with their defaults applied. */
export interface WebhookSettings {
  readonly description?: string;
  /** Event type → whether this webhook receives it. */
  readonly eventsEnabled: Readonly<Record<string, boolean>>;
  /** Every tenant's events (true), or only those of `tenantIds`. */
  readonly global: boolean;
  readonly tenantIds: readonly string[];
  /** Sent with every request (never secrets of Gatehouse's own). */
  readonly headers: Readonly<Record<string, string>>;
  /** Milliseconds. */
  readonly connectTimeout: number;
  readonly readTimeout: number;
  /** When enabled, requests carry X-FusionAuth-Signature-JWT signed with Key Master key `signingKeyId`. */
  readonly signatureConfiguration: { readonly enabled: boolean; readonly signingKeyId?: string };
  readonly httpAuthenticationUsername?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Webhook {
  readonly id: string;
  readonly url: string;
  readonly settings: WebhookSettings;
  /** Sealed for webhooks/<id>/http_authentication_password_sealed. */
  readonly httpAuthenticationPasswordSealed: Buffer | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

function toWebhook(row: Selectable<WebhookTable>): Webhook {
  return {
    id: row.id,
    url: row.url,
    settings: row.settings as unknown as WebhookSettings,
    httpAuthenticationPasswordSealed: row.http_authentication_password_sealed ?? undefined,
    insertInstant: Number(row.insert_instant),
    lastUpdateInstant: Number(row.last_update_instant),
  };
}

function toRow(webhook: Webhook) {
  return {
    id: webhook.id,
    url: webhook.url,
    settings: JSON.stringify(webhook.settings),
    http_authentication_password_sealed: webhook.httpAuthenticationPasswordSealed ?? null,
    insert_instant: webhook.insertInstant,
    last_update_instant: webhook.lastUpdateInstant,
  };
}

export function createWebhookRepository(db: Kysely<Database>) {
  return {
    async find(id: string): Promise<Webhook | undefined> {
      const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toWebhook(row);
    },

    /** Every webhook, oldest first (there are few: a node keeps them cached, see events/webhook-directory.ts). */
    async list(): Promise<Webhook[]> {
      const rows = await db.selectFrom('webhooks').selectAll().orderBy('insert_instant').orderBy('id').execute();
      return rows.map(toWebhook);
    },

    async insert(webhook: Webhook): Promise<void> {
      await db.insertInto('webhooks').values(toRow(webhook)).execute();
    },

    async update(webhook: Webhook): Promise<boolean> {
      const { id: _id, insert_instant: _inserted, ...columns } = toRow(webhook);
      const result = await db.updateTable('webhooks').set(columns).where('id', '=', webhook.id).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Its pending and failed deliveries go with it. */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },
  };
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
