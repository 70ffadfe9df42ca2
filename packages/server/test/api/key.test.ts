import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Key, KeyRequest, Tenant } from '@fusionauth/typescript-client';
import { createLocalJWKSet, jwtVerify, SignJWT, type JWK } from 'jose';
import { privateContext } from '../../src/keys/signing-keys.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';

/** A self-signed P-256 certificate (public material only), made once with openssl for these tests. */
const certificate = `-----BEGIN CERTIFICATE-----
MIIBiDCCAS+gAwIBAgIUVxnuRywqBmqVb4FaYm8mQ+IApr0wCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOZ2F0ZWhvdXNlLXRlc3QwIBcNMjYxMTIyMTQzNjUyWhgPMjEy
NjEwMjkxNDM2NTJaMBkxFzAVBgNVBAMMDmdhdGVob3VzZS10ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEN7gwrn7tsiVhrh+ViXCQKf7XlIPyVIBwJIaKFwET
eVS1Rd3X6DrzMYUWonCitKF/2BNRZileysS+wvMOAeMFqqNTMFEwHQYDVR0OBBYE
FJZQiOXs2SANhoPe3IF0e0PSfImjMB8GA1UdIwQYMBaAFJZQiOXs2SANhoPe3IF0
e0PSfImjMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgEQWNABxm
c2Pmwvp7E5/MDL65uzpNdfEjE+b9BybebmsCIC0K5Dl71El7vysZXOL4nvQaSZ8j
Nr7u1dKn5NLDOHHI
-----END CERTIFICATE-----`;

const hmacSecret = `gatehouse-test-hmac-secret-${randomUUID()}`;

function request(key: Record<string, unknown>): KeyRequest {
  return { key: key as Key };
}

