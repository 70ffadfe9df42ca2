import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/errors/api-error.ts';
import { OAuthError } from '../../src/errors/oauth-error.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

describe('HTTP skeleton', () => {
  let gatehouse: TestApp;
  before(async () => {
    gatehouse = await createTestApp();
    // Routes standing in for later endpoints, to drive each error family through the real handler.
    gatehouse.app.post('/oauth2/test-error', async () => {
      throw new OAuthError('invalid_grant', 'The "code" was\nalready used \\ twice');
    });
    gatehouse.app.post('/oauth2/test-echo', { schema: { body: { type: 'object', required: ['grant_type'], properties: { grant_type: { type: 'string' } } } } }, async (request) => request.body);
    gatehouse.app.get('/api/test-crash', async () => {
      throw new Error('simulated failure');
    });
    gatehouse.app.get('/oauth2/test-crash', async () => {
      throw new Error('internal detail');
    });
    gatehouse.app.get('/api/test-api-error', async () => {
      throw ApiError.field('user.email', 'blank', 'user.email is required.');
    });
    await gatehouse.app.ready();
  });
  after(async () => {
    await gatehouse.close();
  });

  it('GET /api/status answers 200 without an API key', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('sends security headers on every response', async () => {
    for (const url of ['/api/status', '/.well-known/jwks.json', '/nope']) {
      const response = await gatehouse.app.inject({ method: 'GET', url });
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['referrer-policy'], 'no-referrer', url);
      assert.match(String(response.headers['content-security-policy']), /default-src 'none'.*frame-ancestors 'none'/, url);
      assert.match(String(response.headers['strict-transport-security']), /max-age=31536000/, url);
    }
  });

  it('answers an unknown route with 404 and no body', async () => {
    for (const url of ['/api/does-not-exist', '/does-not-exist']) {
      const response = await gatehouse.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.body, '', url);
    }
  });

  it('answers an unknown OAuth endpoint in the OAuth error shape', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/oauth2/nothing-here?code=abc' });
    assert.equal(response.statusCode, 404);
    assert.deepEqual(response.json(), { error: 'invalid_request', error_description: 'This server has no such endpoint.' });
  });

  it('renders OAuth errors per RFC 6749 §5.2 with a clean description', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/oauth2/test-error', payload: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers['pragma'], 'no-cache');
    assert.deepEqual(response.json(), { error: 'invalid_grant', error_description: 'The  code  was already used   twice' });
  });

  it('turns OAuth parameter validation failures into invalid_request', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/oauth2/test-echo', payload: 'scope=openid', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.statusCode, 400);
    const body = response.json();
    assert.equal(body.error, 'invalid_request');
    assert.match(body.error_description, /grant_type/);
  });

  it('refuses JSON on a form endpoint with 415 invalid_request', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/oauth2/test-echo', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().error, 'invalid_request');
  });

  it('hides the text of an unexpected OAuth failure behind server_error', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/oauth2/test-crash' });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: 'server_error', error_description: 'An unexpected error occurred.' });
  });

  it('answers malformed JSON with 400 [invalidJSON] and never echoes the body', async () => {
    const response = await gatehouse.app.inject({
      method: 'POST',
      url: '/api/api-key',
      payload: '{"apiKey": {"key": "hunter2-hunter2-hunter2", ',
      headers: { 'content-type': 'application/json', authorization: gatehouse.apiKey },
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { generalErrors: [{ code: '[invalidJSON]', message: 'The request body is not valid JSON.' }] });
    assert.equal(response.body.includes('hunter2'), false);
  });

  it('answers JSON nested deeper than 1000 levels with 400 [invalidJSON], not a stack overflow', async () => {
    const nested = (depth: number) => `{"apiKey":{"metaData":${'{"a":'.repeat(depth - 2)}1${'}'.repeat(depth - 2)}}}`;
    const send = (payload: string) => gatehouse.app.inject({ method: 'POST', url: '/api/api-key', payload, headers: { 'content-type': 'application/json', authorization: gatehouse.apiKey } });
    const deep = await send(nested(100_000));
    assert.equal(deep.statusCode, 400);
    assert.deepEqual(deep.json(), { generalErrors: [{ code: '[invalidJSON]', message: 'The request body nests deeper than 1000 levels.' }] });
    assert.equal((await send(nested(1001))).statusCode, 400);
    assert.equal((await send(`{"apiKey":{"metaData":{"attributes":{"description":"${'['.repeat(1010)}"}}}}`)).statusCode, 200, 'brackets inside strings do not count');
  });

  it('answers an empty JSON body with 400 [invalidJSON]', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/api/api-key', payload: '', headers: { 'content-type': 'application/json', authorization: gatehouse.apiKey } });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().generalErrors[0].code, '[invalidJSON]');
  });

  it('answers a wrong content type with 415 [invalidContentType]', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/api/api-key', payload: 'apiKey=1', headers: { 'content-type': 'text/plain', authorization: gatehouse.apiKey } });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().generalErrors[0].code, '[invalidContentType]');
  });

  it('answers an oversized body with 413 [requestTooLarge]', async () => {
    const payload = JSON.stringify({ apiKey: { metaData: { attributes: { description: 'x'.repeat(1_100_000) } } } });
    const response = await gatehouse.app.inject({ method: 'POST', url: '/api/api-key', payload, headers: { 'content-type': 'application/json', authorization: gatehouse.apiKey } });
    assert.equal(response.statusCode, 413);
    assert.equal(response.json().generalErrors[0].code, '[requestTooLarge]');
  });

  it('renders API errors in the FusionAuth shape', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/api/test-api-error', headers: { authorization: gatehouse.apiKey } });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), { fieldErrors: { 'user.email': [{ code: '[blank]user.email', message: 'user.email is required.' }] } });
  });

  it('answers an unexpected API failure with an empty 500 and logs it without leaking to the client', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/api/test-crash', headers: { authorization: gatehouse.apiKey } });
    assert.equal(response.statusCode, 500);
    assert.equal(response.body, '');
    assert.ok(gatehouse.logs.entries().some((entry) => entry['msg'] === 'unhandled error'));
  });

  it('answers 503 on /api/status when the store is gone', async () => {
    const other = await createTestApp();
    await other.app.ready();
    await other.store.close();
    const response = await other.app.inject({ method: 'GET', url: '/api/status' });
    assert.equal(response.statusCode, 503);
    assert.deepEqual(response.json(), { status: 'unavailable' });
    await other.close();
  });
});

describe('two apps in one process', () => {
  it('keep their own stores, keys and API keys', async () => {
    const [first, second] = await Promise.all([createTestApp(), createTestApp()]);
    try {
      const jwksOf = async (gatehouse: TestApp) => (await gatehouse.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys[0].kid;
      assert.notEqual(await jwksOf(first), await jwksOf(second));
      const crossed = await first.app.inject({ method: 'GET', url: `/api/api-key/${first.setup.instance.instanceId}`, headers: { authorization: second.apiKey } });
      assert.equal(crossed.statusCode, 401);
      const own = await first.app.inject({ method: 'GET', url: `/api/api-key/${first.setup.instance.instanceId}`, headers: { authorization: first.apiKey } });
      assert.equal(own.statusCode, 404);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
