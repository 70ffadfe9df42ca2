import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Application } from '@fusionauth/typescript-client';
import type { GatehouseEvent } from '../../src/events/event-catalogue.ts';
import { createPendingLink } from '../../src/federation/identity-provider-links.ts';
import { authorizeUrl, Browser, signInThroughPage } from '../helpers/hosted-login.ts';
import { expectStatus } from '../helpers/fusionauth-client.ts';
import { createOAuthApplication, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { recordEvents, type RecordedEvents } from '../helpers/recorded-events.ts';
import { backends } from '../helpers/test-stores.ts';

const upstreamToken = `upstream-refresh-${randomUUID()}`;

/** No credential of any kind in the serialized payload: not the password, no `password` or `token` member, no token value. */
function assertNoSecrets(event: GatehouseEvent, ...values: string[]) {
  const serialized = JSON.stringify(event);
  for (const forbidden of ['"password"', '"token"', '"salt"', '"hash"', 'sealed', testPassword, upstreamToken, ...values]) {
    assert.equal(serialized.includes(forbidden), false, `${forbidden} in ${serialized}`);
  }
}

for (const backend of backends) {
  describe(`events on ${backend}`, () => {
    let server: OAuthServer;
    let events: RecordedEvents;
    let oauthApp: OAuthClientApp;
    let application: Application;
    let providerId: string;
    const tenantId = () => server.gatehouse.setup.defaultTenantId;

    before(async () => {
      server = await startOAuthServer(backend);
      events = recordEvents(server.gatehouse.events);
      oauthApp = await createOAuthApplication(server, { application: { loginConfiguration: { requireAuthentication: true, generateRefreshTokens: true } } as Application });
      application = oauthApp.application;
      const oauth2 = { client_id: 'gatehouse', client_secret: 'upstream-client-secret', issuer: 'https://idp.example.com' };
      providerId = (await server.client.createIdentityProvider('', { identityProvider: { type: 'OpenIDConnect', name: 'Corp SSO', buttonText: 'Corp', oauth2 } as any })).response.identityProvider!.id!;
    });
    after(async () => {
      events.stop();
      await server.close();
    });

    const newUser = async (registered = true) => {
      const user = { email: `events-${randomUUID()}@example.com`, password: testPassword, tenantId: tenantId(), firstName: 'Ada' };
      if (!registered) return (await server.client.createUser('', { user })).response.user!;
      return (await server.client.register('', { user, registration: { applicationId: application.id! } })).response.user!;
    };

    it('user.login.success from the Login API: 200 and 202, with application, type, address and the user without credentials', async () => {
      const user = await newUser();
      const response = await server.client.login({ loginId: user.email!, password: testPassword, applicationId: application.id!, ipAddress: '203.0.113.9' });
      assert.equal(response.statusCode, 200);
      const event = await events.waitFor('user.login.success', (candidate) => candidate.user.id === user.id);
      assert.match(event.id, /^[0-9a-f-]{36}$/);
      assert.equal(typeof event.createInstant, 'number');
      assert.equal(event.tenantId, tenantId());
      assert.equal(event.applicationId, application.id);
      assert.equal(event.authenticationType, 'PASSWORD');
      assert.equal(event.ipAddress, '203.0.113.9');
      assert.equal(event.info?.ipAddress, '203.0.113.9');
      assert.equal(event.user.email, user.email);
      assert.equal(event.user.firstName, 'Ada');
      assert.equal(event.user.tenantId, tenantId());
      assert.equal(typeof event.user.lastLoginInstant, 'number');
      assertNoSecrets(event, response.response.token!, response.response.refreshToken!);

      const unregistered = await newUser(false);
      assert.equal((await server.client.login({ loginId: unregistered.email!, password: testPassword, applicationId: application.id! })).statusCode, 202);
      const notRegistered = await events.waitFor('user.login.success', (candidate) => candidate.user.id === unregistered.id);
      assert.equal(notRegistered.applicationId, application.id);
      assert.equal(notRegistered.info?.ipAddress, '127.0.0.1');
    });

    it('user.login.failed for a wrong password of a known user; nothing for an unknown login id', async () => {
      const user = await newUser();
      const before = events.list.length;
      await expectStatus(server.client.login({ loginId: `nobody-${randomUUID()}@example.com`, password: testPassword, applicationId: application.id! }), 404);
      const wrong = `wrong-${randomUUID()}`;
      await expectStatus(server.client.login({ loginId: user.email!, password: wrong, applicationId: application.id! }), 404);
      const event = await events.waitFor('user.login.failed', (candidate) => candidate.user.id === user.id);
      assert.equal(event.tenantId, tenantId());
      assert.equal(event.applicationId, application.id);
      assert.equal(event.authenticationType, 'PASSWORD');
      assert.deepEqual(event.reason, { code: 'credentials' });
      assertNoSecrets(event, wrong);
      // Delivery keeps emit order: an event for the unknown login id would have arrived first.
      assert.deepEqual(events.list.slice(before).map((recorded) => recorded.type), ['user.login.failed']);
    });

    it('user.login.success and user.login.failed from the hosted login form', async () => {
      const user = await newUser();
      const parameters = { client_id: oauthApp.clientId, redirect_uri: oauthApp.redirectUri, response_type: 'code', scope: 'openid', state: 's' };
      const refused = await signInThroughPage(new Browser(server.baseUrl), authorizeUrl(server, parameters), user.email!, 'not-the-password');
      assert.equal(refused.status, 200);
      const failed = await events.waitFor('user.login.failed', (candidate) => candidate.user.id === user.id);
      assert.equal(failed.applicationId, application.id);
      assertNoSecrets(failed, 'not-the-password');

      const signedIn = await signInThroughPage(new Browser(server.baseUrl), authorizeUrl(server, parameters), user.email!);
      assert.equal(signedIn.status, 303);
      const success = await events.waitFor('user.login.success', (candidate) => candidate.user.id === user.id);
      assert.equal(success.tenantId, tenantId());
      assert.equal(success.applicationId, application.id);
      assert.equal(success.authenticationType, 'PASSWORD');
      assert.equal(success.info?.ipAddress, '127.0.0.1');
      assertNoSecrets(success);
    });

    it('user.identity-provider.link and .unlink from the Links API, the link without its token', async () => {
      const user = await newUser(false);
      const upstream = `upstream-${randomUUID()}`;
      const created = await server.client.createUserLink({ identityProviderLink: { identityProviderId: providerId, identityProviderUserId: upstream, userId: user.id, displayName: 'ada@corp', token: upstreamToken } } as any);
      assert.equal((created.response.identityProviderLink as Record<string, unknown>)['token'], upstreamToken, 'the API still returns it');
      const linked = await events.waitFor('user.identity-provider.link', (candidate) => candidate.identityProviderLink.identityProviderUserId === upstream);
      assert.equal(linked.tenantId, tenantId());
      assert.deepEqual({ ...linked.identityProviderLink, insertInstant: 0, lastLoginInstant: 0 }, {
        displayName: 'ada@corp',
        identityProviderId: providerId,
        identityProviderName: 'Corp SSO',
        identityProviderType: 'OpenIDConnect',
        identityProviderUserId: upstream,
        insertInstant: 0,
        lastLoginInstant: 0,
        tenantId: tenantId(),
        userId: user.id,
      });
      assert.equal(linked.user?.id, user.id);
      assertNoSecrets(linked, 'upstream-client-secret');

      await expectStatus(server.client.deleteUserLink(providerId, upstream, randomUUID()), 404);
      assert.equal((await server.client.deleteUserLink(providerId, upstream, user.id!)).statusCode, 200);
      const unlinked = await events.waitFor('user.identity-provider.unlink', (candidate) => candidate.identityProviderLink.identityProviderUserId === upstream);
      assert.equal(unlinked.tenantId, tenantId());
      assert.equal(unlinked.identityProviderLink.userId, user.id);
      assert.equal(unlinked.identityProviderLink.identityProviderId, providerId);
      assert.equal(unlinked.user?.id, user.id);
      assertNoSecrets(unlinked, 'upstream-client-secret');
      // The refused delete (another user id) emitted nothing.
      assert.equal(events.list.filter((event) => event.type === 'user.identity-provider.unlink' && event.identityProviderLink.identityProviderUserId === upstream).length, 1);
    });

    it('user.identity-provider.link when a pending link is completed', async () => {
      const user = await newUser(false);
      const upstream = `pending-${randomUUID()}`;
      const identity = { tenantId: tenantId(), identityProviderId: providerId, identityProviderUserId: upstream, displayName: 'Pat', token: upstreamToken };
      const pendingId = await server.gatehouse.store.transaction((repositories) => createPendingLink(repositories, server.gatehouse.keyRing, identity, Date.now()));
      assert.equal((await server.client.createUserLink({ pendingIdPLinkId: pendingId, identityProviderLink: { userId: user.id } } as any)).statusCode, 200);
      const linked = await events.waitFor('user.identity-provider.link', (candidate) => candidate.identityProviderLink.identityProviderUserId === upstream);
      assert.equal(linked.identityProviderLink.userId, user.id);
      assert.equal(linked.identityProviderLink.displayName, 'Pat');
      assert.equal(linked.tenantId, tenantId());
      assertNoSecrets(linked, pendingId);
    });
  });
}
