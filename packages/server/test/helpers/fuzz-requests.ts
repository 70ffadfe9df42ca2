import { generateKeyPairSync } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import fc from 'fast-check';
import { existingId, type Fixtures, type WriteRoute } from './fuzz-fixtures.ts';

/*
 * Random requests for one write route, generated as small descriptions (fast-check prints and shrinks
 * those) and turned into an inject() call against the current fixtures only when sent: fixture ids and
 * the refresh token may change between runs, and a 900 kB string is better printed as its length.
 */

type IdChoice = { readonly kind: 'existing'; readonly upper: boolean } | { readonly kind: 'random'; readonly id: string } | { readonly kind: 'malformed'; readonly text: string };

/** A near-valid body: a valid one with one spot replaced, added to or removed. */
interface Mutation {
  readonly template: number;
  readonly op: 'none' | 'replace' | 'add' | 'delete';
  readonly at: number;
  readonly key: string;
  readonly value: unknown;
  readonly extra: Record<string, unknown>;
}

type BodyChoice =
  | { readonly kind: 'none'; readonly contentType: string | undefined }
  | { readonly kind: 'json'; readonly value: unknown; readonly contentType: string }
  | { readonly kind: 'raw'; readonly text: string; readonly contentType: string | undefined }
  | { readonly kind: 'wrapped'; readonly wrapper: string | undefined; readonly value: unknown }
  | { readonly kind: 'near'; readonly mutation: Mutation; readonly contentType: string }
  | { readonly kind: 'deep'; readonly depth: number; readonly array: boolean; readonly wrapper: string | undefined }
  | { readonly kind: 'long'; readonly length: number; readonly wrapper: string | undefined }
  | { readonly kind: 'bytes'; readonly template: number; readonly bytes: readonly number[] }
  | { readonly kind: 'patch'; readonly operations: readonly PatchOperation[] };

/** An RFC 6902 operation; pointers are token lists, prefixed with the route's wrapper when sent. */
interface PatchOperation {
  readonly op: unknown;
  readonly path: readonly string[] | undefined;
  readonly from: readonly string[] | undefined;
  readonly value: unknown;
  readonly wrapped: boolean;
}

export interface FuzzRequest {
  readonly params: readonly IdChoice[];
  readonly query: string;
  readonly auth: 'key' | 'none' | 'garbage';
  readonly tenantHeader: IdChoice | undefined;
  readonly body: BodyChoice;
}

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const pems = [publicPem, privatePem, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '{"kty":"RSA","n":1}', '{'];

/** A JSON number literal JSON.stringify cannot write: marked as a string, spliced in raw by `toJson`. */
const rawNumber = (literal: string) => `\u0001${literal}\u0001`;
const toJson = (value: unknown) => (JSON.stringify(value) ?? 'null').replace(/"\\u0001([^"\\]*)\\u0001"/g, '$1');

/** encodeURIComponent, but a lone surrogate (which it refuses) becomes the invalid UTF-8 of one. */
const encode = (text: string) => text.split(/(\p{Surrogate})/u).map((part) => (/^\p{Surrogate}$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part))).join('');

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const nastyString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\\', '"', '\u2028', '\ufeff', '%00', '\r\n'), loneSurrogate, fc.string({ minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 }),
  fc.constantFrom('x'.repeat(192), 'x'.repeat(256), 'x'.repeat(513), 'x'.repeat(1025), 'x'.repeat(5000)),
);

