import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application, FusionAuthClient } from '@fusionauth/typescript-client';
import { hashRefreshToken } from '../../src/oauth/tokens/refresh-token-value.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';
const loginConfiguration = { generateRefreshTokens: true, allowTokenRefresh: true, requireAuthentication: false };

for (const backend of backends) {
  describe(`one-time-use refresh tokens with a grace period on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let keyless: FusionAuthClient;
    let graceful: Application;
    /** The app's clock runs `offset` ms ahead of the real one. */
    let offset = 0;

    const oneTimeUse = (gracePeriodInSeconds: number) => ({
      enabled: true,
      refreshTokenUsagePolicy: 'OneTimeUse' as never,
      refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds },
    });

    before(async () => {
      gatehouse = await createTestApp(backend, { now: () => Date.now() + offset });
      let clientFor: (apiKey: string) => FusionAuthClient;
      ({ client, clientFor } = await serveWithClient(gatehouse));
      keyless = clientFor('');
      graceful = (await client.createApplication('', { application: { name: 'Graceful', loginConfiguration, jwtConfiguration: oneTimeUse(30) } })).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    async function login(application: Application, tenantId = gatehouse.setup.defaultTenantId) {
      const email = `${randomUUID()}@example.com`;
      await client.register('', { user: { email, password, tenantId }, registration: { applicationId: application.id! } });
      return (await keyless.login({ loginId: email, password, applicationId: application.id! })).response;
    }
    const refresh = async (refreshToken: string) => (await keyless.exchangeRefreshTokenForJWT({ refreshToken })).response;
    const stored = (id: string) => gatehouse.store.db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst();

    it('keeps a rotated value usable for the grace period: it answers with the current value, without rotating', async () => {
      const session = await login(graceful);
      const first = await refresh(session.refreshToken!);
      assert.notEqual(first.refreshToken, session.refreshToken);
      const row = await stored(session.refreshTokenId!);
      assert.deepEqual(row?.token_hash, hashRefreshToken(first.refreshToken!));
      assert.deepEqual(row?.previous_token_hash, hashRefreshToken(session.refreshToken!), 'the replaced value is kept as a hash only');
      assert.equal(typeof row?.rotated_instant, 'number');

      const again = await refresh(session.refreshToken!);
      assert.equal(again.refreshToken, first.refreshToken, 'the current value, not a new one');
      assert.equal(again.refreshTokenId, session.refreshTokenId);
      assert.ok(again.token);
      assert.deepEqual((await stored(session.refreshTokenId!))?.token_hash, hashRefreshToken(first.refreshToken!), 'no rotation');

      // The current value rotates as usual; the value before it is now two rotations old and refused.
      const second = await refresh(first.refreshToken!);
      assert.notEqual(second.refreshToken, first.refreshToken);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
      assert.equal((await refresh(first.refreshToken!)).refreshToken, second.refreshToken);

      offset = 25_000;
      try {
        assert.equal((await refresh(first.refreshToken!)).refreshToken, second.refreshToken, 'still within the 30 s');
        offset = 30_000;
        await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken! }), 404);
        assert.ok((await stored(session.refreshTokenId!)) !== undefined, 'a late reuse revokes nothing by default (onOneTimeTokenReuse false)');
        const third = await refresh(second.refreshToken!);
        assert.notEqual(third.refreshToken, second.refreshToken);
      } finally {
        offset = 0;
      }
    });

    it('gives concurrent refreshes of one value the same new value', async () => {
      const session = await login(graceful);
      const results = await Promise.all([refresh(session.refreshToken!), refresh(session.refreshToken!), refresh(session.refreshToken!)]);
      assert.equal(new Set(results.map((result) => result.refreshToken)).size, 1);
      assert.notEqual(results[0]!.refreshToken, session.refreshToken);
    });

    it('without a grace period (the default), a rotated value is dead at once', async () => {
      const strict = (await client.createApplication('', { application: { name: 'Strict', loginConfiguration, jwtConfiguration: oneTimeUse(0) } })).response.application!;
      const session = await login(strict);
      await refresh(session.refreshToken!);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
    });

    it('with the tenant\'s onOneTimeTokenReuse, a reuse after the grace period revokes the token; one within it does not', async () => {
      const tenant = (
        await client.createTenant('', { tenant: { name: `Reuse ${randomUUID()}`, jwtConfiguration: { refreshTokenRevocationPolicy: { onOneTimeTokenReuse: true } } } })
      ).response.tenant!;
      const application = (
        await client.createApplication('', { application: { name: 'Reuse revokes', tenantId: tenant.id!, loginConfiguration, jwtConfiguration: oneTimeUse(10) } })
      ).response.application!;
      const session = await login(application, tenant.id!);
      const first = await refresh(session.refreshToken!);
      assert.equal((await refresh(session.refreshToken!)).refreshToken, first.refreshToken, 'within the grace period: no revocation');
      offset = 11_000;
      try {
        await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
        assert.equal(await stored(session.refreshTokenId!), undefined, 'revoked');
        await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken! }), 404);
      } finally {
        offset = 0;
      }
    });
  });
}
