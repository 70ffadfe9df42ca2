/**
 * Seed 001 end to end against a real oidc-provider upstream: a user signs in with account A through
 * Gatehouse's hosted flow; the application then has the user authorize accounts B and C of the same
 * provider itself (third-party mode) and completes each with POST /api/identity-provider/login; B shares
 * A's verified e-mail (LinkByEmail), C does not (CreatePendingLink, then linked by pendingIdPLinkId).
 * The Links API returns three links whose refresh tokens each work at the upstream's token endpoint.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createBrowserAgent } from '../helpers/browser-agent.ts';
import { appUpstreamRedirectUri, federatedSignIn, startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { errorCodes, expectStatus } from '../helpers/fusionauth-client.ts';
import { backends } from '../helpers/test-stores.ts';

const accounts = [
  { sub: 'account-a', email: 'owner@example.com', email_verified: true, name: 'Owner A' },
  { sub: 'account-b', email: 'owner@example.com', email_verified: true },
  { sub: 'account-c', email: 'lab-admin@lab.example', email_verified: true },
];

for (const backend of backends) {
  describe(`seed 001: several accounts of one provider on one user, on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    before(async () => {
      fixture = await startFederation(backend, { upstream: { accounts } });
      providerId = await fixture.createProvider();
    });
    after(async () => {
      await fixture.close();
    });

    /** The application's own authorization at the upstream (its redirect URI, its PKCE): the code it receives. */
    async function authorizeAtUpstream(account: string, options: { readonly redirectUri?: string } = {}): Promise<{ code: string; verifier: string }> {
      const verifier = randomBytes(32).toString('base64url');
      const query = new URLSearchParams({
        client_id: fixture.upstream.clientId,
        response_type: 'code',
        redirect_uri: options.redirectUri ?? appUpstreamRedirectUri,
        scope: 'openid email profile offline_access',
        prompt: 'consent',
        state: randomBytes(16).toString('base64url'),
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      });
      fixture.upstream.nextLogin(account);
      const result = await createBrowserAgent().get(`${fixture.upstream.issuer}/auth?${query}`, { stopAt: (next) => next.href.startsWith(appUpstreamRedirectUri) });
      const code = result.finalUrl.searchParams.get('code');
      assert.ok(result.stopped && code !== null, `no upstream code: ${JSON.stringify(result.hops)}`);
      return { code, verifier };
    }

    const complete = (code: string, verifier: string, extra: Record<string, unknown> = {}) =>
      fixture.server.client.identityProviderLogin({
        applicationId: fixture.app.clientId,
        identityProviderId: providerId,
        data: { code, redirect_uri: appUpstreamRedirectUri, code_verifier: verifier },
        ...extra,
      } as never);

    it('links accounts A, B and C to one user, each with a refresh token that works upstream', async () => {
      // A: the user signs in through Gatehouse's hosted pages.
      await federatedSignIn(fixture, providerId, { account: 'account-a' });
      const userId = (await fixture.server.client.retrieveUserByEmail('owner@example.com')).response.user!.id!;

      // B: same verified e-mail → linked to the same user by the Complete-the-Login API.
      const b = await authorizeAtUpstream('account-b');
      const completedB = await complete(b.code, b.verifier);
      assert.equal(completedB.statusCode, 200);
      assert.equal(completedB.response.user?.id, userId);
      assert.ok(completedB.response.token !== undefined);

      // C: another e-mail; with CreatePendingLink the application links it to the signed-in user.
      await fixture.server.client.patchIdentityProvider(providerId, { identityProvider: { linkingStrategy: 'CreatePendingLink' } as never });
      const c = await authorizeAtUpstream('account-c');
      const completedC = await complete(c.code, c.verifier);
      assert.equal(completedC.statusCode, 232);
      const pendingIdPLinkId = (completedC.response as Record<string, unknown>)['pendingIdPLinkId'] as string;
      assert.match(pendingIdPLinkId, /^[A-Za-z0-9_-]{43}$/);
      assert.equal((await fixture.server.client.createUserLink({ pendingIdPLinkId, identityProviderLink: { userId } } as never)).statusCode, 200);
      await fixture.server.client.patchIdentityProvider(providerId, { identityProvider: { linkingStrategy: 'LinkByEmail' } as never });

      const links = (await fixture.server.client.retrieveUserLinksByUserId(providerId, userId)).response.identityProviderLinks ?? [];
      assert.deepEqual(links.map((link) => link.identityProviderUserId).sort(), ['account-a', 'account-b', 'account-c']);
      for (const link of links) {
        assert.equal(link.userId, userId);
        assert.ok(typeof link.token === 'string' && link.token.length > 20, `link ${link.identityProviderUserId} has no refresh token`);
        const refreshed = await fetch(`${fixture.upstream.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${fixture.upstream.clientId}:${fixture.upstream.clientSecret}`).toString('base64')}` },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: link.token }),
        });
        assert.equal(refreshed.status, 200, `refresh token of ${link.identityProviderUserId}: ${await refreshed.clone().text()}`);
        assert.ok(typeof ((await refreshed.json()) as Record<string, unknown>)['access_token'] === 'string');
      }
      await fixture.events.waitFor('user.identity-provider.link', (event) => event.identityProviderLink.identityProviderUserId === 'account-b');
    });

    it('refuses a used code, a code sent to another redirect URI, and a missing code', async () => {
      const used = await authorizeAtUpstream('account-b');
      assert.equal((await complete(used.code, used.verifier)).statusCode, 200);
      const replayed = await expectStatus(complete(used.code, used.verifier), 401);
      assert.deepEqual(errorCodes(replayed), ['[IdentityProviderLoginFailed]']);

      const fresh = await authorizeAtUpstream('account-b');
      const wrongRedirect = await expectStatus(
        fixture.server.client.identityProviderLogin({ applicationId: fixture.app.clientId, identityProviderId: providerId, data: { code: fresh.code, redirect_uri: 'https://app.example.com/other', code_verifier: fresh.verifier } } as never),
        401,
      );
      assert.deepEqual(errorCodes(wrongRedirect), ['[IdentityProviderLoginFailed]']);

      const missing = await expectStatus(fixture.server.client.identityProviderLogin({ applicationId: fixture.app.clientId, identityProviderId: providerId, data: {} } as never), 400);
      assert.deepEqual(errorCodes(missing).sort(), ['[blank]data.code', '[blank]data.redirect_uri']);
    });

    it('answers 404 with noLink for an account without a link, and 400 for a provider the application does not use', async () => {
      const fresh = await authorizeAtUpstream('account-c');
      await fixture.server.gatehouse.store.db.deleteFrom('identity_provider_links').where('identity_provider_user_id', '=', 'account-c').execute();
      await expectStatus(complete(fresh.code, fresh.verifier, { noLink: true }), 404);

      const other = await fixture.createProvider({ applicationConfiguration: {} });
      const refused = await expectStatus(fixture.server.client.identityProviderLogin({ applicationId: fixture.app.clientId, identityProviderId: other, data: { code: 'x', redirect_uri: appUpstreamRedirectUri } } as never), 400);
      assert.deepEqual(errorCodes(refused), ['[invalid]identityProviderId']);
    });
  });
}
