import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, randomUUID, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FusionAuthClient, Key, KeyRequest, Tenant } from '@fusionauth/typescript-client';
import type { JWK } from 'jose';
import { createSelfSignedCertificate, defaultValidity } from '../../src/keys/self-signed-certificate.ts';
import { backends } from '../helpers/test-stores.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { errorCodes, expectStatus, serveWithClient } from '../helpers/fusionauth-client.ts';
import { exampleCertificate } from '../helpers/example-certificate.ts';

function request(key: Record<string, unknown>): KeyRequest {
  return { key: key as Key };
}

function colonHex(bytes: Buffer): string {
  return (bytes.toString('hex').toUpperCase().match(/../g) ?? []).join(':');
}

/** What FusionAuth shows for a certificate, computed here independently of Gatehouse's own code. */
function expectedInformation(certificate: X509Certificate) {
  const der = certificate.raw;
  const serial = certificate.serialNumber;
  return {
    issuer: certificate.issuer.split('\n').reverse().join(', '),
    md5Fingerprint: colonHex(createHash('md5').update(der).digest()),
    serialNumber: colonHex(Buffer.from(/^[89A-F]/.test(serial) ? `00${serial}` : serial, 'hex')),
    sha1Fingerprint: certificate.fingerprint,
    sha1Thumbprint: createHash('sha1').update(der).digest('base64url'),
    sha256Fingerprint: certificate.fingerprint256,
    sha256Thumbprint: createHash('sha256').update(der).digest('base64url'),
    subject: certificate.subject.split('\n').reverse().join(', '),
    validFrom: certificate.validFromDate.getTime(),
    validTo: certificate.validToDate.getTime(),
  };
}


