import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ActionData, Application, FusionAuthClient, User, UserAction } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

const password = 'correct horse battery';
const hour = 3_600_000;
/** FusionAuth's "no end" expiry, Java's Long.MAX_VALUE (2^63 as a JavaScript number). */
const forever = 9223372036854775807;

for (const backend of backends) {
  describe(`/api/user/action and the Login API's 409 on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;
    let application: Application;
    let admin: User;
    let lock: UserAction;
    let mute: UserAction;
    let coupon: UserAction;
    const tenantId = () => gatehouse.setup.defaultTenantId;

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, clientFor } = await serveWithClient(gatehouse));
      application = (
        await client.createApplication('', { application: { name: 'Actions app', loginConfiguration: { generateRefreshTokens: true, requireAuthentication: true } } })
      ).response.application!;
      admin = await newUser();
      const define = async (userAction: UserAction) => (await client.createUserAction('', { userAction })).response.userAction!;
      lock = await define({ name: 'Lock', temporal: true, preventLogin: true, localizedNames: { de: 'Sperre' }, userNotificationsEnabled: true });
      mute = await define({ name: 'Mute', temporal: true });
      coupon = await define({ name: 'Coupon', options: [{ name: '10%', localizedNames: { fr: '10 pour cent' } }, { name: '20%' }] });
    });
    after(async () => {
      await gatehouse.close();
    });

    async function newUser(fields: Partial<User> = {}): Promise<User> {
      const email = `${randomUUID()}@example.com`;
      return (await client.register('', { user: { email, password, tenantId: tenantId(), ...fields }, registration: { applicationId: application.id! } })).response.user!;
    }
    const login = (user: User, secret = password) => client.login({ loginId: user.email!, password: secret, applicationId: application.id! });
    const act = (action: ActionData) => client.actionUser({ action: { actionerUserId: admin.id!, ...action } });
    const storedLog = (id: string) => gatehouse.store.db.selectFrom('user_action_logs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const logCount = async () => (await gatehouse.store.db.selectFrom('user_action_logs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;

    it('409 with the actions while a preventLogin action is active; 200 again once it is canceled', async () => {
      const user = await newUser({ preferredLanguages: ['de-AT', 'en'] });
      const first = await login(user);
      assert.equal(first.statusCode, 200);
      const expiry = Date.now() + hour;
      const taken = await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry, comment: 'Spam', notifyUser: true });
      assert.equal(taken.statusCode, 200);
      const action = taken.response.action!;
      assert.deepEqual(
        { ...action, id: '', createInstant: 0, insertInstant: 0, lastUpdateInstant: 0 },
        {
          id: '',
          userActionId: lock.id,
          actioneeUserId: user.id,
          actionerUserId: admin.id,
          applicationIds: [],
          comment: 'Spam',
          expiry,
          name: 'Lock',
          localizedName: 'Sperre',
          emailUserOnEnd: false,
          notifyUserOnEnd: true,
          endEventSent: false,
          createInstant: 0,
          insertInstant: 0,
          lastUpdateInstant: 0,
        },
      );
      // The tenant's refreshTokenRevocationPolicy.onLoginPrevented (default true) revoked the user's sessions.
      assert.equal(await expectStatus(client.exchangeRefreshTokenForJWT({ refreshToken: first.response.refreshToken! }), 404), undefined);

      const refused = await expectStatus(login(user), 409);
      assert.deepEqual(refused, { actions: [{ actionId: action.id, actionerUserId: admin.id, expiry, localizedName: 'Sperre', name: 'Lock' }] });
      // The password is checked first: a wrong one is still the plain 404.
      assert.equal(await expectStatus(login(user, 'wrong password'), 404), undefined);
      const stored = (await client.retrieveUser(user.id!)).response.user!;
      assert.equal(stored.lastLoginInstant, first.response.user?.lastLoginInstant, 'a refused login is not recorded');

      assert.deepEqual((await client.retrieveAction(action.id!)).response.action, action);
      assert.deepEqual((await client.retrieveActionsPreventingLogin(user.id!)).response.actions, [action]);
      assert.deepEqual((await client.retrieveActiveActions(user.id!)).response.actions, [action]);
      assert.deepEqual((await client.retrieveInactiveActions(user.id!)).response.actions, []);

      const canceled = await client.cancelAction(action.id!, { action: { actionerUserId: admin.id!, comment: 'Sorry' } });
      assert.equal(canceled.statusCode, 200);
      const after = canceled.response.action!;
      assert.equal(after.comment, 'Sorry');
      assert.ok(after.expiry! <= Date.now() && after.expiry! >= action.insertInstant!, 'canceling ends the action now');
      assert.deepEqual(after.history?.historyItems, [{ actionerUserId: admin.id, comment: 'Spam', createInstant: action.insertInstant, expiry }]);
      const row = await storedLog(action.id!);
      assert.equal(row.expiry, after.expiry, 'the record stays, ended');
      assert.equal((await login(user)).statusCode, 200);
      assert.deepEqual((await client.retrieveActiveActions(user.id!)).response.actions, []);
      assert.deepEqual((await client.retrieveInactiveActions(user.id!)).response.actions, [after]);
      assert.deepEqual((await client.retrieveActions(user.id!)).response.actions, [after]);
      await expectStatus(client.cancelAction(action.id!, { action: { actionerUserId: admin.id! } }), 404);
      await expectStatus(client.modifyAction(action.id!, { action: { actionerUserId: admin.id!, expiry: Date.now() + hour } }), 404);
    });

    it('an expired action no longer blocks; a modified one blocks until its new expiry', async () => {
      const user = await newUser();
      const action = (await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: Date.now() + hour })).response.action!;
      await expectStatus(login(user), 409);
      const newExpiry = Date.now() + 2 * hour;
      const modified = (await client.modifyAction(action.id!, { action: { actionerUserId: user.id!, expiry: newExpiry, comment: 'Longer' } })).response.action!;
      assert.equal(modified.expiry, newExpiry);
      assert.equal(modified.actionerUserId, user.id);
      assert.equal(modified.comment, 'Longer');
      assert.deepEqual(modified.history?.historyItems, [{ actionerUserId: admin.id, createInstant: action.insertInstant, expiry: action.expiry }]);
      assert.deepEqual((await expectStatus(login(user), 409)) as unknown, { actions: [{ actionId: action.id, actionerUserId: user.id, expiry: newExpiry, localizedName: 'Lock', name: 'Lock' }] });

      // Time passes: the action's expiry is now behind us.
      await gatehouse.store.db.updateTable('user_action_logs').set({ expiry: Date.now() - 1 }).where('id', '=', action.id!).execute();
      assert.equal((await login(user)).statusCode, 200);
      assert.deepEqual((await client.retrieveActionsPreventingLogin(user.id!)).response.actions, []);
      assert.equal((await client.retrieveInactiveActions(user.id!)).response.actions?.length, 1);
      await expectStatus(client.modifyAction(action.id!, { action: { actionerUserId: admin.id!, expiry: Date.now() + hour } }), 404);
      // Once expired, the same action may be taken again.
      assert.equal((await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: Date.now() + hour })).statusCode, 200);
    });

    it('lists every preventing action in the 409, oldest first; other temporal actions do not block', async () => {
      const user = await newUser();
      const muted = (await act({ actioneeUserId: user.id!, userActionId: mute.id!, expiry: Date.now() + hour })).response.action!;
      assert.equal((await login(user)).statusCode, 200, 'an action without preventLogin does not block');
      const locked = (await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: forever })).response.action!;
      assert.equal(locked.expiry, forever, 'the no-end expiry round-trips');
      const secondLock = (await client.createUserAction('', { userAction: { name: 'Ban', temporal: true, preventLogin: true } })).response.userAction!;
      const banned = (await act({ actioneeUserId: user.id!, userActionId: secondLock.id!, expiry: Date.now() + hour })).response.action!;
      const refused = (await expectStatus(login(user), 409)) as unknown as { actions: Array<{ actionId: string }> };
      assert.deepEqual(refused.actions.map((entry) => entry.actionId), [locked.id, banned.id]);
      assert.deepEqual(((await client.retrieveActionsPreventingLogin(user.id!)).response.actions ?? []).map((entry) => entry.id), [locked.id, banned.id]);
      assert.deepEqual(((await client.retrieveActiveActions(user.id!)).response.actions ?? []).map((entry) => entry.id), [muted.id, locked.id, banned.id]);

      // Changing the definition applies to actions already taken.
      await client.patchUserAction(secondLock.id!, { userAction: { preventLogin: false } });
      await client.patchUserAction(lock.id!, { userAction: { preventLogin: false } });
      try {
        assert.equal((await login(user)).statusCode, 200);
      } finally {
        await client.patchUserAction(lock.id!, { userAction: { preventLogin: true } });
      }
      // Hard-deleting a definition removes the actions taken with it.
      await client.deleteUserAction(secondLock.id!);
      await expectStatus(client.retrieveAction(banned.id!), 404);
    });

    it('instantaneous actions take an option and no expiry, and cannot be modified or canceled', async () => {
      const user = await newUser({ preferredLanguages: ['fr'] });
      const given = (await act({ actioneeUserId: user.id!, userActionId: coupon.id!, option: '10%', applicationIds: [application.id!] })).response.action!;
      assert.equal(given.expiry, undefined);
      assert.equal(given.option, '10%');
      assert.equal(given.localizedOption, '10 pour cent');
      assert.equal(given.endEventSent, undefined);
      assert.deepEqual(given.applicationIds, [application.id]);
      assert.equal((await act({ actioneeUserId: user.id!, userActionId: coupon.id!, option: '10%' })).statusCode, 200, 'may be taken again');
      assert.equal((await login(user)).statusCode, 200);
      assert.deepEqual((await client.retrieveActiveActions(user.id!)).response.actions, []);
      assert.equal((await client.retrieveInactiveActions(user.id!)).response.actions?.length, 2);
      await expectStatus(client.modifyAction(given.id!, { action: { actionerUserId: admin.id!, expiry: Date.now() + hour } }), 404);
      await expectStatus(client.cancelAction(given.id!, { action: { actionerUserId: admin.id! } }), 404);
    });

    it('answers bad requests with FusionAuth codes and stores nothing', async () => {
      const user = await newUser();
      const inactive = (await client.createUserAction('', { userAction: { name: `Retired ${randomUUID()}`, temporal: true } })).response.userAction!;
      await client.deactivateUserAction(inactive.id!);
      const unknown = randomUUID();
      const soon = Date.now() + hour;
      const before = await logCount();
      const cases: Array<[ActionData, string[]]> = [
        [{ actioneeUserId: unknown, userActionId: unknown, actionerUserId: unknown }, ['[invalid]action.actionerUserId', '[invalid]action.actioneeUserId', '[invalid]action.userActionId']],
        [{ actioneeUserId: user.id!, userActionId: inactive.id!, expiry: soon }, ['[invalid]action.userActionId']],
        [{ actioneeUserId: user.id!, userActionId: lock.id! }, ['[missing]action.expiry']],
        [{ actioneeUserId: user.id!, userActionId: lock.id!, expiry: Date.now() - 1 }, ['[inPast]action.expiry']],
        [{ actioneeUserId: user.id!, userActionId: lock.id!, expiry: 1.5 }, ['[invalid]action.expiry']],
        [{ actioneeUserId: user.id!, userActionId: mute.id!, expiry: soon, notifyUser: true }, ['[disabled]action.notifyUser']],
        [{ actioneeUserId: user.id!, userActionId: lock.id!, expiry: soon, emailUser: true }, ['[emailingNotSupported]action.emailUser']],
        [{ actioneeUserId: user.id!, userActionId: lock.id!, expiry: soon, reasonId: unknown }, ['[invalid]action.reasonId']],
        [{ actioneeUserId: user.id!, userActionId: lock.id!, expiry: soon, applicationIds: [unknown] }, ['[invalid]action.applicationIds']],
        [{ actioneeUserId: user.id!, userActionId: coupon.id! }, ['[blank]action.option']],
        [{ actioneeUserId: user.id!, userActionId: coupon.id!, option: '50%' }, ['[invalid]action.option']],
        [{ actioneeUserId: user.id!, userActionId: coupon.id!, option: '10%', expiry: soon }, ['[notAllowed]action.expiry']],
        [{ actioneeUserId: 'not-a-uuid', userActionId: lock.id!, expiry: soon }, ['[invalid]action.actioneeUserId']],
      ];
      const empty = await expectStatus(client.actionUser({ action: {} }), 400);
      assert.deepEqual(errorCodes(empty), ['[missing]action.userActionId', '[missing]action.actionerUserId', '[missing]action.actioneeUserId']);
      for (const [action, codes] of cases) {
        const body = await expectStatus(act(action), 400);
        assert.deepEqual(errorCodes(body), codes, JSON.stringify(action));
      }
      const noAction = await gatehouse.app.inject({ method: 'POST', url: '/api/user/action', headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' }, payload: '{"broadcast":true}' });
      assert.equal(noAction.statusCode, 400);
      assert.deepEqual(errorCodes(noAction.json()), ['[missing]action']);
      assert.equal(await logCount(), before);

      const taken = (await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: soon })).response.action!;
      const again = await expectStatus(act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: soon + 1 }), 400);
      assert.deepEqual(errorCodes(again), ['[duplicate]action.userActionId']);
      const changes: Array<[ActionData, string[]]> = [
        [{}, ['[missing]action.actionerUserId', '[missing]action.expiry']],
        [{ actionerUserId: unknown, expiry: soon }, ['[invalid]action.actionerUserId']],
        [{ actionerUserId: admin.id!, expiry: Date.now() - 1 }, ['[inPast]action.expiry']],
      ];
      for (const [action, codes] of changes) {
        assert.deepEqual(errorCodes(await expectStatus(client.modifyAction(taken.id!, { action }), 400)), codes, JSON.stringify(action));
      }
      assert.deepEqual(errorCodes(await expectStatus(client.cancelAction(taken.id!, { action: {} }), 400)), ['[missing]action.actionerUserId']);
      await expectStatus(client.modifyAction(randomUUID(), { action: { actionerUserId: admin.id!, expiry: soon } }), 404);
      await expectStatus(client.retrieveAction(randomUUID()), 404);
      assert.deepEqual(errorCodes(await expectStatus(client.retrieveActions(unknown), 400)), ['[invalid]userId']);
      const neither = await gatehouse.app.inject({ method: 'GET', url: '/api/user/action', headers: { authorization: gatehouse.apiKey } });
      assert.deepEqual(errorCodes(neither.json()), ['[missing]actionId']);
      const row = await storedLog(taken.id!);
      assert.equal(row.expiry, soon, 'refused changes left the action alone');
      assert.deepEqual(row.history, []);
      assert.equal(await logCount(), before + 1);
    });

    it('keeps to the tenant scope: another tenant\'s users and their actions do not exist for it', async () => {
      const user = await newUser();
      const action = (await act({ actioneeUserId: user.id!, userActionId: lock.id!, expiry: Date.now() + hour })).response.action!;
      const otherTenant = (await client.createTenant('', { tenant: { name: `Other ${randomUUID()}` } })).response.tenant!.id!;
      const scoped = clientFor((await client.createAPIKey('', { apiKey: { tenantId: otherTenant } })).response.apiKey!.key!);
      const outsider = (await scoped.createUser('', { user: { email: `${randomUUID()}@example.com`, password } })).response.user!;

      await expectStatus(scoped.retrieveAction(action.id!), 404);
      await expectStatus(scoped.modifyAction(action.id!, { action: { actionerUserId: outsider.id!, expiry: Date.now() + 2 * hour } }), 404);
      await expectStatus(scoped.cancelAction(action.id!, { action: { actionerUserId: outsider.id! } }), 404);
      assert.deepEqual(errorCodes(await expectStatus(scoped.retrieveActions(user.id!), 400)), ['[invalid]userId']);
      const crossTenant = await expectStatus(scoped.actionUser({ action: { actioneeUserId: user.id!, actionerUserId: outsider.id!, userActionId: mute.id!, expiry: Date.now() + hour } }), 400);
      assert.deepEqual(errorCodes(crossTenant), ['[invalid]action.actioneeUserId']);
      const headerScoped = clientFor(gatehouse.apiKey, otherTenant);
      await expectStatus(headerScoped.retrieveAction(action.id!), 404);
      assert.equal((await storedLog(action.id!)).expiry, action.expiry);

      // Inside its own tenant, a scoped key acts normally (user actions themselves are global).
      const own = (await scoped.actionUser({ action: { actioneeUserId: outsider.id!, actionerUserId: outsider.id!, userActionId: mute.id!, expiry: Date.now() + hour } })).response.action!;
      assert.deepEqual((await scoped.retrieveAction(own.id!)).response.action, own);
      assert.equal((await scoped.cancelAction(own.id!, { action: { actionerUserId: outsider.id! } })).statusCode, 200);
    });
  });
}