/** Values near what the routes take, and far from it: wrong types, domain words, huge numbers, PEMs. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('ES256', 'RS256', 'HS256', 'EdDSA', 'None', 'OneTimeUse', 'Reusable', 'Required', 'https://example.com/cb', '*', 'admin', 'GET', '', ' ', 'true', 'null', 2048, 1024, -1, 0, 1, true, false, null, [], {}, ...pems) },
  { weight: 3, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 2 ** 63, 2 ** 31, -(2 ** 31) - 1, Number.MIN_VALUE, 0.5)) },
  { weight: 1, arbitrary: fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1E+9999', '-0', '1.0', '9007199254740993', '1e-400').map(rawNumber) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.uuid() },
);
const key = fc.oneof(
  fc.constantFrom('id', 'name', 'email', 'password', 'data', 'roles', 'tenantId', 'applicationId', 'active', 'username', 'loginId', 'refreshToken', '__proto__', 'constructor'),
  fc.constantFrom('algorithm', 'length', 'kid', 'publicKey', 'privateKey', 'certificate', 'secret', 'issuer', 'keyManager', 'permissions', 'expirationInstant'),
  fc.string({ maxLength: 10 }),
);

const wrappers = ['scope', 'tenant', 'application', 'user', 'registration', 'apiKey', 'key', 'role', 'search', 'users', 'userAction', 'action', 'entity', 'entityType', 'permission', 'grant', 'identityProvider', 'identityProviderLink'];

/** Makes names and emails in the valid bodies unique, so that they stay valid after the first one is stored. */
let sent = 0;

