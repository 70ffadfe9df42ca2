import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { certificateJwkMembers, describeCertificate } from './certificate-information.ts';
import { objectIdentifier, readChildren, readElement, unsignedInteger, x509Time } from './der.ts';
import { createSelfSignedCertificate, defaultValidity } from './self-signed-certificate.ts';
import { exampleCertificate } from '../../test/helpers/example-certificate.ts';


const pairs: Array<[string, () => { publicKey: KeyObject; privateKey: KeyObject }, string]> = [
  ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), '1.2.840.113549.1.1.11'],
  ['EC P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), '1.2.840.10045.4.3.2'],
  ['EC P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), '1.2.840.10045.4.3.2'],
  ['EC P-521', () => generateKeyPairSync('ec', { namedCurve: 'P-521' }), '1.2.840.10045.4.3.2'],
  ['Ed25519', () => generateKeyPairSync('ed25519'), '1.3.101.112'],
];

function hex(element: Buffer): string {
  return element.toString('hex');
}

describe('DER writer', () => {
  it('encodes integers minimally and positive', () => {
    assert.equal(hex(unsignedInteger(0)), '020100');
    assert.equal(hex(unsignedInteger(127)), '02017f');
    assert.equal(hex(unsignedInteger(128)), '02020080');
    assert.equal(hex(unsignedInteger(256)), '02020100');
    assert.equal(hex(unsignedInteger(Buffer.from([0, 0, 0x7f]))), '02017f');
    assert.equal(hex(unsignedInteger(Buffer.from([0xff]))), '020200ff');
    assert.throws(() => unsignedInteger(-1));
  });

  it('encodes object identifiers and long lengths (X.690 examples)', () => {
    assert.equal(hex(objectIdentifier('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
    assert.equal(hex(objectIdentifier('2.5.4.3')), '0603550403');
    assert.equal(hex(objectIdentifier('2.999.3')), '0603883703');
    assert.throws(() => objectIdentifier('1'));
    assert.throws(() => objectIdentifier('1.40'));
    const long = readElement(objectIdentifier(`1.2.${'1.'.repeat(200)}1`));
    assert.equal(long.content.length, 202);
  });

  it('switches from UTCTime to GeneralizedTime in 2050 (RFC 5280 §4.1.2.5)', () => {
    assert.equal(x509Time(new Date('2049-12-31T23:59:59.999Z')).toString('latin1'), '\x17\x0d491231235959Z');
    assert.equal(x509Time(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
    assert.equal(x509Time(new Date('1999-02-03T04:05:06Z')).toString('latin1'), '\x17\x0d990203040506Z');
    assert.throws(() => x509Time(new Date('1949-12-31T23:59:59Z')));
  });
});

describe('self-signed certificates', () => {
  for (const [label, generate, signatureOid] of pairs) {
    it(`${label}: verifies with its own key, issued by itself, for the given name and validity`, () => {
      const { publicKey, privateKey } = generate();
      const validity = defaultValidity(Date.UTC(2026, 1, 3, 4, 5, 6, 789));
      const pem = createSelfSignedCertificate({ privateKey, commonName: 'Acme, Inc. — signing', ...validity });
      assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----$/);
      const certificate = new X509Certificate(pem);
      assert.equal(certificate.verify(publicKey), true);
      assert.equal(certificate.checkIssued(certificate), true);
      assert.equal(certificate.checkPrivateKey(privateKey), true);
      assert.equal(certificate.publicKey.equals(publicKey), true);
      assert.equal(certificate.subject, 'CN=Acme\\, Inc. — signing');
      assert.equal(certificate.issuer, certificate.subject);
      assert.equal(certificate.validFromDate.toISOString(), '2026-02-03T04:05:06.000Z');
      assert.equal(certificate.validToDate.toISOString(), '2036-02-03T04:05:06.000Z');
      assert.equal(certificate.ca, false);
      // Another key does not verify it: the signature is real.
      assert.equal(certificate.verify(generate().publicKey), false);

      // Structure: v3, a positive 16-octet serial, the same algorithm inside and outside the signed part.
      const [tbs, outerAlgorithm] = readChildren(readElement(certificate.raw).content);
      const fields = readChildren(tbs!.content);
      assert.equal(hex(fields[0]!.encoded), 'a003020102');
      assert.equal(fields[1]!.tag, 0x02);
      assert.equal(fields[1]!.content.length, 16);
      assert.ok(fields[1]!.content[0]! > 0 && fields[1]!.content[0]! < 0x80);
      assert.deepEqual(fields[2]!.encoded, outerAlgorithm!.encoded);
      assert.deepEqual(readChildren(fields[2]!.content)[0]!.encoded, objectIdentifier(signatureOid));
    });
  }

  it('carries subject and authority key identifiers and is accepted by openssl', (t) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = createSelfSignedCertificate({ privateKey, commonName: 'gatehouse.test', ...defaultValidity(Date.now()) });
    const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-certificate-')), 'certificate.pem');
    writeFileSync(file, `${pem}\n`);
    let text: string;
    try {
      text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', file], { encoding: 'utf8' });
      // Verified as its own trust anchor, signature included: exit status 0 or execFileSync throws.
      execFileSync('openssl', ['verify', '-CAfile', file, '-check_ss_sig', file], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return t.skip('no openssl binary');
      throw error;
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
    assert.match(text, /Version: 3 \(0x2\)/);
    const identifiers = [...text.matchAll(/Key Identifier: *\n\s*(?:keyid:)?([0-9A-F:]+)/g)].map((match) => match[1]);
    assert.equal(identifiers.length, 2);
    assert.equal(identifiers[0], identifiers[1]);
  });

  it('takes a given serial and refuses key types it cannot sign for', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = createSelfSignedCertificate({ privateKey, commonName: 'x', ...defaultValidity(Date.now()), serialNumber: Buffer.from([0xea, 0x75]) });
    assert.equal(new X509Certificate(pem).serialNumber, 'EA75');
    assert.equal(describeCertificate(pem)?.information.serialNumber, '00:EA:75');
    assert.throws(() => createSelfSignedCertificate({ privateKey: generateKeyPairSync('x25519').privateKey, commonName: 'x', ...defaultValidity(Date.now()) }));
  });

  it('describes a certificate the way FusionAuth does, and gives the JWK certificate members', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = createSelfSignedCertificate({ privateKey, commonName: 'Acme, Inc.', ...defaultValidity(Date.UTC(2030, 0, 1)) });
    const certificate = new X509Certificate(pem);
    const description = describeCertificate(pem);
    assert.equal(description?.issuerCommonName, 'Acme, Inc.');
    const information = description!.information;
    assert.equal(information.subject, 'CN=Acme\\, Inc.');
    assert.equal(information.issuer, 'CN=Acme\\, Inc.');
    assert.equal(information.sha1Fingerprint, certificate.fingerprint);
    assert.equal(information.sha256Fingerprint, certificate.fingerprint256);
    assert.match(information.md5Fingerprint, /^([0-9A-F]{2}:){15}[0-9A-F]{2}$/);
    assert.equal(information.sha1Thumbprint, Buffer.from(certificate.fingerprint.replaceAll(':', ''), 'hex').toString('base64url'));
    assert.equal(information.sha256Thumbprint, Buffer.from(certificate.fingerprint256.replaceAll(':', ''), 'hex').toString('base64url'));
    assert.equal(information.serialNumber.replaceAll(':', ''), certificate.serialNumber);
    assert.equal(information.validFrom, Date.UTC(2030, 0, 1));
    assert.equal(information.validTo, Date.UTC(2040, 0, 1));
    assert.deepEqual(certificateJwkMembers(pem), { x5c: [certificate.raw.toString('base64')], x5t: information.sha1Thumbprint, 'x5t#S256': information.sha256Thumbprint });
    assert.equal(describeCertificate('not a certificate'), undefined);
    assert.equal(certificateJwkMembers('not a certificate'), undefined);
  });

  it('lists a multi-RDN name most specific first', () => {
    assert.equal(describeCertificate(exampleCertificate)?.information.subject, 'CN=example.test, O=Example Org, C=DE');
    assert.equal(describeCertificate(exampleCertificate)?.issuerCommonName, 'example.test');
  });
});
