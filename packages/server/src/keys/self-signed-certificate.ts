import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  explicit,
  implicitPrimitive,
  nullElement,
  objectIdentifier,
  octetString,
  readChildren,
  readElement,
  sequence,
  setOf,
  unsignedInteger,
  utf8String,
  x509Time,
} from './der.ts';

/**
 * Self-signed X.509 v3 certificates (RFC 5280) for keys Key Master generates, as FusionAuth gives
 * every generated RSA, EC and Ed25519 key one: SAML and other certificate-minded relying parties can
 * take the key from it, and the JWKS can carry it as `x5c`. Written with the small DER writer in der.ts
 * and signed with node:crypto; no certificate library needed.
 */

const oid = {
  commonName: '2.5.4.3',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ed25519: '1.3.101.112',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

export interface SelfSignedCertificateOptions {
  /** RSA (PKCS#1 v1.5), EC or Ed25519. */
  readonly privateKey: KeyObject;
  /** Subject and issuer CN: the certificate names one party, itself. */
  readonly commonName: string;
  /** Whole seconds: X.509 times have no fractions (RFC 5280 §4.1.2.5). */
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Big-endian magnitude, at most 20 octets (RFC 5280 §4.1.2.2); 16 random octets when absent. */
  readonly serialNumber?: Uint8Array;
}

interface SignatureAlgorithm {
  readonly identifier: Buffer;
  /** Digest for node:crypto's sign(); null for Ed25519, which hashes internally. */
  readonly hash: 'sha256' | null;
}

function signatureAlgorithm(key: KeyObject): SignatureAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      // RFC 3279 §2.2.1: the parameters of an RSA signature algorithm are NULL, not absent.
      return { identifier: sequence(objectIdentifier(oid.sha256WithRsaEncryption), nullElement), hash: 'sha256' };
    case 'ec':
      // RFC 5758 §3.2: ecdsa-with-SHA256 has no parameters; node's ECDSA signature is already DER Ecdsa-Sig-Value.
      return { identifier: sequence(objectIdentifier(oid.ecdsaWithSha256)), hash: 'sha256' };
    case 'ed25519':
      // RFC 8410 §3: parameters absent.
      return { identifier: sequence(objectIdentifier(oid.ed25519)), hash: null };
    default:
      throw new Error(`no self-signed certificate for ${String(key.asymmetricKeyType)} keys`);
  }
}

function distinguishedName(commonName: string): Buffer {
  return sequence(setOf(sequence(objectIdentifier(oid.commonName), utf8String(commonName))));
}

/** Extension ::= SEQUENCE { extnID, critical DEFAULT FALSE (so omitted in DER), extnValue OCTET STRING }. */
function extension(extensionId: string, value: Buffer): Buffer {
  return sequence(objectIdentifier(extensionId), octetString(value));
}

/** A positive 16-octet serial: the first octet in 1..127 keeps the sign bit clear and the length fixed. */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) % 0x7f) + 1;
  return serial;
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----'].join('\n');
}

/** The PEM of a certificate for `privateKey`'s public half, issued by itself. */
export function createSelfSignedCertificate(options: SelfSignedCertificateOptions): string {
  const algorithm = signatureAlgorithm(options.privateKey);
  const subjectPublicKeyInfo = createPublicKey(options.privateKey).export({ type: 'spki', format: 'der' });
  // RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's value, unused-bits octet excluded.
  const [, subjectPublicKey] = readChildren(readElement(subjectPublicKeyInfo).content);
  if (subjectPublicKey === undefined) throw new Error('unreadable SubjectPublicKeyInfo');
  const keyIdentifier = createHash('sha1').update(subjectPublicKey.content.subarray(1)).digest();
  const name = distinguishedName(options.commonName);

  const tbsCertificate = sequence(
    explicit(0, unsignedInteger(2)), // version v3
    unsignedInteger(options.serialNumber ?? randomSerial()),
    algorithm.identifier,
    name, // issuer
    sequence(x509Time(options.notBefore), x509Time(options.notAfter)),
    name, // subject
    subjectPublicKeyInfo,
    explicit(
      3,
      sequence(
        extension(oid.subjectKeyIdentifier, octetString(keyIdentifier)),
        // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }: its own key.
        extension(oid.authorityKeyIdentifier, sequence(implicitPrimitive(0, keyIdentifier))),
      ),
    ),
  );
  const signature = sign(algorithm.hash, tbsCertificate, options.privateKey);
  return toPem(sequence(tbsCertificate, algorithm.identifier, bitString(signature)));
}

/** The validity FusionAuth gives generated keys: ten years from now, in whole seconds. */
export function defaultValidity(instant: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Math.floor(instant / 1000) * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + 10);
  return { notBefore, notAfter };
}
