import type { Kysely, Selectable } from 'kysely';
import type { Database, SigningKeyTable } from '../schema.ts';
import { rethrowDuplicate } from '../store-errors.ts';

export interface SigningKeyRecord {
  readonly id: string;
  readonly kid: string;
  readonly algorithm: string;
  readonly name: string;
  readonly publicJwk: Readonly<Record<string, unknown>> | undefined;
  /** The private JWK (or HMAC secret), sealed for signing_keys/<id>/private_sealed. */
  readonly privateSealed: Buffer;
  readonly insertInstant: number;
  readonly retiredInstant: number | undefined;
}

function toRecord(row: Selectable<SigningKeyTable>): SigningKeyRecord {
  return {
    id: row.id,
    kid: row.kid,
    algorithm: row.algorithm,
    name: row.name,
    publicJwk: row.public_jwk ?? undefined,
    privateSealed: row.private_sealed,
    insertInstant: row.insert_instant,
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
            private_sealed: key.privateSealed,
            insert_instant: key.insertInstant,
            retired_instant: key.retiredInstant ?? null,
          })
          .execute(),
      );
    },

    async find(id: string): Promise<SigningKeyRecord | undefined> {
      const row = await db.selectFrom('signing_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Keys that may appear in the JWKS: every asymmetric key, retired ones included, oldest first. */
    async listPublished(): Promise<SigningKeyRecord[]> {
      const rows = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('public_jwk', 'is not', null)
        .orderBy('insert_instant')
        .orderBy('kid')
        .execute();
      return rows.map(toRecord);
    },

    /** The newest key not retired that signs with `algorithm`. */
    async findActive(algorithm: string): Promise<SigningKeyRecord | undefined> {
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('algorithm', '=', algorithm)
        .where('retired_instant', 'is', null)
        .orderBy('insert_instant', 'desc')
        .orderBy('kid', 'desc')
        .executeTakeFirst();
      return row === undefined ? undefined : toRecord(row);
    },

    /** Retires every active key of `algorithm` except `keepId`; they stay published for verification. */
    async retireOthers(algorithm: string, keepId: string, instant: number): Promise<number> {
      const result = await db
        .updateTable('signing_keys')
        .set({ retired_instant: instant })
        .where('algorithm', '=', algorithm)
        .where('retired_instant', 'is', null)
        .where('id', '!=', keepId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type SigningKeyRepository = ReturnType<typeof createSigningKeyRepository>;