/** Valid bodies for a route, matched by its path; their first key is the wrapper. */
function templates(path: string, f: Fixtures): readonly Record<string, unknown>[] {
  const n = ++sent;
  if (path.startsWith('/api/api-key')) return [{ apiKey: { metaData: { attributes: { description: 'fuzz' } }, permissions: { endpoints: { '/api/user': ['GET', 'POST'] } }, keyManager: false } }, { apiKey: { tenantId: f.tenantId, key: 'k'.repeat(40) } }];
  if (path.startsWith('/api/entity/type/search')) return [{ search: { name: 'fixture*', orderBy: 'insertInstant DESC, name', startRow: 0, numberOfResults: 5 } }];
  if (path.includes('/permission')) return [{ permission: { name: `fuzz.permission.${n}`, description: 'Fuzz', isDefault: false, data: { a: 1 } } }];
  if (path.startsWith('/api/entity/type')) {
    return [{ entityType: { name: `Fuzz type ${n}`, data: { a: 1 }, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60 }, permissions: [{ name: 'read', isDefault: true }] } }];
  }
  if (path.startsWith('/api/entity/grant/search')) return [{ search: { entityId: f.entityId, name: 'fixture*', orderBy: 'name DESC', numberOfResults: 5 } }, { search: { userId: f.userId } }];
  if (path.startsWith('/api/entity/search')) return [{ search: { queryString: '*', numberOfResults: 5, sortFields: [{ name: 'name', order: 'desc' }] } }, { search: { ids: [f.entityId] } }];
  if (path.endsWith('/grant')) return [{ grant: { recipientEntityId: f.recipientEntityId, permissions: ['fixture.read'], data: { a: 1 } } }, { grant: { userId: f.userId, permissions: [] } }];
  if (path.startsWith('/api/entity')) return [{ entity: { name: `Fuzz entity ${n}`, type: { id: f.entityTypeId }, tenantId: f.tenantId, clientSecret: 'fuzz secret', parentId: f.recipientEntityId, data: { a: 1 } } }];
  if (path.includes('/scope')) return [{ scope: { name: `fuzz.scope.${n}`, description: 'Fuzz', defaultConsentMessage: 'Fuzz', required: false, data: { a: 1 } } }];
  if (path.includes('/role')) return [{ role: { name: `editor ${n}`, description: 'Edits', isDefault: false, isSuperRole: false } }];
  if (path.startsWith('/api/application')) {
    return [{ application: { name: `Fuzz app ${n}`, tenantId: f.tenantId, roles: [{ name: `viewer ${n}` }], loginConfiguration: { generateRefreshTokens: true }, oauthConfiguration: { authorizedRedirectURLs: ['https://example.com/cb'], enabledGrants: ['authorization_code'] }, jwtConfiguration: { enabled: true, timeToLiveInSeconds: 60 } } }];
  }
  if (path.startsWith('/api/key/search')) return [{ search: { name: 'fuzz*', algorithm: 'ES256', type: 'EC', orderBy: 'insertInstant DESC, name', startRow: 0, numberOfResults: 5 } }];
  if (path.startsWith('/api/key/generate')) return [{ key: { algorithm: 'ES256', name: `fuzz ${n}` } }, { key: { algorithm: 'HS256', name: `hmac ${n}`, length: 32 } }];
  if (path.startsWith('/api/key/import')) return [{ key: { name: `imported ${n}`, kid: `kid-${n}`, publicKey: publicPem, privateKey: privatePem } }, { key: { algorithm: 'HS256', name: `secret ${n}`, secret: 's'.repeat(32) } }];
  if (path.startsWith('/api/key')) return [{ key: { name: `renamed ${n}` } }];
  if (path.startsWith('/api/tenant')) return [{ tenant: { name: `Fuzz tenant ${n}`, issuer: 'https://acme.example.com', jwtConfiguration: { timeToLiveInSeconds: 600, refreshTokenUsagePolicy: 'Reusable' }, failedAuthenticationConfiguration: { tooManyAttempts: 5 } } }];
  if (path.startsWith('/api/identity-provider/link')) {
    return [
      { identityProviderLink: { identityProviderId: f.identityProviderId, identityProviderUserId: `fuzz-${n}`, userId: f.userId, displayName: 'Fuzz', token: 'fuzz token' } },
      { pendingIdPLinkId: `fuzz-${n}`, identityProviderLink: { userId: f.userId } },
    ];
  }
  if (path.startsWith('/api/identity-provider')) {
    const oauth2 = { client_id: 'fuzz', client_secret: 'fuzz secret', authorization_endpoint: 'https://idp.example.com/a', token_endpoint: 'https://idp.example.com/t' };
    return [
      { identityProvider: { type: 'OpenIDConnect', name: `Fuzz IdP ${n}`, buttonText: 'Fuzz', domains: [`fuzz${n}.example.com`], oauth2, applicationConfiguration: { [f.applicationId]: { enabled: true } } } },
      { identityProvider: { type: 'Google', name: `Fuzz Google ${n}`, client_id: 'fuzz', client_secret: 'fuzz secret', properties: { accessType: 'offline' }, tenantConfiguration: { [f.tenantId]: {} } } },
      { identityProvider: { type: 'ExternalJWT', name: `Fuzz JWT ${n}`, headerKeyParameter: 'kid', keys: { [`kid-${n}`]: publicPem }, claimMap: { dept: 'RegistrationData' }, domains: [`jwt${n}.example.com`], oauth2: { authorization_endpoint: 'https://idp.example.com/a' } } },
    ];
  }
  if (path.startsWith('/api/user-action')) return [{ userAction: { name: `Fuzz action ${n}`, temporal: true, userNotificationsEnabled: true, localizedNames: { de: 'Fuzz' }, options: [{ name: 'one', localizedNames: { de: 'eins' } }] } }];
  if (path.startsWith('/api/user/action')) {
    return [
      { action: { actioneeUserId: f.userId, actionerUserId: f.userId, userActionId: f.rewardActionId, comment: 'fuzz', applicationIds: [f.applicationId] }, broadcast: false },
      { action: { actioneeUserId: f.userId, actionerUserId: f.userId, userActionId: f.userActionId, expiry: Date.now() + 3_600_000, comment: 'fuzz', notifyUser: true }, broadcast: false },
    ];
  }
  if (path.startsWith('/api/user/registration')) {
    return [{ registration: { applicationId: f.applicationId, roles: [f.roleName], data: { a: 1 } }, user: { email: `registered-${n}@example.com`, password: 'password123', tenantId: f.tenantId } }, { registration: { applicationId: f.applicationId, username: `reg-${n}` } }];
  }
  if (path.startsWith('/api/user/forgot-password')) return [{ loginId: f.email, sendForgotPasswordEmail: false, state: { n } }, { loginId: f.email, changePasswordId: `fuzz-${n}` }];
  if (path.startsWith('/api/user/change-password')) return [{ loginId: f.email, currentPassword: f.password, password: f.password }, { changePasswordId: `fuzz-${n}`, password: 'a new password' }];
  if (path.startsWith('/api/user/verify-email')) return [{ userId: f.userId }, { verificationId: `fuzz-${n}` }];
  if (path.startsWith('/api/user/search')) return [{ search: { queryString: '*', numberOfResults: 5, startRow: 0 } }, { search: { ids: [f.userId] } }];
  if (path.startsWith('/api/user/import')) return [{ users: [{ email: `imported-${n}@example.com`, password: 'password123', tenantId: f.tenantId, registrations: [{ applicationId: f.applicationId }] }], validateDbConstraints: true }];
  if (path.startsWith('/api/user')) return [{ user: { email: `new-${n}@example.com`, password: 'password123', tenantId: f.tenantId, firstName: 'Ada', birthDate: '1990-01-01', data: { plan: 'gold' } }, skipVerification: true }];
  if (path === '/api/login') return [{ loginId: f.email, password: f.password, applicationId: f.applicationId }];
  if (path === '/api/logout' || path.startsWith('/api/jwt/refresh')) return [{ refreshToken: f.refreshToken ?? 'none', global: false }];
  return [{}];
}

