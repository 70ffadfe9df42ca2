import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** An application registered through RFC 7591, and the hash of its RFC 7592 registration access token. */
export interface ClientRegistration {
  readonly applicationId: string;
  readonly tokenHash: Buffer;
  readonly insertInstant: number;
  readonly lastUpdateInstant: number;
}

export function createClientRegistrationRepository(db: Kysely<Database>) {
  return {
    async insert(registration: ClientRegistration): Promise<void> {
      await db
        .insertInto('client_registrations')
        .values({
          application_id: registration.applicationId,
          token_hash: registration.tokenHash,
          insert_instant: registration.insertInstant,
          last_update_instant: registration.lastUpdateInstant,
        })
        .execute();
    },

    /** The registration a token hash belongs to (an index probe: the hash is unique). */
    async findByTokenHash(tokenHash: Buffer): Promise<ClientRegistration | undefined> {
      const row = await db.selectFrom('client_registrations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row === undefined
        ? undefined
        : { applicationId: row.application_id, tokenHash: row.token_hash, insertInstant: row.insert_instant, lastUpdateInstant: row.last_update_instant };
    },

    async touch(applicationId: string, instant: number): Promise<void> {
      await db.updateTable('client_registrations').set({ last_update_instant: instant }).where('application_id', '=', applicationId).execute();
    },
  };
}

export type ClientRegistrationRepository = ReturnType<typeof createClientRegistrationRepository>;
