import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUpstreams } from '../../src/federation/upstreams.ts';
import { createKeepAliveJob, type KeepAliveJob } from '../../src/vault/keep-alive-job.ts';
import { createLinkAccessTokens } from '../../src/vault/link-access-tokens.ts';
import { federatedSignIn, startFederation, type FederationFixture } from '../helpers/federation-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

const day = 86_400_000;

for (const backend of backends) {
  describe(`the vault keep-alive job on ${backend}`, () => {
    let fixture: FederationFixture;
    let providerId: string;
    let userId: string;
    let jobs: KeepAliveJob[];
    before(async () => {
      fixture = await startFederation(backend);
      providerId = await fixture.createProvider({ refreshTokenIdleTimeoutInSeconds: 7200 });
      await federatedSignIn(fixture, providerId, { account: 'alice' });
      userId = (await fixture.server.client.retrieveUserByEmail('alice@example.com')).response.user!.id!;
      // Two nodes' jobs on one store, each with its own engine (as two processes would have).
      const { store, keyRing, events, logs } = fixture.server.gatehouse;
      jobs = [0, 1].map(() => {
        const upstreams = createUpstreams({ allowPrivateNetwork: true, now: Date.now });
        const linkTokens = createLinkAccessTokens({ store, keyRing, upstreams, events, now: Date.now, refreshMarginMs: 60_000 });
        return createKeepAliveJob({ store, linkTokens, events, logger: logs.logger, now: Date.now, expiryWarningMs: 7 * day });
      });
    });
    after(async () => {
      await fixture.close();
    });

    const db = () => fixture.server.gatehouse.store.db;
    const link = () => db().selectFrom('identity_provider_links').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();

    it('leaves a recently used link alone', async () => {
      const before = fixture.upstream.tokenRequests;
      assert.deepEqual(await jobs[0]!.runOnce(), { refreshed: 0, failed: 0, warned: 0 });
      assert.equal(fixture.upstream.tokenRequests, before);
    });

    it('refreshes a link idle for half its provider’s idle timeout exactly once, with two nodes running at once', async () => {
      const previous = await link();
      // Idle for 61 minutes of a 2-hour idle timeout.
      await db().updateTable('identity_provider_links').set({ last_login_instant: Date.now() - 61 * 60_000, last_refresh_instant: null }).where('id', '=', previous.id).execute();
      const before = fixture.upstream.tokenRequests;
      const runs = await Promise.all(jobs.map((job) => job.runOnce()));
      assert.equal(runs.reduce((sum, run) => sum + run.refreshed, 0), 1);
      assert.equal(fixture.upstream.tokenRequests, before + 1);
      const refreshed = await link();
      assert.equal(Number(refreshed.version), Number(previous.version) + 1);
      assert.ok(Number(refreshed.last_refresh_instant) >= Date.now() - 60_000);
      assert.equal(refreshed.status, 'active');
      // Fresh again: the next run does nothing.
      assert.equal((await jobs[0]!.runOnce()).refreshed, 0);
    });

    it('warns once before a refresh token’s known expiry, and again for a new expiry', async () => {
      const current = await link();
      const expiry = Date.now() + 2 * day;
      await db().updateTable('identity_provider_links').set({ refresh_token_expiration_instant: expiry }).where('id', '=', current.id).execute();
      const runs = await Promise.all(jobs.map((job) => job.runOnce()));
      assert.equal(runs.reduce((sum, run) => sum + run.warned, 0), 1);
      const event = await fixture.events.waitFor('identity-provider.link.refresh-token.expiring', (candidate) => candidate.identityProviderLink.userId === userId);
      assert.equal(event.refreshTokenExpirationInstant, expiry);
      assert.equal((await jobs[0]!.runOnce()).warned, 0);
      await db().updateTable('identity_provider_links').set({ refresh_token_expiration_instant: expiry + day }).where('id', '=', current.id).execute();
      assert.equal((await jobs[1]!.runOnce()).warned, 1);
      // Far from expiry: no warning.
      await db().updateTable('identity_provider_links').set({ refresh_token_expiration_instant: Date.now() + 30 * day, refresh_expiry_warned_instant: null }).where('id', '=', current.id).execute();
      assert.equal((await jobs[0]!.runOnce()).warned, 0);
    });

    it('a failed refresh backs the link off (status unchanged) and the job does not retry it at once', async () => {
      const current = await link();
      fixture.upstream.failTokenRequests(400);
      try {
        await db().updateTable('identity_provider_links').set({ last_refresh_instant: Date.now() - 2 * 3600_000, keep_alive_lease_instant: null }).where('id', '=', current.id).execute();
        const run = await jobs[0]!.runOnce();
        assert.equal(run.failed, 1);
        // 400 temporarily_unavailable is not invalid_grant: the link keeps its tokens and waits out a backoff.
        assert.equal((await link()).status, 'active');
        assert.equal((await link()).refresh_failures, 1);
        const before = fixture.upstream.tokenRequests;
        await db().updateTable('identity_provider_links').set({ keep_alive_lease_instant: null }).where('id', '=', current.id).execute();
        await jobs[1]!.runOnce();
        assert.equal(fixture.upstream.tokenRequests, before);
      } finally {
        fixture.upstream.failTokenRequests(undefined);
      }
    });
  });
}
