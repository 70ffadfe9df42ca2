import type { ColumnType, Generated } from 'kysely';
import type { Json } from './json-column.ts';
import type { AuthorizationCodeTable, ClientRegistrationTable, DeviceCodeTable, OAuthConsentTable, OAuthGrantTable, SsoSessionTable } from './schema-oauth.ts';
import type { EntityGrantTable, EntityTable, EntityTypePermissionTable, EntityTypeTable } from './schema-entities.ts';
import type { AuditLogTable, EventLogTable, EventTable, WebhookDeliveryTable, WebhookTable } from './schema-events.ts';
import type { IdentityProviderLinkTable, IdentityProviderTable, PendingIdentityProviderLinkTable, UpstreamAuthorizationTable } from './schema-federation.ts';

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
  /** OneTimeUse: SHA-256 of the value the last rotation replaced, still good for the grace period. */
  previous_token_hash: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  rotated_instant: ColumnType<number | null, number | null | undefined, number | null>;
  /** The random key the current value was derived from the previous one with (see refresh-tokens.ts). */
  rotation_key: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
}

export interface LoginFailureTable {
  user_id: string;
  failure_count: number;
  window_start_instant: number;
  locked_until_instant: number | null;
}

/** Change-password and email-verification ids: stored as their SHA-256 only, deleted when used. */
export interface OneTimeIdTable {
  /** SHA-256 of the id handed out. */
  id: Buffer;
  kind: 'change-password' | 'email-verification';
  user_id: string;
  application_id: string | null;
  /** email-verification: the address the id verifies (a changed email makes the id worthless). */
  email: string | null;
  /** change-password: the caller's `state`, returned when the password is changed. */
  state: Json<Record<string, unknown>> | null;
  insert_instant: number;
  expiration_instant: number;
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

export interface ApplicationScopeTable {
  id: string;
  application_id: string;
  name: string;
  description: string | null;
  default_consent_message: string | null;
  default_consent_detail: string | null;
  required: boolean;
  data: Json<Record<string, unknown>>;
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
  /** When the email was first verified; null for users verified before it was recorded. */
  verified_instant: ColumnType<number | null, number | null | undefined, number | null>;
  active: boolean;
  verified: boolean;
  /** The profile: names, birth date, phones, languages, timezone and the free-form `data` object. */
  data: Json<Record<string, unknown>>;
  expiry: number | null;
  last_login_instant: number | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface UserActionTable {
  id: string;
  name: string;
  /** false after a soft delete: the action can no longer be taken on users. */
  active: boolean;
  prevent_login: boolean;
  temporal: boolean;
  /** Every other setting (options, localizedNames, email template ids, flags), as user-action-schema.ts validates it. */
  data: Json<Record<string, unknown>>;
  insert_instant: number;
  last_update_instant: number;
}

export interface UserActionLogTable {
  id: string;
  user_action_id: string;
  actionee_user_id: string;
  /** Null once the actioner is deleted. */
  actioner_user_id: string | null;
  application_ids: Json<string[]>;
  comment: string | null;
  /** Null for an instantaneous action; set to the cancel instant when a temporal one is canceled. */
  expiry: number | null;
  name: string;
  localized_name: string | null;
  option: string | null;
  localized_option: string | null;
  email_user_on_end: boolean;
  notify_user_on_end: boolean;
  end_event_sent: boolean | null;
  /** FusionAuth's history.historyItems: the state before each modification or cancel. */
  history: Json<Array<Record<string, unknown>>>;
  create_instant: number;
  /** The instant of the last take, modify or cancel (FusionAuth's insertInstant). */
  insert_instant: number;
  last_update_instant: number;
}

export type { AuthorizationCodeTable, ClientRegistrationTable, DeviceCodeTable, OAuthConsentTable, OAuthGrantTable, SsoSessionTable } from './schema-oauth.ts';
export type { EntityGrantTable, EntityTable, EntityTypePermissionTable, EntityTypeTable } from './schema-entities.ts';
export type { AuditLogTable, EventLogTable, EventTable, WebhookDeliveryTable, WebhookTable } from './schema-events.ts';
export type { IdentityProviderLinkTable, IdentityProviderTable, PendingIdentityProviderLinkTable, UpstreamAuthorizationTable } from './schema-federation.ts';

/** Every table, as Kysely sees them. */
export interface Database {
  instance: InstanceTable;
  tenants: TenantTable;
  signing_keys: SigningKeyTable;
  api_keys: ApiKeyTable;
  users: UserTable;
  applications: ApplicationTable;
  application_roles: ApplicationRoleTable;
  application_scopes: ApplicationScopeTable;
  registrations: RegistrationTable;
  refresh_tokens: RefreshTokenTable;
  login_failures: LoginFailureTable;
  one_time_ids: OneTimeIdTable;
  user_actions: UserActionTable;
  user_action_logs: UserActionLogTable;
  sso_sessions: SsoSessionTable;
  oauth_grants: OAuthGrantTable;
  authorization_codes: AuthorizationCodeTable;
  oauth_consents: OAuthConsentTable;
  entity_types: EntityTypeTable;
  entity_type_permissions: EntityTypePermissionTable;
  entities: EntityTable;
  entity_grants: EntityGrantTable;
  device_codes: DeviceCodeTable;
  client_registrations: ClientRegistrationTable;
  identity_providers: IdentityProviderTable;
  identity_provider_links: IdentityProviderLinkTable;
  pending_identity_provider_links: PendingIdentityProviderLinkTable;
  upstream_authorizations: UpstreamAuthorizationTable;
  webhooks: WebhookTable;
  events: EventTable;
  webhook_deliveries: WebhookDeliveryTable;
  audit_logs: AuditLogTable;
  event_logs: EventLogTable;
}
