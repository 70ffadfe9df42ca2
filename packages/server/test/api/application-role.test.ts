import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApplicationRole, FusionAuthClient } from '@fusionauth/typescript-client';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

for (const backend of backends) {
  describe(`/api/application/{id}/role on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    const newApplication = async (roles: ApplicationRole[] = []) =>
      (await client.createApplication('', { application: { name: `Roles ${randomUUID()}`, roles } })).response.application!;
    const roleNames = async (applicationId: string) => ((await client.retrieveApplication(applicationId)).response.application?.roles ?? []).map((role) => role.name);

    it('creates, updates, patches and deletes roles', async () => {
      const application = await newApplication([{ name: 'viewer' }]);
      const id = application.id!;

      const created = await client.createApplicationRole(id, '', { role: { name: 'editor', description: 'Can edit', isDefault: true } });
      assert.equal(created.statusCode, 200);
      const editor = created.response.role!;
      assert.equal(editor.name, 'editor');
      assert.equal(editor.description, 'Can edit');
      assert.equal(editor.isDefault, true);
      assert.equal(editor.isSuperRole, false);
      assert.equal(typeof editor.insertInstant, 'number');

      const chosenId = randomUUID();
      const admin = (await client.createApplicationRole(id, chosenId, { role: { name: 'admin', isSuperRole: true } })).response.role!;
      assert.equal(admin.id, chosenId);
      assert.deepEqual(await roleNames(id), ['admin', 'editor', 'viewer']);
      assert.deepEqual((await client.retrieveApplication(id)).response.application?.roles?.find((role) => role.id === editor.id), editor);

      const replaced = (await client.updateApplicationRole(id, editor.id!, { role: { name: 'author' } })).response.role!;
      assert.equal(replaced.name, 'author');
      assert.equal(replaced.description, undefined, 'PUT replaces the whole role');
      assert.equal(replaced.isDefault, false);
      assert.equal(replaced.insertInstant, editor.insertInstant);

      const patched = (await client.patchApplicationRole(id, editor.id!, { role: { description: 'Writes things' } })).response.role!;
      assert.equal(patched.name, 'author', 'PATCH keeps what it does not name');
      assert.equal(patched.description, 'Writes things');

      assert.equal((await client.deleteApplicationRole(id, editor.id!)).statusCode, 200);
      await expectStatus(client.deleteApplicationRole(id, editor.id!), 404);
      const byName = await gatehouse.app.inject({ method: 'DELETE', url: `/api/application/${id}/role?name=ADMIN`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(byName.statusCode, 200);
      assert.equal(byName.body, '');
      assert.deepEqual(await roleNames(id), ['viewer']);
    });

    it('answers bad role input with exact field errors and stores nothing', async () => {
      const application = await newApplication([{ name: 'taken' }]);
      const id = application.id!;
      const cases: Array<[unknown, string]> = [
        [{}, '[blank]role.name'],
        [{ name: '' }, '[blank]role.name'],
        [{ name: '  ' }, '[blank]role.name'],
        [{ name: 'x'.repeat(192) }, '[tooLong]role.name'],
        [{ name: 5 }, '[invalid]role.name'],
        [{ name: 'ok', isDefault: 'yes' }, '[invalid]role.isDefault'],
        [{ name: 'TAKEN' }, '[duplicate]role.name'],
      ];
      for (const [role, code] of cases) {
        const body = await expectStatus(client.createApplicationRole(id, '', { role: role as ApplicationRole }), 400);
        assert.deepEqual(errorCodes(body), [code], JSON.stringify(role));
      }
      const taken = (await client.retrieveApplication(id)).response.application!.roles![0]!;
      const other = await newApplication();
      const reused = await expectStatus(client.createApplicationRole(other.id!, taken.id!, { role: { name: 'copy' } }), 400);
      assert.deepEqual(errorCodes(reused), ['[duplicate]role.id']);

      const second = (await client.createApplicationRole(id, '', { role: { name: 'second' } })).response.role!;
      const renamed = await expectStatus(client.updateApplicationRole(id, second.id!, { role: { name: 'Taken' } }), 400);
      assert.deepEqual(errorCodes(renamed), ['[duplicate]role.name']);
      const blanked = await expectStatus(client.patchApplicationRole(id, second.id!, { role: { name: null } as unknown as ApplicationRole }), 400);
      assert.deepEqual(errorCodes(blanked), ['[blank]role.name']);
      const noWrapper = await gatehouse.app.inject({ method: 'POST', url: `/api/application/${id}/role`, headers: { authorization: gatehouse.apiKey, 'content-type': 'application/json' }, payload: '{"name":"bare"}' });
      assert.equal(noWrapper.statusCode, 400);
      assert.deepEqual(await roleNames(id), ['second', 'taken']);
      assert.deepEqual(await roleNames(other.id!), []);
    });

    it('answers 404 for a missing application or role, and a role of another application', async () => {
      const application = await newApplication([{ name: 'mine' }]);
      const other = await newApplication([{ name: 'theirs' }]);
      const theirs = other.roles![0]!;
      await expectStatus(client.createApplicationRole(randomUUID(), '', { role: { name: 'orphan' } }), 404);
      await expectStatus(client.updateApplicationRole(application.id!, randomUUID(), { role: { name: 'x' } }), 404);
      await expectStatus(client.updateApplicationRole(application.id!, theirs.id!, { role: { name: 'stolen' } }), 404);
      await expectStatus(client.patchApplicationRole(application.id!, theirs.id!, { role: { name: 'stolen' } }), 404);
      await expectStatus(client.deleteApplicationRole(application.id!, theirs.id!), 404);
      const byName = await gatehouse.app.inject({ method: 'DELETE', url: `/api/application/${application.id}/role?name=theirs`, headers: { authorization: gatehouse.apiKey } });
      assert.equal(byName.statusCode, 404);
      assert.deepEqual(await roleNames(other.id!), ['theirs']);
    });
  });
}
