/** Tables of events, webhooks and the operators' logs (migration 0017). */
import type { Generated } from 'kysely';
import type { Json } from './json-column.ts';

export interface WebhookTable {
  id: string;
  url: string;
  /** FusionAuth's webhook members but url and the password, as webhooks.ts validates them. */
  settings: Json<Record<string, unknown>>;
  http_authentication_password_sealed: Buffer | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface EventTable {
  id: string;
  type: string;
  tenant_id: string | null;
  /** The event as webhooks receive it inside `{"event": ...}`: no secrets (events/event-catalogue.ts). */
  payload: Json<Record<string, unknown>>;
  create_instant: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveryTable {
  event_id: string;
  webhook_id: string;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_instant: number;
  /** A dispatcher holds the delivery until then (its claim); null when nobody does. */
  lease_instant: number | null;
  last_status: number | null;
  last_error: string | null;
  delivered_instant: number | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  insert_instant: number;
  /** Who: the API key id, or a user's login for entries added through the API. */
  insert_user: string | null;
  message: string;
  reason: string | null;
  data: Json<Record<string, unknown>>;
}

export interface EventLogTable {
  id: Generated<string>;
  insert_instant: number;
  type: 'Information' | 'Debug' | 'Error';
  message: string;
}
