import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { createBrowserAgent, type BrowserAgent } from '../helpers/browser-agent.ts';
import { browse, federatedSignIn, gatehouseAuthorizeUrl, startFederation, walkToApplication, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { postToken } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';
import type { UpstreamAccount } from '../helpers/upstream-provider.ts';

/** Three upstream accounts of one person (work, home, a channel), and somebody else's. */
const accounts: readonly UpstreamAccount[] = [
  { sub: 'pat-work', email: 'pat@work.example', email_verified: true, name: 'Pat at work' },
  { sub: 'pat-home', email: 'pat@home.example', email_verified: true, name: 'Pat at home' },
  { sub: 'pat-channel', email: 'pat@channel.example', email_verified: true, name: 'Pat channel' },
  { sub: 'mallory', email: 'mallory@example.com', email_verified: true, name: 'Mallory' },
];

/** Connecting several upstream accounts to one signed-in user, and the self-service connections page (docs/hub.md). */
for (const backend of backends) {
  describe(`connecting accounts on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    let pat: BrowserAgent;
    let patId: string;
    let ssoCookie: string | undefined;
    before(async () => {
      fixture = await startFederation(backend, { upstream: { accounts, revocation: true } });
      providerId = await fixture.createProvider();
      ({ agent: pat } = await federatedSignIn(fixture, providerId, { account: 'pat-work' }));
      patId = (await fixture.server.client.retrieveUserByEmail('pat@work.example')).response.user!.id!;
      ssoCookie = pat.cookies(fixture.server.baseUrl).get('gatehouse_sso');
      assert.ok(ssoCookie !== undefined);
    });
    after(async () => {
      await fixture.close();
    });

    const db = () => fixture.server.gatehouse.store.db;
    const linksOf = (userId: string) => db().selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId).orderBy('insert_instant').execute();
    const linkOf = (sub: string) => db().selectFrom('identity_provider_links').selectAll().where('identity_provider_user_id', '=', sub).executeTakeFirst();
    const userCount = async () => Number((await db().selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const connectUrl = (query = '') => `${fixture.server.baseUrl}/account/connect/${providerId}${query}`;
    const connectionsUrl = () => `${fixture.server.baseUrl}/account/connections`;
    const disconnectUrl = () => `${fixture.server.baseUrl}/account/connections/disconnect`;
    const csrfOf = (html: string) => /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];

    it('connects a second account through /oauth2/authorize?idp_hint= without signing in again; the app gets its code', async () => {
      const users = await userCount();
      const logins = fixture.events.list.filter((event) => event.type === 'user.login.success').length;
      fixture.upstream.nextLogin('pat-home');
      const toApp = { stopAt: (next: URL) => next.href.startsWith(fixture.app.redirectUri) };
      const result = await browse(pat, walkToApplication(pat, fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId })), toApp);
      assert.equal(result.stopped, true, JSON.stringify(result.hops));
      assert.ok(result.hops.some((hop) => hop.url.startsWith(fixture.upstream.issuer)), 'went upstream');
      const code = result.finalUrl.searchParams.get('code');
      assert.ok(code !== null);
      const token = await postToken(fixture.server, { grant_type: 'authorization_code', code, redirect_uri: fixture.app.redirectUri, client_id: fixture.app.clientId, client_secret: fixture.app.clientSecret });
      assert.equal(token.status, 200, JSON.stringify(token.json));
      const claims = JSON.parse(Buffer.from(String(token.json['access_token']).split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      assert.equal(claims['sub'], patId);

      const links = await linksOf(patId);
      assert.deepEqual(links.map((link) => link.identity_provider_user_id), ['pat-work', 'pat-home']);
      assert.equal(links[1]!.display_name, 'pat@home.example');
      assert.ok(links[1]!.token_sealed !== null && links[1]!.access_token_sealed !== null);
      assert.equal(await userCount(), users);
      assert.equal(pat.cookies(fixture.server.baseUrl).get('gatehouse_sso'), ssoCookie);
      const linked = await fixture.events.waitFor('user.identity-provider.link', (event) => event.identityProviderLink.identityProviderUserId === 'pat-home');
      assert.equal(linked.identityProviderLink.userId, patId);
      assert.equal(fixture.events.list.filter((event) => event.type === 'user.login.success').length, logins);
    });

    it('/account/connect asks for the configured scope plus extra scopes, validates them, and needs a known provider', async () => {
      const stopped = await pat.get(connectUrl('?scope=extra.read%20email'), { stopAt: (next) => next.origin === fixture.upstream.issuer });
      assert.equal(stopped.stopped, true);
      assert.equal(stopped.finalUrl.searchParams.get('scope'), 'openid email profile offline_access extra.read');
      assert.equal(stopped.finalUrl.searchParams.get('prompt'), 'consent');

      assert.equal((await pat.get(connectUrl('?scope=bad%22scope'))).response.status, 400);
      assert.equal((await pat.get(connectUrl(`?scope=${'a'.repeat(1025)}`))).response.status, 400);
      assert.equal((await pat.get(`${fixture.server.baseUrl}/account/connect/00000000-0000-4000-8000-000000000000`)).response.status, 404);
      assert.equal((await pat.get(`${fixture.server.baseUrl}/account/connect/not-a-uuid`)).response.status, 404);
      const disabled = await fixture.createProvider({ enabled: false });
      assert.equal((await pat.get(`${fixture.server.baseUrl}/account/connect/${disabled}`)).response.status, 404);
      await fixture.server.client.deleteIdentityProvider(disabled);
    });

    it('connects a third account through /account/connect and returns to the connections page', async () => {
      const users = await userCount();
      fixture.upstream.nextLogin('pat-channel');
      const result = await browse(pat, pat.get(connectUrl()));
      assert.equal(result.response.status, 200, await result.response.clone().text());
      assert.equal(result.finalUrl.pathname, '/account/connections');
      const back = result.hops.find((hop) => hop.url.includes('/oauth2/callback'));
      assert.equal(back?.status, 303);
      assert.equal(back?.location, '/account/connections');
      const links = await linksOf(patId);
      assert.deepEqual(links.map((link) => link.identity_provider_user_id), ['pat-work', 'pat-home', 'pat-channel']);
      assert.equal(await userCount(), users);
      assert.equal(pat.cookies(fixture.server.baseUrl).get('gatehouse_sso'), ssoCookie);
      await fixture.events.waitFor('user.identity-provider.link', (event) => event.identityProviderLink.identityProviderUserId === 'pat-channel');
    });

    it('reconnecting an account updates its link in place: same row, version grown, active again', async () => {
      const before = await linkOf('pat-home');
      assert.ok(before !== undefined);
      await db().updateTable('identity_provider_links').set({ status: 'reauthorization_required' }).where('id', '=', before.id).execute();
      const links = fixture.events.list.filter((event) => event.type === 'user.identity-provider.link').length;
      fixture.upstream.nextLogin('pat-home');
      const result = await browse(pat, pat.get(connectUrl()));
      assert.equal(result.response.status, 200);
      const after = await linkOf('pat-home');
      assert.equal(after?.id, before.id);
      assert.equal(after?.user_id, patId);
      assert.equal(after?.status, 'active');
      assert.ok(Number(after?.version) > Number(before.version));
      assert.notDeepEqual(after?.access_token_sealed, before.access_token_sealed);
      assert.equal((await linksOf(patId)).length, 3);
      // Not a new link: no link event.
      assert.equal(fixture.events.list.filter((event) => event.type === 'user.identity-provider.link').length, links);
    });

    it('GET /api/identity-provider/link/token answers for each connected account', async () => {
      for (const sub of ['pat-work', 'pat-home', 'pat-channel']) {
        const query = new URLSearchParams({ userId: patId, identityProviderId: providerId, identityProviderUserId: sub });
        const response = await fetch(`${fixture.server.baseUrl}/api/identity-provider/link/token?${query}`, { headers: { authorization: fixture.server.gatehouse.apiKey } });
        assert.equal(response.status, 200, sub);
        const body = (await response.json()) as Record<string, unknown>;
        assert.equal(body['identityProviderUserId'], sub);
        const me = await fetch(`${fixture.upstream.issuer}/me`, { headers: { authorization: `Bearer ${String(body['accessToken'])}` } });
        assert.equal(((await me.json()) as Record<string, unknown>)['sub'], sub);
      }
    });

    it('the connections page lists every link with its status, reconnect and disconnect, never framed or cached', async () => {
      const home = await linkOf('pat-home');
      await db().updateTable('identity_provider_links').set({ status: 'reauthorization_required' }).where('id', '=', home!.id).execute();
      try {
        const page = await pat.get(connectionsUrl());
        assert.equal(page.response.status, 200);
        assert.equal(page.response.headers.get('cache-control'), 'no-store');
        assert.equal(page.response.headers.get('x-frame-options'), 'DENY');
        assert.match(page.response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
        const html = await page.response.text();
        for (const name of ['pat@work.example', 'pat@home.example', 'pat@channel.example']) assert.match(html, new RegExp(name.replace('.', '\\.')));
        assert.equal(html.match(/>Connected</g)?.length, 2);
        assert.equal(html.match(/>Needs reconnecting</g)?.length, 1);
        assert.equal(html.match(/>Reconnect</g)?.length, 3);
        assert.equal(html.match(/<form method="post" action="\/account\/connections\/disconnect">/g)?.length, 3);
        assert.match(html, new RegExp(`href="/account/connect/${providerId}">Connect another Upstream`));
        assert.ok(csrfOf(html) !== undefined);
      } finally {
        await db().updateTable('identity_provider_links').set({ status: 'active' }).where('id', '=', home!.id).execute();
      }
    });

    it('refuses to connect an upstream account another user holds, and changes nothing', async () => {
      const { agent: mallory } = await federatedSignIn(fixture, providerId, { account: 'mallory' });
      assert.ok(mallory.cookies(fixture.server.baseUrl).get('gatehouse_sso') !== undefined);
      const malloryLink = await linkOf('mallory');
      assert.ok(malloryLink !== undefined && malloryLink.user_id !== patId);
      fixture.upstream.nextLogin('mallory');
      const refused = await browse(pat, pat.get(connectUrl()));
      assert.equal(refused.response.status, 409);
      assert.match(await refused.response.text(), /already connected to another account/);
      assert.deepEqual(await linkOf('mallory'), malloryLink);
      assert.equal((await linksOf(patId)).length, 3);

      // The same through /oauth2/authorize: an error page, no code for the application.
      fixture.upstream.nextLogin('mallory');
      const toApp = { stopAt: (next: URL) => next.href.startsWith(fixture.app.redirectUri) };
      const viaAuthorize = await browse(pat, walkToApplication(pat, fixture, gatehouseAuthorizeUrl(fixture, { idp_hint: providerId })), toApp);
      assert.equal(viaAuthorize.stopped, false);
      assert.equal(viaAuthorize.response.status, 409);
      assert.deepEqual(await linkOf('mallory'), malloryLink);
    });

    it('refuses the callback when the browser is no longer signed in as the user who started connecting', async () => {
      fixture.upstream.nextLogin('pat-home');
      const toCallbackOnly = { stopAt: (next: URL) => next.pathname === '/oauth2/callback' };
      const toCallback = await browse(pat, pat.get(connectUrl(), toCallbackOnly), toCallbackOnly);
      assert.equal(toCallback.stopped, true);
      // Same browser (binding cookie), session gone: the state is used up, nothing is linked.
      const withoutSession = createBrowserAgent();
      const binding = pat.cookies(fixture.server.baseUrl).get('gatehouse_upstream')!;
      const response = await fetch(toCallback.finalUrl, { headers: { cookie: `gatehouse_upstream=${binding}` }, redirect: 'manual' });
      assert.equal(response.status, 403);
      assert.match(await response.text(), /no longer signed in/);
      assert.equal((await withoutSession.get(connectionsUrl())).response.status, 401);
    });

    it('disconnect needs the CSRF token and the link must be the user\'s own', async () => {
      const channel = await linkOf('pat-channel');
      const missing = await pat.post(disconnectUrl(), { link_id: channel!.id });
      assert.equal(missing.response.status, 403);
      const forged = await pat.post(disconnectUrl(), { link_id: channel!.id, csrf_token: 'A'.repeat(43) });
      assert.equal(forged.response.status, 403);
      assert.ok((await linkOf('pat-channel')) !== undefined);

      const csrf = csrfOf(await (await pat.get(connectionsUrl())).response.text())!;
      const malloryLink = await linkOf('mallory');
      const foreign = await pat.post(disconnectUrl(), { link_id: malloryLink!.id, csrf_token: csrf });
      assert.equal(foreign.response.status, 404);
      assert.deepEqual(await linkOf('mallory'), malloryLink);
      const unknown = await pat.post(disconnectUrl(), { link_id: 'nope', csrf_token: csrf });
      assert.equal(unknown.response.status, 404);
    });

    it('disconnect revokes the refresh token at the upstream, deletes the link and emits the unlink event', async () => {
      const channel = await linkOf('pat-channel');
      assert.ok(channel?.token_sealed !== null && channel !== undefined);
      const refreshToken = fixture.server.gatehouse.keyRing.unseal(channel.token_sealed!, refreshTokenContext(channel.id)).toString('utf8');
      const revocations = fixture.upstream.requests.get('/token/revocation') ?? 0;
      const csrf = csrfOf(await (await pat.get(connectionsUrl())).response.text())!;
      const result = await pat.post(disconnectUrl(), { link_id: channel.id, csrf_token: csrf });
      assert.equal(result.hops[0]!.status, 303);
      assert.equal(result.hops[0]!.location, '/account/connections');
      assert.equal(result.response.status, 200);
      assert.doesNotMatch(await result.response.text(), /pat@channel\.example/);
      assert.equal(fixture.upstream.requests.get('/token/revocation'), revocations + 1);
      assert.equal(await linkOf('pat-channel'), undefined);
      assert.deepEqual((await linksOf(patId)).map((link) => link.identity_provider_user_id), ['pat-work', 'pat-home']);
      const unlinked = await fixture.events.waitFor('user.identity-provider.unlink', (event) => event.identityProviderLink.identityProviderUserId === 'pat-channel');
      assert.equal(unlinked.identityProviderLink.userId, patId);

      // The upstream no longer honours the revoked refresh token.
      const refused = await fetch(`${fixture.upstream.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${fixture.upstream.clientId}:${fixture.upstream.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as Record<string, unknown>)['error'], 'invalid_grant');
      assert.equal(pat.cookies(fixture.server.baseUrl).get('gatehouse_sso'), ssoCookie);
    });

    it('the account pages need a session', async () => {
      const anonymous = createBrowserAgent();
      const page = await anonymous.get(connectionsUrl());
      assert.equal(page.response.status, 401);
      assert.match(await page.response.text(), /Sign in first/);
      assert.equal((await anonymous.get(connectUrl())).response.status, 401);
      assert.equal((await anonymous.post(disconnectUrl(), { link_id: 'x' })).response.status, 401);
    });
  });
}
