import type { SealContext } from './key-ring.ts';

/**
 * One column of the store holding values sealed with the master key ring, and how the additional data
 * each value was sealed with is rebuilt from its row. Re-sealing (reseal.ts) and `./gatehouse vault`
 * walk this list, so a new sealed column that is missing here keeps its old key forever: add it here
 * together with the migration that creates it.
 */
export interface SealedColumn {
  readonly table: string;
  /** Ordered primary key columns: re-sealing pages through the table by them. */
  readonly primaryKey: readonly string[];
  /** The sealed bytea column; also the SealContext `column`. */
  readonly column: string;
  /** The column whose value is the SealContext `row`: as text, or a bytea id as lowercase hex. */
  readonly contextRow: { readonly column: string; readonly encoding: 'text' | 'hex' };
}

const byId = (table: string, column: string): SealedColumn => ({ table, primaryKey: ['id'], column, contextRow: { column: 'id', encoding: 'text' } });

/** Bearer-artifact tables are keyed by the SHA-256 of the handed-out id; their context row is its hex. */
const byHashedId = (table: string, column: string): SealedColumn => ({ table, primaryKey: ['id'], column, contextRow: { column: 'id', encoding: 'hex' } });

/**
 * Every sealed column. Client registrations (RFC 7591) are applications, so their secrets are the
 * applications row's; imported and generated signing keys share `signing_keys.private_sealed`.
 */
export const sealedColumns: readonly SealedColumn[] = [
  // Sealed at setup for the instance id: proves at every start that the ring opens the store.
  { table: 'instance', primaryKey: ['id'], column: 'key_check', contextRow: { column: 'instance_id', encoding: 'text' } },
  byId('signing_keys', 'private_sealed'),
  byId('applications', 'client_secret_sealed'),
  byId('entities', 'client_secret_sealed'),
  byId('identity_providers', 'client_secret_sealed'),
  byId('identity_provider_links', 'token_sealed'),
  byId('identity_provider_links', 'access_token_sealed'),
  byId('identity_provider_links', 'id_token_sealed'),
  byHashedId('pending_identity_provider_links', 'token_sealed'),
  byHashedId('upstream_authorizations', 'code_verifier_sealed'),
  byId('webhooks', 'http_authentication_password_sealed'),
];

/** `table.column`, how operators and progress lines name a sealed column. */
export function sealedColumnName(column: SealedColumn): string {
  return `${column.table}.${column.column}`;
}

/** The additional data a row's value was sealed with, from the row's context column as read from the store. */
export function sealContextOf(column: SealedColumn, contextRowValue: unknown): SealContext {
  const row =
    column.contextRow.encoding === 'hex' ? Buffer.from(contextRowValue as Uint8Array).toString('hex') : String(contextRowValue);
  return { table: column.table, row, column: column.column };
}
