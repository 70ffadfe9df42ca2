import { createHash, X509Certificate } from 'node:crypto';
import { readChildren, readElement } from './der.ts';

/** FusionAuth's `key.certificateInformation`. */
export interface CertificateInformation {
  readonly issuer: string;
  readonly md5Fingerprint: string;
  readonly serialNumber: string;
  readonly sha1Fingerprint: string;
  readonly sha1Thumbprint: string;
  readonly sha256Fingerprint: string;
  readonly sha256Thumbprint: string;
  readonly subject: string;
  readonly validFrom: number;
  readonly validTo: number;
}

export interface CertificateDescription {
  readonly information: CertificateInformation;
  /** FusionAuth's `key.issuer`: the issuer's CN, when it has one. */
  readonly issuerCommonName: string | undefined;
}

/** `AB:CD:...`, the way FusionAuth (and openssl) print fingerprints and serial numbers. */
function colonHex(bytes: Buffer): string {
  return (bytes.toString('hex').toUpperCase().match(/../g) ?? []).join(':');
}

function digest(algorithm: 'md5' | 'sha1' | 'sha256', der: Buffer): Buffer {
  return createHash(algorithm).update(der).digest();
}

/**
 * Node prints a name one RDN a line, most general first (`C=US\nCN=x`), RFC 4514 specials already escaped;
 * FusionAuth shows the Java form, most specific first, comma-separated.
 */
function displayName(multiline: string): string {
  return multiline.split('\n').reverse().join(', ');
}

/** The serial's content octets as DER holds them (a leading 00 on a high first octet, as FusionAuth shows). */
function serialNumberOctets(der: Buffer): Buffer {
  const [tbsCertificate] = readChildren(readElement(der).content);
  const fields = readChildren(tbsCertificate?.content ?? Buffer.alloc(0));
  // version is `[0] EXPLICIT` and absent from v1 certificates.
  const serial = fields[0]?.tag === 0xa0 ? fields[1] : fields[0];
  if (serial?.tag !== 0x02) throw new Error('no serial number');
  return serial.content;
}

/** Reads a PEM certificate; undefined when it is not one (stored text is checked on import, so only as a guard). */
export function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function commonNameOf(certificate: X509Certificate): string | undefined {
  // The legacy object holds the name's values unescaped; a repeated attribute comes as an array.
  const name = certificate.toLegacyObject().issuer as unknown as Record<string, string | string[] | undefined>;
  const commonName = name['CN'];
  return Array.isArray(commonName) ? commonName.at(-1) : commonName;
}

export function describeCertificate(pem: string): CertificateDescription | undefined {
  const certificate = parseCertificate(pem);
  if (certificate === undefined) return undefined;
  const der = certificate.raw;
  const sha1 = digest('sha1', der);
  const sha256 = digest('sha256', der);
  return {
    information: {
      issuer: displayName(certificate.issuer),
      md5Fingerprint: colonHex(digest('md5', der)),
      serialNumber: colonHex(serialNumberOctets(der)),
      sha1Fingerprint: colonHex(sha1),
      sha1Thumbprint: sha1.toString('base64url'),
      sha256Fingerprint: colonHex(sha256),
      sha256Thumbprint: sha256.toString('base64url'),
      subject: displayName(certificate.subject),
      validFrom: certificate.validFromDate.getTime(),
      validTo: certificate.validToDate.getTime(),
    },
    issuerCommonName: commonNameOf(certificate),
  };
}

/**
 * The JWK members that carry a certificate (RFC 7517 §4.7–4.9): `x5c` holds standard base64 DER (not
 * base64url), the thumbprints are base64url digests of the same DER.
 */
export function certificateJwkMembers(pem: string): { x5c: string[]; x5t: string; 'x5t#S256': string } | undefined {
  const certificate = parseCertificate(pem);
  if (certificate === undefined) return undefined;
  const der = certificate.raw;
  return { x5c: [der.toString('base64')], x5t: digest('sha1', der).toString('base64url'), 'x5t#S256': digest('sha256', der).toString('base64url') };
}