for (const backend of backends) {
  describe(`Key Master certificates on ${backend} through @fusionauth/typescript-client`, () => {
    let gatehouse: TestApp;
    let client: FusionAuthClient;
    let baseUrl: string;

    before(async () => {
      gatehouse = await createTestApp(backend);
      ({ client, baseUrl } = await serveWithClient(gatehouse));
    });
    after(async () => {
      await gatehouse.close();
    });

    async function jwk(kid: string | undefined): Promise<JWK | undefined> {
      const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
      return ((await response.json()) as { keys: JWK[] }).keys.find((entry) => entry.kid === kid);
    }

    async function storedCertificate(id: string): Promise<string | null> {
      const row = await gatehouse.store.db.selectFrom('signing_keys').select('certificate').where('id', '=', id).executeTakeFirstOrThrow();
      return row.certificate;
    }

    /** The JWKS entry carries the key's certificate, and that certificate holds the entry's own key. */
    async function assertPublishedWithCertificate(key: Key): Promise<void> {
      const entry = await jwk(key.kid);
      assert.ok(entry, `${key.kid} is published`);
      const certificate = new X509Certificate(key.certificate!);
      assert.deepEqual(entry.x5c, [certificate.raw.toString('base64')]);
      assert.equal(entry.x5t, key.certificateInformation?.sha1Thumbprint);
      assert.equal(entry['x5t#S256'], key.certificateInformation?.sha256Thumbprint);
      const fromX5c = new X509Certificate(Buffer.from(entry.x5c![0]!, 'base64'));
      assert.equal(fromX5c.publicKey.equals(createPublicKey({ key: entry as never, format: 'jwk' })), true, 'RFC 7517 §4.7: x5c holds the JWK key');
    }

    it('gives generated RSA, EC and Ed25519 keys a self-signed certificate for ten years, shown and published', async () => {
      for (const algorithm of ['RS256', 'RS512', 'ES256', 'ES384', 'ES512', 'Ed25519']) {
        const { response } = await client.generateKey('', request({ algorithm, name: `Certified ${algorithm} ${randomUUID()}`, issuer: 'Acme, Inc.' }));
        const key = response.key!;
        assert.match(key.certificate ?? '', /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/);
        const certificate = new X509Certificate(key.certificate!);
        const publicKey = createPublicKey(key.publicKey!);
        assert.equal(certificate.verify(publicKey), true, `${algorithm}: signed by its own key`);
        assert.equal(certificate.checkIssued(certificate), true);
        assert.equal(certificate.publicKey.equals(publicKey), true);
        assert.equal(certificate.subject, 'CN=Acme\\, Inc.');
        assert.equal(certificate.issuer, 'CN=Acme\\, Inc.');
        const notBefore = Math.floor(key.insertInstant! / 1000) * 1000;
        assert.equal(certificate.validFromDate.getTime(), notBefore);
        const tenYears = new Date(notBefore);
        tenYears.setUTCFullYear(tenYears.getUTCFullYear() + 10);
        assert.equal(certificate.validToDate.getTime(), tenYears.getTime());

        assert.deepEqual(key.certificateInformation, expectedInformation(certificate));
        assert.equal(key.expirationInstant, tenYears.getTime());
        assert.equal(key.issuer, 'Acme, Inc.');
        assert.equal(await storedCertificate(key.id!), key.certificate, 'stored as PEM');
        assert.deepEqual((await client.retrieveKey(key.id!)).response.key, key);
        await assertPublishedWithCertificate(key);
      }
    });

    it('names the certificate after the default tenant issuer when no issuer is given', async () => {
      const beforeIssuer = (await client.generateKey('', request({ algorithm: 'ES256', name: `Default issuer ${randomUUID()}` }))).response.key!;
      assert.equal(new X509Certificate(beforeIssuer.certificate!).subject, `CN=${baseUrl}`, 'no configured issuer: the origin tokens carry as iss');
      assert.equal(beforeIssuer.issuer, baseUrl);

      await client.patchTenant(gatehouse.setup.defaultTenantId, { tenant: { issuer: 'login.example.test' } as Tenant });
      const afterIssuer = (await client.generateKey('', request({ algorithm: 'RS256', name: `Tenant issuer ${randomUUID()}` }))).response.key!;
      assert.equal(new X509Certificate(afterIssuer.certificate!).subject, 'CN=login.example.test');
      assert.equal(afterIssuer.certificateInformation?.issuer, 'CN=login.example.test');
      assert.equal(afterIssuer.issuer, 'login.example.test');
    });

    it('gives HMAC keys no certificate, whatever the request says', async () => {
      for (const algorithm of ['HS256', 'HS512']) {
        const key = (await client.generateKey('', request({ algorithm, name: `No certificate ${algorithm} ${randomUUID()}`, issuer: 'ignored.example' }))).response.key!;
        assert.equal(key.certificate, undefined);
        assert.equal(key.certificateInformation, undefined);
        assert.equal(key.expirationInstant, undefined);
        assert.equal(key.issuer, undefined);
        assert.equal(await storedCertificate(key.id!), null);
      }
    });

    it('refuses a bad issuer with field errors and stores nothing', async () => {
      const count = (await client.retrieveKeys()).response.keys?.length;
      const cases: Array<[unknown, string]> = [
        ['', '[tooShort]key.issuer'],
        [7, '[invalid]key.issuer'],
        ['x'.repeat(2049), '[tooLong]key.issuer'],
      ];
      for (const [issuer, code] of cases) {
        const body = await expectStatus(client.generateKey('', request({ algorithm: 'ES256', name: `Bad issuer ${randomUUID()}`, issuer })), 400);
        assert.deepEqual(errorCodes(body), [code]);
      }
      assert.equal((await client.retrieveKeys()).response.keys?.length, count);
    });

    it('describes imported certificates the same way; a signing pair with its certificate publishes it', async () => {
      const verificationOnly = (await client.importKey('', request({ name: `Foreign ${randomUUID()}`, certificate: exampleCertificate }))).response.key!;
      assert.equal(verificationOnly.certificate, exampleCertificate);
      assert.deepEqual(verificationOnly.certificateInformation, expectedInformation(new X509Certificate(exampleCertificate)));
      assert.equal(verificationOnly.certificateInformation?.subject, 'CN=example.test, O=Example Org, C=DE');
      assert.equal(verificationOnly.certificateInformation?.serialNumber, '04:4F:72:DB:64:A4:D2:CD:BA:7A:AC:E4:09:77:A3:6C:E1:D0:55:2F');
      assert.equal(verificationOnly.issuer, 'example.test');
      assert.equal(verificationOnly.expirationInstant, Date.parse('2126-10-29T16:31:17Z'));
      assert.equal(await jwk(verificationOnly.kid), undefined, 'a key Gatehouse cannot sign with stays out of the JWKS');

      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const certificate = createSelfSignedCertificate({ privateKey: pair.privateKey, commonName: 'imported.example', ...defaultValidity(Date.now()) });
      const signing = (
        await client.importKey('', request({ name: `Imported pair ${randomUUID()}`, certificate, privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) }))
      ).response.key!;
      assert.equal(signing.hasPrivateKey, true);
      assert.equal(signing.issuer, 'imported.example');
      assert.deepEqual(signing.certificateInformation, expectedInformation(new X509Certificate(certificate)));
      await assertPublishedWithCertificate(signing);

      const bare = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const uncertified = (await client.importKey('', request({ name: `No certificate ${randomUUID()}`, privateKey: bare.privateKey.export({ type: 'pkcs8', format: 'pem' }) })))
        .response.key!;
      assert.equal(uncertified.certificate, undefined);
      assert.equal(uncertified.certificateInformation, undefined);
      const entry = await jwk(uncertified.kid);
      assert.ok(entry);
      assert.equal('x5c' in entry || 'x5t' in entry || 'x5t#S256' in entry, false);

      // A certificate for another key than the private key is refused before anything is stored.
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const body = await expectStatus(
        client.importKey('', request({ name: `Mismatch ${randomUUID()}`, certificate, privateKey: other.privateKey.export({ type: 'pkcs8', format: 'pem' }) })),
        400,
      );
      assert.deepEqual(errorCodes(body), ['[mismatch]key.privateKey']);
    });
  });
}
