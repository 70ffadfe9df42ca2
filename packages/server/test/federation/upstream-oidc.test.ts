import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createUpstreamHttp, UpstreamError } from '../../src/federation/upstream-http.ts';
import { validateUpstreamIdToken, UpstreamTokenError, type UpstreamTokenErrorReason } from '../../src/federation/upstream-id-token.ts';
import { createUpstreamKeys } from '../../src/federation/upstream-keys.ts';
import { createUpstreamMetadata, isDiscoveredIssuerValid, UpstreamMetadataError } from '../../src/federation/upstream-metadata.ts';
import { generateSigningKey, publicJwk, startUpstreamProvider, type UpstreamProvider } from '../helpers/upstream-provider.ts';

const discoveryPath = '/.well-known/openid-configuration';
const http = createUpstreamHttp({ allowPrivateNetwork: true });

let upstream: UpstreamProvider;
before(async () => {
  upstream = await startUpstreamProvider();
});
after(async () => {
  await upstream.close();
});

function count(path: string): number {
  return upstream.requests.get(path) ?? 0;
}

describe('upstream OpenID discovery', () => {
  it('fetches the document once for concurrent callers and caches it for the TTL', async () => {
    let clock = 1_000_000;
    const metadata = createUpstreamMetadata(http, { ttlMs: 60_000, now: () => clock });
    const before = count(discoveryPath);
    const results = await Promise.all(Array.from({ length: 5 }, () => metadata.metadata(upstream.issuer)));
    assert.equal(count(discoveryPath), before + 1);
    for (const result of results) assert.equal(result, results[0]);
    const first = results[0];
    assert.ok(first !== undefined);
    assert.equal(first.issuer, upstream.issuer);
    assert.equal(first.authorization_endpoint, `${upstream.issuer}/auth`);
    assert.equal(first.token_endpoint, `${upstream.issuer}/token`);
    assert.equal(first.jwks_uri, `${upstream.issuer}/jwks`);
    assert.equal(first.authorization_response_iss_parameter_supported, true);

    clock += 59_000;
    assert.equal(await metadata.metadata(upstream.issuer), first);
    assert.equal(count(discoveryPath), before + 1);
    clock += 2_000;
    const refreshed = await metadata.metadata(upstream.issuer);
    assert.notEqual(refreshed, first);
    assert.equal(count(discoveryPath), before + 2);
  });

  it('refuses a document whose issuer is not exactly the configured one, and caches no failure', async () => {
    const metadata = createUpstreamMetadata(http);
    const before = count(discoveryPath);
    // `<issuer>/` fetches the very same document, whose issuer has no trailing slash.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await assert.rejects(metadata.metadata(`${upstream.issuer}/`), (error: unknown) => {
        assert.ok(error instanceof UpstreamMetadataError);
        assert.equal(error.reason, 'issuer_mismatch');
        return true;
      });
    }
    assert.equal(count(discoveryPath), before + 2);
  });

  it('accepts the Entra {tenantid} template issuer only for a multi-tenant provider', () => {
    const template = 'https://login.microsoftonline.com/{tenantid}/v2.0';
    assert.equal(isDiscoveredIssuerValid('https://login.microsoftonline.com/common/v2.0', template, true), true);
    assert.equal(isDiscoveredIssuerValid('https://login.microsoftonline.com/organizations/v2.0', template, true), true);
    assert.equal(isDiscoveredIssuerValid('https://login.microsoftonline.com/common/v2.0', template, false), false);
    assert.equal(isDiscoveredIssuerValid('https://evil.example/common/v2.0', template, true), false);
    assert.equal(isDiscoveredIssuerValid('https://login.microsoftonline.com/common/v2.0', 'https://evil.example/{tenantid}/v2.0', true), false);
    assert.equal(isDiscoveredIssuerValid('https://issuer.example', 'https://issuer.example/', true), false);
  });

  it('refuses the loopback upstream when private networks are not allowed, without a request', async () => {
    const guarded = createUpstreamMetadata(createUpstreamHttp({ allowPrivateNetwork: false }));
    const before = count(discoveryPath);
    await assert.rejects(guarded.metadata(upstream.issuer), (error: unknown) => error instanceof UpstreamError && error.kind === 'refused_url');
    await assert.rejects(guarded.metadata(upstream.issuer.replace('http:', 'https:')), (error: unknown) => error instanceof UpstreamError && error.kind === 'refused_address');
    assert.equal(count(discoveryPath), before);
  });
});

