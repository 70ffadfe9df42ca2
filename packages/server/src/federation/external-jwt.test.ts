import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, SignJWT, type JWTPayload } from 'jose';
import { createSelfSignedCertificate, defaultValidity } from '../keys/self-signed-certificate.ts';
import type { IdentityProvider } from '../store/repositories/identity-provider-repository.ts';
import { createValidator } from '../validation/validator.ts';
import { ExternalJwtError, verifyExternalJwt, type ExternalJwtErrorReason, type ExternalJwtOptions } from './external-jwt.ts';
import { externalJwtSchema, type IdentityProviderInput } from './identity-provider-schema.ts';
import { createUpstreamHttp } from './upstream-http.ts';
import { createUpstreamKeys } from './upstream-keys.ts';

const now = Date.UTC(2026, 10, 22, 12, 0, 0);
const nowSec = now / 1000;
const options: ExternalJwtOptions = { now };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }).toString();

// A certificate for a key the test holds, made with Gatehouse's own X.509 writer; x5t is its SHA-1 thumbprint.
const certificatePem = createSelfSignedCertificate({ privateKey: rsa.privateKey, commonName: 'idp.example.test', ...defaultValidity(now) });
const x5t = createHash('sha1').update(new X509Certificate(certificatePem).raw).digest('base64url');

const validate = createValidator<IdentityProviderInput>(externalJwtSchema, 'identityProvider');

/** A provider as the Identity Providers API stores it: the schema's defaults applied. */
function provider(body: Record<string, unknown> = {}): IdentityProvider {
  const { name, enabled, ...settings } = validate({
    name: 'Acme',
    enabled: true,
    headerKeyParameter: 'kid',
    keys: { 'rsa-1': pem(rsa.publicKey), 'ec-1': pem(ec.publicKey), 'ed-1': pem(ed.publicKey) },
    ...body,
  });
  return { id: '7b5c6a5e-0b54-4b5f-9d36-1f1f7c1b2a01', type: 'ExternalJWT', name, enabled, settings, clientSecretSealed: undefined, insertInstant: now, lastUpdateInstant: now };
}

/** `undefined` members are left out of the signed JSON. */
function claims(extra: Record<string, unknown> = {}): JWTPayload {
  return { sub: 'user-42', email: 'richard@piedpiper.com', email_verified: true, iat: nowSec - 10, exp: nowSec + 300, ...extra };
}

async function sign(payload: JWTPayload, header: Record<string, unknown> = { alg: 'RS256', kid: 'rsa-1' }, key: KeyObject | Uint8Array = rsa.privateKey): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}

