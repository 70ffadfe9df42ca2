import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

interface Operation {
  operationId: string;
  parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  security: Array<Record<string, string[]>>;
}

interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
}

/**
 * Every route the router holds, from Fastify's own printRoutes tree (HEAD twins left out): the truth the
 * document is checked against, independent of the collector under test.
 */
function routerRoutes(tree: string): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│   |    )*)(?:├── |└── )(\S+) \(([^)]+)\)$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1]) + (match[2] ?? '');
    stack[depth] = path;
    for (const method of (match[3] ?? '').split(', ')) if (method !== 'HEAD') routes.push({ method, path: path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') });
  }
  return routes;
}

describe('GET /api/openapi.json', () => {
  let gatehouse: TestApp;
  let other: TestApp;

  before(async () => {
    gatehouse = await createTestApp();
    other = await createTestApp();
    // A route only this app has: the document is per app instance, not per process.
    other.app.get('/only-in-other', { schema: { querystring: { type: 'object', properties: { q: { type: 'string' } } } } }, async () => ({}));
    await gatehouse.app.ready();
    await other.app.ready();
  });
  after(async () => {
    await gatehouse.close();
    await other.close();
  });

  async function document(app: TestApp): Promise<{ text: string; json: Document }> {
    const response = await app.app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(response.statusCode, 200, 'served without an API key');
    assert.match(String(response.headers['content-type']), /^application\/json/);
    return { text: response.body, json: JSON.parse(response.body) as Document };
  }

  it('is OpenAPI 3.1 JSON with the API key security scheme', async () => {
    const { json } = await document(gatehouse);
    assert.equal(json.openapi, '3.1.0');
    assert.equal(json.info.title, 'Gatehouse');
    assert.equal(typeof json.info.version, 'string');
    assert.deepEqual(json.components.securitySchemes['apiKey'], { type: 'apiKey', in: 'header', name: 'Authorization', description: json.components.securitySchemes['apiKey']?.['description'] });
  });

  it('documents every registered route, and nothing else', async () => {
    const { json } = await document(gatehouse);
    const routes = routerRoutes(gatehouse.app.printRoutes({ commonPrefix: false }));
    assert.ok(routes.filter((route) => route.path.startsWith('/api/key')).length === 10, 'the Key Master routes are all there (search included)');
    for (const route of routes) {
      const operation = json.paths[route.path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.path} is documented`);
      for (const name of route.path.match(/\{([^}]+)\}/g) ?? []) {
        const declared: Operation['parameters'][number] | undefined = operation.parameters.find((candidate) => `{${candidate.name}}` === name);
        assert.equal(declared?.in, 'path', `${route.method} ${route.path} declares ${name}`);
        assert.equal(declared?.required, true);
      }
    }
    const documented = Object.entries(json.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(documented.sort(), routes.map((route) => `${route.method} ${route.path}`).sort());
    const operationIds = Object.values(json.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId));
    assert.equal(new Set(operationIds).size, operationIds.length, 'operation ids are unique');
  });

  it('answers 401 without a key on every route documented as needing one', async () => {
    const { json } = await document(gatehouse);
    let required = 0;
    for (const [path, methods] of Object.entries(json.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.security.length !== 1) continue;
        required += 1;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const response = await gatehouse.app.inject({ method: method.toUpperCase() as 'GET', url, ...(method === 'get' || method === 'delete' ? {} : { payload: {} }) });
        assert.equal(response.statusCode, 401, `${method.toUpperCase()} ${path} is documented as needing a key`);
      }
    }
    assert.ok(required >= 15, `${required} routes need a key`);
  });

  it('shows open routes as open, with their query parameters and request bodies', async () => {
    const { json } = await document(gatehouse);
    for (const path of ['/api/status', '/api/openapi.json', '/api/jwt/public-key', '/.well-known/jwks.json']) {
      assert.deepEqual(json.paths[path]?.['get']?.security, [], `${path} needs no key`);
    }
    const publicKey = json.paths['/api/jwt/public-key']?.['get'];
    assert.deepEqual(publicKey?.parameters.map((parameter) => [parameter.name, parameter.in]), [['kid', 'query'], ['applicationId', 'query']]);
    const generate = json.paths['/api/key/generate/{keyId}']?.['post'];
    assert.deepEqual(generate?.requestBody?.content['application/json']?.schema['required'], ['key']);
    assert.equal(generate?.parameters[0]?.schema['format'], 'uuid');
    assert.equal(json.paths['/api/key/{keyId}']?.['head'], undefined, 'HEAD twins are left out');
  });

  it('is built once per app instance', async () => {
    const first = await document(gatehouse);
    const second = await document(gatehouse);
    assert.equal(first.text, second.text);
    assert.equal(first.json.paths['/only-in-other'], undefined);
    const fromOther = await document(other);
    assert.deepEqual(fromOther.json.paths['/only-in-other']?.['get']?.parameters.map((parameter) => parameter.name), ['q']);
  });
});