/** Every spot of a JSON value, root first: the containers and leaves a mutation may hit. */
function spots(value: unknown, trail: readonly (string | number)[] = []): (readonly (string | number)[])[] {
  const found = [trail];
  if (Array.isArray(value)) value.forEach((child, index) => found.push(...spots(child, [...trail, index])));
  else if (typeof value === 'object' && value !== null) for (const [name, child] of Object.entries(value)) found.push(...spots(child, [...trail, name]));
  return found;
}

/** An own member even when named `__proto__` (plain assignment would set the prototype instead). */
const put = (target: object, name: string | number, member: unknown) => Object.defineProperty(target, name, { value: member, enumerable: true, writable: true, configurable: true });
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function mutate(template: Record<string, unknown>, mutation: Mutation): unknown {
  const body = structuredClone(template);
  const wrapped = body[Object.keys(body)[0]!];
  if (isRecord(wrapped)) for (const [name, member] of Object.entries(mutation.extra)) put(wrapped, name, member);
  const all = spots(body).slice(1);
  if (mutation.op === 'none' || all.length === 0) return body;
  const trail = all[mutation.at % all.length]!;
  const parent = trail.slice(0, -1).reduce<any>((node, step) => node[step], body);
  const last = trail[trail.length - 1]!;
  if (mutation.op === 'replace') put(parent, last, mutation.value);
  else if (mutation.op === 'delete') delete parent[last];
  else if (isRecord(parent[last])) put(parent[last], mutation.key, mutation.value);
  else put(parent, Array.isArray(parent) ? parent.length : mutation.key, mutation.value);
  return body;
}

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/json; charset=latin1') },
);
const pointerToken = fc.oneof(key, fc.constantFrom('0', '1', '-', '01', '99999999999999999999', '~', '~0', '~1', '~2', '', 'data', 'name', 'roles', 'oauthConfiguration'));
const patchOperation: fc.Arbitrary<PatchOperation> = fc.record({
  op: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test') }, { weight: 1, arbitrary: value }),
  path: fc.option(fc.array(pointerToken, { maxLength: 4 }), { freq: 8 }).map((tokens) => tokens ?? undefined),
  from: fc.option(fc.array(pointerToken, { maxLength: 3 }), { freq: 2 }).map((tokens) => tokens ?? undefined),
  value,
  wrapped: fc.boolean(),
});

const wrongContentType = fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'text/html; charset=utf-8', 'json', '');

const idChoice: fc.Arbitrary<IdChoice> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('existing' as const), upper: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('random' as const), id: fc.uuid() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('malformed' as const),
      text: fc.oneof(
        fc.constantFrom('not-a-uuid', '00000000-0000-4000-8000-00000000000g', '{00000000-0000-4000-8000-000000000000}', '%00', '%ZZ', '%', '%2e%2e', '%2F', 'null', '0', '-1', '%20', '', 'a'.repeat(3000)),
        fc.string({ unit: 'binary', maxLength: 40 }).map(encode),
        fc.uuid().map((id) => `${id}%00`),
      ),
    }),
  },
);

