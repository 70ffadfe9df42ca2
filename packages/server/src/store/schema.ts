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
  /** Null for an imported public key: a verification-only key. */
  private_sealed: Buffer | null;
  /** rotation: Gatehouse's own signing line; generate/import: Key Master keys, used where assigned. */
  origin: ColumnType<'rotation' | 'generate' | 'import', 'rotation' | 'generate' | 'import' | undefined, never>;
  /** An imported X.509 certificate (PEM) for the public key. */
  certificate: string | null;
  insert_instant: number;
  last_update_instant: number;
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

export interface RegistrationTable {
  id: string;
  user_id: string;
  application_id: string;
  roles: Json<string[]>;
  username: string | null;
  data: Json<Record<string, unknown>>;
  verified: boolean;
  last_login_instant: number | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface RefreshTokenTable {
  id: string;
  /** SHA-256 of the token value. */
  token_hash: Buffer;
  tenant_id: string;
  user_id: string;
  application_id: string | null;
  start_instant: number;
  insert_instant: number;
  expiration_instant: number;
  last_used_instant: number | null;
  meta_data: Json<Record<string, unknown>>;
}

export interface LoginFailureTable {
  user_id: string;
  failure_count: number;
  window_start_instant: number;
  locked_until_instant: number | null;
}

export interface ApplicationTable {
  id: string;
  tenant_id: string;
  name: string;
  active: boolean;
  /** Every setting but the name, as validated by application-schema.ts. */
  data: Json<Record<string, unknown>>;
  /** The OAuth client secret, sealed for applications/<id>/client_secret_sealed. */
  client_secret_sealed: Buffer;
  insert_instant: number;
  last_update_instant: number;
}

export interface ApplicationRoleTable {
  id: string;
  application_id: string;
  name: string;
  description: string | null;
  is_default: boolean;
  is_super_role: boolean;
  insert_instant: number;
  last_update_instant: number;
}

export interface UserTable {
  id: string;
  tenant_id: string;
  email: string | null;
  username: string | null;
  /** A PHC string (argon2id) or an imported hash in its scheme's own encoding; never plaintext. */
  password_hash: string | null;
  /** argon2id, or the FusionAuth encryptionScheme of an imported hash (upgraded at the next login). */
  password_scheme: string | null;
  password_factor: number | null;
  password_salt: string | null;
  password_change_required: boolean;
  password_last_update_instant: number | null;
  active: boolean;
  verified: boolean;
  /** The profile: names, birth date, phones, languages, timezone and the free-form `data` object. */
  data: Json<Record<string, unknown>>;
  expiry: number | null;
  last_login_instant: number | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface Database {
  instance: InstanceTable;
  tenants: TenantTable;
  signing_keys: SigningKeyTable;
  api_keys: ApiKeyTable;
  users: UserTable;
  applications: ApplicationTable;
  application_roles: ApplicationRoleTable;
  registrations: RegistrationTable;
  refresh_tokens: RefreshTokenTable;
  login_failures: LoginFailureTable;
}
