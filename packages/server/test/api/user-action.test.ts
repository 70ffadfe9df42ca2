import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, UserAction } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/user-action on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const names = async (inactive = false) => ((inactive ? await client.retrieveInactiveUserActions() : await client.retrieveUserActions()).response.userActions ?? []).map((action) => action.name);
    const stored = () => gatehouse.store.db.selectFrom('user_actions').select(['id', 'name', 'active', 'prevent_login', 'temporal']).execute();

    it('creates, retrieves, replaces, patches, deactivates, reactivates and deletes a user action', async () => {
      const chosenId = randomUUID();
      const created = await client.createUserAction(chosenId, {
        userAction: {
          name: ' Lock account ',
          temporal: true,
          preventLogin: true,
          userNotificationsEnabled: true,
          localizedNames: { de: 'Konto sperren' },
          options: [{ name: 'Full', localizedNames: { de: 'Voll' } }],
          startEmailTemplateId: '00000000-0000-4000-8000-000000000004',
        },
      });
      assert.equal(created.statusCode, 200);
      const action = created.response.userAction!;
      assert.deepEqual(
        { ...action, insertInstant: 0, lastUpdateInstant: 0 },
        {
          id: chosenId,
          name: 'Lock account',
          active: true,
          preventLogin: true,
          temporal: true,
          sendEndEvent: true,
          userEmailingEnabled: false,
          userNotificationsEnabled: true,
          includeEmailInEventJSON: false,
          localizedNames: { de: 'Konto sperren' },
          options: [{ name: 'Full', localizedNames: { de: 'Voll' } }],
          startEmailTemplateId: '00000000-0000-4000-8000-000000000004',
          insertInstant: 0,
          lastUpdateInstant: 0,
        },
      );
      assert.equal(typeof action.insertInstant, 'number');
      assert.deepEqual((await client.retrieveUserAction(chosenId)).response.userAction, action);

      const reward = (await client.createUserAction('', { userAction: { name: 'Reward' } })).response.userAction!;
      assert.equal(reward.temporal, false);
      assert.equal(reward.preventLogin, false);
      assert.deepEqual(reward.options, []);
      assert.deepEqual(await names(), ['Lock account', 'Reward']);

      const replaced = (await client.updateUserAction(reward.id!, { userAction: { name: 'Coupon', options: [{ name: '10%' }] } })).response.userAction!;
      assert.equal(replaced.name, 'Coupon');
      assert.equal(replaced.insertInstant, reward.insertInstant);
      const patched = (await client.patchUserAction(reward.id!, { userAction: { userNotificationsEnabled: true } })).response.userAction!;
      assert.equal(patched.name, 'Coupon', 'PATCH keeps what it does not name');
      assert.deepEqual(patched.options, [{ name: '10%' }]);
      assert.equal(patched.userNotificationsEnabled, true);
      const putAgain = (await client.updateUserAction(reward.id!, { userAction: { name: 'Coupon' } })).response.userAction!;
      assert.equal(putAgain.userNotificationsEnabled, false, 'PUT replaces every setting');
      assert.deepEqual(putAgain.options, []);

      assert.equal((await client.deactivateUserAction(reward.id!)).statusCode, 200);
      assert.deepEqual(await names(), ['Lock account']);
      assert.deepEqual(await names(true), ['Coupon']);
      assert.equal((await client.retrieveUserAction(reward.id!)).response.userAction?.active, false);
      const reactivated = (await client.reactivateUserAction(reward.id!)).response.userAction!;
      assert.equal(reactivated.active, true);
      assert.deepEqual(await names(), ['Coupon', 'Lock account']);

      assert.equal((await client.deleteUserAction(reward.id!)).statusCode, 200);
      await expectStatus(client.retrieveUserAction(reward.id!), 404);
      await expectStatus(client.deleteUserAction(reward.id!), 404);
      await expectStatus(client.deactivateUserAction(randomUUID()), 404);
      await expectStatus(client.reactivateUserAction(randomUUID()), 404);
      await expectStatus(client.updateUserAction(randomUUID(), { userAction: { name: 'x' } }), 404);
      assert.deepEqual((await stored()).map((row) => row.id), [chosenId]);
    });

    it('answers bad user actions with exact field errors and stores nothing', async () => {
      const taken = (await client.createUserAction('', { userAction: { name: `Taken ${randomUUID()}` } })).response.userAction!;
      const before = await stored();
      const cases: Array<[unknown, string[]]> = [
        [{}, ['[blank]userAction.name']],
        [{ name: '   ' }, ['[blank]userAction.name']],
        [{ name: 'x'.repeat(192) }, ['[tooLong]userAction.name']],
        [{ name: 5 }, ['[invalid]userAction.name']],
        [{ name: 'ok', temporal: 'yes' }, ['[invalid]userAction.temporal']],
        [{ name: 'ok', preventLogin: true }, ['[invalid]userAction.preventLogin']],
        [{ name: 'ok', options: [{ name: ' ' }] }, ['[blank]userAction.options.name']],
        [{ name: 'ok', options: [{ name: 'a' }, { name: 'a' }] }, ['[duplicate]userAction.options.name']],
        [{ name: 'ok', startEmailTemplateId: 'nope' }, ['[invalid]userAction.startEmailTemplateId']],
        [{ name: taken.name!.toUpperCase() }, ['[duplicate]userAction.name']],
      ];
      for (const [userAction, codes] of cases) {
        const body = await expectStatus(client.createUserAction('', { userAction: userAction as UserAction }), 400);
        assert.deepEqual(errorCodes(body), codes, JSON.stringify(userAction));
      }
      const reused = await expectStatus(client.createUserAction(taken.id!, { userAction: { name: 'Another' } }), 400);
      assert.deepEqual(errorCodes(reused), ['[duplicate]userAction.id']);
      const other = (await client.createUserAction('', { userAction: { name: `Other ${randomUUID()}` } })).response.userAction!;
      const renamed = await expectStatus(client.patchUserAction(other.id!, { userAction: { name: taken.name! } }), 400);
      assert.deepEqual(errorCodes(renamed), ['[duplicate]userAction.name']);
      const unTemporal = await expectStatus(client.patchUserAction(other.id!, { userAction: { preventLogin: true } }), 400);
      assert.deepEqual(errorCodes(unTemporal), ['[invalid]userAction.preventLogin']);
      const noBody = await gatehouse.app.inject({ method: 'PUT', url: `/api/user-action/${other.id}`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(noBody.statusCode, 400);
      assert.deepEqual(errorCodes(noBody.json()), ['[blank]userAction']);
      assert.deepEqual(await stored(), [...before, { id: other.id, name: other.name, active: true, prevent_login: false, temporal: false }]);
    });

    it('lets a tenant-scoped key read user actions but not write them (they are global)', async () => {
      const action = (await client.createUserAction('', { userAction: { name: `Global ${randomUUID()}` } })).response.userAction!;
      const tenantId = (await client.createTenant('', { tenant: { name: `Scoped ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId } })).response.apiKey!.key!);
      assert.equal((await scoped.retrieveUserAction(action.id!)).response.userAction?.name, action.name);
      assert.ok((await scoped.retrieveUserActions()).response.userActions!.some((candidate) => candidate.id === action.id));
      await expectStatus(scoped.createUserAction('', { userAction: { name: `Scoped ${randomUUID()}` } }), 401);
      await expectStatus(scoped.updateUserAction(action.id!, { userAction: { name: 'Renamed' } }), 401);
      await expectStatus(scoped.patchUserAction(action.id!, { userAction: { name: 'Renamed' } }), 401);
      await expectStatus(scoped.deactivateUserAction(action.id!), 401);
      await expectStatus(scoped.deleteUserAction(action.id!), 401);
      const after = (await client.retrieveUserAction(action.id!)).response.userAction!;
      assert.deepEqual(after, action);
    });
  });
}