describe('upstream ID token validation', () => {
  const nonce = 'n-0S6_WzA2Mj';
  let jwksUri: string;
  const nowSec = () => Math.floor(Date.now() / 1000);

  before(async () => {
    jwksUri = (await createUpstreamMetadata(http).metadata(upstream.issuer)).jwks_uri;
  });

  function claims(overrides: JWTPayload = {}): JWTPayload {
    return { iss: upstream.issuer, aud: upstream.clientId, sub: 'upstream-user-1', nonce, iat: nowSec(), exp: nowSec() + 600, ...overrides };
  }

  async function sign(payload: JWTPayload, key: JWK & { kid: string } = upstream.signingKey, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header }).sign(await importJWK(key, 'ES256'));
  }

  function options(keys = createUpstreamKeys(http).resolver(jwksUri)) {
    return { issuer: upstream.issuer, clientId: upstream.clientId, nonce, keys };
  }

  async function refused(token: string, reason: UpstreamTokenErrorReason, opts: Parameters<typeof validateUpstreamIdToken>[1] = options()): Promise<void> {
    await assert.rejects(validateUpstreamIdToken(token, opts), (error: unknown) => {
      assert.ok(error instanceof UpstreamTokenError, String(error));
      assert.equal(error.reason, reason);
      for (const part of token.split('.')) if (part.length > 8) assert.ok(!error.message.includes(part), 'token text in the message');
      return true;
    });
  }

  it('accepts a token signed with a key of the upstream JWKS and returns its claims', async () => {
    const payload = await validateUpstreamIdToken(await sign(claims({ email: 'a@example.com' })), options());
    assert.equal(payload.sub, 'upstream-user-1');
    assert.equal(payload['email'], 'a@example.com');
  });

  it('accepts a documented alternative spelling of the issuer only when configured (Google: accounts.google.com)', async () => {
    const token = await sign(claims({ iss: 'accounts.example' }));
    await refused(token, 'wrong_issuer');
    assert.equal((await validateUpstreamIdToken(token, { ...options(), alternativeIssuers: ['accounts.example'] })).sub, 'upstream-user-1');
  });

  it('does not check the nonce when none was sent (the Complete-the-Login API), and does when one was', async () => {
    const { nonce: _nonce, ...withoutNonce } = claims();
    assert.equal((await validateUpstreamIdToken(await sign(withoutNonce), { ...options(), nonce: undefined })).sub, 'upstream-user-1');
    await refused(await sign(withoutNonce), 'nonce_mismatch');
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: 'victim' }))).toString('base64url');
    await refused(`${header}.${forged}.${signature}`, 'invalid_signature');
  });

  it('refuses the wrong issuer, audience, expiry, nonce and a missing subject', async () => {
    await refused(await sign(claims({ iss: 'http://127.0.0.1:1' })), 'wrong_issuer');
    await refused(await sign(claims({ aud: 'another-client' })), 'wrong_audience');
    await refused(await sign(claims({ iat: nowSec() - 7200, exp: nowSec() - 3600 })), 'expired');
    await refused(await sign(claims({ exp: nowSec() - 61 })), 'expired');
    await refused(await sign(claims({ nonce: 'another-nonce' })), 'nonce_mismatch');
    const { nonce: _nonce, ...withoutNonce } = claims();
    await refused(await sign(withoutNonce), 'nonce_mismatch');
    const { sub: _sub, ...withoutSub } = claims();
    await refused(await sign(withoutSub), 'missing_subject');
    const { exp: _exp, ...withoutExp } = claims();
    await refused(await sign(withoutExp), 'invalid_claims');
    await refused(await sign(claims({ sub: '' })), 'missing_subject');
    await refused(await sign(claims({ nbf: nowSec() + 300 })), 'not_yet_valid');
    await refused(await sign(claims({ iat: nowSec() + 300 })), 'not_yet_valid');
  });

  it('applies the clock tolerance', async () => {
    const payload = await validateUpstreamIdToken(await sign(claims({ exp: nowSec() - 30 })), options());
    assert.equal(payload.sub, 'upstream-user-1');
    await refused(await sign(claims({ exp: nowSec() - 30 })), 'expired', { ...options(), clockToleranceSec: 0 });
  });

  it('checks azp when there are several audiences', async () => {
    await refused(await sign(claims({ aud: [upstream.clientId, 'other'] })), 'wrong_authorized_party');
    await refused(await sign(claims({ aud: [upstream.clientId, 'other'], azp: 'other' })), 'wrong_authorized_party');
    const payload = await validateUpstreamIdToken(await sign(claims({ aud: [upstream.clientId, 'other'], azp: upstream.clientId })), options());
    assert.deepEqual(payload.aud, [upstream.clientId, 'other']);
  });

  it('checks auth_time against max_age', async () => {
    await refused(await sign(claims()), 'auth_too_old', { ...options(), maxAgeSec: 300 });
    await refused(await sign(claims({ auth_time: nowSec() - 1000 })), 'auth_too_old', { ...options(), maxAgeSec: 300 });
    const payload = await validateUpstreamIdToken(await sign(claims({ auth_time: nowSec() - 100 })), { ...options(), maxAgeSec: 300 });
    assert.equal(payload.sub, 'upstream-user-1');
  });

  it('refuses alg none and HS256 keyed with the upstream public key', async () => {
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    await refused(`${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`, 'disallowed_algorithm');
    const publicKey = createPublicKey({ key: publicJwk(upstream.signingKey) as never, format: 'jwk' });
    for (const secret of [publicKey.export({ format: 'pem', type: 'spki' }).toString(), JSON.stringify(publicJwk(upstream.signingKey))]) {
      const signingInput = `${encode({ alg: 'HS256', kid: upstream.signingKey.kid })}.${encode(claims())}`;
      const mac = createHmac('sha256', secret).update(signingInput).digest('base64url');
      await refused(`${signingInput}.${mac}`, 'disallowed_algorithm');
    }
    await refused('not.a-jwt', 'malformed');
  });

  it('refetches the JWKS once for an unknown kid, then refuses, rate-limited per URI', async () => {
    let clock = Date.now();
    const keys = createUpstreamKeys(http, { now: () => clock }).resolver(jwksUri);
    const opts = { ...options(keys), now: () => clock };
    await validateUpstreamIdToken(await sign(claims()), opts); // the first fetch
    const before = count('/jwks');
    const attacker = generateSigningKey('unknown-kid');
    await refused(await sign(claims(), attacker), 'unknown_key', opts);
    assert.equal(count('/jwks'), before + 1);
    // A jku header pointing at the attacker's keys is not followed.
    await refused(await sign(claims(), attacker, { jku: 'http://127.0.0.1:1/jwks' }), 'unknown_key', opts);
    assert.equal(count('/jwks'), before + 1);
    clock += 31_000;
    await refused(await sign(claims(), attacker), 'unknown_key', opts);
    assert.equal(count('/jwks'), before + 2);
  });

  it('picks up a rotated key through the unknown-kid refetch', async () => {
    const keys = createUpstreamKeys(http).resolver(jwksUri);
    await validateUpstreamIdToken(await sign(claims()), options(keys));
    const next = generateSigningKey('rotated-es256');
    upstream.publishKeys([publicJwk(next), publicJwk(upstream.signingKey)]);
    try {
      const before = count('/jwks');
      const payload = await validateUpstreamIdToken(await sign(claims(), next), options(keys));
      assert.equal(payload.sub, 'upstream-user-1');
      assert.equal(count('/jwks'), before + 1);
      await validateUpstreamIdToken(await sign(claims()), options(keys));
      assert.equal(count('/jwks'), before + 1);
    } finally {
      upstream.publishKeys(undefined);
    }
  });

  it('shares one JWKS fetch between concurrent validations', async () => {
    const keys = createUpstreamKeys(http).resolver(jwksUri);
    const before = count('/jwks');
    const token = await sign(claims());
    await Promise.all(Array.from({ length: 5 }, () => validateUpstreamIdToken(token, options(keys))));
    assert.equal(count('/jwks'), before + 1);
  });

  it('checks a multi-tenant Entra token against the issuer of its own tenant', async () => {
    const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
    const opts = { ...options(), issuer: 'https://login.microsoftonline.com/common/v2.0', multiTenant: true };
    const payload = await validateUpstreamIdToken(await sign(claims({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0` })), opts);
    assert.equal(payload['tid'], tid);
    await refused(await sign(claims({ tid, iss: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0' })), 'wrong_issuer', opts);
    await refused(await sign(claims({ iss: `https://login.microsoftonline.com/${tid}/v2.0` })), 'wrong_issuer', opts);
    await refused(await sign(claims({ tid, iss: `https://login.microsoftonline.com/${tid}/v2.0` })), 'wrong_issuer', { ...opts, multiTenant: false });
  });

  it('reports an unreachable JWKS as keys_unavailable', async () => {
    const keys = createUpstreamKeys(createUpstreamHttp({ allowPrivateNetwork: false })).resolver(jwksUri);
    await refused(await sign(claims()), 'keys_unavailable', options(keys));
  });
});
