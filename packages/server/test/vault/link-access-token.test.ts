import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accessTokenContext, refreshTokenContext } from '../../src/federation/link-tokens.ts';
import { federatedSignIn, startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

/** The hub's fresh-token call against a real oidc-provider upstream that rotates refresh tokens. */
for (const backend of backends) {
  describe(`GET /api/identity-provider/link/token on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    let userId: string;
    // The app's clock runs ahead on demand, so tokens expire without waiting.
    let offset = 0;
    before(async () => {
      fixture = await startFederation(backend, { gatehouse: { now: () => Date.now() + offset, vaultRefreshMarginSeconds: 30 } });
      providerId = await fixture.createProvider();
      await federatedSignIn(fixture, providerId, { account: 'alice' });
      userId = (await fixture.server.client.retrieveUserByEmail('alice@example.com')).response.user!.id!;
    });
    after(async () => {
      await fixture.close();
    });

    const db = () => fixture.server.gatehouse.store.db;
    const storedLink = async () => db().selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();
    const unsealed = (sealed: Buffer | null, context: ReturnType<typeof accessTokenContext>) => (sealed === null ? undefined : fixture.server.gatehouse.keyRing.unseal(sealed, context).toString('utf8'));
    const tokenUrl = (extra: Record<string, string> = {}) => `${fixture.server.baseUrl}/api/identity-provider/link/token?${new URLSearchParams({ userId, identityProviderId: providerId, ...extra })}`;
    const getToken = (extra: Record<string, string> = {}, apiKey = fixture.server.gatehouse.apiKey) => fetch(tokenUrl(extra), { headers: { authorization: apiKey } });
    const userinfo = (accessToken: string) => fetch(`${fixture.upstream.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });

    it('returns the stored access token while it is valid, without calling the upstream', async () => {
      const before = fixture.upstream.tokenRequests;
      const response = await getToken();
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as Record<string, unknown>;
      const link = await storedLink();
      assert.equal(body['accessToken'], unsealed(link.access_token_sealed, accessTokenContext(link.id)));
      assert.equal(body['tokenType'], 'Bearer');
      assert.equal(body['identityProviderUserId'], 'alice');
      assert.equal(body['expirationInstant'], Number(link.access_token_expiration_instant));
      assert.ok(typeof body['expiresIn'] === 'number' && body['expiresIn'] > 0);
      assert.match(String(body['scope']), /offline_access/);
      assert.equal(fixture.upstream.tokenRequests, before);
      assert.equal((await userinfo(String(body['accessToken']))).status, 200);
    });

    it('refreshes an expired token once for many concurrent callers and stores the rotated refresh token', async () => {
      const previous = await storedLink();
      const previousRefresh = unsealed(previous.token_sealed, refreshTokenContext(previous.id));
      offset += 2 * 3600_000;
      const before = fixture.upstream.tokenRequests;
      const responses = await Promise.all(Array.from({ length: 20 }, () => getToken()));
      assert.deepEqual(new Set(responses.map((response) => response.status)), new Set([200]));
      const tokens = new Set(await Promise.all(responses.map(async (response) => ((await response.json()) as Record<string, unknown>)['accessToken'])));
      assert.equal(tokens.size, 1);
      assert.equal(fixture.upstream.tokenRequests, before + 1);
      const link = await storedLink();
      assert.equal(Number(link.version), Number(previous.version) + 1);
      assert.ok(Number(link.last_refresh_instant) > 0);
      assert.notEqual(unsealed(link.token_sealed, refreshTokenContext(link.id)), previousRefresh, 'the rotated refresh token is stored');
      const event = await fixture.events.waitFor('identity-provider.link.token.refreshed', (candidate) => candidate.identityProviderLink.userId === userId);
      assert.equal(JSON.stringify(event).includes(String([...tokens][0])), false);
      offset = 0;
    });

    it('forceRefresh refreshes a valid token; the new one works upstream', async () => {
      const before = fixture.upstream.tokenRequests;
      const first = (await (await getToken()).json()) as Record<string, unknown>;
      const forced = (await (await getToken({ forceRefresh: 'true' })).json()) as Record<string, unknown>;
      assert.notEqual(forced['accessToken'], first['accessToken']);
      assert.equal(fixture.upstream.tokenRequests, before + 1);
      assert.equal((await userinfo(String(forced['accessToken']))).status, 200);
    });

    it('a dead upstream answers 503 with Retry-After, leaves the link unchanged and is not hammered', async () => {
      const previous = await storedLink();
      fixture.upstream.failTokenRequests(503);
      try {
        const before = fixture.upstream.tokenRequests;
        const failed = await getToken({ forceRefresh: 'true' });
        assert.equal(failed.status, 503);
        assert.ok(Number(failed.headers.get('retry-after')) >= 1);
        assert.deepEqual(((await failed.json()) as { generalErrors: { code: string }[] }).generalErrors.map((error) => error.code), ['[IdentityProviderUnavailable]']);
        const again = await getToken({ forceRefresh: 'true' });
        assert.equal(again.status, 503);
        assert.equal(fixture.upstream.tokenRequests, before + 1, 'the second call waits out the backoff');
        const link = await storedLink();
        assert.equal(link.status, 'active');
        assert.deepEqual(link.token_sealed, previous.token_sealed);
        assert.deepEqual(link.access_token_sealed, previous.access_token_sealed);
        assert.equal(link.refresh_failures, 1);
        // The stored token is still valid: plain calls keep working meanwhile.
        assert.equal((await getToken()).status, 200);
      } finally {
        fixture.upstream.failTokenRequests(undefined);
        await db().updateTable('identity_provider_links').set({ refresh_failures: 0, refresh_retry_instant: null }).where('user_id', '=', userId).execute();
      }
    });

    it('a swapped sealed value does not open: the link answers 409 and is not used', async () => {
      const link = await storedLink();
      const other = await db()
        .insertInto('identity_provider_links')
        .values({ ...link, id: crypto.randomUUID(), identity_provider_user_id: 'alice-copy', access_token_sealed: link.access_token_sealed, data: JSON.stringify(link.data) })
        .returningAll()
        .executeTakeFirstOrThrow();
      try {
        const response = await getToken({ identityProviderUserId: 'alice-copy' });
        assert.equal(response.status, 409);
        assert.match(await response.text(), /IdentityProviderReauthorizationRequired/);
        // With two links and none named, the call is ambiguous.
        const ambiguous = await getToken();
        assert.equal(ambiguous.status, 400);
        assert.match(await ambiguous.text(), /\[ambiguous\]identityProviderUserId/);
      } finally {
        await db().deleteFrom('identity_provider_links').where('id', '=', other.id).execute();
      }
    });

    it('needs the vault scope: a restricted key without it gets 401, one naming the endpoint 200; a foreign tenant 404', async () => {
      const client = fixture.server.client;
      const linksOnly = (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link': ['GET'] } } } as never })).response.apiKey!.key!;
      const vault = (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link/token': ['GET'] } } } as never })).response.apiKey!.key!;
      assert.equal((await getToken({}, linksOnly)).status, 401);
      assert.equal((await getToken({}, vault)).status, 200);
      const otherTenant = (await client.createTenant('', { tenant: { name: `Other ${backend} ${Date.now()}` } })).response.tenant!.id!;
      const scoped = (await client.createAPIKey('', { apiKey: { tenantId: otherTenant } as never })).response.apiKey!.key!;
      assert.equal((await getToken({}, scoped)).status, 404);
      assert.equal((await fetch(tokenUrl({ userId: crypto.randomUUID() }), { headers: { authorization: fixture.server.gatehouse.apiKey } })).status, 404);
    });

    it('writes a refresh event to the outbox with the refresh itself, for a webhook that wants it', async () => {
      const client = fixture.server.client;
      // Through the Webhooks API (which clears this node's webhook cache); nothing listens at the URL.
      const webhook = (await client.createWebhook('', { webhook: { url: 'http://127.0.0.1:9/hub', global: true, eventsEnabled: { 'identity-provider.link.token.refreshed': true } } as never })).response.webhook!;
      try {
        const link = await storedLink();
        assert.equal((await getToken({ forceRefresh: 'true' })).status, 200);
        const stored = await db()
          .selectFrom('events')
          .innerJoin('webhook_deliveries', 'webhook_deliveries.event_id', 'events.id')
          .select(['events.type', 'events.payload', 'webhook_deliveries.webhook_id'])
          .where('events.type', '=', 'identity-provider.link.token.refreshed')
          .execute();
        assert.equal(stored.length, 1);
        assert.equal(stored[0]!.webhook_id, webhook.id);
        const payload = stored[0]!.payload as { identityProviderLink: { userId: string } };
        assert.equal(payload.identityProviderLink.userId, userId);
        const after = await storedLink();
        assert.equal(Number(after.version), Number(link.version) + 1);
        // The payload holds no token of the link.
        for (const sealed of [after.access_token_sealed, after.token_sealed]) {
          const context = sealed === after.token_sealed ? refreshTokenContext(after.id) : accessTokenContext(after.id);
          const value = unsealed(sealed, context);
          if (value !== undefined) assert.equal(JSON.stringify(payload).includes(value), false);
        }
      } finally {
        await client.deleteWebhook(webhook.id!);
      }
    });

    it('an upstream that refuses the refresh token (invalid_grant) flips the link to reauthorization_required and emits the event', async () => {
      const link = await storedLink();
      // Someone else redeems the refresh token at the upstream: it rotates, the stored one dies.
      const stolen = await fetch(`${fixture.upstream.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${fixture.upstream.clientId}:${fixture.upstream.clientSecret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: unsealed(link.token_sealed, refreshTokenContext(link.id))! }),
      });
      assert.equal(stolen.status, 200);
      const refused = await getToken({ forceRefresh: 'true' });
      assert.equal(refused.status, 409);
      assert.deepEqual(((await refused.json()) as { generalErrors: { code: string }[] }).generalErrors.map((error) => error.code), ['[IdentityProviderReauthorizationRequired]']);
      const after = await storedLink();
      assert.equal(after.status, 'reauthorization_required');
      assert.equal(after.token_sealed, null);
      assert.equal(after.access_token_sealed, null);
      const event = await fixture.events.waitFor('identity-provider.link.reauthorization-required', (candidate) => candidate.identityProviderLink.userId === userId);
      assert.equal(event.reason?.code, 'invalid_grant');
      const requests = fixture.upstream.tokenRequests;
      assert.equal((await getToken()).status, 409);
      assert.equal(fixture.upstream.tokenRequests, requests, 'a link waiting for the user is not retried');

      // Signing in again through the upstream repairs the link in place.
      await federatedSignIn(fixture, providerId, { account: 'alice' });
      const repaired = await storedLink();
      assert.equal(repaired.id, link.id);
      assert.equal(repaired.status, 'active');
      assert.equal((await getToken()).status, 200);
    });
  });
}
