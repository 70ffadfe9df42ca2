import type { ColumnType, Generated } from 'kysely';

/** JSON columns: written as a string or value, read back as the parsed value. */
type Json<T> = ColumnType<T, string, string>;

export interface InstanceTable {
  id: Generated<number>;
  instance_id: string;
  /** The tenant that always exists and cannot be deleted. */
  default_tenant_id: string;
  setup_instant: number;
  /** none: no kickstart file; pending: running or interrupted; done; failed. */
  kickstart_state: string;
  /** A value sealed with the master key ring at setup, to prove at every start that the ring still opens it. */
  key_check: Buffer;
}

export interface TenantTable {
  id: string;
  name: string;
  /** Every setting but the name, as validated by tenant-schema.ts. */
  data: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}

export interface SigningKeyTable {
  id: string;
  kid: string;
  algorithm: string;
  name: string;
  /** Null for symmetric (HMAC) keys, which are never published. */
  public_jwk: Json<Record<string, unknown>> | null;
  private_sealed: Buffer;
  insert_instant: number;
  retired_instant: number | null;
}

export interface ApiKeyTable {
  id: string;
  key_hash: Buffer;
  tenant_id: string | null;
  description: string | null;
  permissions: Json<Record<string, string[]>>;
  key_manager: boolean;
  expiration_instant: number | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface Database {
  instance: InstanceTable;
  tenants: TenantTable;
  signing_keys: SigningKeyTable;
  api_keys: ApiKeyTable;
}
