import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** Scopes a user granted a third-party application (consentMode RememberDecision), until they expire. */
export interface OAuthConsent {
  readonly userId: string;
  readonly applicationId: string;
  readonly scopes: readonly string[];
  readonly insertInstant: number;
  readonly expirationInstant: number;
}

export function createOAuthConsentRepository(db: Kysely<Database>) {
  return {
    /** The scopes remembered for this user and application, or undefined when none (or expired). */
    async findLive(userId: string, applicationId: string, now: number): Promise<OAuthConsent | undefined> {
      const row = await db
        .selectFrom('oauth_consents')
        .selectAll()
        .where('user_id', '=', userId)
        .where('application_id', '=', applicationId)
        .where('expiration_instant', '>', now)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : { userId: row.user_id, applicationId: row.application_id, scopes: row.scopes, insertInstant: row.insert_instant, expirationInstant: row.expiration_instant };
    },

    async save(consent: OAuthConsent): Promise<void> {
      const values = {
        user_id: consent.userId,
        application_id: consent.applicationId,
        scopes: JSON.stringify(consent.scopes),
        insert_instant: consent.insertInstant,
        expiration_instant: consent.expirationInstant,
      };
      await db
        .insertInto('oauth_consents')
        .values(values)
        .onConflict((conflict) => conflict.columns(['user_id', 'application_id']).doUpdateSet({ scopes: values.scopes, insert_instant: values.insert_instant, expiration_instant: values.expiration_instant }))
        .execute();
    },

    async delete(userId: string, applicationId: string): Promise<void> {
      await db.deleteFrom('oauth_consents').where('user_id', '=', userId).where('application_id', '=', applicationId).execute();
    },
  };
}
