/*
 * ECDSA signatures between node:crypto's DER form (ECDSA-Sig-Value: SEQUENCE { r INTEGER, s INTEGER },
 * RFC 3279 §2.2.3) and JOSE's fixed-width r || s (RFC 7518 §3.4). Node converts itself when given
 * `dsaEncoding: 'ieee-p1363'`, but only through its key-options path, which costs as much again as the
 * ES256 signature itself; signing and verifying with the bare KeyObject and converting here is twice as
 * fast (bench/client-credentials.ts, docs/performance.md).
 */

/** Bytes of r and of s for a curve of `bits` (P-256 → 32, P-384 → 48, P-521 → 66). */
export function ecdsaPartSize(bits: number): number {
  return Math.ceil(bits / 8);
}

/** The DER length at `offset`: its value and where the content starts. */
function derLength(der: Buffer, offset: number): { length: number; start: number } {
  const first = der[offset]!;
  if (first < 0x80) return { length: first, start: offset + 1 };
  // Signatures are short: at most two length bytes.
  const count = first & 0x7f;
  if (count === 1) return { length: der[offset + 1]!, start: offset + 2 };
  return { length: (der[offset + 1]! << 8) | der[offset + 2]!, start: offset + 3 };
}

/** DER as node:crypto signs it → r || s, each left-padded to `size` bytes. */
export function derToJose(der: Buffer, size: number): Buffer {
  const out = Buffer.alloc(size * 2);
  let offset = derLength(der, 1).start;
  for (let part = 0; part < 2; part += 1) {
    const { length, start } = derLength(der, offset + 1);
    // An INTEGER may carry a leading zero (sign byte) or fewer bytes than the curve's width.
    const value = der.subarray(start, start + length);
    const trimmed = value.length > size ? value.subarray(value.length - size) : value;
    trimmed.copy(out, part * size + (size - trimmed.length));
    offset = start + length;
  }
  return out;
}

function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const value = bytes.subarray(start);
  const padded = value[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return Buffer.concat([Buffer.from([0x02, padded.length]), padded]);
}

/** r || s → DER for node:crypto's verify; undefined unless the signature is exactly 2 × `size` bytes. */
export function joseToDer(jose: Buffer, size: number): Buffer | undefined {
  if (jose.length !== size * 2) return undefined;
  const body = Buffer.concat([derInteger(jose.subarray(0, size)), derInteger(jose.subarray(size))]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}
