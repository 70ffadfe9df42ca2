/**
 * Federated sign-in through a real oidc-provider upstream, by linking strategy and provider setting:
 * pending links completed in the browser, anonymous links, refusals, createRegistration: false, a
 * provider not enabled for the application, the SSRF guard, and FusionAuth's postRequest.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { createBrowserAgent, parseForm } from '../helpers/browser-agent.ts';
import { federatedSignIn, gatehouseAuthorizeUrl, startFederation, walkToApplication, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { createOAuthUser, testPassword } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

for (const backend of backends) {
  describe(`federated linking strategies through a real OpenID provider on ${backend}`, () => {
    let fixture: FederationFixture;
    before(async () => {
      fixture = await startFederation(backend, { upstream: { httpPostMethods: true } });
    });
    after(async () => {
      await fixture.close();
    });

    const db = () => fixture.server.gatehouse.store.db;
    const links = (identityProviderId: string) => db().selectFrom('identity_provider_links').selectAll().where('identity_provider_id', '=', identityProviderId).execute();
    const pendingLinks = (identityProviderId: string) => db().selectFrom('pending_identity_provider_links').selectAll().where('identity_provider_id', '=', identityProviderId).execute();
    const countUsers = async () => Number((await db().selectFrom('users').select((eb) => eb.fn.countAll().as('count')).executeTakeFirstOrThrow()).count);
    const unsealLinkToken = (link: { id: string; token_sealed: Buffer | null }) => {
      assert.ok(link.token_sealed !== null, 'the link holds a refresh token');
      return fixture.server.gatehouse.keyRing.unseal(link.token_sealed, refreshTokenContext(link.id)).toString('utf8');
    };

    it('CreatePendingLink: the upstream sign-in waits on the login page, and a password sign-in in that browser completes the link', async () => {
      const providerId = await fixture.createProvider({ linkingStrategy: 'CreatePendingLink' });
      const local = await createOAuthUser(fixture.server, fixture.app.application);
      const agent = createBrowserAgent();
      fixture.upstream.nextLogin('alice');
      const landed = await walkToApplication(agent, fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
      assert.equal(landed.stopped, false);
      assert.equal(landed.response.status, 200);
      const page = await landed.response.text();
      assert.match(page, /Sign in to link your Upstream [0-9a-f-]+ account alice@example\.com to your account/);
      assert.ok(agent.cookies(fixture.server.baseUrl).has('gatehouse_pending_link'), 'the pending link id is in a cookie');
      assert.doesNotMatch(page, new RegExp(agent.cookies(fixture.server.baseUrl).get('gatehouse_pending_link')!), 'never in the page');
      const [pending, ...others] = await pendingLinks(providerId);
      assert.ok(pending !== undefined && others.length === 0);
      assert.equal(pending.identity_provider_user_id, 'alice');
      assert.ok(pending.token_sealed !== null, 'the upstream refresh token waits, sealed, with the pending link');
      const pendingToken = fixture.server.gatehouse.keyRing
        .unseal(pending.token_sealed, { table: 'pending_identity_provider_links', row: pending.id.toString('hex'), column: 'token_sealed' })
        .toString('utf8');
      assert.deepEqual(await links(providerId), []);

      const signedIn = await agent.submitForm(page, landed.finalUrl, { loginId: local.email!, password: testPassword }, { stopAt: (next) => next.href.startsWith(fixture.app.redirectUri) });
      assert.equal(signedIn.stopped, true, JSON.stringify(signedIn.hops));
      assert.match(signedIn.finalUrl.searchParams.get('code') ?? '', /.{20,}/);
      const [link, ...more] = await links(providerId);
      assert.ok(link !== undefined && more.length === 0);
      assert.equal(link.user_id, local.id);
      assert.equal(link.identity_provider_user_id, 'alice');
      assert.equal(unsealLinkToken(link), pendingToken);
      assert.deepEqual(await pendingLinks(providerId), []);
      assert.equal(agent.cookies(fixture.server.baseUrl).has('gatehouse_pending_link'), false, 'the cookie is cleared');
      const event = await fixture.events.waitFor('user.identity-provider.link', (candidate) => candidate.identityProviderLink.identityProviderId === providerId);
      assert.equal(event.identityProviderLink.userId, local.id);
      assert.equal(event.user?.id, local.id);
      assert.equal(event.identityProviderLink.identityProviderUserId, 'alice');

      // A browser that never signed in upstream links nothing when its user signs in with a password.
      const other = await createOAuthUser(fixture.server, fixture.app.application);
      const otherAgent = createBrowserAgent();
      const loginPage = await otherAgent.get(gatehouseAuthorizeUrl(fixture));
      const loginHtml = await loginPage.response.text();
      assert.doesNotMatch(loginHtml, /Sign in to link your/);
      const otherSignIn = await otherAgent.submitForm(loginHtml, loginPage.finalUrl, { loginId: other.email!, password: testPassword }, { stopAt: (next) => next.href.startsWith(fixture.app.redirectUri) });
      assert.equal(otherSignIn.stopped, true);
      assert.deepEqual(await db().selectFrom('identity_provider_links').select('id').where('user_id', '=', other.id!).execute(), []);
    });

    it('LinkAnonymously: a user with neither email nor username is created and linked, and signs in again as itself', async () => {
      const providerId = await fixture.createProvider({ linkingStrategy: 'LinkAnonymously' });
      const users = await countUsers();
      await federatedSignIn(fixture, providerId, { account: 'carol' });
      const [link] = await links(providerId);
      assert.ok(link !== undefined);
      assert.equal(link.identity_provider_user_id, 'carol');
      const user = (await fixture.server.client.retrieveUser(link.user_id)).response.user!;
      assert.equal(user.email, undefined);
      assert.equal(user.username, undefined);
      assert.equal(user.registrations?.[0]?.applicationId, fixture.app.clientId);
      assert.equal(await countUsers(), users + 1);

      await federatedSignIn(fixture, providerId, { account: 'carol' });
      const again = await links(providerId);
      assert.equal(again.length, 1);
      assert.equal(again[0]!.user_id, link.user_id);
      assert.equal(await countUsers(), users + 1);
    });

    it('LinkByEmailForExistingUser without such a user, and Disabled without a link, refuse the sign-in and create nothing', async () => {
      const forExisting = await fixture.createProvider({ linkingStrategy: 'LinkByEmailForExistingUser' });
      const disabled = await fixture.createProvider({ linkingStrategy: 'Disabled' });
      assert.equal((await fixture.server.gatehouse.store.db.selectFrom('users').select('id').where('email', '=', 'alice@example.com').execute()).length, 0);
      const users = await countUsers();
      const cases = [
        [forExisting, /No account here matches your Upstream [0-9a-f-]+ account/],
        [disabled, /account is not linked to an account here/],
      ] as const;
      for (const [providerId, message] of cases) {
        fixture.upstream.nextLogin('alice');
        const refused = await walkToApplication(createBrowserAgent(), fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
        assert.equal(refused.stopped, false);
        assert.equal(refused.response.status, 403);
        assert.match(await refused.response.text(), message);
        assert.deepEqual(await links(providerId), []);
        assert.deepEqual(await pendingLinks(providerId), []);
      }
      assert.equal(await countUsers(), users);
    });

    it('Disabled signs in the user a Links API link names', async () => {
      const disabled = await fixture.createProvider({ linkingStrategy: 'Disabled' });
      const local = await createOAuthUser(fixture.server, fixture.app.application);
      const created = await fixture.server.client.createUserLink({ identityProviderLink: { identityProviderId: disabled, identityProviderUserId: 'alice', userId: local.id!, displayName: 'alice' } });
      assert.equal(created.statusCode, 200);
      await federatedSignIn(fixture, disabled, { account: 'alice' });
      const login = await fixture.events.waitFor('user.login.success', (event) => event.identityProviderId === disabled);
      assert.equal(login.user.id, local.id);
      const stored = await links(disabled);
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.user_id, local.id);
      assert.ok(stored[0]!.token_sealed !== null, 'the sign-in kept the upstream refresh token on the API-made link');
    });

    it('createRegistration: false completes the sign-in without registering the user', async () => {
      const providerId = await fixture.createProvider({
        linkingStrategy: 'LinkAnonymously',
        applicationConfiguration: { [fixture.app.clientId]: { enabled: true, createRegistration: false } },
      });
      const { code } = await federatedSignIn(fixture, providerId, { account: 'carol' });
      assert.ok(code.length > 0);
      const [link] = await links(providerId);
      assert.ok(link !== undefined);
      assert.deepEqual(await db().selectFrom('registrations').select('id').where('user_id', '=', link.user_id).execute(), []);
    });

    it('ignores an idp_hint naming a provider not enabled for the application, or disabled', async () => {
      const notForApp = await fixture.createProvider({ applicationConfiguration: {} });
      const switchedOff = await fixture.createProvider({ enabled: false });
      const authorizeRequests = fixture.upstream.requests.get('/auth') ?? 0;
      for (const providerId of [notForApp, switchedOff]) {
        const result = await createBrowserAgent().get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
        assert.equal(result.response.status, 200);
        assert.equal(result.hops.length, 1, 'no redirect');
        const html = await result.response.text();
        assert.match(html, /name="password"/);
        assert.doesNotMatch(html, new RegExp(`idp_hint=${providerId}`), 'and no button for it');
      }
      assert.equal(fixture.upstream.requests.get('/auth') ?? 0, authorizeRequests);
    });

    it('postRequest: the browser POSTs the authorization request to the upstream through an auto-submitting form', async () => {
      const providerId = await fixture.createProvider({ linkingStrategy: 'LinkAnonymously', postRequest: true });
      const agent = createBrowserAgent();
      const start = await agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
      assert.equal(start.response.status, 200);
      assert.equal(start.hops.length, 1);
      const html = await start.response.text();
      assert.match(html, /<script\b[^>]*>[^<]*document\.forms\[0\]\.submit\(\)/);
      const form = parseForm(html, start.finalUrl);
      assert.equal(form.method, 'POST');
      const metadata = (await (await fetch(`${fixture.upstream.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
      assert.equal(form.action.href, metadata.authorization_endpoint);
      const fields = new Map(form.fields);
      for (const name of ['state', 'nonce', 'code_challenge']) assert.match(fields.get(name) ?? '', /^[A-Za-z0-9_-]{43}$/, name);
      assert.equal(fields.get('code_challenge_method'), 'S256');
      assert.equal(fields.get('redirect_uri'), `${fixture.server.baseUrl}/oauth2/callback`);
      assert.equal(fields.get('client_id'), fixture.upstream.clientId);

      fixture.upstream.nextLogin('carol');
      const done = await agent.submitForm(html, start.finalUrl, {}, { stopAt: (next) => next.href.startsWith(fixture.app.redirectUri) });
      assert.equal(done.stopped, true, JSON.stringify(done.hops));
      assert.ok((done.finalUrl.searchParams.get('code') ?? '') !== '');
      const [link] = await links(providerId);
      assert.equal(link?.identity_provider_user_id, 'carol');
    });
  });

  describe(`federated sign-in without GATEHOUSE_ALLOW_PRIVATE_NETWORK on ${backend}`, () => {
    let fixture: FederationFixture;
    before(async () => {
      fixture = await startFederation(backend, { allowPrivateNetwork: false });
    });
    after(async () => {
      await fixture.close();
    });

    it('refuses to fetch a loopback upstream: the login page says it cannot be reached (502), and the upstream saw no request', async () => {
      const providerId = await fixture.createProvider();
      const result = await createBrowserAgent().get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }));
      assert.equal(result.hops.length, 1, 'no redirect');
      assert.equal(result.response.status, 502);
      assert.match(await result.response.text(), /cannot be reached/);
      assert.equal(fixture.upstream.requests.get('/.well-known/openid-configuration'), undefined);
      assert.equal(fixture.upstream.requests.size, 0);
    });
  });
}
