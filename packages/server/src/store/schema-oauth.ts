/** Tables of the authorization server: SSO sessions, grants, codes, consents, device codes, client registrations. */
import type { ColumnType } from 'kysely';
import type { Json } from './json-column.ts';

export interface SsoSessionTable {
  id: string;
  /** SHA-256 of the cookie value. */
  token_hash: Buffer;
  tenant_id: string;
  user_id: string;
  authentication_type: string;
  authenticated_instant: number;
  insert_instant: number;
  last_access_instant: number;
  expiration_instant: number;
}

export interface OAuthGrantTable {
  id: string;
  tenant_id: string;
  user_id: string;
  application_id: string;
  session_id: string | null;
  grant_type: string;
  /** Space-separated, as granted. */
  scope: string;
  authentication_type: string;
  authenticated_instant: number;
  insert_instant: number;
  revoked_instant: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface AuthorizationCodeTable {
  /** SHA-256 of the code. */
  code_hash: Buffer;
  grant_id: string;
  redirect_uri: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  expiration_instant: number;
  consumed_instant: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface OAuthConsentTable {
  user_id: string;
  application_id: string;
  scopes: Json<string[]>;
  insert_instant: number;
  expiration_instant: number;
}

export interface DeviceCodeTable {
  id: string;
  /** SHA-256 of the device code. */
  device_code_hash: Buffer;
  /** Normalized: uppercase, no separators. */
  user_code: string;
  tenant_id: string;
  application_id: string;
  /** Space-separated, as requested. */
  scope: string;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  grant_id: string | null;
  interval_seconds: number;
  last_polled_instant: number | null;
  insert_instant: number;
  expiration_instant: number;
  decided_instant: number | null;
}

/** An application registered through RFC 7591; its RFC 7592 registration access token, hashed. */
export interface ClientRegistrationTable {
  application_id: string;
  /** SHA-256 of the registration access token. */
  token_hash: Buffer;
  insert_instant: number;
  last_update_instant: number;
}
