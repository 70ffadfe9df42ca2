/**
 * Token exchange (RFC 8693) at /oauth2/token against a real oidc-provider upstream: an application trades
 * the Gatehouse access token a user gave it for that user's upstream access token, fresh from the vault.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accessTokenContext } from '../../src/federation/link-tokens.ts';
import { createBrowserAgent } from '../helpers/browser-agent.ts';
import { federatedSignIn, startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { basicAuthorization, createOAuthApplication, mintGrantTokens, postToken, type OAuthClientApp } from '../helpers/oauth-fixtures.ts';
import { assertOAuthError } from '../helpers/token-endpoint.ts';
import { backends } from '../helpers/test-stores.ts';

const exchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
const accessTokenType = 'urn:ietf:params:oauth:token-type:access_token';
const accounts = [
  { sub: 'owner-a', email: 'owner@example.com', email_verified: true, name: 'Owner A' },
  { sub: 'owner-b', email: 'owner@example.com', email_verified: true, name: 'Owner B' },
  { sub: 'stranger', email: 'stranger@example.com', email_verified: true, name: 'Stranger' },
];

for (const backend of backends) {
  describe(`token exchange (RFC 8693) on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    let userId: string;
    let subjectToken: string;
    let other: OAuthClientApp;
    const secrets: string[] = [];

    before(async () => {
      fixture = await startFederation(backend, { upstream: { accounts } });
      providerId = await fixture.createProvider();
      await fixture.server.client.patchApplication(fixture.app.clientId, { application: { oauthConfiguration: { enabledGrants: ['authorization_code', 'refresh_token', exchangeGrant] as never } } });
      const { code } = await federatedSignIn(fixture, providerId, { account: 'owner-a' });
      userId = (await fixture.server.client.retrieveUserByEmail('owner@example.com')).response.user!.id!;
      // The application redeems its code: the user's Gatehouse access token is what it will exchange.
      const redeemed = await postToken(fixture.server, { grant_type: 'authorization_code', code, redirect_uri: fixture.app.redirectUri }, { authorization: basicAuthorization(fixture.app.clientId, fixture.app.clientSecret) });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.json));
      subjectToken = String(redeemed.json['access_token']);
      other = await createOAuthApplication(fixture.server, { oauthConfiguration: { enabledGrants: ['authorization_code', exchangeGrant] as never } });
      secrets.push(fixture.app.clientSecret, other.clientSecret, subjectToken);
    });
    after(async () => {
      await fixture.close();
    });

    const db = () => fixture.server.gatehouse.store.db;
    const links = () => db().selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId).orderBy('identity_provider_user_id').execute();
    const storedAccessToken = (link: { id: string; access_token_sealed: Buffer | null }) => fixture.server.gatehouse.keyRing.unseal(link.access_token_sealed!, accessTokenContext(link.id)).toString('utf8');
    const upstreamUser = async (accessToken: string) => {
      const response = await fetch(`${fixture.upstream.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(response.status, 200);
      return ((await response.json()) as { sub: string }).sub;
    };
    const exchange = (extra: Record<string, string> = {}, client: OAuthClientApp | null = fixture.app) =>
      postToken(
        fixture.server,
        Object.fromEntries(Object.entries({ grant_type: exchangeGrant, subject_token: subjectToken, subject_token_type: accessTokenType, resource: providerId, ...extra }).filter(([, value]) => value !== '')),
        client === null ? {} : { authorization: basicAuthorization(client.clientId, client.clientSecret) },
      );

    it('hands the user’s upstream access token to the application the subject token was issued to', async () => {
      const before = fixture.upstream.tokenRequests;
      const response = await exchange({ requested_token_type: accessTokenType });
      assert.equal(response.status, 200, JSON.stringify(response.json));
      assert.equal(response.headers.get('cache-control'), 'no-store');
      assert.equal(response.headers.get('pragma'), 'no-cache');
      const [link] = await links();
      assert.deepEqual(Object.keys(response.json).sort(), ['access_token', 'expires_in', 'issued_token_type', 'scope', 'token_type']);
      assert.equal(response.json['access_token'], storedAccessToken(link!));
      assert.equal(response.json['issued_token_type'], accessTokenType);
      assert.equal(response.json['token_type'], 'Bearer');
      assert.ok(typeof response.json['expires_in'] === 'number' && response.json['expires_in'] > 0);
      assert.match(String(response.json['scope']), /offline_access/);
      assert.equal(fixture.upstream.tokenRequests, before, 'a valid stored token needs no upstream call');
      assert.equal(await upstreamUser(String(response.json['access_token'])), 'owner-a');
      secrets.push(String(response.json['access_token']));
    });

    it('takes the provider as audience or as urn:gatehouse:identity-provider:<id>', async () => {
      assert.equal((await exchange({ resource: '', audience: providerId })).status, 200);
      assert.equal((await exchange({ resource: `urn:gatehouse:identity-provider:${providerId}` })).status, 200);
      assert.equal((await exchange({ resource: `urn:gatehouse:identity-provider:${providerId}`, audience: providerId.toUpperCase() })).status, 200);
      assertOAuthError(await exchange({ audience: crypto.randomUUID() }), 400, 'invalid_request', 'conflicting_target');
      assertOAuthError(await exchange({ resource: '' }), 400, 'invalid_request', 'missing_target');
    });

    it('with several connected accounts needs login_hint, matched by upstream user id or display name', async () => {
      // A second account with the same verified e-mail links to the same user (LinkByEmail).
      await federatedSignIn(fixture, providerId, { account: 'owner-b', agent: createBrowserAgent() });
      const both = await links();
      assert.deepEqual(both.map((link) => link.identity_provider_user_id), ['owner-a', 'owner-b']);

      const ambiguous = await exchange();
      assertOAuthError(ambiguous, 400, 'invalid_request', 'ambiguous_link');
      assert.match(String(ambiguous.json['error_description']), /login_hint/);

      const byId = await exchange({ login_hint: 'owner-b' });
      assert.equal(byId.status, 200, JSON.stringify(byId.json));
      assert.equal(byId.json['access_token'], storedAccessToken(both[1]!));
      assert.equal(await upstreamUser(String(byId.json['access_token'])), 'owner-b');
      secrets.push(String(byId.json['access_token']));

      // Both accounts show the same e-mail as display name: naming it picks none.
      assert.equal(both[0]!.display_name, both[1]!.display_name);
      assertOAuthError(await exchange({ login_hint: both[0]!.display_name! }), 400, 'invalid_request', 'ambiguous_link');
      await db().updateTable('identity_provider_links').set({ display_name: 'Work account' }).where('id', '=', both[0]!.id).execute();
      const byName = await exchange({ login_hint: 'Work account' });
      assert.equal(byName.status, 200, JSON.stringify(byName.json));
      assert.equal(byName.json['access_token'], storedAccessToken(both[0]!));

      assertOAuthError(await exchange({ login_hint: 'nobody' }), 400, 'invalid_grant', 'link_not_found');
    });

    it('refuses clients that are not allowed: grant not enabled, no secret, wrong secret', async () => {
      const disabled = await createOAuthApplication(fixture.server);
      const notEnabled = await exchange({}, disabled);
      assertOAuthError(notEnabled, 400, 'unauthorized_client', 'grant_type_disabled');
      assertOAuthError(await exchange({ client_id: fixture.app.clientId, login_hint: 'owner-a' }, null), 401, 'invalid_client', 'client_authentication_missing');
      assertOAuthError(await exchange({ login_hint: 'owner-a' }, { ...fixture.app, clientSecret: 'wrong' }), 401, 'invalid_client');
    });

    it('refuses a malformed request: missing or unsupported token types, actor tokens', async () => {
      assertOAuthError(await exchange({ subject_token: '' }), 400, 'invalid_request', 'missing_subject_token');
      assertOAuthError(await exchange({ subject_token_type: '' }), 400, 'invalid_request', 'missing_subject_token_type');
      assertOAuthError(await exchange({ subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }), 400, 'invalid_request', 'invalid_subject_token_type');
      assertOAuthError(await exchange({ requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), 400, 'invalid_request', 'invalid_requested_token_type');
      assertOAuthError(await exchange({ actor_token: subjectToken, actor_token_type: accessTokenType }), 400, 'invalid_request', 'actor_token_not_supported');
    });

    it('refuses subject tokens that are not this application’s live access token for the user', async () => {
      assertOAuthError(await exchange({ subject_token: 'not-a-token', login_hint: 'owner-a' }), 400, 'invalid_request', 'invalid_subject_token');
      // The same user's token issued to another application, and that application presenting ours.
      const user = (await fixture.server.client.retrieveUser(userId)).response.user!;
      const foreignApp = await mintGrantTokens(fixture.server, other, user);
      assertOAuthError(await exchange({ subject_token: foreignApp.accessToken, login_hint: 'owner-a' }), 400, 'invalid_request', 'invalid_subject_token');
      assertOAuthError(await exchange({ login_hint: 'owner-a' }, other), 400, 'invalid_request', 'invalid_subject_token');
      // Another user's token issued to another application.
      await federatedSignIn(fixture, providerId, { account: 'stranger', agent: createBrowserAgent() });
      const stranger = (await fixture.server.client.retrieveUserByEmail('stranger@example.com')).response.user!;
      const strangerToken = await mintGrantTokens(fixture.server, other, stranger);
      assertOAuthError(await exchange({ subject_token: strangerToken.accessToken }), 400, 'invalid_request', 'invalid_subject_token');
      // An ID token is not an access token; a revoked grant's access token is dead.
      const withId = await mintGrantTokens(fixture.server, fixture.app, user);
      assertOAuthError(await exchange({ subject_token: withId.idToken!, login_hint: 'owner-a' }), 400, 'invalid_request', 'invalid_subject_token');
      await db().updateTable('oauth_grants').set({ revoked_instant: Date.now() }).where('id', '=', withId.grantId).execute();
      assertOAuthError(await exchange({ subject_token: withId.accessToken, login_hint: 'owner-a' }), 400, 'invalid_request', 'invalid_subject_token');
      secrets.push(foreignApp.accessToken, strangerToken.accessToken, withId.accessToken);
    });

    it('answers invalid_target for an unknown provider or one not enabled for the application, invalid_grant without a link', async () => {
      assertOAuthError(await exchange({ resource: crypto.randomUUID() }), 400, 'invalid_target');
      assertOAuthError(await exchange({ resource: 'https://upstream.example.com/' }), 400, 'invalid_target');
      const notForApp = await fixture.createProvider({ applicationConfiguration: { [fixture.app.clientId]: { enabled: false } } });
      assertOAuthError(await exchange({ resource: notForApp }), 400, 'invalid_target');
      const disabled = await fixture.createProvider({ enabled: false });
      assertOAuthError(await exchange({ resource: disabled }), 400, 'invalid_target');
      const unlinked = await fixture.createProvider();
      const response = await exchange({ resource: unlinked });
      assertOAuthError(response, 400, 'invalid_grant', 'link_not_found');
      assert.match(String(response.json['error_description']), /not connected/);
    });

    it('tells the application to send the user to reconnect when the link needs reauthorization or was revoked', async () => {
      for (const [status, reason] of [['reauthorization_required', 'reauthorization_required'], ['revoked', 'link_revoked']] as const) {
        await db().updateTable('identity_provider_links').set({ status }).where('user_id', '=', userId).where('identity_provider_user_id', '=', 'owner-a').execute();
        try {
          const response = await exchange({ login_hint: 'owner-a' });
          assertOAuthError(response, 400, 'invalid_grant', reason);
          assert.match(String(response.json['error_description']), new RegExp(`/account/connect/${providerId}`));
        } finally {
          await db().updateTable('identity_provider_links').set({ status: 'active' }).where('user_id', '=', userId).execute();
        }
      }
    });

    it('answers 503 temporarily_unavailable with Retry-After when the upstream cannot refresh', async () => {
      const updateLink = (values: { access_token_expiration_instant?: number; refresh_failures?: number; refresh_retry_instant?: null }) =>
        db().updateTable('identity_provider_links').set(values).where('user_id', '=', userId).where('identity_provider_user_id', '=', 'owner-a').execute();
      const [previous] = await links();
      await updateLink({ access_token_expiration_instant: Date.now() - 1000 });
      fixture.upstream.failTokenRequests(503);
      try {
        const response = await exchange({ login_hint: 'owner-a' });
        assertOAuthError(response, 503, 'temporarily_unavailable', 'identity_provider_unavailable');
        assert.ok(Number(response.headers.get('retry-after')) >= 1, `Retry-After: ${response.headers.get('retry-after')}`);
        const [link] = await links();
        assert.equal(link!.status, 'active');
        assert.deepEqual(link!.token_sealed, previous!.token_sealed);
      } finally {
        fixture.upstream.failTokenRequests(undefined);
        await updateLink({ refresh_failures: 0, refresh_retry_instant: null });
      }
      // With the upstream back, the expired token is refreshed on the next exchange.
      const refreshed = await exchange({ login_hint: 'owner-a' });
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
      assert.equal(await upstreamUser(String(refreshed.json['access_token'])), 'owner-a');
      secrets.push(String(refreshed.json['access_token']));
    });

    it('logs no client secret, subject token or upstream token', () => {
      const logged = fixture.server.gatehouse.logs.text();
      assert.ok(logged.length > 0);
      for (const secret of secrets) assert.equal(logged.includes(secret), false, 'a secret reached the log');
    });
  });
}
