import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { OAuthApplicationRelationship, OAuthScopeConsentMode, type User } from '@fusionauth/typescript-client';
import { Browser, parseForm, withFields, type BrowserResponse } from '../helpers/browser.ts';
import { authorizeUrl, responseParameters, signInThroughPage, storedCode } from '../helpers/hosted-login.ts';
import { createOAuthApplication, createOAuthUser, startOAuthServer, testPassword, type OAuthClientApp, type OAuthServer } from '../helpers/oauth-fixtures.ts';
import { backends } from '../helpers/test-stores.ts';

const redirectUri = 'https://client.example.com/cb';
const invalidCredentials = 'Invalid email, username or password.';

function pageError(response: BrowserResponse): string | undefined {
  const match = /<p class="error" role="alert">([^<]*)<\/p>/.exec(response.body);
  return match?.[1];
}

for (const backend of backends) {
  describe(`hosted login and consent pages on ${backend}`, () => {
    let server: OAuthServer;
    let app: OAuthClientApp;
    let offset = 0;
    const base = (extra: Record<string, string> = {}, clientId = app.clientId) => ({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 'st', ...extra });

    before(async () => {
      server = await startOAuthServer(backend, { now: () => Date.now() + offset });
      app = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [redirectUri] } });
      await server.client.patchTenant(server.gatehouse.setup.defaultTenantId, {
        tenant: { failedAuthenticationConfiguration: { tooManyAttempts: 3, resetCountInSeconds: 60, actionDuration: 5, actionDurationUnit: 'MINUTES' } as never },
      });
    });
    after(async () => {
      await server.close();
    });

    async function attempt(browser: Browser, loginId: string, password: string, parameters = base()): Promise<BrowserResponse> {
      const page = await browser.get(authorizeUrl(server, parameters));
      assert.equal(page.status, 200);
      const form = parseForm(page.body, '/oauth2/login');
      return browser.post(form.action, withFields(form.fields, { loginId, password }));
    }

    it('a wrong password and an unknown user get the same page error; no session is started', async () => {
      const user = await createOAuthUser(server, app.application);
      const browser = new Browser(server.baseUrl);
      const wrong = await attempt(browser, user.email!, 'not the password');
      const unknown = await attempt(browser, `${randomUUID()}@example.com`, 'not the password');
      for (const response of [wrong, unknown]) {
        assert.equal(response.status, 200);
        assert.equal(pageError(response), invalidCredentials);
        parseForm(response.body, '/oauth2/login');
      }
      assert.equal(parseForm(wrong.body).fields.find(([name]) => name === 'loginId')?.[1], user.email, 'the login id is kept');
      assert.equal(browser.cookies.has('gatehouse_sso'), false);
      const failures = await server.gatehouse.store.repositories.loginFailures.find(user.id!);
      assert.equal(failures?.failureCount, 1, 'counted by the tenant lockout policy');
    });

    it('the tenant lockout policy locks after 3 failures: then even the right password fails, with the same message (UI-H-04)', async () => {
      const user = await createOAuthUser(server, app.application);
      const browser = new Browser(server.baseUrl);
      for (let index = 0; index < 3; index++) assert.equal(pageError(await attempt(browser, user.email!, 'wrong')), invalidCredentials);
      const locked = await attempt(browser, user.email!, testPassword);
      assert.equal(pageError(locked), invalidCredentials, 'a locked account looks like a wrong password');
      assert.ok((await server.gatehouse.store.repositories.loginFailures.find(user.id!))?.lockedUntilInstant !== undefined, 'the lock is on record');
      assert.equal(browser.cookies.has('gatehouse_sso'), false);
    });

    it('expired users, users a preventLogin action holds, and users who must change their password get a clear message', async () => {
      const expired = await createOAuthUser(server, app.application);
      await server.gatehouse.store.db.updateTable('users').set({ expiry: Date.now() - 1000 }).where('id', '=', expired.id!).execute();
      assert.match(pageError(await attempt(new Browser(server.baseUrl), expired.email!, testPassword)) ?? '', /expired/);

      const held = await createOAuthUser(server, app.application);
      const admin = await createOAuthUser(server, undefined);
      const lock = (await server.client.createUserAction('', { userAction: { name: `Suspend ${randomUUID()}`, temporal: true, preventLogin: true } })).response.userAction!;
      await server.client.actionUser({ action: { actionerUserId: admin.id!, actioneeUserId: held.id!, userActionId: lock.id!, expiry: Date.now() + 3_600_000 } });
      assert.match(pageError(await attempt(new Browser(server.baseUrl), held.email!, testPassword)) ?? '', /suspended/);

      const changing = await createOAuthUser(server, app.application, { user: { passwordChangeRequired: true } as User });
      assert.match(pageError(await attempt(new Browser(server.baseUrl), changing.email!, testPassword)) ?? '', /must be changed/);
    });

    it('a user action taken after login ends single sign-on at the next authorization', async () => {
      const user = await createOAuthUser(server, app.application);
      const browser = new Browser(server.baseUrl);
      assert.equal((await attempt(browser, user.email!, testPassword)).status, 303);
      const admin = await createOAuthUser(server, undefined);
      const lock = (await server.client.createUserAction('', { userAction: { name: `Suspend ${randomUUID()}`, temporal: true, preventLogin: true } })).response.userAction!;
      await server.client.actionUser({ action: { actionerUserId: admin.id!, actioneeUserId: user.id!, userActionId: lock.id!, expiry: Date.now() + 3_600_000 } });
      const next = await browser.get(authorizeUrl(server, base({ prompt: 'none' })));
      assert.equal(responseParameters(next.location).get('error'), 'login_required');
    });

    it('requireRegistration: an unregistered user gets an error page (403); without it the code says AuthenticatedNotRegistered', async () => {
      const user = await createOAuthUser(server, undefined);
      const strict = await createOAuthApplication(server, { redirectUri, oauthConfiguration: { authorizedRedirectURLs: [redirectUri], requireRegistration: true } });
      const refused = await attempt(new Browser(server.baseUrl), user.email!, testPassword, base({}, strict.clientId));
      assert.equal(refused.status, 403);
      assert.equal(refused.location, undefined);
      assert.ok(refused.body.includes('<code>registration_required</code>'));

      const open = await attempt(new Browser(server.baseUrl), user.email!, testPassword);
      assert.equal(open.status, 303);
      assert.equal(responseParameters(open.location).get('userState'), 'AuthenticatedNotRegistered');
    });

    it('CSRF: no token, no cookie (a cross-site post), a token of another browser, or an edited hidden field → 403', async () => {
      const user = await createOAuthUser(server, app.application);
      const browser = new Browser(server.baseUrl);
      const page = await browser.get(authorizeUrl(server, base()));
      const form = parseForm(page.body, '/oauth2/login');
      const fields = withFields(form.fields, { loginId: user.email!, password: testPassword });

      const withoutToken = await browser.post('/oauth2/login', fields.filter(([name]) => name !== 'csrf_token'));
      assert.equal(withoutToken.status, 403);
      assert.ok(withoutToken.body.includes('<code>invalid_csrf_token</code>'));
      const crossSite = await browser.request('/oauth2/login', { method: 'POST', form: fields, cookies: false });
      assert.equal(crossSite.status, 403);
      const other = new Browser(server.baseUrl);
      await other.get(authorizeUrl(server, base()));
      assert.equal((await other.post('/oauth2/login', fields)).status, 403, 'the token is bound to its own cookie');
      const edited = await browser.post('/oauth2/login', withFields(fields, { state: 'changed' }));
      assert.equal(edited.status, 403, 'the token binds the carried request');
      const unregistered = await browser.post('/oauth2/login', withFields(fields, { redirect_uri: 'https://evil.example/cb' }));
      assert.equal(unregistered.status, 400, 'the carried request is validated again: no open redirect');
      assert.equal(unregistered.location, undefined);
      assert.equal(browser.cookies.has('gatehouse_sso'), false, 'nothing signed in');

      const ok = await browser.post('/oauth2/login', fields);
      assert.equal(ok.status, 303);
      assert.equal(responseParameters(ok.location).get('state'), 'st');
    });

    it('a missing password re-shows the form (400); a JSON body is refused', async () => {
      const browser = new Browser(server.baseUrl);
      const page = await browser.get(authorizeUrl(server, base()));
      const form = parseForm(page.body, '/oauth2/login');
      const missing = await browser.post('/oauth2/login', withFields(form.fields, { loginId: 'someone' }));
      assert.equal(missing.status, 400);
      assert.match(pageError(missing) ?? '', /password/);
      const json = await browser.request('/oauth2/login', { method: 'POST', body: JSON.stringify(Object.fromEntries(form.fields)), headers: { 'content-type': 'application/json' } });
      assert.equal(json.status, 400);
    });

    it('SSO idle expiry follows httpSessionMaxInactiveInterval and slides with use; max_age=1 after 2 s asks again', async () => {
      const user = await createOAuthUser(server, app.application);
      const browser = new Browser(server.baseUrl);
      offset = 0;
      try {
        assert.equal((await attempt(browser, user.email!, testPassword)).status, 303);
        offset = 2_000;
        assert.equal((await browser.get(authorizeUrl(server, base({ max_age: '1' })))).status, 200, 'max_age=1: login page');
        offset = 3_000_000; // 50 min: inside the default 60 min idle window, slides it
        assert.equal((await browser.get(authorizeUrl(server, base()))).status, 302);
        offset = 6_000_000; // 100 min after login, 50 min after the last use
        assert.equal((await browser.get(authorizeUrl(server, base()))).status, 302, 'slid');
        offset = 6_000_000 + 3_700_000;
        assert.equal((await browser.get(authorizeUrl(server, base()))).status, 200, 'idle too long: login page');
      } finally {
        offset = 0;
      }
    });

    it('login rate limit: the 11th failed sign-in of one login id within a minute is 429 with Retry-After', async () => {
      const browser = new Browser(server.baseUrl);
      const loginId = `${randomUUID()}@example.com`;
      const page = await browser.get(authorizeUrl(server, base()));
      const form = parseForm(page.body, '/oauth2/login');
      const statuses: number[] = [];
      let last: BrowserResponse | undefined;
      for (let index = 0; index < 11; index++) {
        last = await browser.post('/oauth2/login', withFields(form.fields, { loginId, password: 'guess' }));
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
      assert.ok(Number(last!.headers.get('retry-after')) > 0);
      assert.match(pageError(last!) ?? '', /Too many/);
    });

    describe('consent for third-party applications', () => {
      let thirdParty: OAuthClientApp;
      let user: User;

      before(async () => {
        thirdParty = await createOAuthApplication(server, {
          redirectUri,
          oauthConfiguration: { authorizedRedirectURLs: [redirectUri], relationship: OAuthApplicationRelationship.ThirdParty, consentMode: OAuthScopeConsentMode.AlwaysPrompt },
        });
        await server.client.createOAuthScope(thirdParty.clientId, '', { scope: { name: 'calendar.read', defaultConsentMessage: 'Read your calendar <b>now</b>', defaultConsentDetail: 'Events and invitations', required: true } });
        await server.client.createOAuthScope(thirdParty.clientId, '', { scope: { name: 'contacts.read', defaultConsentMessage: 'Read your contacts', required: false } });
        user = await createOAuthUser(server, thirdParty.application);
      });

      const consentRequest = (extra: Record<string, string> = {}, clientId = thirdParty.clientId) => base({ scope: 'openid email calendar.read contacts.read', ...extra }, clientId);

      async function consentPage(browser: Browser, parameters = consentRequest()): Promise<BrowserResponse> {
        const response = browser.cookies.has('gatehouse_sso') ? await browser.get(authorizeUrl(server, parameters)) : await signInThroughPage(browser, authorizeUrl(server, parameters), user.email!);
        assert.equal(response.status, 200, response.body);
        parseForm(response.body, '/oauth2/consent');
        return response;
      }

      it('lists the scopes with their consent messages (escaped); deny is access_denied at the client with state and iss', async () => {
        const browser = new Browser(server.baseUrl);
        const page = await consentPage(browser);
        assert.ok(page.body.includes('Read your calendar &lt;b&gt;now&lt;/b&gt;'));
        assert.ok(page.body.includes('Events and invitations'));
        assert.ok(page.body.includes('See your email address'));
        assert.ok(page.body.includes(user.email!));
        assert.equal(page.headers.get('x-frame-options'), 'DENY');
        const form = parseForm(page.body, '/oauth2/consent');
        assert.deepEqual(
          form.fields.filter(([name]) => name === 'scope_choice').map(([, value]) => value),
          ['email', 'contacts.read'],
          'only optional scopes can be unticked (email: providedScopePolicy.email.required is false)',
        );
        const denied = await browser.post('/oauth2/consent', withFields(form.fields, { decision: 'deny' }));
        assert.equal(denied.status, 303);
        const params = responseParameters(denied.location);
        assert.equal(params.get('error'), 'access_denied');
        assert.equal(params.get('error_reason'), 'consent_canceled');
        assert.equal(params.get('state'), 'st');
        assert.equal(params.get('iss'), server.issuer);
      });

      it('allow issues the code for the required scopes and the ticked optional ones; AlwaysPrompt asks again; prompt=none → consent_required', async () => {
        const browser = new Browser(server.baseUrl);
        const form = parseForm((await consentPage(browser)).body, '/oauth2/consent');
        const allowed = await browser.post('/oauth2/consent', withFields(form.fields.filter(([name, value]) => !(name === 'scope_choice' && value === 'contacts.read')), { decision: 'allow' }));
        assert.equal(allowed.status, 303);
        const code = responseParameters(allowed.location).get('code')!;
        const grant = await server.gatehouse.store.repositories.oauthGrants.find((await storedCode(server, code))!.grant_id);
        assert.deepEqual(grant?.scopes, ['openid', 'email', 'calendar.read'], 'contacts.read was unticked');
        const forged = await browser.post('/oauth2/consent', withFields(form.fields, { decision: 'allow', scope_choice: 'offline_access' }));
        assert.equal(forged.status, 303);
        const forgedGrant = await server.gatehouse.store.repositories.oauthGrants.find((await storedCode(server, responseParameters(forged.location).get('code')!))!.grant_id);
        assert.deepEqual(forgedGrant?.scopes, ['openid', 'calendar.read'], 'a choice outside the request grants nothing');

        await consentPage(browser);
        const silent = await browser.get(authorizeUrl(server, consentRequest({ prompt: 'none' })));
        assert.equal(responseParameters(silent.location).get('error'), 'consent_required');
      });

      it('the consent form is CSRF-protected and bound to the session', async () => {
        const browser = new Browser(server.baseUrl);
        const form = parseForm((await consentPage(browser)).body, '/oauth2/consent');
        const allow = withFields(form.fields, { decision: 'allow' });
        assert.equal((await browser.post('/oauth2/consent', allow.filter(([name]) => name !== 'csrf_token'))).status, 403);
        assert.equal((await browser.request('/oauth2/consent', { method: 'POST', form: allow, cookies: false })).status, 403);
        assert.equal((await browser.post('/oauth2/consent', withFields(allow, { scope: 'openid email' }))).status, 403);
        // A new login rotates the session: the old page's token no longer fits.
        await signInThroughPage(browser, authorizeUrl(server, consentRequest({ prompt: 'login' })), user.email!);
        assert.equal((await browser.post('/oauth2/consent', allow)).status, 403);
      });

      it('RememberDecision remembers the granted scopes for the tenant TTL; prompt=consent asks anyway; NeverPrompt never asks', async () => {
        const remembering = await createOAuthApplication(server, {
          redirectUri,
          oauthConfiguration: { authorizedRedirectURLs: [redirectUri], relationship: OAuthApplicationRelationship.ThirdParty, consentMode: OAuthScopeConsentMode.RememberDecision },
        });
        const member = await createOAuthUser(server, remembering.application);
        const browser = new Browser(server.baseUrl);
        const parameters = base({ scope: 'openid profile' }, remembering.clientId);
        const page = await signInThroughPage(browser, authorizeUrl(server, parameters), member.email!);
        const before = Date.now();
        const allowed = await browser.post('/oauth2/consent', withFields(parseForm(page.body, '/oauth2/consent').fields, { decision: 'allow' }));
        assert.equal(allowed.status, 303);
        const consent = await server.gatehouse.store.repositories.oauthConsents.findLive(member.id!, remembering.clientId, Date.now());
        assert.deepEqual(consent?.scopes, ['openid', 'profile']);
        assert.ok(Math.abs(consent!.expirationInstant - before - 2_592_000_000) < 60_000);

        const remembered = await browser.get(authorizeUrl(server, parameters));
        assert.equal(remembered.status, 302, 'no page the second time');
        assert.ok(responseParameters(remembered.location).get('code'));
        assert.equal((await browser.get(authorizeUrl(server, base({ scope: 'openid profile email' }, remembering.clientId)))).status, 200, 'a new scope asks again');
        assert.equal((await browser.get(authorizeUrl(server, { ...parameters, prompt: 'consent' }))).status, 200, 'prompt=consent asks');

        const never = await createOAuthApplication(server, {
          redirectUri,
          oauthConfiguration: { authorizedRedirectURLs: [redirectUri], relationship: OAuthApplicationRelationship.ThirdParty, consentMode: OAuthScopeConsentMode.NeverPrompt },
        });
        const direct = await browser.get(authorizeUrl(server, base({}, never.clientId)));
        assert.equal(direct.status, 302);
        assert.equal(responseParameters(direct.location).get('userState'), 'AuthenticatedNotRegistered');
        const firstParty = await browser.get(authorizeUrl(server, base({ prompt: 'consent' })));
        assert.equal(firstParty.status, 302, 'first-party applications never ask');
      });
    });
  });
}
