/**
 * Just enough ASN.1 DER (ITU-T X.690) to write one X.509 certificate and read the few fields Gatehouse
 * needs back from DER that node:crypto produced. Every writer emits the distinguished form: definite
 * lengths in the fewest octets, minimal integers, sorted SET OF.
 */

/** §8.1.3: short form below 128, else 0x80 | count followed by the length in big-endian octets. */
function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One tag-length-value element; `tag` is the whole identifier octet (class, constructed bit, number < 31). */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...elements: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(elements));
}

/** §11.6: the elements of a SET OF in ascending order of their encodings. */
export function setOf(...elements: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat([...elements].sort(Buffer.compare)));
}

/** A non-negative INTEGER from its big-endian magnitude (§8.3.2: no redundant leading octets; a 0x00 keeps it positive). */
export function unsignedInteger(magnitude: Uint8Array | number): Buffer {
  let bytes: Buffer;
  if (typeof magnitude === 'number') {
    if (!Number.isSafeInteger(magnitude) || magnitude < 0) throw new Error(`not a non-negative integer: ${magnitude}`);
    const hex = magnitude.toString(16);
    bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  } else {
    bytes = Buffer.from(magnitude);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  return tlv(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** §8.19: the first two arcs share one subidentifier; each subidentifier in base 128, high bit = more to come. */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0) || first > 2 || (first < 2 && second > 39)) {
    throw new Error(`not an object identifier: ${dotted}`);
  }
  const octets: number[] = [];
  for (const subidentifier of [first * 40 + second, ...rest]) {
    const group = [subidentifier % 128];
    for (let value = Math.floor(subidentifier / 128); value > 0; value = Math.floor(value / 128)) group.unshift(0x80 | value % 128);
    octets.push(...group);
  }
  return tlv(0x06, Buffer.from(octets));
}

/** A BIT STRING of whole octets (signatures, keys): zero unused bits. */
export function bitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

export function octetString(bytes: Uint8Array): Buffer {
  return tlv(0x04, bytes);
}

/** §11.1: TRUE is 0xFF in DER. */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0]));
}

export const nullElement: Buffer = tlv(0x05, Buffer.alloc(0));

export function utf8String(value: string): Buffer {
  return tlv(0x0c, Buffer.from(value, 'utf8'));
}

/**
 * An X.509 Time (RFC 5280 §4.1.2.5): UTCTime `YYMMDDHHMMSSZ` through 2049, GeneralizedTime
 * `YYYYMMDDHHMMSSZ` from 2050 on, both in whole seconds, UTC.
 */
export function x509Time(instant: Date): Buffer {
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = instant.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new Error(`no X.509 time for the year ${year}`);
  const digits = iso.slice(0, 19).replace(/\D/g, '');
  return year < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii')) : tlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** `[number] EXPLICIT`: a constructed context-specific tag wrapping a whole element. */
export function explicit(number: number, element: Buffer): Buffer {
  return tlv(0xa0 | number, element);
}

/** `[number] IMPLICIT` of a primitive type: the context-specific tag replaces the type's own. */
export function implicitPrimitive(number: number, content: Uint8Array): Buffer {
  return tlv(0x80 | number, content);
}

export interface DerElement {
  readonly tag: number;
  readonly content: Buffer;
  /** The whole element, header included. */
  readonly encoded: Buffer;
}

/** Reads the element at `offset` (single-octet tags and definite lengths only, which is all DER uses here). */
export function readElement(der: Buffer, offset = 0): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) throw new Error('truncated or unsupported DER');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let index = 0; index < count; index += 1) length = length * 256 + (der[offset + 2 + index] ?? Number.NaN);
    header += count;
  }
  const end = offset + header + length;
  if (!Number.isSafeInteger(end) || end > der.length) throw new Error('truncated DER');
  return { tag, content: der.subarray(offset + header, end), encoded: der.subarray(offset, end) };
}

/** The elements inside a constructed element's content, in order. */
export function readChildren(content: Buffer): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < content.length; ) {
    const child = readElement(content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}
