/** Tables of identity brokering: identity providers, their links to users, pending links. */
import type { Generated } from 'kysely';
import type { Json } from './json-column.ts';

export interface IdentityProviderTable {
  id: string;
  /** FusionAuth's identityProvider.type: OpenIDConnect, Google. */
  type: string;
  name: string;
  enabled: boolean;
  /** Every other setting, as identity-provider-schema.ts validates it, without the client secret. */
  data: Json<Record<string, unknown>>;
  /** Sealed for identity_providers/<id>/client_secret_sealed; null without a secret. */
  client_secret_sealed: Buffer | null;
  insert_instant: number;
  last_update_instant: number;
}

export interface IdentityProviderLinkTable {
  id: string;
  tenant_id: string;
  user_id: string;
  identity_provider_id: string;
  identity_provider_user_id: string;
  display_name: string | null;
  data: Json<Record<string, unknown>>;
  /** The upstream token, sealed for identity_provider_links/<id>/token_sealed; null without one. */
  token_sealed: Buffer | null;
  insert_instant: number;
  last_login_instant: number;
  /** The upstream access token, sealed for identity_provider_links/<id>/access_token_sealed. */
  access_token_sealed: Buffer | null;
  access_token_expiration_instant: number | null;
  /** The scopes the upstream granted, space-separated as OAuth writes them. */
  scopes: string | null;
  status: Generated<LinkStatus>;
  /** Sealed for identity_provider_links/<id>/id_token_sealed. */
  id_token_sealed: Buffer | null;
  refresh_token_expiration_instant: number | null;
  last_refresh_instant: number | null;
  version: Generated<number>;
  refresh_failures: Generated<number>;
  refresh_retry_instant: number | null;
  keep_alive_lease_instant: number | null;
  refresh_expiry_warned_instant: number | null;
}

export type LinkStatus = 'active' | 'reauthorization_required' | 'revoked';

export interface PendingIdentityProviderLinkTable {
  /** SHA-256 of the pending id handed out. */
  id: Buffer;
  tenant_id: string;
  identity_provider_id: string;
  identity_provider_user_id: string;
  display_name: string | null;
  email: string | null;
  username: string | null;
  /** Sealed for pending_identity_provider_links/<hex id>/token_sealed. */
  token_sealed: Buffer | null;
  insert_instant: number;
  expiration_instant: number;
}

export interface UpstreamAuthorizationTable {
  /** SHA-256 of the `state` sent upstream. */
  id: Buffer;
  tenant_id: string;
  identity_provider_id: string;
  /** Null for a connect started from the connections page (no application involved). */
  application_id: string | null;
  /** SHA-256 of the browser-binding cookie's value. */
  browser_binding: Buffer;
  nonce: string;
  /** Sealed for upstream_authorizations/<hex id>/code_verifier_sealed. */
  code_verifier_sealed: Buffer;
  /** The redirect_uri sent upstream (`<public URL>/oauth2/callback`). */
  redirect_uri: string;
  /** The Gatehouse authorization request to resume: its parameters as name/value pairs. */
  request: Json<readonly (readonly [string, string])[]>;
  insert_instant: number;
  expiration_instant: number;
  purpose: Generated<'login' | 'connect'>;
  /** connect: the signed-in user the upstream account is linked to. */
  user_id: string | null;
  /** connect: where the browser goes afterwards when no authorization request resumes (the connections page). */
  return_to: string | null;
}
