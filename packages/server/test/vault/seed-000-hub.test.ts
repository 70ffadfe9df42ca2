/**
 * Seed 000 and 001 end to end, on real time: a user connects three accounts of one provider whose access
 * tokens live 3 seconds and whose refresh tokens rotate; the application gets a token for each, waits
 * past their expiry, and gets fresh ones — one upstream refresh per account, every token working upstream.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { browse, federatedSignIn, gatehouseAuthorizeUrl, startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import type { UpstreamAccount } from '../helpers/upstream-provider.ts';

const accounts: readonly UpstreamAccount[] = [
  { sub: 'creator-main', email: 'creator@videos.example', email_verified: true, name: 'Main channel' },
  { sub: 'creator-pets', email: 'pets@videos.example', email_verified: true, name: 'Pet antics' },
  { sub: 'creator-shorts', email: 'shorts@videos.example', email_verified: true, name: 'Shorts' },
];

describe('seed 000: connect three accounts of one provider, get tokens, wait past expiry, get fresh ones', () => {
  let fixture: FederationFixture;
  let providerId: string;
  let userId: string;
  before(async () => {
    fixture = await startFederation('postgres', { upstream: { accounts, accessTokenTtlSeconds: 3 }, gatehouse: { vaultRefreshMarginSeconds: 1 } });
    providerId = await fixture.createProvider();
  });
  after(async () => {
    await fixture.close();
  });

  const token = async (identityProviderUserId: string) => {
    const query = new URLSearchParams({ userId, identityProviderId: providerId, identityProviderUserId });
    const response = await fetch(`${fixture.server.baseUrl}/api/identity-provider/link/token?${query}`, { headers: { authorization: fixture.server.gatehouse.apiKey } });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { accessToken: string; expirationInstant: number; identityProviderUserId: string };
  };
  const worksUpstream = async (accessToken: string) => (await fetch(`${fixture.upstream.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).json() as Promise<{ sub: string }>;

  it('walks the whole hub flow', async () => {
    // Account A signs the user in; B through the application's connect button (idp_hint with a session); C on the connections page.
    const { agent } = await federatedSignIn(fixture, providerId, { account: 'creator-main' });
    userId = (await fixture.server.client.retrieveUserByEmail('creator@videos.example')).response.user!.id!;
    fixture.upstream.nextLogin('creator-pets');
    const viaApp = await browse(agent, agent.get(gatehouseAuthorizeUrl(fixture, { idp_hint: providerId }), { stopAt: (next) => next.href.startsWith(fixture.app.redirectUri) }), {
      stopAt: (next) => next.href.startsWith(fixture.app.redirectUri),
    });
    assert.equal(viaApp.stopped, true, JSON.stringify(viaApp.hops));
    fixture.upstream.nextLogin('creator-shorts');
    const viaPage = await browse(agent, agent.get(`${fixture.server.baseUrl}/account/connect/${providerId}`, { stopAt: (next) => next.pathname === '/account/connections' }), {
      stopAt: (next) => next.pathname === '/account/connections',
    });
    assert.equal(viaPage.stopped, true, JSON.stringify(viaPage.hops));

    const links = (await fixture.server.client.retrieveUserLinksByUserId(providerId, userId)).response.identityProviderLinks ?? [];
    assert.deepEqual(links.map((link) => link.identityProviderUserId).sort(), ['creator-main', 'creator-pets', 'creator-shorts']);

    const first = await Promise.all(accounts.map((account) => token(account.sub)));
    for (const [index, issued] of first.entries()) {
      assert.equal(issued.identityProviderUserId, accounts[index]!.sub);
      assert.equal((await worksUpstream(issued.accessToken)).sub, accounts[index]!.sub);
    }
    assert.equal(new Set(first.map((issued) => issued.accessToken)).size, 3);

    // Past expiry (3 s tokens, 1 s margin), bounded: the latest expiry plus a little.
    const wait = Math.max(...first.map((issued) => issued.expirationInstant)) - Date.now() + 200;
    assert.ok(wait < 10_000);
    await sleep(Math.max(0, wait));
    const refreshes = fixture.upstream.tokenRequests;
    const fresh = await Promise.all(accounts.map((account) => token(account.sub)));
    assert.equal(fixture.upstream.tokenRequests, refreshes + 3, 'one refresh per account');
    for (const [index, issued] of fresh.entries()) {
      assert.notEqual(issued.accessToken, first[index]!.accessToken);
      assert.ok(issued.expirationInstant > Date.now());
      assert.equal((await worksUpstream(issued.accessToken)).sub, accounts[index]!.sub);
    }
  });
});
