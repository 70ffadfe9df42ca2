import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { redactUrl } from '../../src/http/logger.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('request logs', () => {
  let gatehouse: TestApp;
  before(async () => {
    gatehouse = await createTestApp();
    gatehouse.app.post('/oauth2/test-form', async (request) => {
      request.log.info({ body: request.body, headers: request.headers }, 'handler saw a request');
      return { ok: true };
    });
    await gatehouse.app.ready();
  });
  after(async () => {
    await gatehouse.close();
  });

  it('never contain authorization headers, cookies, secret parameters, passwords or tokens', async () => {
    const secrets = {
      code: 'CODE-4b1e2f9a',
      state: 'STATE-77c1d0aa',
      cookie: 'COOKIE-9f8e7d6c',
      password: 'PASSWORD-0a9b8c7d',
      clientSecret: 'CLIENTSECRET-5e4d3c2b',
      refreshToken: 'REFRESH-1a2b3c4d',
      verifier: 'VERIFIER-6f5e4d3c',
    };
    await gatehouse.app.inject({
      method: 'GET',
      url: `/oauth2/authorize?client_id=app&code=${secrets.code}&state=${secrets.state}&refresh_token=${secrets.refreshToken}`,
      headers: { cookie: `gatehouse_session=${secrets.cookie}` },
    });
    await gatehouse.app.inject({
      method: 'POST',
      url: '/oauth2/test-form',
      payload: `grant_type=authorization_code&client_secret=${secrets.clientSecret}&code_verifier=${secrets.verifier}&password=${secrets.password}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`app:${secrets.clientSecret}`).toString('base64')}` },
    });
    await gatehouse.app.inject({
      method: 'POST',
      url: '/api/api-key',
      payload: JSON.stringify({ apiKey: { key: `${secrets.password}-long-enough`, keyManager: 'not-a-boolean' } }),
      headers: { 'content-type': 'application/json', authorization: gatehouse.apiKey, cookie: `other=${secrets.cookie}` },
    });
    await gatehouse.app.inject({ method: 'GET', url: '/api/api-key/00000000-0000-4000-8000-000000000000', headers: { authorization: `${gatehouse.apiKey}-wrong` } });

    const logged = gatehouse.logs.text();
    assert.ok(logged.includes('"msg":"request"'), 'requests are logged');
    assert.ok(logged.includes('/oauth2/authorize?client_id=app&code=%5Bredacted%5D'), 'the URL is logged with the code redacted');
    for (const [name, value] of Object.entries({ ...secrets, apiKey: gatehouse.apiKey })) {
      assert.equal(logged.includes(value), false, `${name} leaked into the log`);
    }
  });

  it('redacts secret parameters in URLs and keeps the rest', () => {
    assert.equal(redactUrl('/cb'), '/cb');
    assert.equal(redactUrl('/cb?client_id=a&scope=openid'), '/cb?client_id=a&scope=openid');
    assert.equal(redactUrl('/cb?access_token=t&id_token_hint=h&x=1'), '/cb?access_token=%5Bredacted%5D&id_token_hint=%5Bredacted%5D&x=1');
    assert.equal(redactUrl('/cb?CODE=a&code=b'), '/cb?CODE=%5Bredacted%5D&code=%5Bredacted%5D');
  });
});
