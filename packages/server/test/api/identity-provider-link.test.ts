import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient } from '@fusionauth/typescript-client';
import { createPendingLink } from '../../src/federation/identity-provider-links.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/identity-provider/link on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let providerId: string;
    const providerName = `Corp SSO ${randomUUID()}`;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ clientFor } = await serveWithClient(gatehouse));
      // Pinned to the default tenant: one test adds a second tenant.
      client = clientFor(gatehouse.apiKey, gatehouse.setup.defaultTenantId);
      const oauth2 = { client_id: 'gatehouse', client_secret: 'upstream-secret', issuer: 'https://idp.example.com' };
      providerId = (await client.createIdentityProvider('', { identityProvider: { type: 'OpenIDConnect', name: providerName, buttonText: 'Corp', oauth2 } as any })).response.identityProvider!.id!;
    });
    after(async () => {
      await gatehouse.close();
    });

    const newUser = async (tenantClient = client) => (await tenantClient.createUser('', { user: { email: `link-${randomUUID()}@example.com`, password: 'password123' } })).response.user!.id!;
    const link = (userId: string, identityProviderUserId: string, extra: Record<string, unknown> = {}, on = client) =>
      on.createUserLink({ identityProviderLink: { identityProviderId: providerId, identityProviderUserId, userId, ...extra } } as any);
    const storedLinks = (userId: string) => gatehouse.store.db.selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId).execute();

    it('links one user to several accounts of one provider (seed 001: A, B, C), seals the token and returns it', async () => {
      const userId = await newUser();
      const a = `upstream-a-${randomUUID()}`;
      const created = await link(userId, a, { displayName: 'alice@a.example', token: 'refresh-token-A' });
      assert.equal(created.statusCode, 200);
      const view = created.response.identityProviderLink as Record<string, unknown>;
      assert.equal(view['identityProviderName'], providerName);
      assert.equal(view['identityProviderType'], 'OpenIDConnect');
      assert.equal(view['token'], 'refresh-token-A');
      assert.equal(view['displayName'], 'alice@a.example');
      assert.equal(view['userId'], userId);
      assert.equal(view['tenantId'], gatehouse.setup.defaultTenantId);
      // The old flat form still works.
      assert.equal((await client.createUserLink({ identityProviderId: providerId, identityProviderUserId: `upstream-b-${randomUUID()}`, userId, token: 'refresh-token-B' } as any)).statusCode, 200);
      await link(userId, `upstream-c-${randomUUID()}`);

      const rows = await storedLinks(userId);
      assert.equal(rows.length, 3);
      const rowA = rows.find((row) => row.identity_provider_user_id === a)!;
      assert.ok(rowA.token_sealed !== null);
      assert.ok(!Buffer.from(rowA.token_sealed).includes(Buffer.from('refresh-token-A')), 'the token is sealed at rest');

      const one = await client.retrieveUserLink(providerId, a, userId);
      assert.equal((one.response.identityProviderLink as any).token, 'refresh-token-A');
      assert.equal((await client.retrieveUserLink(providerId, a, undefined as any)).response.identityProviderLink?.userId, userId);
      const all = await client.retrieveUserLinksByUserId(providerId, userId);
      assert.equal(all.response.identityProviderLinks?.length, 3);
      assert.deepEqual(new Set(all.response.identityProviderLinks!.map((l) => l.token)), new Set(['refresh-token-A', 'refresh-token-B', undefined]));
      assert.equal((await client.retrieveUserLinksByUserId(undefined as any, userId)).response.identityProviderLinks?.length, 3);
      assert.equal((await client.retrieveUserLinksByUserId(randomUUID(), userId)).response.identityProviderLinks?.length, 0);
      // Another user's id on the single retrieve answers 404.
      await expectStatus(client.retrieveUserLink(providerId, a, await newUser()), 404);
    });

    it('refuses a link another user holds, and relinking by the owner replaces the token', async () => {
      const owner = await newUser();
      const upstream = `upstream-${randomUUID()}`;
      await link(owner, upstream, { token: 'first' });
      const other = await newUser();
      assert.deepEqual(errorCodes(await expectStatus(link(other, upstream), 400)), ['[duplicate]identityProviderLink.identityProviderUserId']);
      assert.equal((await storedLinks(other)).length, 0);
      assert.equal(((await link(owner, upstream, { token: 'second' })).response.identityProviderLink as any).token, 'second');
      assert.equal((await storedLinks(owner)).length, 1);
    });

    it('enforces the tenant link limit of the provider', async () => {
      const tenantId = gatehouse.setup.defaultTenantId;
      const limited = (await client.createIdentityProvider('', {
        identityProvider: { type: 'Google', name: `Limited ${randomUUID()}`, client_id: 'g', client_secret: 's', tenantConfiguration: { [tenantId]: { limitUserLinkCount: { enabled: true, maximumLinks: 2 } } } } as any,
      })).response.identityProvider!.id!;
      const userId = await newUser();
      const linkTo = (upstream: string) => client.createUserLink({ identityProviderLink: { identityProviderId: limited, identityProviderUserId: upstream, userId } } as any);
      await linkTo(`g-${randomUUID()}`);
      await linkTo(`g-${randomUUID()}`);
      assert.deepEqual(errorCodes(await expectStatus(linkTo(`g-${randomUUID()}`), 400)), ['[IdentityProviderLinkLimitExceeded]']);
      assert.equal((await storedLinks(userId)).length, 2);
    });

    it('completes a pending link through the API, and an expired one is 404', async () => {
      const tenantId = gatehouse.setup.defaultTenantId;
      const upstream = `pending-${randomUUID()}`;
      const identity = { tenantId, identityProviderId: providerId, identityProviderUserId: upstream, displayName: 'Pat', email: 'pat@upstream.example', username: 'pat', token: 'pending-refresh' };
      const pendingId = await gatehouse.store.transaction((repositories) => createPendingLink(repositories, gatehouse.keyRing, identity, Date.now()));
      const stored = await gatehouse.store.db.selectFrom('pending_identity_provider_links').selectAll().execute();
      assert.ok(stored.every((row) => !Buffer.from(row.id).equals(Buffer.from(pendingId))), 'only a hash of the pending id is stored');
      const userId = await newUser();
      const pending = await client.retrievePendingLink(pendingId, userId);
      assert.deepEqual(pending.response, {
        identityProviderTenantConfiguration: { limitUserLinkCount: { enabled: false, maximumLinks: 42 } },
        linkCount: 0,
        pendingIdPLink: { displayName: 'Pat', email: 'pat@upstream.example', identityProviderId: providerId, identityProviderName: providerName, identityProviderType: 'OpenIDConnect', identityProviderUserId: upstream, username: 'pat' },
      } as any);
      assert.deepEqual(errorCodes(await expectStatus(client.createUserLink({ pendingIdPLinkId: pendingId, identityProviderLink: {} } as any), 400)), ['[blank]identityProviderLink.userId']);
      const completed = await client.createUserLink({ pendingIdPLinkId: pendingId, identityProviderLink: { userId } } as any);
      assert.equal((completed.response.identityProviderLink as any).token, 'pending-refresh');
      assert.equal((completed.response.identityProviderLink as any).identityProviderUserId, upstream);
      assert.equal((await storedLinks(userId)).length, 1);
      // Used up.
      await expectStatus(client.retrievePendingLink(pendingId, userId), 404);
      await expectStatus(client.createUserLink({ pendingIdPLinkId: pendingId, identityProviderLink: { userId } } as any), 404);

      const expired = await gatehouse.store.transaction((repositories) => createPendingLink(repositories, gatehouse.keyRing, { ...identity, identityProviderUserId: `old-${randomUUID()}` }, Date.now() - 3_601_000));
      await expectStatus(client.retrievePendingLink(expired, undefined as any), 404);
      await expectStatus(client.createUserLink({ pendingIdPLinkId: expired, userId } as any), 404);
      assert.equal((await storedLinks(userId)).length, 1);
    });

    it('unlinks, and deleting the user removes its links', async () => {
      const userId = await newUser();
      const upstream = `unlink-${randomUUID()}`;
      await link(userId, upstream);
      await link(userId, `keep-${randomUUID()}`);
      await expectStatus(client.deleteUserLink(providerId, upstream, await newUser()), 404);
      assert.equal((await client.deleteUserLink(providerId, upstream, userId)).statusCode, 200);
      await expectStatus(client.retrieveUserLink(providerId, upstream, userId), 404);
      await expectStatus(client.deleteUserLink(providerId, upstream, userId), 404);
      assert.equal((await storedLinks(userId)).length, 1);
      await client.deleteUserWithRequest(userId, { hardDelete: true });
      assert.equal((await storedLinks(userId)).length, 0);
    });

    it('keeps links inside the tenant of a scoped key', async () => {
      const otherTenant = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!);
      const outsider = await newUser();
      const upstream = `scoped-${randomUUID()}`;
      await link(outsider, upstream, { token: 'secret' });
      assert.deepEqual(errorCodes(await expectStatus(link(outsider, `x-${randomUUID()}`, {}, scoped), 400)), ['[invalid]identityProviderLink.userId']);
      await expectStatus(scoped.retrieveUserLink(providerId, upstream, undefined as any), 404);
      assert.equal((await scoped.retrieveUserLinksByUserId(undefined as any, outsider)).response.identityProviderLinks?.length, 0);
      await expectStatus(scoped.deleteUserLink(providerId, upstream, outsider), 404);
      assert.equal((await storedLinks(outsider)).length, 1);
      const insider = await newUser(scoped);
      assert.equal((await link(insider, `in-${randomUUID()}`, {}, scoped)).response.identityProviderLink?.tenantId, otherTenant);
      const pendingId = await gatehouse.store.transaction((repositories) =>
        createPendingLink(repositories, gatehouse.keyRing, { tenantId: gatehouse.setup.defaultTenantId, identityProviderId: providerId, identityProviderUserId: `p-${randomUUID()}` }, Date.now()),
      );
      await expectStatus(scoped.retrievePendingLink(pendingId, undefined as any), 404);
      // A pending identity of one tenant cannot be linked to a user of another.
      assert.deepEqual(errorCodes(await expectStatus(client.createUserLink({ pendingIdPLinkId: pendingId, identityProviderLink: { userId: insider } } as any), 400)), ['[invalid]identityProviderLink.userId']);
    });

    it('shows the upstream token only to keys allowed to read the vault (VAULT-05)', async () => {
      const userId = await newUser();
      const upstreamId = `upstream-vault-${randomUUID()}`;
      await link(userId, upstreamId, { token: 'refresh-token-vault' });
      const linksOnly = clientFor((await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link': ['GET', 'POST'] } } } as any })).response.apiKey!.key!);
      const vault = clientFor(
        (await client.createAPIKey('', { apiKey: { permissions: { endpoints: { '/api/identity-provider/link': ['GET'], '/api/identity-provider/link/token': ['GET'] } } } as any })).response.apiKey!.key!,
      );
      const withoutToken = (await linksOnly.retrieveUserLink(providerId, upstreamId, userId)).response.identityProviderLink as Record<string, unknown>;
      assert.equal(withoutToken['identityProviderUserId'], upstreamId);
      assert.equal('token' in withoutToken, false);
      const listed = (await linksOnly.retrieveUserLinksByUserId(providerId, userId)).response.identityProviderLinks ?? [];
      assert.ok(listed.length > 0 && listed.every((entry) => !('token' in entry)));
      const created = (await linksOnly.createUserLink({ identityProviderLink: { identityProviderId: providerId, identityProviderUserId: `upstream-vault-2-${randomUUID()}`, userId, token: 'refresh-token-2' } } as any)).response.identityProviderLink as Record<string, unknown>;
      assert.equal('token' in created, false);
      assert.equal(((await vault.retrieveUserLink(providerId, upstreamId, userId)).response.identityProviderLink as Record<string, unknown>)['token'], 'refresh-token-vault');
    });

    it('answers validation errors by code and stores nothing', async () => {
      const userId = await newUser();
      assert.deepEqual(errorCodes(await expectStatus(client.createUserLink({ identityProviderLink: {} } as any), 400)).sort(), [
        '[blank]identityProviderLink.identityProviderId',
        '[blank]identityProviderLink.identityProviderUserId',
        '[blank]identityProviderLink.userId',
      ]);
      assert.deepEqual(errorCodes(await expectStatus(client.createUserLink({ identityProviderLink: { identityProviderId: 'nope', identityProviderUserId: 'x', userId } } as any), 400)), ['[invalid]identityProviderLink.identityProviderId']);
      assert.deepEqual(errorCodes(await expectStatus(client.createUserLink({ identityProviderLink: { identityProviderId: randomUUID(), identityProviderUserId: 'x', userId: randomUUID() } } as any), 400)).sort(), [
        '[invalid]identityProviderLink.identityProviderId',
        '[invalid]identityProviderLink.userId',
      ]);
      assert.deepEqual(errorCodes(await expectStatus(link(userId, 'x', { token: 42 }), 400)), ['[invalid]identityProviderLink.token']);
      assert.deepEqual(errorCodes(await expectStatus(client.retrieveUserLinksByUserId(undefined as any, undefined as any), 400)), ['[blank]userId']);
      assert.deepEqual(errorCodes(await expectStatus(client.retrieveUserLinksByUserId(undefined as any, 'not-a-uuid'), 400)), ['[invalid]userId']);
      assert.deepEqual(errorCodes(await expectStatus(client.deleteUserLink(providerId, undefined as any, undefined as any), 400)).sort(), ['[blank]identityProviderUserId', '[blank]userId']);
      assert.equal((await storedLinks(userId)).length, 0);
    });
  });
}