async function refused(token: string, reason: ExternalJwtErrorReason, idp = provider(), opts: ExternalJwtOptions = options): Promise<ExternalJwtError> {
  try {
    await verifyExternalJwt(idp, token, opts);
  } catch (error) {
    assert.ok(error instanceof ExternalJwtError, String(error));
    assert.equal(error.reason, reason, error.message);
    // Neither the token nor a claim value is ever in the message.
    for (const secret of [token || 'no token', 'user-42', 'richard@piedpiper.com', 'piedpiper.com', 'rsa-1']) assert.ok(!error.message.includes(secret), error.message);
    return error;
  }
  assert.fail(`expected ExternalJwtError ${reason}`);
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('verifyExternalJwt: key selection', () => {
  it('verifies RS256, ES256 and EdDSA tokens by kid and resolves the identity', async () => {
    for (const [alg, kid, key] of [['RS256', 'rsa-1', rsa.privateKey], ['PS256', 'rsa-1', rsa.privateKey], ['ES256', 'ec-1', ec.privateKey], ['EdDSA', 'ed-1', ed.privateKey]] as const) {
      const result = await verifyExternalJwt(provider(), await sign(claims({ preferred_username: 'richard' }), { alg, kid }, key), options);
      assert.deepEqual(result.identity, { identityProviderUserId: 'user-42', email: 'richard@piedpiper.com', emailVerified: true, username: 'richard', displayName: 'richard@piedpiper.com' }, alg);
      assert.equal(result.claims['sub'], 'user-42');
    }
  });

  it('selects a certificate by the x5t header parameter', async () => {
    const idp = provider({ headerKeyParameter: 'x5t', keys: { [x5t]: certificatePem } });
    const result = await verifyExternalJwt(idp, await sign(claims(), { alg: 'RS256', x5t }), options);
    assert.equal(result.identity.identityProviderUserId, 'user-42');
    // A kid is not what this provider looks at.
    await refused(await sign(claims(), { alg: 'RS256', kid: x5t }), 'unknown_key', idp);
  });

  it('uses defaultKeyId, else the "" key, only when the header lacks the parameter', async () => {
    const withDefault = provider({ defaultKeyId: 'ec-1' });
    assert.equal((await verifyExternalJwt(withDefault, await sign(claims(), { alg: 'ES256' }, ec.privateKey), options)).identity.identityProviderUserId, 'user-42');
    await refused(await sign(claims(), { alg: 'ES256', kid: 'gone' }, ec.privateKey), 'unknown_key', withDefault);
    const withEmpty = provider({ keys: { '': pem(rsa.publicKey) } });
    assert.equal((await verifyExternalJwt(withEmpty, await sign(claims(), { alg: 'RS256' }), options)).identity.identityProviderUserId, 'user-42');
    await refused(await sign(claims(), { alg: 'RS256' }), 'unknown_key');
  });

  it('refuses an unknown kid, also one naming an inherited member', async () => {
    await refused(await sign(claims(), { alg: 'RS256', kid: 'rsa-2' }), 'unknown_key');
    await refused(await sign(claims(), { alg: 'RS256', kid: '__proto__' }), 'unknown_key');
    await refused(await sign(claims(), { alg: 'RS256', kid: 'constructor' }), 'unknown_key');
  });

  it('ignores jku, x5u and x5c: only the configured key verifies', async () => {
    const forged = await sign(claims(), { alg: 'RS256', kid: 'rsa-1', jku: 'http://127.0.0.1:1/jwks.json', x5u: 'http://127.0.0.1:1/cert.pem' }, attacker.privateKey);
    await refused(forged, 'invalid_signature');
    const genuine = await sign(claims(), { alg: 'RS256', kid: 'rsa-1', jku: 'http://127.0.0.1:1/jwks.json' });
    assert.equal((await verifyExternalJwt(provider(), genuine, options)).identity.identityProviderUserId, 'user-42');
  });
});

describe('verifyExternalJwt: refusals', () => {
  it('refuses a tampered payload and a token signed by another key', async () => {
    const [header, , signature] = (await sign(claims())).split('.');
    await refused(`${header}.${base64url(claims({ sub: 'admin' }))}.${signature}`, 'invalid_signature');
    await refused(await sign(claims(), { alg: 'ES256', kid: 'ec-1' }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), 'invalid_signature');
  });

  it('refuses alg none, HS256 keyed with the PEM, and an algorithm the key is not of', async () => {
    await refused(`${base64url({ alg: 'none', kid: 'rsa-1' })}.${base64url(claims())}.`, 'disallowed_algorithm');
    await refused(await sign(claims(), { alg: 'HS256', kid: 'rsa-1' }, Buffer.from(pem(rsa.publicKey))), 'disallowed_algorithm');
    await refused(await sign(claims(), { alg: 'RS256', kid: 'ec-1' }), 'disallowed_algorithm');
    await refused(await sign(claims(), { alg: 'ES384', kid: 'ec-1' }, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey), 'disallowed_algorithm');
  });

  it('checks exp, nbf and iat with a 60 s tolerance', async () => {
    await refused(await sign(claims({ exp: nowSec - 61 })), 'expired');
    await refused(await sign(claims({ exp: undefined })), 'malformed');
    await refused(await sign(claims({ nbf: nowSec + 61 })), 'not_yet_valid');
    await refused(await sign(claims({ iat: nowSec + 61 })), 'not_yet_valid');
    const lenient = await sign(claims({ exp: nowSec - 59, nbf: nowSec + 59, iat: nowSec + 59 }));
    assert.equal((await verifyExternalJwt(provider(), lenient, options)).identity.identityProviderUserId, 'user-42');
  });

  it('refuses what is not a JWT', async () => {
    for (const token of ['', 'abc', 'a.b.c', `${base64url({ alg: 'RS256' })}.x`, 'x'.repeat(70_000)]) await refused(token, 'malformed');
    await refused(await sign(claims(), { alg: 'RS256', kid: 7 }), 'malformed');
  });

  it('refuses a token without the unique id claim', async () => {
    await refused(await sign(claims({ sub: undefined })), 'missing_unique_id');
    await refused(await sign(claims({ sub: '' })), 'missing_unique_id');
    await refused(await sign(claims({ oid: { nested: true } })), 'missing_unique_id', provider({ oauth2: { uniqueIdClaim: 'oid' } }));
  });

  it('refuses an email of a domain the provider does not manage', async () => {
    const idp = provider({ domains: ['piedpiper.com'] });
    await refused(await sign(claims({ email: 'gavin@hooli.com' })), 'unmanaged_domain', idp);
    await refused(await sign(claims({ email: 'gavin@hooli.com@piedpiper' })), 'unmanaged_domain', idp);
    assert.equal((await verifyExternalJwt(idp, await sign(claims({ email: 'Richard@PiedPiper.com' })), options)).identity.email, 'Richard@PiedPiper.com');
    assert.equal((await verifyExternalJwt(idp, await sign(claims({ email: undefined })), options)).identity.email, undefined);
  });

  it('reports a provider without keys for the token as unknown_key', async () => {
    await refused(await sign(claims()), 'unknown_key', provider({ keys: {} }));
  });
});

describe('verifyExternalJwt: claims', () => {
  it('reads the configured claim names, the deprecated uniqueIdentityClaim, and numeric ids', async () => {
    const custom = provider({ oauth2: { uniqueIdClaim: 'oid', emailClaim: 'mail', emailVerifiedClaim: 'mail_ok', usernameClaim: 'upn' } });
    const result = await verifyExternalJwt(custom, await sign(claims({ oid: 'o-1', mail: 'a@b.test', mail_ok: 'true', upn: 'ab' })), options);
    assert.deepEqual(result.identity, { identityProviderUserId: 'o-1', email: 'a@b.test', emailVerified: true, username: 'ab', displayName: 'a@b.test' });
    const legacy = provider({ uniqueIdentityClaim: 'employee_id' });
    assert.equal((await verifyExternalJwt(legacy, await sign(claims({ employee_id: 1234 })), options)).identity.identityProviderUserId, '1234');
    const both = provider({ uniqueIdentityClaim: 'employee_id', oauth2: { uniqueIdClaim: 'oid' } });
    assert.equal((await verifyExternalJwt(both, await sign(claims({ oid: 'o-2', employee_id: 1 })), options)).identity.identityProviderUserId, 'o-2');
  });

  it('parses email_verified from booleans and "true"/"false" only', async () => {
    const cases: [unknown, boolean | undefined][] = [[true, true], [false, false], ['true', true], ['false', false], ['yes', undefined], [1, undefined], [undefined, undefined]];
    for (const [value, expected] of cases) {
      const result = await verifyExternalJwt(provider(), await sign(claims({ email_verified: value })), options);
      assert.equal(result.identity.emailVerified, expected, String(value));
    }
  });

  it('falls back to the username, then the unique id, for the display name', async () => {
    assert.equal((await verifyExternalJwt(provider(), await sign(claims({ email: undefined, preferred_username: 'richard' })), options)).identity.displayName, 'richard');
    assert.equal((await verifyExternalJwt(provider(), await sign(claims({ email: undefined })), options)).identity.displayName, 'user-42');
  });

  it('maps claims to user fields, user data and registration data through claimMap', async () => {
    const idp = provider({ claimMap: { first_name: 'firstName', last_name: 'lastName', dob: 'birthDate', phone: 'mobilePhone', dept: 'RegistrationData', prefs: 'UserData', age: 'fullName', odd: 'password', absent: 'middleName' } });
    const result = await verifyExternalJwt(idp, await sign(claims({ first_name: 'Richard', last_name: 'Hendricks', dob: '1990-01-01', phone: 5551234, dept: 'eng', prefs: { theme: 'dark' }, age: { n: 1 }, odd: 'x' })), options);
    assert.deepEqual(result.userFields, { firstName: 'Richard', lastName: 'Hendricks', birthDate: '1990-01-01', mobilePhone: '5551234' });
    assert.deepEqual(result.userData, { prefs: { theme: 'dark' } });
    assert.deepEqual(result.registrationData, { dept: 'eng' });
  });
});

describe('verifyExternalJwt with jwksURL', () => {
  let server: Server;
  let base: string;
  const requested: string[] = [];
  const upstreamKeys = createUpstreamKeys(createUpstreamHttp({ allowPrivateNetwork: true }));

  before(async () => {
    const jwks = { keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'jwks-ec', alg: 'ES256', use: 'sig' }] };
    server = createServer((request, response) => {
      requested.push(request.url ?? '');
      if (request.url === '/jwks.json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('verifies with a key of the JWKS when no configured key is named', async () => {
    const idp = provider({ jwksURL: `${base}/jwks.json` });
    const result = await verifyExternalJwt(idp, await sign(claims(), { alg: 'ES256', kid: 'jwks-ec' }, ec.privateKey), { now, keys: upstreamKeys });
    assert.equal(result.identity.identityProviderUserId, 'user-42');
    // Configured keys still win for their kid.
    assert.equal((await verifyExternalJwt(idp, await sign(claims()), { now, keys: upstreamKeys })).identity.identityProviderUserId, 'user-42');
  });

  it('refuses a kid the JWKS lacks, a forged token, and never fetches a jku', async () => {
    const idp = provider({ jwksURL: `${base}/jwks.json` });
    const opts = { now, keys: upstreamKeys };
    await refused(await sign(claims(), { alg: 'ES256', kid: 'other' }, ec.privateKey), 'unknown_key', idp, opts);
    await refused(await sign(claims(), { alg: 'ES256', kid: 'jwks-ec', jku: `${base}/attacker.json` }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), 'invalid_signature', idp, opts);
    assert.ok(!requested.includes('/attacker.json'));
  });

  it('reports an unreachable JWKS, or no key source, as keys_unavailable', async () => {
    const token = await sign(claims(), { alg: 'ES256', kid: 'jwks-ec' }, ec.privateKey);
    await refused(token, 'keys_unavailable', provider({ jwksURL: `${base}/missing.json` }), { now, keys: upstreamKeys });
    await refused(token, 'keys_unavailable', provider({ jwksURL: `${base}/jwks.json` }));
  });
});