/** A query value naming a fixture, resolved when the request is sent. */
const fixtureValue = fc.constantFrom('$userId', '$applicationId', '$roleName', '$refreshToken');
const fixtureValues = (f: Fixtures): Record<string, string> => ({ $userId: f.userId, $applicationId: f.applicationId, $roleName: f.roleName, $refreshToken: f.refreshToken ?? '' });

const queryPair = fc.tuple(
  fc.oneof(fc.constantFrom('hardDelete', 'reactivate', 'name', 'userId', 'applicationId', 'token', 'refreshToken', 'global', 'queryString', 'ids'), fc.string({ maxLength: 8 })),
  fc.oneof(fc.constantFrom('true', 'false', 'maybe', '', '*'), fixtureValue, fixtureValue, fc.uuid(), nastyString),
);
const query = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.array(queryPair, { minLength: 1, maxLength: 3 }).map((pairs) => `?${pairs.map(([name, text]) => `${encode(name)}=${encode(text)}`).join('&')}`) },
  { weight: 1, arbitrary: fc.constantFrom('?name=%ZZ', '?hardDelete=%00', '?userId=%00', '?token=%FF', '?&&==', '?reactivate=true&reactivate=false') },
);

const body: fc.Arbitrary<BodyChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: fc.anything({ maxDepth: 3 }), contentType }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('raw' as const), text: fc.json({ maxDepth: 3 }), contentType: fc.option(contentType) }).map((choice) => ({ ...choice, contentType: choice.contentType ?? undefined })) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wrapped' as const), wrapper: fc.option(fc.constantFrom(...wrappers), { freq: 4 }), value: fc.oneof(value, fc.dictionary(key, value, { maxKeys: 5 })) }).map((choice) => ({ ...choice, wrapper: choice.wrapper ?? undefined })) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('near' as const),
      mutation: fc.record({ template: fc.nat(), op: fc.constantFrom('none', 'replace', 'replace', 'replace', 'add', 'delete'), at: fc.nat(), key, value, extra: fc.dictionary(key, value, { maxKeys: 2 }) }),
      contentType,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), depth: fc.oneof(fc.integer({ min: 50, max: 100_000 }), fc.integer({ min: 990, max: 1000 })), array: fc.boolean(), wrapper: fc.option(fc.constantFrom(...wrappers)) }).map((choice) => ({ ...choice, wrapper: choice.wrapper ?? undefined })) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('long' as const), length: fc.integer({ min: 1000, max: 900_000 }), wrapper: fc.option(fc.constantFrom(...wrappers)) }).map((choice) => ({ ...choice, wrapper: choice.wrapper ?? undefined })) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom('hello', '<user><email>a@b.c</email></user>', 'user[email]=a@b.c&user[password]=x', 'tenant=x', '{"tenant":{"name":"text"}}', ''), contentType: wrongContentType }),
      fc.record({ kind: fc.constant('raw' as const), text: fc.constantFrom('{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"a":1,"a":2}', '{', '\ufeff{}', 'null', '[]', '"x"', '{"tenant":{"name":"\\u0000"}}', '{"tenant":{"name":"\\ud800"}}'), contentType: fc.constant('application/json') }),
    ),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('patch' as const), operations: fc.array(patchOperation, { maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bytes' as const), template: fc.nat(), bytes: fc.oneof(fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]), fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 })) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('none' as const), contentType: fc.option(fc.constantFrom('application/json', 'text/plain')) }).map((choice) => ({ ...choice, contentType: choice.contentType ?? undefined })) },
);

export function fuzzRequest(route: WriteRoute): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    params: fc.tuple(...route.params.map(() => idChoice)),
    query,
    auth: fc.oneof({ weight: 18, arbitrary: fc.constant('key' as const) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'garbage' as const) }),
    tenantHeader: fc.option(idChoice, { freq: 2 }).map((choice) => choice ?? undefined),
    body,
  });
}

