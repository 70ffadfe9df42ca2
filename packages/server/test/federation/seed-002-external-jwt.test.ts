/**
 * Seed 002 end to end: an application looks up whether an e-mail's domain is managed (Lookup API), runs
 * the OAuth flow with that identity provider itself, and sends the JWT it got to Gatehouse, which
 * verifies it with the provider's keys, creates the user, registers them and answers like the Login API
 * (POST /api/jwt/reconcile and POST /api/identity-provider/login with encodedJWT).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient } from '@fusionauth/typescript-client';
import { importPKCS8, SignJWT } from 'jose';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { backends } from '../helpers/test-stores.ts';

const tokenEndpoint = 'https://acme.com/adfs/oauth2/token';
const authorizationEndpoint = 'https://acme.com/adfs/oauth2/authorize?client_id=cf3b00da-9551-460a-ad18-33232e6cbff0&response_type=code&redirect_uri=https://acme.com/oauth2/redirect';

for (const backend of backends) {
  describe(`seed 002: managed domain lookup and ExternalJWT reconcile on ${backend}`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let anonymous: FusionAuthClient;
    let applicationId: string;
    let providerId: string;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

    before(async () => {
      gatehouse = await createTestApp(backend);
      let clientFor: (apiKey: string) => FusionAuthClient;
      ({ client, clientFor } = await serveWithClient(gatehouse));
      anonymous = clientFor('');
      applicationId = (await client.createApplication('', { application: { name: `Playtronics ${randomUUID()}`, roles: [{ name: 'member', isDefault: true }] } })).response.application!.id!;
      providerId = (
        await client.createIdentityProvider('', {
          identityProvider: {
            type: 'ExternalJWT',
            name: `Acme Corp. ADFS ${backend}`,
            enabled: true,
            headerKeyParameter: 'kid',
            keys: { 'adfs-1': publicKey.export({ type: 'spki', format: 'pem' }).toString() },
            domains: ['playtronics.com'],
            claimMap: { given_name: 'firstName', family_name: 'lastName' },
            oauth2: { authorization_endpoint: authorizationEndpoint, token_endpoint: tokenEndpoint, emailClaim: 'upn' },
            applicationConfiguration: { [applicationId]: { enabled: true, createRegistration: true } },
          } as never,
        })
      ).response.identityProvider!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const jwt = async (claims: Record<string, unknown>, key = privateKey, kid = 'adfs-1') =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(await importPKCS8(key.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256'));

    it('looks the domain up, then reconciles the JWT: the user is created, registered and logged in', async () => {
      const lookup = await anonymous.lookupIdentityProvider('jane@playtronics.com');
      assert.equal(lookup.statusCode, 200);
      assert.equal(lookup.response.identityProvider?.id, providerId);
      assert.equal(lookup.response.identityProvider?.oauth2?.authorization_endpoint, authorizationEndpoint);
      assert.equal(lookup.response.identityProvider?.oauth2?.token_endpoint, tokenEndpoint);
      await expectStatus(anonymous.lookupIdentityProvider('jane@unmanaged.example'), 404);

      const encodedJWT = await jwt({ sub: 'adfs-jane', upn: 'jane@playtronics.com', email_verified: true, given_name: 'Jane', family_name: 'Doe' });
      const reconciled = await anonymous.reconcileJWT({ applicationId, identityProviderId: providerId, encodedJWT });
      assert.equal(reconciled.statusCode, 200);
      const user = reconciled.response.user!;
      assert.equal(user.email, 'jane@playtronics.com');
      assert.equal(user.firstName, 'Jane');
      assert.equal(user.lastName, 'Doe');
      assert.deepEqual(user.registrations?.map((registration) => [registration.applicationId, registration.roles]), [[applicationId, ['member']]]);
      assert.ok(typeof reconciled.response.token === 'string');
      const claims = JSON.parse(Buffer.from(reconciled.response.token!.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      assert.equal(claims['authenticationType'], 'FEDERATED_JWT');
      assert.equal(claims['sub'], user.id);

      // The same identity again, through the Complete-the-Login API: the same user, one link.
      const again = await anonymous.identityProviderLogin({ applicationId, identityProviderId: providerId, encodedJWT: await jwt({ sub: 'adfs-jane', upn: 'jane@playtronics.com', email_verified: true }) } as never);
      assert.equal(again.statusCode, 200);
      assert.equal(again.response.user?.id, user.id);
      const links = await gatehouse.store.db.selectFrom('identity_provider_links').select('user_id').where('identity_provider_user_id', '=', 'adfs-jane').execute();
      assert.deepEqual(links.map((link) => link.user_id), [user.id]);
    });

    it('answers 401 for a JWT signed by another key, an unknown kid, an expired one, and an unmanaged e-mail domain; nothing is stored', async () => {
      const usersBefore = (await gatehouse.store.db.selectFrom('users').select('id').execute()).length;
      const refusals = [
        await jwt({ sub: 'mallory', upn: 'mallory@playtronics.com' }, otherKey),
        await jwt({ sub: 'mallory', upn: 'mallory@playtronics.com' }, privateKey, 'unknown-kid'),
        await jwt({ sub: 'mallory', upn: 'mallory@elsewhere.example' }),
        await new SignJWT({ sub: 'mallory', upn: 'mallory@playtronics.com' })
          .setProtectedHeader({ alg: 'RS256', kid: 'adfs-1' })
          .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
          .sign(await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256')),
      ];
      for (const encodedJWT of refusals) {
        const body = await expectStatus(anonymous.reconcileJWT({ applicationId, identityProviderId: providerId, encodedJWT }), 401);
        assert.deepEqual(errorCodes(body), ['[InvalidJWT]']);
      }
      assert.equal((await gatehouse.store.db.selectFrom('users').select('id').execute()).length, usersBefore);
      const missing = await expectStatus(anonymous.reconcileJWT({ applicationId, identityProviderId: providerId } as never), 400);
      assert.deepEqual(errorCodes(missing), ['[blank]encodedJWT']);
    });
  });
}