function pemPair(type: 'ec' | 'rsa' | 'ed25519', options: Record<string, unknown> = {}, encoding = { pub: 'spki', priv: 'pkcs8' }) {
  const { publicKey, privateKey } = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
  return {
    publicKey: publicKey.export({ type: encoding.pub as 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: encoding.priv as 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Every response body goes through here: no private key, no HMAC secret, ever. */
function assertPublicOnly(body: unknown): void {
  const text = JSON.stringify(body ?? null);
  assert.equal(text.includes('PRIVATE KEY'), false, 'no private key in a response');
  assert.equal(/"(secret|privateKey|d|k)"\s*:/.test(text), false, `no secret member in a response: ${text.slice(0, 200)}`);
  assert.equal(text.includes(hmacSecret), false, 'the imported HMAC secret never comes back');
}

for (const backend of backends) {
  describe(`/api/key and /api/jwt/public-key on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;
    let clientFor: (apiKey: string, tenantId?: string) => FusionAuthClient;

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, baseUrl, clientFor } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    async function jwks(): Promise<{ keys: JWK[] }> {
      const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
      return (await response.json()) as { keys: JWK[] };
    }

    async function generate(key: Record<string, unknown>, id = '') {
      const { response } = await client.generateKey(id, request(key));
      assertPublicOnly(response);
      return response.key!;
    }

    async function importKey(key: Record<string, unknown>, id = '') {
      const { response } = await client.importKey(id, request(key));
      assertPublicOnly(response);
      return response.key!;
    }

    async function storedPrivateJwk(id: string): Promise<JWK | undefined> {
      const row = await gatehouse.store.db.selectFrom('signing_keys').select('private_sealed').where('id', '=', id).executeTakeFirstOrThrow();
      if (row.private_sealed === null) return undefined;
      const text = row.private_sealed.toString('latin1');
      assert.equal(text.includes('PRIVATE KEY') || text.includes('"d"') || text.includes('"k"') || text.includes(hmacSecret), false, 'sealed at rest');
      return JSON.parse(gatehouse.keyRing.unseal(row.private_sealed, privateContext(id)).toString('utf8')) as JWK;
    }

    it('generates every algorithm, shows only public parts, publishes asymmetric keys without making them sign', async () => {
      const activeBefore = (await gatehouse.signingKeys.active('ES256'))?.kid;
      const cases: Array<[Record<string, unknown>, string, number | undefined]> = [
        [{ algorithm: 'ES256' }, 'EC', 256],
        [{ algorithm: 'ES384' }, 'EC', 384],
        [{ algorithm: 'ES512' }, 'EC', 521],
        [{ algorithm: 'RS256' }, 'RSA', 2048],
        [{ algorithm: 'RS384', length: 3072 }, 'RSA', 3072],
        [{ algorithm: 'RS512', length: 2048 }, 'RSA', 2048],
        [{ algorithm: 'Ed25519' }, 'OKP', undefined],
        [{ algorithm: 'HS256' }, 'HMAC', undefined],
        [{ algorithm: 'HS384' }, 'HMAC', undefined],
        [{ algorithm: 'HS512' }, 'HMAC', undefined],
      ];
      for (const [input, type, length] of cases) {
        const id = randomUUID();
        const key = await generate({ ...input, name: `Generated ${String(input['algorithm'])} ${id}`, privateKey: 'ignored' }, id);
        assert.equal(key.id, id);
        assert.equal(key.algorithm, input['algorithm']);
        assert.equal(key.type, type);
        assert.equal(key.length, length);
        assert.equal(key.hasPrivateKey, true);
        assert.equal(typeof key.kid, 'string');
        assert.equal(typeof key.insertInstant, 'number');
        const published = (await jwks()).keys.find((jwk) => jwk.kid === key.kid);
        if (type === 'HMAC') {
          assert.equal(key.publicKey, undefined);
          assert.equal(published, undefined, 'HMAC keys are never published');
          assert.equal((await storedPrivateJwk(id))?.kty, 'oct');
        } else {
          assert.match(key.publicKey ?? '', /^-----BEGIN PUBLIC KEY-----/);
          assert.deepEqual(createPublicKey(key.publicKey!).export({ format: 'jwk' }), createPublicKey({ key: published as never, format: 'jwk' }).export({ format: 'jwk' }));
          assert.equal(published?.alg, input['algorithm'] === 'Ed25519' ? 'EdDSA' : input['algorithm']);
          const privateJwk = await storedPrivateJwk(id);
          assert.equal(typeof privateJwk?.d, 'string', 'the private part is stored, sealed');
        }
      }
      assert.equal((await gatehouse.signingKeys.active('ES256'))?.kid, activeBefore, 'a generated key does not take over signing');
    });

    it('answers bad generate requests with field errors and stores nothing', async () => {
      const taken = await generate({ algorithm: 'ES256', name: `Taken ${randomUUID()}` });
      const count = (await client.retrieveKeys()).response.keys?.length;
      const cases: Array<[unknown, string, string | undefined]> = [
        [{ name: 'no algorithm' }, '[blank]key.algorithm', undefined],
        [{ algorithm: 'PS256', name: 'pss' }, '[invalid]key.algorithm', undefined],
        [{ algorithm: 'None', name: 'none' }, '[invalid]key.algorithm', undefined],
        [{ algorithm: 'ES256' }, '[blank]key.name', undefined],
        [{ algorithm: 'ES256', name: '' }, '[tooShort]key.name', undefined],
        [{ algorithm: 'ES256', name: 7 }, '[invalid]key.name', undefined],
        [{ algorithm: 'RS256', name: 'short rsa', length: 1024 }, '[invalid]key.length', undefined],
        [{ algorithm: 'RS256', name: 'odd rsa', length: 'big' }, '[invalid]key.length', undefined],
        [{ algorithm: 'ES256', name: taken.name!.toUpperCase() }, '[duplicate]key.name', undefined],
        [{ algorithm: 'ES256', name: 'same id' }, '[duplicate]key.id', taken.id],
      ];
      for (const [key, code, id] of cases) {
        const body = await expectStatus(client.generateKey(id ?? '', request(key as Record<string, unknown>)), 400);
        assert.ok(errorCodes(body).includes(code), `${JSON.stringify(key)} → ${JSON.stringify(errorCodes(body))}`);
      }
      const noWrapper = await expectStatus(client.generateKey('', {} as KeyRequest), 400);
      assert.deepEqual(errorCodes(noWrapper), ['[blank]key']);
      await expectStatus(client.generateKey('not-a-uuid', request({ algorithm: 'ES256', name: 'bad id' })), 400);
      assert.equal((await client.retrieveKeys()).response.keys?.length, count);
    });

    it('imports PEM and JWK key pairs and HMAC secrets, sealing private parts; imported pairs sign verifiable tokens', async () => {
      const ec = pemPair('ec', { namedCurve: 'P-256' });
      const imported = await importKey({ name: `EC import ${randomUUID()}`, ...ec, kid: 'imported-ec-1' });
      assert.equal(imported.algorithm, 'ES256');
      assert.equal(imported.type, 'EC');
      assert.equal(imported.kid, 'imported-ec-1');
      assert.equal(imported.hasPrivateKey, true);
      assert.equal(createPublicKey(imported.publicKey!).export({ type: 'spki', format: 'pem' }), ec.publicKey);
      const sealed = await storedPrivateJwk(imported.id!);
      assert.deepEqual(createPrivateKey({ key: sealed as never, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }), ec.privateKey);

      // Tokens signed by the imported private key verify against Gatehouse's JWKS.
      const token = await new SignJWT({ sub: 'imported' }).setProtectedHeader({ alg: 'ES256', kid: 'imported-ec-1' }).sign(createPrivateKey(ec.privateKey));
      assert.equal((await jwtVerify(token, createLocalJWKSet(await jwks()))).payload.sub, 'imported');

      const rsa = pemPair('rsa', { modulusLength: 2048 }, { pub: 'pkcs1', priv: 'pkcs1' });
      const rsaKey = await importKey({ name: `RSA import ${randomUUID()}`, algorithm: 'RS384', ...rsa });
      assert.equal(rsaKey.algorithm, 'RS384');
      assert.equal(rsaKey.length, 2048);

      const ed = pemPair('ed25519');
      const edKey = await importKey({ name: `Ed import ${randomUUID()}`, privateKey: ed.privateKey });
      assert.equal(edKey.algorithm, 'Ed25519');
      assert.equal(edKey.type, 'OKP');
      assert.equal(createPublicKey(edKey.publicKey!).export({ type: 'spki', format: 'pem' }), ed.publicKey, 'public half derived from the private key');

      const sec1 = pemPair('ec', { namedCurve: 'P-384' }, { pub: 'spki', priv: 'sec1' });
      assert.equal((await importKey({ name: `SEC1 import ${randomUUID()}`, privateKey: sec1.privateKey })).algorithm, 'ES384');

      const jwkPair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
      const jwkKey = await importKey({
        name: `JWK import ${randomUUID()}`,
        publicKey: JSON.stringify(jwkPair.publicKey.export({ format: 'jwk' })),
        privateKey: JSON.stringify(jwkPair.privateKey.export({ format: 'jwk' })),
      });
      assert.equal(jwkKey.algorithm, 'ES512');

      const hmac = await importKey({ name: `HMAC import ${randomUUID()}`, algorithm: 'HS256', secret: hmacSecret, kid: 'imported-hmac' });
      assert.equal(hmac.type, 'HMAC');
      assert.equal(hmac.kid, 'imported-hmac');
      assert.equal(Buffer.from((await storedPrivateJwk(hmac.id!))?.k ?? '', 'base64url').toString('utf8'), hmacSecret);
      assert.equal((await jwks()).keys.some((jwk) => jwk.kid === 'imported-hmac'), false);
    });

    it('imports a public key or certificate alone as a verification-only key, kept out of the JWKS', async () => {
      const ec = pemPair('ec', { namedCurve: 'P-256' });
      const publicOnly = await importKey({ name: `Public only ${randomUUID()}`, publicKey: ec.publicKey });
      assert.equal(publicOnly.hasPrivateKey, false);
      assert.equal(await storedPrivateJwk(publicOnly.id!), undefined);
      const fromCertificate = await importKey({ name: `Certificate ${randomUUID()}`, certificate, kid: 'cert-kid' });
      assert.equal(fromCertificate.certificate, certificate);
      assert.equal(fromCertificate.algorithm, 'ES256');
      assert.equal(fromCertificate.hasPrivateKey, false);
      assert.match(fromCertificate.publicKey ?? '', /^-----BEGIN PUBLIC KEY-----/);
      const kids = (await jwks()).keys.map((jwk) => jwk.kid);
      assert.equal(kids.includes(publicOnly.kid), false, 'a key Gatehouse cannot sign with is not vouched for');
      assert.equal(kids.includes('cert-kid'), false);
      assert.deepEqual((await client.retrieveKey(publicOnly.id!)).response.key, publicOnly);
    });

    it('refuses mismatched, unreadable or unsupported imports and stores nothing', async () => {
      const count = (await client.retrieveKeys()).response.keys?.length;
      const a = pemPair('ec', { namedCurve: 'P-256' });
      const b = pemPair('ec', { namedCurve: 'P-256' });
      const weakRsa = pemPair('rsa', { modulusLength: 1024 });
      const taken = await importKey({ name: `Kid owner ${randomUUID()}`, publicKey: b.publicKey, kid: `taken-${randomUUID()}` });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ publicKey: a.publicKey, privateKey: b.privateKey }, '[mismatch]key.publicKey'],
        [{ publicKey: a.publicKey, certificate }, '[mismatch]key.certificate'],
        [{ privateKey: b.privateKey, certificate }, '[mismatch]key.privateKey'],
        [{ publicKey: a.privateKey }, '[invalid]key.publicKey'],
        [{ privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' }, '[invalid]key.privateKey'],
        [{ privateKey: '{"kty":"EC","crv":"P-256"}' }, '[invalid]key.privateKey'],
        [{ privateKey: a.publicKey }, '[invalid]key.privateKey'],
        [{ certificate: 'not a certificate' }, '[invalid]key.certificate'],
        [{ publicKey: 12 }, '[invalid]key.publicKey'],
        [{ ...a, algorithm: 'RS256' }, '[invalid]key.algorithm'],
        [{ ...a, algorithm: 'HS256' }, '[invalid]key.algorithm'],
        [{ publicKey: weakRsa.publicKey }, '[invalid]key.publicKey'],
        [{ publicKey: pemPair('ec', { namedCurve: 'secp256k1' }).publicKey }, '[invalid]key.publicKey'],
        [{ secret: 'too short', algorithm: 'HS256' }, '[tooShort]key.secret'],
        [{ secret: hmacSecret.padEnd(64, 'x'), algorithm: 'ES256' }, '[invalid]key.algorithm'],
        [{ secret: hmacSecret, publicKey: a.publicKey }, '[invalid]key.secret'],
        [{}, '[blank]key.publicKey'],
        [{ publicKey: a.publicKey, kid: 'has space' }, '[invalid]key.kid'],
        [{ publicKey: a.publicKey, kid: taken.kid }, '[duplicate]key.kid'],
      ];
      for (const [key, code] of cases) {
        const body = await expectStatus(client.importKey('', request({ name: `Bad import ${randomUUID()}`, ...key })), 400);
        assertPublicOnly(body);
        assert.ok(errorCodes(body).includes(code), `${code} expected, got ${JSON.stringify(errorCodes(body))}`);
      }
      const noName = await expectStatus(client.importKey('', request({ publicKey: a.publicKey })), 400);
      assert.deepEqual(errorCodes(noName), ['[blank]key.name']);
      assert.equal((await client.retrieveKeys()).response.keys?.length, count! + 1);
    });

    it('lists and retrieves keys, renames them (only the name), and never shows private parts', async () => {
      const key = await generate({ algorithm: 'ES256', name: `Rename me ${randomUUID()}` });
      const { response: list } = await client.retrieveKeys();
      assertPublicOnly(list);
      assert.ok(list.keys?.some((listed) => listed.id === key.id));
      assert.ok(list.keys?.some((listed) => listed.id === gatehouse.setup.defaultSigningKeyId), 'the first-start key is listed');
      for (const listed of list.keys ?? []) assertPublicOnly((await client.retrieveKey(listed.id!)).response);

      const newName = `Renamed ${randomUUID()}`;
      const { response: renamed } = await client.updateKey(key.id!, request({ name: newName, algorithm: 'RS256', kid: 'changed', publicKey: 'x' }));
      assertPublicOnly(renamed);
      assert.equal(renamed.key?.name, newName);
      assert.equal(renamed.key?.algorithm, 'ES256');
      assert.equal(renamed.key?.kid, key.kid);
      assert.equal(renamed.key?.publicKey, key.publicKey);
      assert.ok((renamed.key?.lastUpdateInstant ?? 0) >= (key.lastUpdateInstant ?? 0));
      assert.deepEqual((await client.retrieveKey(key.id!)).response.key, renamed.key);

      const other = await generate({ algorithm: 'HS256', name: `Other ${randomUUID()}` });
      assert.deepEqual(errorCodes(await expectStatus(client.updateKey(key.id!, request({ name: other.name!.toLowerCase() })), 400)), ['[duplicate]key.name']);
      assert.deepEqual(errorCodes(await expectStatus(client.updateKey(key.id!, request({})), 400)), ['[blank]key.name']);
      await expectStatus(client.updateKey(randomUUID(), request({ name: 'nobody' })), 404);
      await expectStatus(client.retrieveKey(randomUUID()), 404);
      await expectStatus(client.retrieveKey('not-a-uuid'), 400);
    });

    it('deletes keys, except the one signing tokens or one a tenant or application uses; the JWKS follows', async () => {
      const key = await generate({ algorithm: 'RS256', name: `Delete me ${randomUUID()}` });
      assert.ok((await jwks()).keys.some((jwk) => jwk.kid === key.kid));
      assert.equal((await client.deleteKey(key.id!)).statusCode, 200);
      assert.equal((await jwks()).keys.some((jwk) => jwk.kid === key.kid), false, 'a deleted key leaves the JWKS at once');
      await expectStatus(client.retrieveJWTPublicKey(key.kid!), 404);
      await expectStatus(client.retrieveKey(key.id!), 404);
      await expectStatus(client.deleteKey(key.id!), 404);

      const active = await gatehouse.signingKeys.active('ES256');
      const activeId = gatehouse.setup.defaultSigningKeyId!;
      assert.equal((await client.retrieveKey(activeId)).response.key?.kid, active?.kid);
      assert.deepEqual(errorCodes(await expectStatus(client.deleteKey(activeId), 400)), ['[KeyInUse]']);
      await gatehouse.signingKeys.rotate('ES256');
      assert.equal((await client.deleteKey(activeId)).statusCode, 200, 'a retired rotation key may go');
      assert.ok(await gatehouse.signingKeys.active('ES256'), 'a signer for the default algorithm remains');

      const assigned = await generate({ algorithm: 'ES256', name: `Tenant key ${randomUUID()}` });
      const tenant = (await client.createTenant('', { tenant: { name: `Keyed ${randomUUID()}`, jwtConfiguration: { accessTokenKeyId: assigned.id } } as Tenant })).response.tenant!;
      assert.deepEqual(errorCodes(await expectStatus(client.deleteKey(assigned.id!), 400)), ['[KeyInUse]']);
      await client.deleteTenant(tenant.id!);
      assert.equal((await client.deleteKey(assigned.id!)).statusCode, 200);

      const forApplication = await generate({ algorithm: 'ES256', name: `Application key ${randomUUID()}` });
      const application = (
        await client.createApplication('', {
          application: { name: `Keyed app ${randomUUID()}`, tenantId: gatehouse.setup.defaultTenantId, jwtConfiguration: { enabled: true, idTokenKeyId: forApplication.id } },
        } as never)
      ).response.application!;
      await client.deactivateApplication(application.id!);
      assert.deepEqual(errorCodes(await expectStatus(client.deleteKey(forApplication.id!), 400)), ['[KeyInUse]'], 'an inactive application still counts');
      await client.deleteApplication(application.id!);
      assert.equal((await client.deleteKey(forApplication.id!)).statusCode, 200);
    });

    it('serves public keys as PEM without an API key, in step with the JWKS', async () => {
      const key = await generate({ algorithm: 'Ed25519', name: `Public PEM ${randomUUID()}` });
      const { response: all } = await client.retrieveJWTPublicKeys();
      const published = (await jwks()).keys;
      assert.deepEqual(Object.keys(all.publicKeys ?? {}).sort(), published.map((jwk) => jwk.kid).sort());
      assert.equal(all.publicKeys?.[key.kid!], key.publicKey);
      assert.equal((await client.retrieveJWTPublicKey(key.kid!)).response.publicKey, key.publicKey);
      await expectStatus(client.retrieveJWTPublicKey('no-such-kid'), 404);
      await expectStatus(client.retrieveJWTPublicKeyByApplicationId(randomUUID()), 404);

      // By application: its own key when its jwtConfiguration is enabled, else its tenant's.
      const tenantKey = await generate({ algorithm: 'RS256', name: `Tenant PEM ${randomUUID()}` });
      const tenant = (await client.createTenant('', { tenant: { name: `PEM tenant ${randomUUID()}`, jwtConfiguration: { accessTokenKeyId: tenantKey.id } } as Tenant })).response.tenant!;
      const plain = (await client.createApplication('', { application: { name: `Plain ${randomUUID()}`, tenantId: tenant.id } } as never)).response.application!;
      assert.equal((await client.retrieveJWTPublicKeyByApplicationId(plain.id!)).response.publicKey, tenantKey.publicKey);
      const own = (
        await client.createApplication('', { application: { name: `Own ${randomUUID()}`, tenantId: tenant.id, jwtConfiguration: { enabled: true, accessTokenKeyId: key.id } } } as never)
      ).response.application!;
      assert.equal((await client.retrieveJWTPublicKeyByApplicationId(own.id!)).response.publicKey, key.publicKey);
      const unassigned = (await client.createApplication('', { application: { name: `Unassigned ${randomUUID()}`, tenantId: gatehouse.setup.defaultTenantId } } as never)).response.application!;
      await expectStatus(client.retrieveJWTPublicKeyByApplicationId(unassigned.id!), 404);
      const anonymous = await fetch(`${baseUrl}/api/jwt/public-key?kid=${encodeURIComponent(key.kid!)}`);
      assert.equal(anonymous.status, 200);
      const body = (await anonymous.json()) as { publicKey: string };
      assertPublicOnly(body);
      // The sealed private half (unsealed here the way a signer would) signs what the served PEM verifies.
      const signature = sign(null, Buffer.from('probe'), createPrivateKey({ key: (await storedPrivateJwk(key.id!)) as never, format: 'jwk' }));
      assert.equal(verify(null, Buffer.from('probe'), createPublicKey(body.publicKey), signature), true);
    });

    it('keeps tenant-scoped API keys out of Key Master', async () => {
      const scopedKey = (await client.createAPIKey('', { apiKey: { tenantId: gatehouse.setup.defaultTenantId } })).response.apiKey!.key!;
      const scoped = clientFor(scopedKey);
      await expectStatus(scoped.retrieveKeys(), 401);
      await expectStatus(scoped.retrieveKey(gatehouse.setup.defaultSigningKeyId ?? randomUUID()), 401);
      await expectStatus(scoped.generateKey('', request({ algorithm: 'ES256', name: 'scoped' })), 401);
      await expectStatus(scoped.importKey('', request({ name: 'scoped', secret: hmacSecret })), 401);
      await expectStatus(clientFor('wrong key').retrieveKeys(), 401);
    });

    it('never logs key material', async () => {
      const text = gatehouse.logs.text();
      assert.equal(text.includes('PRIVATE KEY'), false);
      assert.equal(text.includes(hmacSecret), false);
    });
  });
}
