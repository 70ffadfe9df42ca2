import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { backends } from '../helpers/test-stores.ts';
import { createBrowserAgent } from '../helpers/browser-agent.ts';
import { federatedSignIn, gatehouseAuthorizeUrl, startFederation, walkToApplication, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { createOAuthUser, postToken, testPassword } from '../helpers/oauth-fixtures.ts';
import { generateSigningKey, publicJwk } from '../helpers/upstream-provider.ts';

for (const backend of backends) {
  describe(`federated sign-in through a real OpenID provider on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    before(async () => {
      fixture = await startFederation(backend);
      providerId = await fixture.createProvider();
    });
    after(async () => {
      await fixture.close();
    });

    const links = (identityProviderUserId: string) =>
      fixture.server.gatehouse.store.db.selectFrom('identity_provider_links').selectAll().where('identity_provider_user_id', '=', identityProviderUserId).execute();

    it('idp_hint goes to the upstream with state, nonce and S256 PKCE, and the callback creates, links and registers the user', async () => {
      const tokenRequests = fixture.upstream.tokenRequests;
      const { code, result } = await federatedSignIn(fixture, providerId, { account: 'alice' });
      const upstreamAuthorize = new URL(result.hops[1]!.url);
      assert.equal(upstreamAuthorize.origin, fixture.upstream.issuer);
      for (const name of ['state', 'nonce', 'code_challenge']) assert.match(upstreamAuthorize.searchParams.get(name) ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.equal(upstreamAuthorize.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(upstreamAuthorize.searchParams.get('redirect_uri'), `${fixture.server.baseUrl}/oauth2/callback`);
      assert.equal(upstreamAuthorize.searchParams.get('prompt'), 'consent');
      assert.equal(fixture.upstream.tokenRequests, tokenRequests + 1);

      // The application's own code works at Gatehouse's token endpoint.
      const token = await postToken(fixture.server, { grant_type: 'authorization_code', code, redirect_uri: fixture.app.redirectUri, client_id: fixture.app.clientId, client_secret: fixture.app.clientSecret });
      assert.equal(token.status, 200, JSON.stringify(token.json));

      const [link] = await links('alice');
      assert.ok(link !== undefined);
      assert.equal(link.identity_provider_id, providerId);
      assert.equal(link.display_name, 'alice@example.com');
      assert.ok(link.token_sealed !== null && link.access_token_sealed !== null);
      assert.ok(Number(link.access_token_expiration_instant) > Date.now());
      assert.match(link.scopes ?? '', /offline_access/);
      const refreshToken = fixture.server.gatehouse.keyRing.unseal(link.token_sealed, refreshTokenContext(link.id)).toString('utf8');
      assert.ok(refreshToken.length > 20);

      const user = (await fixture.server.client.retrieveUser(link.user_id)).response.user!;
      assert.equal(user.email, 'alice@example.com');
      assert.equal(user.verified, true);
      assert.equal(user.registrations?.[0]?.applicationId, fixture.app.clientId);
      const linked = await fixture.events.waitFor('user.identity-provider.link', (event) => event.identityProviderLink.userId === link.user_id);
      assert.equal(linked.identityProviderLink.identityProviderUserId, 'alice');
      const login = await fixture.events.waitFor('user.login.success', (event) => event.user.id === link.user_id);
      assert.equal(login.identityProviderId, providerId);
      assert.equal(login.authenticationType, 'OPENID_CONNECT');
    });

    it('a later sign-in reuses the link and keeps the stored refresh token when the upstream sends none', async () => {
      const [before] = await links('alice');
      assert.ok(before !== undefined);
      // Without offline_access the upstream issues no refresh token.
      await fixture.server.client.patchIdentityProvider(providerId, { identityProvider: { oauth2: { scope: 'openid email profile' } } as never });
      try {
        await federatedSignIn(fixture, providerId, { account: 'alice' });
      } finally {
        await fixture.server.client.patchIdentityProvider(providerId, { identityProvider: { oauth2: { scope: 'openid email profile offline_access' } } as never });
      }
      const after = await links('alice');
      assert.equal(after.length, 1);
      assert.equal(after[0]!.id, before.id);
      assert.deepEqual(after[0]!.token_sealed, before.token_sealed);
      assert.notDeepEqual(after[0]!.access_token_sealed, before.access_token_sealed);
      assert.ok(Number(after[0]!.last_login_instant) >= Number(before.last_login_instant));
    });

    it('the login page shows the provider; a managed e-mail domain goes to it with login_hint', async () => {
      const agent = createBrowserAgent();
      const page = await agent.get(gatehouseAuthorizeUrl(fixture));
      const html = await page.response.text();
      assert.match(html, /<a class="provider" href="\/oauth2\/authorize\?[^"]*idp_hint=/);
      assert.match(html, /Sign in with Upstream/);

      const managed = await fixture.createProvider({ name: `Managed ${Date.now()}`, domains: [`managed-${backend}.example`] });
      const loginPage = await agent.get(gatehouseAuthorizeUrl(fixture));
      const result = await agent.submitForm(await loginPage.response.text(), loginPage.finalUrl, { loginId: `carol@managed-${backend}.example`, password: '' }, { stopAt: (next) => next.origin === fixture.upstream.issuer });
      assert.equal(result.stopped, true);
      assert.equal(result.finalUrl.searchParams.get('login_hint'), `carol@managed-${backend}.example`);
      await fixture.server.client.deleteIdentityProvider(managed);
    });

    it('refuses an unknown or replayed state with the error page, and a callback from another browser', async () => {
      const unknown = await fetch(`${fixture.server.baseUrl}/oauth2/callback?state=forged&code=x`);
      assert.equal(unknown.status, 400);
      assert.match(await unknown.text(), /unknown, was already used or has expired/);

      // Stop when the upstream sends the browser back, then replay that callback.
      const agent = createBrowserAgent();
      fixture.upstream.nextLogin('alice');
      const first = await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }), { stopAt: (next) => next.pathname === '/oauth2/callback' });
      assert.equal(first.stopped, true);
      const callback = first.finalUrl;
      const otherBrowser = await createBrowserAgent().get(callback);
      assert.equal(otherBrowser.response.status, 400);
      assert.match(await otherBrowser.response.text(), /unknown, was already used or has expired|another browser/);
      // The state was consumed by that attempt: the right browser cannot use it either (single use).
      const replay = await agent.get(callback);
      assert.equal(replay.response.status, 400);
    });

    it('refuses a response whose iss is another issuer before redeeming the code (RFC 9207 mix-up defence)', async () => {
      const agent = createBrowserAgent();
      fixture.upstream.nextLogin('alice');
      const first = await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }), { stopAt: (next) => next.pathname === '/oauth2/callback' });
      const callback = new URL(first.finalUrl);
      assert.equal(callback.searchParams.get('iss'), fixture.upstream.issuer);
      callback.searchParams.set('iss', 'https://attacker.example');
      const tokenRequests = fixture.upstream.tokenRequests;
      const refused = await agent.get(callback);
      assert.equal(refused.response.status, 400);
      assert.match(await refused.response.text(), /did not come from/);
      assert.equal(fixture.upstream.tokenRequests, tokenRequests);

      // Without iss, from an upstream that says it always sends one: refused too.
      fixture.upstream.nextLogin('alice');
      const second = await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }), { stopAt: (next) => next.pathname === '/oauth2/callback' });
      const withoutIss = new URL(second.finalUrl);
      withoutIss.searchParams.delete('iss');
      assert.equal((await agent.get(withoutIss)).response.status, 400);
      assert.equal(fixture.upstream.tokenRequests, tokenRequests);
    });

    it('refuses a code injected into another request of the same browser (PKCE verifier and nonce are per request)', async () => {
      const agent = createBrowserAgent();
      const toCallback = { stopAt: (next: URL) => next.pathname === '/oauth2/callback' };
      fixture.upstream.nextLogin('alice');
      const first = (await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }), toCallback)).finalUrl;
      fixture.upstream.nextLogin('alice');
      const second = (await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId, prompt: 'login' }), toCallback)).finalUrl;
      const injected = new URL(second);
      injected.searchParams.set('code', first.searchParams.get('code')!);
      const refused = await agent.get(injected);
      assert.equal(refused.response.status, 400);
      assert.match(await refused.response.text(), /Signing in with .* failed/);
      assert.match(fixture.server.gatehouse.logs.text(), /code_refused|invalid_id_token/);
    });

    it('shows the upstream error (access_denied) on the login page', async () => {
      fixture.upstream.nextLoginError('access_denied');
      const result = await walkToApplication(createBrowserAgent(), fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
      assert.equal(result.stopped, false);
      assert.equal(result.response.status, 400);
      assert.match(await result.response.text(), /access was denied/);
    });

    it('does not link an unverified upstream e-mail to the existing user who holds it', async () => {
      const victim = await createOAuthUser(fixture.server, fixture.app.application, { user: { email: 'bob@example.com', password: testPassword } });
      const result = await walkToApplication(createBrowserAgent(), fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }).replace('idp_hint', 'login_hint=bob&idp_hint'));
      assert.equal(result.stopped, false);
      assert.equal(result.response.status, 403);
      assert.match(await result.response.text(), /has not verified your email address/);
      assert.equal((await links('bob')).length, 0);
      const stored = await fixture.server.gatehouse.store.db.selectFrom('identity_provider_links').select('id').where('user_id', '=', victim.id!).execute();
      assert.equal(stored.length, 0);
    });
  });
}

describe('federated sign-in with an ID token its upstream keys do not verify', () => {
  it('refuses it on the login page and links nothing', async () => {
    const fixture = await startFederation('pglite');
    try {
      const providerId = await fixture.createProvider();
      // Gatehouse has not fetched the keys yet: it finds the upstream's kid with another key behind it.
      fixture.upstream.publishKeys([publicJwk(generateSigningKey('upstream-es256'))]);
      fixture.upstream.nextLogin('alice');
      const result = await walkToApplication(createBrowserAgent(), fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
      assert.equal(result.stopped, false);
      assert.equal(result.response.status, 400);
      assert.match(await result.response.text(), /Signing in with .* failed/);
      const stored = await fixture.server.gatehouse.store.db.selectFrom('identity_provider_links').select('id').execute();
      assert.equal(stored.length, 0);
      assert.match(fixture.server.gatehouse.logs.text(), /invalid_signature/);
    } finally {
      await fixture.close();
    }
  });
});
