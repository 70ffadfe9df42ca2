/** Tables of identity brokering: identity providers, their links to users, pending links. */
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
}

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
