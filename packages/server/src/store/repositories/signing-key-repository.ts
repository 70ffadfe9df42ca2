import type { Kysely, Selectable } from 'kysely';
import type { Database, SigningKeyTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export type SigningKeyOrigin = 'rotation' | 'generate' | 'import';

export interface SigningKeyRecord {
  readonly id: string;
  readonly kid: string;
  readonly algorithm: string;
  readonly name: string;
  readonly publicJwk: Readonly<Record<string, unknown>> | undefined;
  /** The private JWK (or HMAC secret), sealed for signing_keys/<id>/private_sealed; absent for a verification-only key. */
  readonly privateSealed: Buffer | undefined;
  /** Only `rotation` keys sign by default and take part in rotation; Key Master keys sign where assigned. */
  readonly origin: SigningKeyOrigin;
  readonly certificate: string | undefined;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
  readonly retiredInstant: number | undefined;
}

function toRecord(row: Selectable<SigningKeyTable>): SigningKeyRecord {
  return {
    id: row.id,
    kid: row.kid,
    algorithm: row.algorithm,
    name: row.name,
    publicJwk: row.public_jwk ?? undefined,
    privateSealed: row.private_sealed ?? undefined,
    origin: row.origin,
    certificate: row.certificate ?? undefined,
    insertInstant: row.insert_instant,
    lastUpdateInstant: row.last_update_instant,
    retiredInstant: row.retired_instant ?? undefined,
  };
}

export function createSigningKeyRepository(db: Kysely<Database>) {
  return {
    async insert(key: SigningKeyRecord): Promise<void> {
      await rethrowDuplicate(
        db
          .insertInto('signing_keys')
          .values({
            id: key.id,
            kid: key.kid,
            algorithm: key.algorithm,
            name: key.name,
            public_jwk: key.publicJwk === undefined ? null : JSON.stringify(key.publicJwk),
            private_sealed: key.privateSealed ?? null,
            origin: key.origin,
            certificate: key.certificate ?? null,
            insert_instant: key.insertInstant,
            last_update_instant: key.lastUpdateInstant,
            retired_instant: key.retiredInstant ?? null,
          })
          .execute(),
      );
    },

    async find(id: string): Promise<SigningKeyRecord | undefined> {
      const row = await db.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    async findByKid(kid: string): Promise<SigningKeyRecord | undefined> {
      const row = await db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Every key, oldest first. */
    async list(): Promise<SigningKeyRecord[]> {
      const rows = await db.selectFrom('signing_keys').selectAll().orderBy('insert_instant').orderBy('kid').execute();
      return rows.map(toRecord);
    },

    /**
     * Keys that may appear in the JWKS: every asymmetric key Gatehouse can sign with, retired ones
     * included, oldest first. A verification-only import is not ours: publishing it would vouch for
     * tokens someone else signed.
     */
    async listPublished(): Promise<SigningKeyRecord[]> {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('public_jwk', 'is not', null)
        .where('private_sealed', 'is not', null)
        .orderBy('insert_instant')
        .orderBy('kid')
        .execute();
      return rows.map(toRecord);
    },

    /** The newest rotation key not retired that signs with `algorithm`. */
    async findActive(algorithm: string): Promise<SigningKeyRecord | undefined> {
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('origin', '=', 'rotation')
        .where('algorithm', '=', algorithm)
        .where('retired_instant', 'is', null)
        .orderBy('insert_instant', 'desc')
        .orderBy('kid', 'desc')
        .executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Retires every active rotation key of `algorithm` except `keepId`; they stay published for verification. */
    async retireOthers(algorithm: string, keepId: string, instant: number): Promise<number> {
      const result = await db
        .updateTable('signing_keys')
        .set({ retired_instant: instant })
        .where('origin', '=', 'rotation')
        .where('algorithm', '=', algorithm)
        .where('retired_instant', 'is', null)
        .where('id', '!=', keepId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The only change Key Master allows after creation (FusionAuth: PUT renames). False when absent. */
    async rename(id: string, name: string, instant: number): Promise<boolean> {
      const result = await rethrowDuplicate(
        db.updateTable('signing_keys').set({ name, last_update_instant: instant }).where('id', '=', id).executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('signing_keys').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type SigningKeyRepository = ReturnType<typeof createSigningKeyRepository>;
