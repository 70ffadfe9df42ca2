import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import type { Application, FusionAuthClient } from '@fusionauth/typescript-client';
import { hashRefreshToken } from '../../src/oauth/tokens/refresh-token-value.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';

for (const backend of backends) {
  describe(`/api/jwt refresh, validate and /api/logout on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let keyless: FusionAuthClient;
    let reusable: Application;
    let oneTimeUse: Application;

    before(async () => {
      gatehouse = await createTestApp(backend);
      let clientFor: (apiKey: string) => FusionAuthClient;
      ({ client, clientFor } = await serveWithClient(gatehouse));
      keyless = clientFor('');
      const loginConfiguration = { generateRefreshTokens: true, allowTokenRefresh: true };
      reusable = (await client.createApplication('', { application: { name: 'Reusable', loginConfiguration } })).response.application!;
      oneTimeUse = (
        await client.createApplication('', {
          application: { name: 'One time', loginConfiguration, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 120, refreshTokenUsagePolicy: 'OneTimeUse' as never } },
        })
      ).response.application!;
    });
    after(async () => {
      await gatehouse.close();
    });

    async function login(application: Application) {
      const email = `${randomUUID()}@example.com`;
      const user = (await client.register('', { user: { email, password }, registration: { applicationId: application.id! } })).response.user!;
      const response = await client.login({ loginId: email, password, applicationId: application.id! });
      return { user, ...response.response };
    }

    it('exchanges a reusable refresh token for new JWTs, keeping the token and its id', async () => {
      const session = await login(reusable);
      const first = await keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! });
      assert.equal(first.statusCode, 200);
      assert.equal(first.response.refreshToken, session.refreshToken);
      assert.equal(first.response.refreshTokenId, session.refreshTokenId);
      const claims = decodeJwt(first.response.token!);
      assert.equal(claims['authenticationType'], 'REFRESH_TOKEN');
      assert.equal(claims['sid'], session.refreshTokenId);
      assert.equal(claims['auth_time'], decodeJwt(session.token!)['auth_time']);
      assert.equal((await keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! })).statusCode, 200);
    });

    it('rotates a one-time-use refresh token: the old value is dead, the id stays', async () => {
      const session = await login(oneTimeUse);
      const rotated = await keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! });
      assert.notEqual(rotated.response.refreshToken, session.refreshToken);
      assert.equal(rotated.response.refreshTokenId, session.refreshTokenId);
      const claims = decodeJwt(rotated.response.token!);
      assert.equal(claims.exp! - claims.iat!, 120, 'the application\'s jwtConfiguration applies');
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
      assert.equal((await keyless.exchangeRefreshTokenForJWT({ refreshToken: rotated.response.refreshToken! })).statusCode, 200);
    });

    it('gives one rotation to each of two concurrent refreshes of the same token', async () => {
      const session = await login(oneTimeUse);
      const results = await Promise.allSettled([
        keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }),
        keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }),
      ]);
      const statuses = results.map((result) => (result.status === 'fulfilled' ? result.value.statusCode : (result.reason as { statusCode: number }).statusCode)).sort();
      assert.deepEqual(statuses, [200, 404], 'a rotated token is never handed out twice');
    });

    it('refuses unknown, blank and expired refresh tokens and applications that do not allow refresh', async () => {
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: 'no-such-token' }), 404);
      const blank = await expectStatus(keyless.exchangeRefreshTokenForJWT({}), 400);
      assert.ok(JSON.stringify(blank).includes('[blank]refreshToken'));
      const session = await login(reusable);
      await gatehouse.store.db.updateTable('refresh_tokens').set({ expiration_instant: Date.now() - 1 }).where('id', '=', session.refreshTokenId!).execute();
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);

      const noRefresh = (await client.createApplication('', { application: { name: 'No refresh', loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: false } } })).response.application!;
      const other = await login(noRefresh);
      const refused = await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: other.refreshToken! }), 400);
      assert.ok(JSON.stringify(refused).includes('[RefreshNotAllowed]'));
    });

    it('validates JWTs it signed and refuses others', async () => {
      const session = await login(reusable);
      const valid = await keyless.validateJWT(session.token!);
      assert.equal(valid.statusCode, 200);
      assert.equal(valid.response.jwt?.sub, session.user.id);
      const [header, payload] = session.token!.split('.');
      await expectStatus(keyless.validateJWT(`${header}.${payload}.AAAA`), 401);
      await expectStatus(keyless.validateJWT('garbage'), 401);
      const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
      await expectStatus(keyless.validateJWT(unsigned), 401);
    });

    it('lists refresh tokens without their values and revokes them every way FusionAuth does', async () => {
      const first = await login(reusable);
      const listed = await client.retrieveRefreshTokens(first.user.id!);
      assert.equal(listed.response.refreshTokens?.length, 1);
      assert.equal(listed.response.refreshTokens?.[0]?.id, first.refreshTokenId);
      assert.equal(listed.response.refreshTokens?.[0]?.token, undefined);
      assert.equal((await client.retrieveRefreshTokenById(first.refreshTokenId!)).response.refreshToken?.userId, first.user.id);
      const stored = await gatehouse.store.db.selectFrom('refresh_tokens').select('token_hash').where('id', '=', first.refreshTokenId!).executeTakeFirstOrThrow();
      assert.deepEqual(stored.token_hash, hashRefreshToken(first.refreshToken!), 'only the hash is stored');

      await client.revokeRefreshTokenByToken(first.refreshToken!);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: first.refreshToken! }), 404);

      const second = await login(reusable);
      await client.revokeRefreshTokenById(second.refreshTokenId!);
      await expectStatus(client.retrieveRefreshTokenById(second.refreshTokenId!), 404);

      const third = await login(reusable);
      await client.revokeRefreshTokensByUserIdForApplication(third.user.id!, reusable.id!);
      assert.deepEqual((await client.retrieveRefreshTokens(third.user.id!)).response.refreshTokens, []);

      const fourth = await login(reusable);
      await client.revokeRefreshTokensByApplicationId(reusable.id!);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: fourth.refreshToken! }), 404);
    });

    it('logs out: revokes the token, or every token of its user with global', async () => {
      const session = await login(reusable);
      assert.equal((await keyless.logoutWithRequest({ global: false, refreshToken: session.refreshToken! })).statusCode, 200);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);

      const email = `${randomUUID()}@example.com`;
      await client.register('', { user: { email, password }, registration: { applicationId: reusable.id! } });
      const a = (await client.login({ loginId: email, password, applicationId: reusable.id! })).response;
      const b = (await client.login({ loginId: email, password, applicationId: reusable.id! })).response;
      assert.equal((await keyless.logout(true, a.refreshToken!)).statusCode, 200);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: b.refreshToken! }), 404);
      assert.equal((await keyless.logout(false, 'unknown-token')).statusCode, 200, 'logout never reveals whether a token existed');
    });

    it('revokes refresh tokens when the registration goes', async () => {
      const session = await login(reusable);
      await client.deleteRegistration(session.user.id!, reusable.id!);
      await expectStatus(keyless.exchangeRefreshTokenForJWT({ refreshToken: session.refreshToken! }), 404);
    });
  });
}
