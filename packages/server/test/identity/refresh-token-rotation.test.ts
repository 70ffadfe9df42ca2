import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findLiveRefreshToken, issueRefreshToken, useRefreshToken, type RefreshUsePolicy } from '../../src/identity/refresh-tokens.ts';
import * as fixtures from '../helpers/store-fixtures.ts';
import { openTestStore, type TestStore } from '../helpers/test-stores.ts';

/** One-time-use rotation at the edges of time, on a real store. */
describe('one-time-use refresh rotation', () => {
  let testStore: TestStore;
  let tenantId: string;
  let userId: string;
  before(async () => {
    testStore = await openTestStore('pglite');
    const tenant = fixtures.tenant('Rotation');
    await testStore.store.repositories.tenants.insert(tenant);
    tenantId = tenant.id;
    const user = fixtures.user(tenantId);
    await testStore.store.repositories.users.insert(user);
    userId = user.id;
  });
  after(async () => {
    await testStore.dispose();
  });

  const policy = (gracePeriodInSeconds: number): RefreshUsePolicy => ({
    ...fixtures.tenant('Policy').settings.jwtConfiguration,
    refreshTokenUsagePolicy: 'OneTimeUse',
    refreshTokenOneTimeUseConfiguration: { gracePeriodInSeconds },
  });

  /** A token rotated once at `rotatedAt`; the old value is then presented at `presentedAt`. */
  async function reuseOldValue(gracePeriodInSeconds: number, rotatedAt: number, presentedAt: number) {
    const repositories = testStore.store.repositories;
    const issued = await issueRefreshToken(repositories, { tenantId, userId, applicationId: undefined }, policy(gracePeriodInSeconds), rotatedAt - 10);
    const live = await findLiveRefreshToken(repositories, issued.value, rotatedAt);
    assert.ok(live !== undefined && !live.rotatedAway);
    const rotated = await useRefreshToken(repositories, live, issued.value, policy(gracePeriodInSeconds), rotatedAt);
    assert.ok(rotated !== undefined && rotated.value !== issued.value);
    const old = await findLiveRefreshToken(repositories, issued.value, presentedAt);
    assert.ok(old !== undefined && old.rotatedAway);
    return useRefreshToken(repositories, old, issued.value, policy(gracePeriodInSeconds), presentedAt);
  }

  it('without a grace period, refuses the old value even when its clock reading came before the rotation (a concurrent refresh)', async () => {
    const now = Date.now();
    assert.equal(await reuseOldValue(0, now, now - 5), undefined);
    assert.equal(await reuseOldValue(0, now, now), undefined);
  });

  it('within a grace period, answers the old value with the current one; after it, refuses it', async () => {
    const now = Date.now();
    assert.notEqual(await reuseOldValue(30, now, now - 5), undefined);
    assert.notEqual(await reuseOldValue(30, now, now + 29_000), undefined);
    assert.equal(await reuseOldValue(30, now, now + 30_000), undefined);
  });
});