function idText(choice: IdChoice, existing: () => string): string {
  if (choice.kind === 'existing') return choice.upper ? existing().toUpperCase() : existing();
  return choice.kind === 'random' ? choice.id : choice.text;
}

const nest = (depth: number, array: boolean) => (array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** The wire form of a generated request against the current fixtures. */
export function injectOptions(route: WriteRoute, request: FuzzRequest, fixtures: Fixtures, apiKey: string): InjectOptions {
  const valid = templates(route.path, fixtures);
  const wrapper = Object.keys(valid[0]!)[0];
  const values = fixtureValues(fixtures);
  const query = request.query.replace(/%24(userId|applicationId|roleName|refreshToken)/g, (_match, name: string) => encode(values[`$${name}`]!));
  const url = route.params.reduce((path, param, index) => path.replace(`{${param}}`, idText(request.params[index]!, () => existingId(fixtures, route, param))), route.path) + query;
  const headers: Record<string, string> = {};
  if (request.auth === 'key') headers['authorization'] = apiKey;
  if (request.auth === 'garbage') headers['authorization'] = 'not-a-key-of-this-server';
  if (request.tenantHeader !== undefined) headers['x-fusionauth-tenantid'] = idText(request.tenantHeader, () => fixtures.tenantId).replace(/[^\x20-\x7e]/g, '?');
  let payload: string | Buffer | undefined;
  let type: string | undefined = 'application/json';
  const b = request.body;
  switch (b.kind) {
    case 'none':
      type = b.contentType;
      break;
    case 'json':
      payload = toJson(b.value);
      type = b.contentType;
      break;
    case 'raw':
      payload = b.text;
      type = b.contentType;
      break;
    case 'wrapped':
      payload = toJson({ [b.wrapper ?? wrapper ?? 'user']: b.value });
      break;
    case 'near':
      payload = toJson(mutate(valid[b.mutation.template % valid.length]!, b.mutation));
      type = b.contentType;
      break;
    case 'deep':
      payload = `{"${b.wrapper ?? wrapper ?? 'user'}":{"name":"deep","data":${nest(b.depth, b.array)}}}`;
      break;
    case 'long':
      payload = `{"${b.wrapper ?? wrapper ?? 'user'}":{"name":"${'x'.repeat(b.length)}","data":{"k":"${'y'.repeat(Math.floor(b.length / 10))}"}}}`;
      break;
    case 'patch': {
      const pointer = (tokens: readonly string[] | undefined, wrapped: boolean) =>
        tokens === undefined ? undefined : [...(wrapped ? [wrapper ?? 'user'] : []), ...tokens].map((token) => `/${token}`).join('');
      const operations = b.operations.map((operation) => ({
        op: operation.op,
        path: pointer(operation.path, operation.wrapped || operation.path?.length === 0),
        ...(operation.from === undefined ? {} : { from: pointer(operation.from, operation.wrapped) }),
        value: operation.value,
      }));
      payload = toJson(operations);
      type = 'application/json-patch+json';
      break;
    }
    case 'bytes': {
      // A valid body whose first string value has invalid UTF-8 spliced into it.
      const text = toJson(valid[b.template % valid.length]);
      const at = Math.max(text.indexOf('":"') + 3, 0);
      payload = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(b.bytes), Buffer.from(text.slice(at))]);
      break;
    }
  }
  if (type !== undefined && type !== '') headers['content-type'] = type;
  return { method: route.method, url, headers, ...(payload === undefined ? {} : { payload }) };
}

/** One line naming a failing request, short enough to read. */
export function describeRequest(options: InjectOptions): string {
  const payload = options.payload === undefined ? '' : Buffer.isBuffer(options.payload) ? options.payload.toString('latin1') : String(options.payload);
  const url = String(options.url);
  return `${options.method} ${url.length > 200 ? `${url.slice(0, 200)}…` : url} ${JSON.stringify(options.headers)} ${payload.length > 300 ? `${payload.slice(0, 300)}… (${payload.length} chars)` : payload}`;
}
