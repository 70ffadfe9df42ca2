/** Tables of Entities: types, permissions, entities and grants (machine clients of client_credentials). */
import type { Json } from './json-column.ts';

export interface EntityTypeTable {
  id: string;
  name: string;
  data: Json<Record<string, unknown>>;
  /** FusionAuth's EntityJWTConfiguration: enabled, accessTokenKeyId, accessTokenVerificationKeyIds, timeToLiveInSeconds. */
  jwt_configuration: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}

export interface EntityTypePermissionTable {
  id: string;
  entity_type_id: string;
  name: string;
  description: string | null;
  is_default: boolean;
  data: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}

export interface EntityTable {
  id: string;
  tenant_id: string;
  entity_type_id: string;
  parent_id: string | null;
  name: string;
  client_id: string;
  /** Sealed for entities/<id>/client_secret_sealed. */
  client_secret_sealed: Buffer;
  data: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}

export interface EntityGrantTable {
  id: string;
  target_entity_id: string;
  /** Exactly one of recipient_entity_id and user_id is set. */
  recipient_entity_id: string | null;
  user_id: string | null;
  /** Permission names of the target's type. */
  permissions: Json<string[]>;
  data: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}
