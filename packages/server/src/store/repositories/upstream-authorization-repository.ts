import type { Kysely } from 'kysely';
import type { Database } from '../schema.ts';

/** An authorization request Gatehouse sent to an upstream provider, waiting for its callback. */
export interface UpstreamAuthorization {
  /** SHA-256 of the `state` sent upstream. */
  readonly idHash: Buffer;
  readonly tenantId: string;
  readonly identityProviderId: string;
  /** Undefined for a connect from the connections page (no application involved). */
  readonly applicationId: string | undefined;
  /** SHA-256 of the browser-binding cookie's value. */
  readonly browserBinding: Buffer;
  readonly nonce: string;
  readonly codeVerifierSealed: Buffer;
  readonly redirectUri: string;
  /** The Gatehouse authorization request to resume, as name/value pairs; empty when `returnTo` says where to go. */
  readonly request: readonly (readonly [string, string])[];
  /** `login`: the upstream account signs in. `connect`: it is linked to `userId`, the session unchanged. */
  readonly purpose: 'login' | 'connect';
  readonly userId: string | undefined;
  /** connect without an authorization request: the same-origin path the browser goes to afterwards. */
  readonly returnTo: string | undefined;
  readonly insertInstant: number;
  readonly expirationInstant: number;
}

export function createUpstreamAuthorizationRepository(db: Kysely<Database>) {
  return {
    async insert(authorization: UpstreamAuthorization): Promise<void> {
      await db
        .insertInto('upstream_authorizations')
        .values({
          id: authorization.idHash,
          tenant_id: authorization.tenantId,
          identity_provider_id: authorization.identityProviderId,
          application_id: authorization.applicationId ?? null,
          browser_binding: authorization.browserBinding,
          nonce: authorization.nonce,
          code_verifier_sealed: authorization.codeVerifierSealed,
          redirect_uri: authorization.redirectUri,
          request: JSON.stringify(authorization.request),
          purpose: authorization.purpose,
          user_id: authorization.userId ?? null,
          return_to: authorization.returnTo ?? null,
          insert_instant: authorization.insertInstant,
          expiration_instant: authorization.expirationInstant,
        })
        .execute();
    },

    /**
     * Takes the authorization out of the store: a state answers one callback only (BRK-05), even when two
     * arrive at once (the delete decides). An expired one is taken too, and not returned.
     */
    async consume(idHash: Buffer, now: number): Promise<UpstreamAuthorization | undefined> {
      const row = await db.deleteFrom('upstream_authorizations').where('id', '=', idHash).returningAll().executeTakeFirst();
      if (row === undefined || Number(row.expiration_instant) <= now) return undefined;
      return {
        idHash: row.id,
        tenantId: row.tenant_id,
        identityProviderId: row.identity_provider_id,
        applicationId: row.application_id ?? undefined,
        browserBinding: row.browser_binding,
        nonce: row.nonce,
        codeVerifierSealed: row.code_verifier_sealed,
        redirectUri: row.redirect_uri,
        request: row.request,
        purpose: row.purpose,
        userId: row.user_id ?? undefined,
        returnTo: row.return_to ?? undefined,
        insertInstant: Number(row.insert_instant),
        expirationInstant: Number(row.expiration_instant),
      };
    },

    /** Drops requests whose user never came back. */
    async deleteExpired(now: number): Promise<void> {
      await db.deleteFrom('upstream_authorizations').where('expiration_instant', '<=', now).execute();
    },
  };
}

export type UpstreamAuthorizationRepository = ReturnType<typeof createUpstreamAuthorizationRepository>;
